package dev.keysource.awsagent.internal;

import dev.keysource.KeyRef;
import dev.keysource.Secret;
import dev.keysource.SourceInterruptedException;
import dev.keysource.SourceMisconfiguredException;
import dev.keysource.SourceTimeoutException;
import dev.keysource.SourceUnavailableException;
import dev.keysource.awsagent.SecretsManagerAgentProvider;
import dev.keysource.spi.Json;
import dev.keysource.spi.KeySource;
import dev.keysource.spi.ProviderContext;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.math.BigDecimal;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.channels.ClosedByInterruptException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One {@code GET /secretsmanager/get} to the node-local agent per fetch, with
 * {@link HttpURLConnection} (it starts faster than {@code java.net.http.HttpClient}, which brings up a
 * selector thread; measured by {@code benchmarks/startup/agent.sh}). The connection ignores interrupts, so
 * its connect and read timeouts stay below the attempt time limit. No proxy is ever used: the agent
 * refuses forwarded requests, and the token must not leave the machine.
 */
public final class AgentKeySource implements KeySource {

    /** Largest response read: the agent's own request and response limit is about 321 KiB. */
    static final int MAX_BODY_BYTES = 1024 * 1024;
    private static final Duration MIN_TIMEOUT = Duration.ofMillis(100);

    private final KeyRef ref;
    private final String reference;
    private final AgentTarget target;
    private final AgentToken token;
    private final int connectTimeoutMs;
    private final int readTimeoutMs;
    private final AtomicBoolean afterRejection = new AtomicBoolean();

    public AgentKeySource(KeyRef ref, AgentTarget target, ProviderContext context) {
        this.ref = ref;
        this.reference = ref.toString();
        this.target = target;
        this.token = AgentToken.resolve(context, target.tokenFile);
        Duration attempt = context.attemptTimeout();
        Duration margin = attempt.dividedBy(10).compareTo(MIN_TIMEOUT) > 0 ? attempt.dividedBy(10) : MIN_TIMEOUT;
        long read = Math.max(MIN_TIMEOUT.toMillis(), attempt.minus(margin).toMillis());
        this.readTimeoutMs = (int) Math.min(Integer.MAX_VALUE, read);
        this.connectTimeoutMs = (int) Math.min(readTimeoutMs, Duration.ofSeconds(5).toMillis());
        context.note("agent: " + target.where() + " (" + target.portOrigin + ")");
        context.note("SSRF token: from " + token.origin());
    }

    @Override
    public KeyRef ref() {
        return ref;
    }

    /** The next fetch asks the agent to bypass its cache ({@code refreshNow=true}). */
    @Override
    public void rejected(Secret value) {
        afterRejection.set(true);
    }

    @Override
    public Secret fetch() {
        String t = token.read(reference);
        boolean refreshNow = afterRejection.getAndSet(false);
        boolean done = false;
        try {
            Secret s = request(t, refreshNow);
            done = true;
            return s;
        } finally {
            if (!done && refreshNow) {
                afterRejection.set(true); // the retry must still bypass the agent's cache
            }
        }
    }

    /** The request path and query, for tests and messages (holds no token). */
    String pathAndQuery(boolean refreshNow) {
        StringBuilder q = new StringBuilder("/secretsmanager/get?secretId=").append(encode(target.secretId));
        if (target.version != null) {
            q.append("&versionId=").append(encode(target.version));
        } else if (target.stage != null) {
            q.append("&versionStage=").append(encode(target.stage));
        }
        if (refreshNow) {
            q.append("&refreshNow=true");
        }
        return q.toString();
    }

    private Secret request(String t, boolean refreshNow) {
        if (Thread.currentThread().isInterrupted()) {
            throw interrupted();
        }
        HttpURLConnection c = null;
        int status;
        byte[] body;
        try {
            c = (HttpURLConnection) URI.create("http://127.0.0.1:" + target.port + pathAndQuery(refreshNow)).toURL()
                    .openConnection(Proxy.NO_PROXY);
            c.setConnectTimeout(connectTimeoutMs);
            c.setReadTimeout(readTimeoutMs);
            c.setUseCaches(false);
            c.setInstanceFollowRedirects(false);
            c.setRequestProperty(SecretsManagerAgentProvider.TOKEN_HEADER, t);
            c.setRequestProperty("Accept", "application/json");
            status = c.getResponseCode();
            InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
            body = in == null ? new byte[0] : readBounded(in);
        } catch (ClosedByInterruptException | InterruptedIOException e) {
            if (e instanceof SocketTimeoutException && !Thread.currentThread().isInterrupted()) {
                throw new SourceTimeoutException(reference, target.where() + " did not answer within "
                        + readTimeoutMs + " ms; check the agent's log (it may be waiting on Secrets Manager)", e);
            }
            throw interrupted();
        } catch (ConnectException e) {
            if (c != null) {
                c.disconnect();
            }
            throw new SourceUnavailableException(reference, "nothing answers at 127.0.0.1:" + target.port
                    + " (" + e.getMessage() + "); is the Secrets Manager Agent running on this node (or the AWS "
                    + "Parameters and Secrets Lambda Extension layer added to the function)? Set 'port' or "
                    + SecretsManagerAgentProvider.PORT_VARIABLE + " if it listens elsewhere", e);
        } catch (IOException e) {
            if (c != null) {
                c.disconnect();
            }
            if (Thread.currentThread().isInterrupted()) {
                throw interrupted();
            }
            throw new SourceUnavailableException(reference, "reading from " + target.where()
                    + " failed (" + e.getClass().getSimpleName() + "); retried", e);
        }
        if (Thread.currentThread().isInterrupted()) {
            throw interrupted();
        }
        if (status == 200) {
            return toSecret(body);
        }
        throw AgentErrors.classify(reference, target, token, status, body);
    }

