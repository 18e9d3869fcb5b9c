package dev.keysource.vault.internal;

import dev.keysource.KeySourceException;
import dev.keysource.SecretNotFoundException;
import dev.keysource.SourceAccessDeniedException;
import dev.keysource.SourceInterruptedException;
import dev.keysource.SourceMisconfiguredException;
import dev.keysource.SourceTimeoutException;
import dev.keysource.SourceUnavailableException;
import dev.keysource.spi.PlainHttpProbe;
import dev.keysource.spi.Printable;
import io.github.jopenlibs.vault.VaultException;
import io.github.jopenlibs.vault.json.Json;
import io.github.jopenlibs.vault.json.JsonObject;
import io.github.jopenlibs.vault.json.JsonValue;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.net.ssl.SSLException;

/**
 * Classifies what Vault (or the network) answered into keysource's failure types, with messages that
 * name the reference, the address, the request, the status and Vault's own error text, and say what
 * to do. Never a token, a credential or a secret value: response bodies are only mined for Vault's
 * {@code errors} list.
 *
 * <p>Rows: 400 misconfigured; 401/403 rejected; 404 not found; 405 and other 4xx misconfigured;
 * 412, 429, 5xx (503 sealed or standby) transient; connection failures transient; time-outs transient
 * ({@link SourceTimeoutException}); TLS failures misconfigured (an https:// address whose server speaks plain
 * HTTP says so: {@link PlainHttpProbe}); interrupts {@link SourceInterruptedException}.
 */
public final class VaultErrors {

    private static final int MAX_ERROR_TEXT = 300;

    private VaultErrors() {
    }

    /** One request, for messages: "GET /v1/secret/data/app at https://vault:8200 (namespace team)". */
    public static final class Call {
        final String reference;
        final String address;
        final String namespace;
        final String method;
        final String path;
        final String what;

        /**
         * @param what the operation in words, "reading the secret", "logging in with AppRole"
         */
        public Call(String reference, String address, String namespace, String method, String path, String what) {
            this.reference = reference;
            this.address = address;
            this.namespace = namespace;
            this.method = method;
            this.path = path;
            this.what = what;
        }

        String where() {
            return method + " " + address + "/v1/" + path + (namespace != null ? " (namespace " + namespace + ")" : "");
        }
    }

    /**
     * The failure for a non-200 answer.
     *
     * @param body the response body, mined only for Vault's {@code errors} list
     * @param advice403 what to do after a 401/403, or null for the default
     */
    public static KeySourceException forStatus(Call c, int status, byte[] body, String advice403) {
        String head = head(c, status, body);
        if (status == 401 || status == 403) {
            return rejected(c, status, body, advice403);
        }
        if (status == 404) {
            return new SecretNotFoundException(c.reference, head + "; nothing is stored at this path: check the"
                    + " path and the namespace (VAULT_NAMESPACE)");
        }
        String tlsOnly = status == 400 ? tlsServerText(body) : null;
        if (tlsOnly != null) {
            // http:// to a TLS server that answers plain-HTTP requests with a 400 saying so (Go's, nginx's)
            return new SourceMisconfiguredException(c.reference, "the server at " + c.address
                    + " expects TLS (it answered 400: " + tlsOnly + "); use https:// in VAULT_ADDR");
        }
        if (status == 400) {
            return new SourceMisconfiguredException(c.reference, head + "; Vault refused the request as invalid:"
                    + " check the path and options");
        }
        if (status == 412) {
            return new SourceUnavailableException(c.reference, head + "; a performance standby has not caught up"
                    + " with the active node yet (transient, retried)");
        }
        if (status == 429) {
            return new SourceUnavailableException(c.reference, head + "; Vault is rate-limiting requests"
                    + " (transient, retried); if it persists, lower the request rate or raise the quota");
        }
        if (status == 503) {
            return new SourceUnavailableException(c.reference, head + "; Vault is sealed, in standby or"
                    + " overloaded (transient, retried); check 'vault status'");
        }
        if (status >= 500) {
            return new SourceUnavailableException(c.reference, head + "; a Vault server error (transient,"
                    + " retried); check the Vault server's logs");
        }
        if (status == 204) {
            return new SecretNotFoundException(c.reference, head + "; Vault returned no data at this path");
        }
        if (status >= 300 && status < 400) {
            return new SourceMisconfiguredException(c.reference, head + "; Vault redirected the request somewhere"
                    + " keysource does not follow (e.g. from https to http): check VAULT_ADDR");
        }
        if (status == 405) {
            return new SourceMisconfiguredException(c.reference, head + "; this path does not support reading:"
                    + " check the path");
        }
        return new SourceMisconfiguredException(c.reference, head + "; unexpected status: check the address, path"
                + " and options");
    }

