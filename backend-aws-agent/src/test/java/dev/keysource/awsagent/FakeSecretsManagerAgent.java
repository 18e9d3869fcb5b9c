package dev.keysource.awsagent;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback fake of the AWS Secrets Manager Agent's HTTP interface, written from its public README and
 * the Parameters and Secrets Lambda Extension's documentation: {@code GET /secretsmanager/get} with
 * {@code secretId}, {@code versionId}, {@code versionStage} and {@code refreshNow}; {@code GET /ping};
 * the SSRF token checked in {@code X-Aws-Parameters-Secrets-Token} (or {@code X-Vault-Token}), answered
 * {@code 403 Bad Token} when missing or wrong; {@code 400 Forwarded} for {@code X-Forwarded-For};
 * {@code 405} for other methods; {@code 400} for an unknown query parameter; Secrets Manager's errors passed
 * through as JSON with {@code __type} and the AWS status.
 *
 * <p>Like the agent, it caches: a secret read once is answered from its cache (the upstream, "Secrets
 * Manager", is not asked again) until a request carries {@code refreshNow=true}. {@link #rotate} changes
 * the upstream value only; {@link #upstreamCalls} counts what reached "Secrets Manager". Faults:
 * {@link #failNext} answers the next requests with a status and body. JDK only.
 */
public final class FakeSecretsManagerAgent implements AutoCloseable {

    /** The agent's header for the SSRF token. */
    public static final String TOKEN_HEADER = "X-Aws-Parameters-Secrets-Token";
    private static final Set<String> PARAMETERS = Set.of("secretId", "versionId", "versionStage", "refreshNow");

    /** One request as the fake saw it. */
    public static final class Request {
        public final String method;
        public final String path;
        public final Map<String, String> query;
        /** The SSRF token header as sent, or null. */
        public final String token;
        public final String forwardedFor;

        Request(String method, String path, Map<String, String> query, String token, String forwardedFor) {
            this.method = method;
            this.path = path;
            this.query = query;
            this.token = token;
            this.forwardedFor = forwardedFor;
        }

        @Override
        public String toString() {
            return method + " " + path + " " + query.keySet(); // never the token
        }
    }

    private static final class Version {
        final String id;
        final String string;
        final byte[] binary;
        final List<String> stages = new ArrayList<>();

        Version(String id, String string, byte[] binary) {
            this.id = id;
            this.string = string;
            this.binary = binary;
        }
    }

    private final HttpServer server;
    private final ExecutorService handlers;
    private final String token;
    private final Map<String, List<Version>> upstream = new LinkedHashMap<>();
    private final Map<String, String> cache = new ConcurrentHashMap<>();
    private final Deque<String[]> faults = new ArrayDeque<>();
    private final List<Request> requests = java.util.Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger upstreamCalls = new AtomicInteger();
    private final AtomicInteger versions = new AtomicInteger();

    private FakeSecretsManagerAgent(String token) throws IOException {
        this.token = token;
        this.handlers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fake-sm-agent-http");
            t.setDaemon(true);
            return t;
        });
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(handlers);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Starts on a free loopback port, requiring {@code token} as the SSRF token. */
    public static FakeSecretsManagerAgent start(String token) {
        try {
            return new FakeSecretsManagerAgent(token);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Stores a new AWSCURRENT version upstream (the previous one becomes AWSPREVIOUS); returns its id. */
    public synchronized String putSecretString(String id, String value) {
        return put(id, value, null);
    }

    /** As {@link #putSecretString} with {@code SecretBinary}. */
    public synchronized String putSecretBinary(String id, byte[] value) {
        return put(id, null, value);
    }

    /** Rotates upstream only: the agent keeps serving its cached value until asked with refreshNow. */
    public synchronized String rotate(String id, String value) {
        return put(id, value, null);
    }

    private String put(String id, String string, byte[] binary) {
        List<Version> vs = upstream.computeIfAbsent(id, k -> new ArrayList<>());
        for (Version v : vs) {
            v.stages.remove("AWSPREVIOUS");
            if (v.stages.remove("AWSCURRENT")) {
                v.stages.add("AWSPREVIOUS");
            }
        }
        Version v = new Version("v-" + versions.incrementAndGet() + "-0000-4000-8000-000000000000", string, binary);
        v.stages.add("AWSCURRENT");
        vs.add(v);
        return v.id;
    }

    /** Answers the next request with {@code status} and {@code body} (plain text or AWS error JSON). */
    public synchronized void failNext(int status, String body) {
        faults.add(new String[] {String.valueOf(status), body});
    }

    /** An AWS error passed through by the agent: {@code {"__type": type, "message": message}}. */
    public static String awsError(String type, String message) {
        return "{\"__type\":\"" + type + "\", \"message\":\"" + message + "\"}";
    }

    public List<Request> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    /** Calls that reached "Secrets Manager" (not answered from the agent's cache). */
    public int upstreamCalls() {
        return upstreamCalls.get();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            Map<String, String> query = query(ex.getRequestURI().getRawQuery());
            String sent = ex.getRequestHeaders().getFirst(TOKEN_HEADER);
            if (sent == null) {
                sent = ex.getRequestHeaders().getFirst("X-Vault-Token");
            }
            String forwarded = ex.getRequestHeaders().getFirst("X-Forwarded-For");
            requests.add(new Request(ex.getRequestMethod(), path, query, sent, forwarded));
            String[] fault;
            synchronized (this) {
                fault = faults.poll();
            }
            if (fault != null) {
                respond(ex, Integer.parseInt(fault[0]), fault[1]);
                return;
            }
            if (path.equals("/ping")) {
                respond(ex, 200, "healthy");
                return;
            }
            if (forwarded != null) {
                respond(ex, 400, "Forwarded");
                return;
            }
            if (!token.equals(sent)) {
                respond(ex, 403, "Bad Token");
                return;
            }
            if (!ex.getRequestMethod().equals("GET")) {
                respond(ex, 405, "Not allowed");
                return;
            }
            if (!path.equals("/secretsmanager/get")) {
                respond(ex, 404, "Not found");
                return;
            }
            for (String p : query.keySet()) {
                if (!PARAMETERS.contains(p)) {
                    respond(ex, 400, awsError("InvalidParameterException", "unknown parameter " + p));
                    return;
                }
            }
            String id = query.get("secretId");
            if (id == null) {
                respond(ex, 400, awsError("InvalidParameterException", "secretId is required"));
                return;
            }
            String cacheKey = id + "|" + query.get("versionId") + "|" + query.get("versionStage");
            String cached = "true".equals(query.get("refreshNow")) ? null : cache.get(cacheKey);
            if (cached != null) {
                respond(ex, 200, cached);
                return;
            }
            upstreamCalls.incrementAndGet();
            String body;
            synchronized (this) {
                body = lookup(id, query.get("versionId"), query.get("versionStage"));
            }
            if (body == null) {
                respond(ex, 400, awsError("ResourceNotFoundException", "Secrets Manager can't find the specified secret."));
                return;
            }
            cache.put(cacheKey, body);
            respond(ex, 200, body);
        }
    }

    private String lookup(String id, String versionId, String stage) {
        List<Version> vs = upstream.get(id);
        if (vs == null) {
            return null;
        }
        String wanted = versionId == null && stage == null ? "AWSCURRENT" : stage;
        for (Version v : vs) {
            if (versionId != null ? v.id.equals(versionId) : v.stages.contains(wanted)) {
                StringBuilder sb = new StringBuilder("{\"ARN\":\"arn:aws:secretsmanager:us-east-1:123456789012:secret:")
                        .append(id).append("-AbCdEf\",\"Name\":\"").append(id).append("\",\"VersionId\":\"")
                        .append(v.id).append("\",");
                if (v.string != null) {
                    sb.append("\"SecretString\":").append(jsonString(v.string)).append(',');
                } else {
                    sb.append("\"SecretBinary\":\"").append(Base64.getEncoder().encodeToString(v.binary)).append("\",");
                }
                sb.append("\"VersionStages\":[");
                for (int i = 0; i < v.stages.size(); i++) {
                    sb.append(i == 0 ? "" : ",").append('"').append(v.stages.get(i)).append('"');
                }
                // the agent serializes CreatedDate as a string of epoch seconds
                return sb.append("],\"CreatedDate\":\"1764547200.250\"}").toString();
            }
        }
        return null;
    }

    private static String jsonString(String s) {
        return dev.keysource.spi.Json.quote(s);
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> m = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return m;
        }
        for (String part : raw.split("&")) {
            int eq = part.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? part : part.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
            m.put(k, v);
        }
        return m;
    }

    private static void respond(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", body.startsWith("{") ? "application/json" : "text/plain");
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