    private Secret toSecret(byte[] body) {
        Object parsed;
        try {
            parsed = Json.parse(new String(body, StandardCharsets.UTF_8));
        } catch (Json.Malformed e) {
            throw new SourceUnavailableException(reference, target.where() + " answered 200 with a "
                    + "body that is not JSON (" + e.getMessage() + "); is something other than the agent listening on "
                    + "port " + target.port + "?");
        }
        if (!(parsed instanceof Map)) {
            throw new SourceUnavailableException(reference, target.where() + " answered 200 with "
                    + "JSON that is not a GetSecretValue response; is something other than the agent listening on port "
                    + target.port + "?");
        }
        Map<?, ?> r = (Map<?, ?>) parsed;
        Object secretString = r.get("SecretString");
        Object secretBinary = r.get("SecretBinary");
        Secret.Builder b;
        if (secretString instanceof String string) {
            if (target.field == null) {
                b = Secret.builder(string);
            } else {
                try {
                    b = Secret.builder(Json.field(string, target.field));
                } catch (Json.FieldUnreadable e) {
                    throw new SourceMisconfiguredException(reference, "the secret '" + target.secretId
                            + "' " + e.getMessage());
                }
            }
        } else if (secretBinary instanceof String base64) {
            if (target.field != null) {
                throw new SourceMisconfiguredException(reference, "the secret '" + target.secretId
                        + "' holds binary data (SecretBinary), not a JSON SecretString, so it has no field '"
                        + target.field + "'; remove '#" + target.field + "' to read the bytes");
            }
            byte[] bytes;
            try {
                bytes = Base64.getDecoder().decode(base64);
            } catch (IllegalArgumentException e) {
                throw new SourceUnavailableException(reference, target.where() + " answered with a "
                        + "SecretBinary that is not base64");
            }
            b = Secret.builderOfBytes(bytes);
        } else {
            throw new SourceUnavailableException(reference, target.where() + " answered with "
                    + "neither SecretString nor SecretBinary; is something other than the agent listening on port "
                    + target.port + "?");
        }
        Object version = r.get("VersionId");
        if (version instanceof String id) {
            b.version(id);
        }
        Instant created = created(r.get("CreatedDate"));
        if (created != null) {
            b.created(created);
        }
        return b.build();
    }

    /** {@code CreatedDate}: epoch seconds with a fraction, as a JSON number or (from the agent) a string. */
    static Instant created(Object v) {
        String text = v instanceof Json.Num num ? num.text() : v instanceof String string ? string : null;
        if (text == null) {
            return null;
        }
        try {
            BigDecimal seconds = new BigDecimal(text);
            long whole = seconds.longValue();
            int nanos = seconds.subtract(BigDecimal.valueOf(whole)).movePointRight(9).intValue();
            return Instant.ofEpochSecond(whole, nanos);
        } catch (NumberFormatException | ArithmeticException | java.time.DateTimeException e) {
            return null; // metadata only: a value we cannot read is left out
        }
    }

    private SourceInterruptedException interrupted() {
        Thread.currentThread().interrupt();
        return new SourceInterruptedException(reference, "interrupted while reading from "
                + target.where());
    }

    private static byte[] readBounded(InputStream in) throws IOException {
        try (in) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
            byte[] buf = new byte[8192];
            int n;
            while ((n = in.read(buf)) >= 0) {
                if (out.size() + n > MAX_BODY_BYTES) {
                    throw new IOException("response larger than " + MAX_BODY_BYTES + " bytes");
                }
                out.write(buf, 0, n);
            }
            return out.toByteArray();
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Override
    public String toString() {
        return "AgentKeySource[" + reference + " via 127.0.0.1:" + target.port + "]";
    }
}
