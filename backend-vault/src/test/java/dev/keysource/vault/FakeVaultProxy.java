package dev.keysource.vault;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A loopback fake of a Vault Proxy (or Vault Agent) API proxy listener in front of a {@link FakeVault}, from
 * Vault's documentation: with {@code require_request_header = true} a request without
 * {@code X-Vault-Request: true} is answered {@code 412}; with {@code use_auto_auth_token = true} a request
 * without {@code X-Vault-Token} is sent on with the proxy's auto-auth token ({@code "force"} replaces any
 * token). It records the headers the client sent. JDK only.
 */
public final class FakeVaultProxy implements AutoCloseable {

    /** What {@code use_auto_auth_token} is set to. */
    public enum AutoAuth { FALSE, TRUE, FORCE }

    private final HttpServer server;
    private final ExecutorService handlers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fake-vault-proxy");
        t.setDaemon(true);
        return t;
    });
    private final String upstream;
    private final boolean requireRequestHeader;
    private final AutoAuth autoAuth;
    private final String autoAuthToken;
    private final List<Map<String, String>> received = Collections.synchronizedList(new ArrayList<>());

    private FakeVaultProxy(FakeVault vault, boolean requireRequestHeader, AutoAuth autoAuth, String autoAuthToken)
            throws IOException {
        this.upstream = vault.address();
        this.requireRequestHeader = requireRequestHeader;
        this.autoAuth = autoAuth;
        this.autoAuthToken = autoAuthToken;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(handlers);
        server.createContext("/", this::handle);
        server.start();
    }

    /** A proxy in front of {@code vault} whose auto-auth logged in as {@code autoAuthToken}. */
    public static FakeVaultProxy start(FakeVault vault, boolean requireRequestHeader, AutoAuth autoAuth,
                                       String autoAuthToken) {
        try {
            return new FakeVaultProxy(vault, requireRequestHeader, autoAuth, autoAuthToken);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public String address() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The headers (lower-case names) of each request the client sent to the proxy. */
    public List<Map<String, String>> received() {
        synchronized (received) {
            return List.copyOf(received);
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            Map<String, String> headers = new TreeMap<>();
            ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v.get(0)));
            received.add(headers);
            if (requireRequestHeader && !"true".equals(headers.get("x-vault-request"))) {
                respond(ex, 412, "{\"errors\":[\"missing 'X-Vault-Request' header\"]}");
                return;
            }
            String token = headers.get("x-vault-token");
            if (autoAuth == AutoAuth.FORCE || (autoAuth == AutoAuth.TRUE && (token == null || token.isEmpty()))) {
                token = autoAuthToken;
            }
            HttpURLConnection c = (HttpURLConnection) URI.create(upstream + ex.getRequestURI()).toURL()
                    .openConnection(Proxy.NO_PROXY);
            c.setRequestMethod(ex.getRequestMethod());
            for (Map.Entry<String, String> h : headers.entrySet()) {
                if (!h.getKey().equals("x-vault-token") && !h.getKey().equals("host")
                        && !h.getKey().equals("content-length") && !h.getKey().equals("connection")) {
                    c.setRequestProperty(h.getKey(), h.getValue());
                }
            }
            if (token != null && !token.isEmpty()) {
                c.setRequestProperty("X-Vault-Token", token);
            }
            byte[] body = ex.getRequestBody().readAllBytes();
            if (body.length > 0) {
                c.setDoOutput(true);
                try (OutputStream out = c.getOutputStream()) {
                    out.write(body);
                }
            }
            int status = c.getResponseCode();
            InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
            byte[] answer = in == null ? new byte[0] : in.readAllBytes();
            respond(ex, status, new String(answer, StandardCharsets.UTF_8));
        }
    }

    private static void respond(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
        if (b.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(b);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        handlers.shutdownNow();
    }
}