    /**
     * The failure for an exception from the driver: a status it raised itself (5xx, non-200 on login),
     * or a connection failure, time-out, TLS failure or interrupt underneath.
     */
    public static KeySourceException forException(Call c, Throwable t, String advice403) {
        if (t instanceof KeySourceException kse) {
            return kse;
        }
        if (t instanceof VaultException vaultException && vaultException.getHttpStatusCode() > 0) {
            int status = vaultException.getHttpStatusCode();
            if (status == 200) {
                // the driver refuses a 200 that is not application/json: a proxy's page, not Vault
                return malformed(c, status);
            }
            return forStatus(c, status, bodyOf(vaultException), advice403);
        }
        for (Throwable x = t; x != null; x = x.getCause() == x ? null : x.getCause()) {
            if (x instanceof InterruptedException) {
                Thread.currentThread().interrupt();
                return interrupted(c);
            }
        }
        if (Thread.currentThread().isInterrupted()) {
            return interrupted(c);
        }
        String head = c.what + " failed: " + c.where();
        Throwable x;
        if ((x = find(t, HttpConnectTimeoutException.class)) != null) {
            return new SourceTimeoutException(c.reference, head + ": could not connect to Vault within the time limit;"
                    + " check that Vault is reachable at this address (VAULT_ADDR)", x);
        }
        if ((x = find(t, HttpTimeoutException.class)) != null) {
            return new SourceTimeoutException(c.reference, head + ": Vault did not answer within the time limit;"
                    + " check Vault's health, or raise 'timeout' (KEYSOURCE_TIMEOUT_MS)", x);
        }
        if ((x = find(t, BoundedBody.TooLarge.class)) != null) {
            // retrying would read another endless or oversized body: no Vault answer for a secret is this large
            return new SourceMisconfiguredException(c.reference, head + ": the answer is larger than "
                    + (BoundedBody.MAX_BYTES >> 20) + " MiB, more than any Vault answer for a secret; keysource stopped"
                    + " reading it (not retried). Check that VAULT_ADDR points at Vault itself, not at a proxy or"
                    + " another service", null);
        }
        if (PlainHttpProbe.isPlainHttpAnswer(t)) {
            // https:// to a server that speaks plain HTTP: it waited for the rest of a "request line" (found by
            // PlainHttpProbe) or answered at once in plain text (the JDK's "Unrecognized SSL message")
            return new SourceMisconfiguredException(c.reference, "TLS handshake with " + c.address
                    + " failed: the server answered in plain HTTP; use http:// in VAULT_ADDR (or fix the server's TLS)",
                    null);
        }
        if ((x = find(t, SSLException.class)) != null || (x = find(t, GeneralSecurityException.class)) != null) {
            return new SourceMisconfiguredException(c.reference, head + ": the TLS handshake failed ("
                    + oneLine(x.getMessage()) + "); if Vault's certificate is signed by a private CA, set VAULT_CACERT"
                    + " (a PEM file) or VAULT_CAPATH (a directory of PEM files) to it", x);
        }
        if ((x = find(t, ConnectException.class)) != null) {
            return new SourceUnavailableException(c.reference, head + ": cannot connect to Vault"
                    + (x.getMessage() != null ? " (" + oneLine(x.getMessage()) + ")" : "")
                    + "; is Vault running, and is VAULT_ADDR right?", x);
        }
        if ((x = find(t, UnknownHostException.class)) != null || (x = find(t, UnresolvedAddressException.class)) != null) {
            return new SourceUnavailableException(c.reference, head + ": cannot resolve Vault's host name;"
                    + " check VAULT_ADDR and DNS", x);
        }
        if ((x = find(t, URISyntaxException.class)) != null) {
            return new SourceMisconfiguredException(c.reference, head + ": the request URL is invalid ("
                    + oneLine(x.getMessage()) + "); check VAULT_ADDR and the path", null);
        }
        if ((x = find(t, IOException.class)) != null) {
            return new SourceUnavailableException(c.reference, head + ": the connection failed ("
                    + x.getClass().getSimpleName() + (x.getMessage() != null ? ": " + oneLine(x.getMessage()) : "")
                    + "); transient, retried", x);
        }
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root instanceof IllegalArgumentException && !(root instanceof NumberFormatException)) {
            // the JDK refused to build the request (a header value, a URI): the same on every attempt. Its
            // message can quote a header value, which may be the token: class name only
            return new SourceMisconfiguredException(c.reference, head + ": the request could not be built ("
                    + root.getClass().getName() + "); check VAULT_ADDR, the namespace and the token for characters"
                    + " that cannot go into a URL or an HTTP header", null);
        }
        return new SourceUnavailableException(c.reference, head + ": Vault's answer could not be read ("
                + root.getClass().getName() + "); it was not the JSON Vault sends: is a proxy in the way?", null);
    }

    private static SourceInterruptedException interrupted(Call c) {
        return new SourceInterruptedException(c.reference, "interrupted while " + c.what + " ("
                + c.where() + ")");
    }

    /**
     * The outermost exception of {@code type} in the cause chain, never a driver exception (its message can
     * hold a response body), so it is safe to keep as a cause.
     */
    private static Throwable find(Throwable t, Class<? extends Throwable> type) {
        for (Throwable x = t; x != null; x = x.getCause() == x ? null : x.getCause()) {
            if (type.isInstance(x) && !x.getClass().getName().startsWith("io.github.jopenlibs")) {
                return x;
            }
        }
        return null;
    }

    /** A refusal (also a login's 400, "invalid role or secret ID"): not retried. */
    public static SourceAccessDeniedException rejected(Call c, int status, byte[] body, String advice) {
        return new SourceAccessDeniedException(c.reference, head(c, status, body) + "; " + (advice != null ? advice
                : "the token was refused: check that it is valid and that its policies allow this request"));
    }

    private static String head(Call c, int status, byte[] body) {
        String errors = errorText(body);
        return c.what + " failed: Vault answered " + status
                + (errors.isEmpty() ? "" : " (" + errors + ")") + " to " + c.where();
    }

    /** The response body the driver put into its exception's message after "Response body: ". */
    static byte[] bodyOf(VaultException e) {
        String m = e.getMessage();
        if (m == null) {
            return null;
        }
        int i = m.indexOf("Response body: ");
        return i < 0 ? null : m.substring(i + "Response body: ".length()).getBytes(StandardCharsets.UTF_8);
    }

    /** A 2xx answer whose body is not the JSON Vault sends: transient (a proxy, a truncated response). */
    public static KeySourceException malformed(Call c, int status) {
        return new SourceUnavailableException(c.reference, c.what + " failed: Vault answered "
                + status + " to " + c.where() + ", but the body is not the JSON Vault sends (transient, retried);"
                + " if it persists, check for a proxy or load balancer answering in Vault's place");
    }

    /**
     * The text of a TLS server's answer to a plain-HTTP request (Go: "Client sent an HTTP request to an HTTPS
     * server.", nginx: "The plain HTTP request was sent to HTTPS port"), one line without the final period;
     * null if the body is not such an answer.
     */
    static String tlsServerText(byte[] body) {
        if (body == null || body.length == 0 || body.length > 2048) {
            return null;
        }
        String text = new String(body, StandardCharsets.UTF_8);
        for (String marker : new String[] {"Client sent an HTTP request to an HTTPS server",
                "The plain HTTP request was sent to HTTPS port"}) {
            if (text.contains(marker)) {
                return marker;
            }
        }
        return null;
    }

    /** Vault's {@code errors} list, one line, bounded; empty if the body has none. */
    static String errorText(byte[] body) {
        if (body == null || body.length == 0) {
            return "";
        }
        try {
            JsonValue v = Json.parse(new String(body, StandardCharsets.UTF_8));
            if (!v.isObject()) {
                return "";
            }
            JsonValue errors = ((JsonObject) v).get("errors");
            if (errors == null || !errors.isArray()) {
                return "";
            }
            StringBuilder sb = new StringBuilder();
            for (JsonValue e : errors.asArray()) {
                String s = e.isString() ? e.asString() : e.toString();
                s = oneLine(s.replace("1 error occurred:", "").replace("* ", ""));
                if (!s.isEmpty()) {
                    if (sb.length() > 0) {
                        sb.append("; ");
                    }
                    sb.append(s);
                }
            }
            return bound(sb.toString());
        } catch (RuntimeException e) {
            return "";
        }
    }

    /** Server-provided (or exception) text on one line, with control and separator characters escaped. */
    static String oneLine(String s) {
        return s == null ? "" : Printable.escape(s.replaceAll("\\s+", " ").trim());
    }

    static String bound(String s) {
        return s.length() <= MAX_ERROR_TEXT ? s : s.substring(0, MAX_ERROR_TEXT) + "…";
    }
}
