package dev.keysource.aws;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.keysource.spi.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stateful loopback fake of AWS Secrets Manager's {@code GetSecretValue}, speaking the awsJson1.1
 * protocol the SDK uses ({@code POST /}, {@code X-Amz-Target: secretsmanager.GetSecretValue},
 * {@code CreatedDate} as epoch seconds), on {@code 127.0.0.1} with the JDK's HTTP server.
 *
 * <p>It keeps secrets with versions and staging labels ({@link #putSecretString} moves
 * {@code AWSCURRENT} to the new version and {@code AWSPREVIOUS} to the one before, as rotation
 * does), and injects faults into the next N requests: AWS error codes ({@link #failNext}), delays
 * ({@link #delayNext}), hangs, raw or malformed bodies ({@link #respondNext}) and dropped
 * connections ({@link #dropNext}). It records every request (target, secret id, stage, version,
 * signing region and access key id) for assertions on attempts.
 *
 * <p>No JUnit or SDK dependency (JDK only), so it can move to a shared test kit. Signatures are not
 * verified; {@link #requireAccessKeyId} makes other keys fail with {@code UnrecognizedClientException}.
 * Delays use a scheduler, not sleeping threads. Close it to stop the server and release held requests.
 */
public final class FakeSecretsManager implements AutoCloseable {

    /** The region used in ARNs unless another is given. */
    public static final String DEFAULT_REGION = "us-east-1";
    /** The account id used in ARNs. */
    public static final String ACCOUNT = "123456789012";

    private static final String JSON = "application/x-amz-json-1.1";
    private static final Pattern CREDENTIAL = Pattern.compile("Credential=([^/,\\s]+)/[^/]+/([^/]+)/([^/]+)/aws4_request");

    private final HttpServer server;
    private final ExecutorService handlers;
    private final ScheduledExecutorService delays;
    private final String region;
    private boolean refuseOtherRegions;
    private final Map<String, StoredSecret> secrets = new LinkedHashMap<>();
    private final Deque<Fault> faults = new ArrayDeque<>();
    private final List<Request> requests = new ArrayList<>();
    private final Set<HttpExchange> held = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final AtomicInteger versionCounter = new AtomicInteger();
    private final AtomicInteger requestCounter = new AtomicInteger();
    private volatile Clock clock = Clock.systemUTC();
    private volatile String requiredAccessKeyId;
    private volatile boolean closed;

    private FakeSecretsManager(String region) throws IOException {
        this.region = region;
        this.handlers = Executors.newCachedThreadPool(daemon("fake-secretsmanager-http"));
        this.delays = Executors.newSingleThreadScheduledExecutor(daemon("fake-secretsmanager-delay"));
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        this.server.setExecutor(handlers);
        this.server.createContext("/", this::handle);
        this.server.start();
    }

    /** Starts a fake on a free port of 127.0.0.1 whose ARNs name {@value #DEFAULT_REGION}. */
    public static FakeSecretsManager start() {
        return start(DEFAULT_REGION);
    }

    /** Starts a fake whose ARNs name {@code region}. */
    public static FakeSecretsManager start(String region) {
        try {
            return new FakeSecretsManager(region);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the fake Secrets Manager on 127.0.0.1", e);
        }
    }

    /** {@code http://127.0.0.1:PORT}, for {@code endpoint} or {@code AWS_ENDPOINT_URL_SECRETS_MANAGER}. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** The region of this fake's ARNs. */
    public String region() {
        return region;
    }

    /** The clock for {@code CreatedDate}. Default: system UTC. */
    public FakeSecretsManager clock(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        return this;
    }

    /**
     * Answers a request signed for another region than this fake's as a real regional endpoint does: HTTP 400,
     * {@code InvalidSignatureException}, "Credential should be scoped to a valid region."
     */
    public synchronized FakeSecretsManager refuseOtherRegions() {
        this.refuseOtherRegions = true;
        return this;
    }

    /** Answers {@code UnrecognizedClientException} to requests signed with another access key id. */
    public FakeSecretsManager requireAccessKeyId(String accessKeyId) {
        this.requiredAccessKeyId = accessKeyId;
        return this;
    }

    // ---------------------------------------------------------------------------------------------
    // secrets

    /** Stores a new text version of {@code name} (creating the secret) and makes it AWSCURRENT. Returns the version id. */
    public synchronized String putSecretString(String name, String value) {
        return put(name, Objects.requireNonNull(value, "value"), null, List.of("AWSCURRENT"));
    }

    /** Stores a new text version with exactly these staging labels (moved from other versions). */
    public synchronized String putSecretString(String name, String value, String... stages) {
        return put(name, Objects.requireNonNull(value, "value"), null, List.of(stages));
    }

    /** Stores a new binary version of {@code name} and makes it AWSCURRENT. Returns the version id. */
    public synchronized String putSecretBinary(String name, byte[] value) {
        return put(name, null, Objects.requireNonNull(value, "value").clone(), List.of("AWSCURRENT"));
    }

    /** Moves {@code stage} to {@code versionId} of {@code name}; moving AWSCURRENT also moves AWSPREVIOUS. */
    public synchronized void moveStage(String name, String stage, String versionId) {
        StoredSecret s = secret(name);
        Version target = s.versions.get(versionId);
        if (target == null) {
            throw new IllegalArgumentException("no version " + versionId + " of " + name);
        }
        moveStage(s, stage, target);
    }

    /** Marks the secret deleted: reads then fail with {@code InvalidRequestException}, as in AWS. */
    public synchronized void deleteSecret(String name) {
        secret(name).deleted = true;
    }

    /** The ARN of {@code name} (with the random-looking suffix AWS adds). */
    public synchronized String arn(String name) {
        return secret(name).arn;
    }

    /** The version id holding {@code stage}, if any. */
    public synchronized Optional<String> versionOf(String name, String stage) {
        return secret(name).versions.values().stream().filter(v -> v.stages.contains(stage)).map(v -> v.id).findFirst();
    }

    private String put(String name, String text, byte[] binary, List<String> stages) {
        StoredSecret s = secrets.computeIfAbsent(name, n -> new StoredSecret(n, arnFor(n)));
        int n = versionCounter.incrementAndGet();
        String id = String.format("%08x-0000-4000-8000-%012x", n, n);
        Version v = new Version(id, text, binary, clock.instant());
        s.versions.put(id, v);
        for (String stage : stages) {
            moveStage(s, stage, v);
        }
        return id;
    }

    private static void moveStage(StoredSecret s, String stage, Version target) {
        Version before = null;
        for (Version v : s.versions.values()) {
            if (v.stages.remove(stage)) {
                before = v;
            }
        }
        target.stages.add(stage);
        if (stage.equals("AWSCURRENT") && before != null && before != target) {
            for (Version v : s.versions.values()) {
                v.stages.remove("AWSPREVIOUS");
            }
            before.stages.add("AWSPREVIOUS");
        }
    }

    private String arnFor(String name) {
        return "arn:aws:secretsmanager:" + region + ":" + ACCOUNT + ":secret:" + name + "-AbCdEf";
    }

    private StoredSecret secret(String name) {
        StoredSecret s = secrets.get(name);
        if (s == null) {
            throw new IllegalArgumentException("no secret " + name);
        }
        return s;
    }

    // ---------------------------------------------------------------------------------------------
    // faults: each applies to the next N GetSecretValue requests, in the order added

    /** The next {@code times} requests fail with {@code errorCode} (HTTP 500 for internal errors, else 400). */
    public synchronized FakeSecretsManager failNext(int times, String errorCode) {
        int status = errorCode.startsWith("Internal") ? 500 : errorCode.startsWith("ServiceUnavailable") ? 503 : 400;
        return failNext(times, status, errorCode, "injected " + errorCode);
    }

    /** The next {@code times} requests fail with this status, error code ({@code __type}) and message. */
    public synchronized FakeSecretsManager failNext(int times, int status, String errorCode, String message) {
        String body = "{\"__type\":" + quote(errorCode) + ",\"message\":" + quote(message) + "}";
        faults.add(new Fault(times, FaultKind.RESPOND, Duration.ZERO, status, body));
        return this;
    }

    /** The next {@code times} requests are answered normally, after {@code delay}. */
    public synchronized FakeSecretsManager delayNext(int times, Duration delay) {
        faults.add(new Fault(times, FaultKind.DELAY, delay, 0, null));
        return this;
    }

    /** The next {@code times} requests get no answer until the fake closes. */
    public synchronized FakeSecretsManager hangNext(int times) {
        faults.add(new Fault(times, FaultKind.HANG, Duration.ZERO, 0, null));
        return this;
    }

    /** The next {@code times} requests get this status and raw body (malformed JSON, HTML, ...). */
    public synchronized FakeSecretsManager respondNext(int times, int status, String body) {
        faults.add(new Fault(times, FaultKind.RESPOND, Duration.ZERO, status, body));
        return this;
    }

    /** The next {@code times} requests have their connection closed without an answer. */
    public synchronized FakeSecretsManager dropNext(int times) {
        faults.add(new Fault(times, FaultKind.DROP, Duration.ZERO, 0, null));
        return this;
    }

    /** Forgets pending faults and recorded requests (secrets stay). */
    public synchronized void reset() {
        faults.clear();
        requests.clear();
    }

    // ---------------------------------------------------------------------------------------------
    // observation

    /** Every request received so far, in order. */
    public synchronized List<Request> requests() {
        return List.copyOf(requests);
    }

    /** How many {@code GetSecretValue} requests arrived (attempts, as the server saw them). */
    public synchronized int getSecretValueCount() {
        return (int) requests.stream().filter(r -> "secretsmanager.GetSecretValue".equals(r.target)).count();
    }

    /** The last request, or fails. */
    public synchronized Request lastRequest() {
        if (requests.isEmpty()) {
            throw new IllegalStateException("no request received");
        }
        return requests.get(requests.size() - 1);
    }

    /** One received request. */
    public static final class Request {
        public final String target;
        public final String secretId;
        public final String versionId;
        public final String versionStage;
        public final String signingRegion;
        public final String accessKeyId;
        public final String requestId;
        /** Whether the request carried X-Amz-Security-Token (temporary credentials). */
        public final boolean sessionToken;

        Request(String target, String secretId, String versionId, String versionStage, String signingRegion,
                String accessKeyId, String requestId, boolean sessionToken) {
            this.target = target;
            this.secretId = secretId;
            this.versionId = versionId;
            this.versionStage = versionStage;
            this.signingRegion = signingRegion;
            this.accessKeyId = accessKeyId;
            this.requestId = requestId;
            this.sessionToken = sessionToken;
        }

        @Override
        public String toString() {
            return "Request[" + target + " " + secretId + " stage=" + versionStage + " version=" + versionId
                    + " region=" + signingRegion + " id=" + requestId + "]";
        }
    }

    // ---------------------------------------------------------------------------------------------
    // HTTP

    /** The scalar members of a JSON object (all a GetSecretValue request holds), as text. */
    private static Map<String, String> flat(Object json) {
        Map<String, String> out = new LinkedHashMap<>();
        if (json instanceof Map) {
            ((Map<?, ?>) json).forEach((k, v) -> {
                if (!(v instanceof Map) && !(v instanceof List)) {
                    out.put(String.valueOf(k), String.valueOf(v));
                }
            });
        }
        return out;
    }

    private void handle(HttpExchange ex) throws IOException {
        String requestId = "fake-" + requestCounter.incrementAndGet() + "-0000-4000-8000-000000000000";
        String body;
        try (InputStream in = ex.getRequestBody()) {
            body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String target = ex.getRequestHeaders().getFirst("X-Amz-Target");
        Map<String, String> params;
        try {
            params = flat(Json.parse(body));
        } catch (Json.Malformed e) {
            params = Map.of();
        }
        String auth = Optional.ofNullable(ex.getRequestHeaders().getFirst("Authorization")).orElse("");
        Matcher m = CREDENTIAL.matcher(auth);
        String keyId = m.find() ? m.group(1) : null;
        String signingRegion = keyId != null ? m.group(2) : null;
        Request request = new Request(target, params.get("SecretId"), params.get("VersionId"), params.get("VersionStage"),
                signingRegion, keyId, requestId, ex.getRequestHeaders().containsKey("X-Amz-Security-Token"));
        Fault fault;
        Answer answer;
        synchronized (this) {
            requests.add(request);
            fault = "secretsmanager.GetSecretValue".equals(target) ? nextFault() : null;
            answer = fault != null && fault.kind == FaultKind.RESPOND ? new Answer(fault.status, fault.body)
                    : refuseOtherRegions && signingRegion != null && !signingRegion.equals(region)
                    ? error(400, "InvalidSignatureException", "Credential should be scoped to a valid region.")
                    : answer(ex, target, params, keyId);
        }
        ex.getResponseHeaders().set("x-amzn-RequestId", requestId);
        if (fault == null || fault.kind == FaultKind.RESPOND) {
            send(ex, answer);
        } else if (fault.kind == FaultKind.DELAY) {
            held.add(ex);
            delays.schedule(() -> {
                if (held.remove(ex)) {
                    send(ex, answer);
                }
            }, fault.delay.toNanos(), TimeUnit.NANOSECONDS);
        } else if (fault.kind == FaultKind.HANG) {
            held.add(ex);
        } else { // DROP: an exception out of the handler makes the JDK server close the connection unanswered
            throw new IOException("fake Secrets Manager: dropping the connection as injected");
        }
    }

    private Fault nextFault() {
        Fault f = faults.peek();
        if (f == null) {
            return null;
        }
        if (--f.remaining <= 0) {
            faults.poll();
        }
        return f;
    }

    private Answer answer(HttpExchange ex, String target, Map<String, String> params, String keyId) {
        if (!"POST".equals(ex.getRequestMethod()) || !"/".equals(ex.getRequestURI().getPath())) {
            return error(404, "UnknownOperationException", "expected POST /");
        }
        String contentType = Optional.ofNullable(ex.getRequestHeaders().getFirst("Content-Type")).orElse("");
        if (!contentType.startsWith(JSON)) {
            return error(400, "SerializationException", "expected Content-Type " + JSON);
        }
        if (keyId == null) {
            return error(400, "MissingAuthenticationTokenException", "Missing Authentication Token");
        }
        if (requiredAccessKeyId != null && !requiredAccessKeyId.equals(keyId)) {
            return error(400, "UnrecognizedClientException", "The security token included in the request is invalid.");
        }
        if (!"secretsmanager.GetSecretValue".equals(target)) {
            return error(400, "UnknownOperationException", "this fake serves GetSecretValue only");
        }
        String id = params.get("SecretId");
        if (id == null || id.isEmpty()) {
            return error(400, "InvalidParameterException", "You must provide a SecretId.");
        }
        StoredSecret s = secrets.get(id);
        if (s == null) {
            s = secrets.values().stream().filter(x -> x.arn.equals(id)).findFirst().orElse(null);
        }
        if (s == null) {
            return error(400, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.");
        }
        if (s.deleted) {
            return error(400, "InvalidRequestException",
                    "You can't perform this operation on the secret because it was marked for deletion.");
        }
        String versionId = params.get("VersionId");
        String stage = params.get("VersionStage");
        Version v;
        if (versionId != null) {
            v = s.versions.get(versionId);
            if (v == null || (stage != null && !v.stages.contains(stage))) {
                return error(400, "ResourceNotFoundException",
                        "Secrets Manager can't find the specified secret value for VersionId: " + versionId);
            }
        } else {
            String label = stage != null ? stage : "AWSCURRENT";
            v = s.versions.values().stream().filter(x -> x.stages.contains(label)).findFirst().orElse(null);
            if (v == null) {
                return error(400, "ResourceNotFoundException",
                        "Secrets Manager can't find the specified secret value for staging label: " + label);
            }
        }
        StringBuilder b = new StringBuilder("{\"ARN\":").append(quote(s.arn))
                .append(",\"Name\":").append(quote(s.name))
                .append(",\"VersionId\":").append(quote(v.id));
        if (v.text != null) {
            b.append(",\"SecretString\":").append(quote(v.text));
        } else {
            b.append(",\"SecretBinary\":").append(quote(Base64.getEncoder().encodeToString(v.binary)));
        }
        b.append(",\"VersionStages\":[");
        String sep = "";
        for (String label : v.stages) {
            b.append(sep).append(quote(label));
            sep = ",";
        }
        b.append("],\"CreatedDate\":").append(BigDecimal.valueOf(v.created.toEpochMilli(), 3).toPlainString()).append('}');
        return new Answer(200, b.toString());
    }

    private static Answer error(int status, String code, String message) {
        return new Answer(status, "{\"__type\":" + quote(code) + ",\"message\":" + quote(message) + "}");
    }

    private static void send(HttpExchange ex, Answer a) {
        try {
            byte[] bytes = a.body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", JSON);
            ex.sendResponseHeaders(a.status, bytes.length == 0 ? -1 : bytes.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        } catch (IOException e) {
            ex.close(); // the client went away (timed out)
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (HttpExchange ex : held) {
            ex.close();
        }
        held.clear();
        server.stop(0);
        delays.shutdownNow();
        handlers.shutdownNow();
        try {
            handlers.awaitTermination(5, TimeUnit.SECONDS);
            delays.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "FakeSecretsManager[" + endpoint() + ", " + region + "]";
    }

    // ---------------------------------------------------------------------------------------------

    private enum FaultKind { RESPOND, DELAY, HANG, DROP }

    private static final class Fault {
        final FaultKind kind;
        final Duration delay;
        final int status;
        final String body;
        int remaining;

        Fault(int times, FaultKind kind, Duration delay, int status, String body) {
            if (times < 1) {
                throw new IllegalArgumentException("times must be >= 1: " + times);
            }
            this.remaining = times;
            this.kind = kind;
            this.delay = delay;
            this.status = status;
            this.body = body;
        }
    }

    private static final class Answer {
        final int status;
        final String body;

        Answer(int status, String body) {
            this.status = status;
            this.body = body;
        }
    }

    private static final class StoredSecret {
        final String name;
        final String arn;
        final Map<String, Version> versions = new LinkedHashMap<>();
        boolean deleted;

        StoredSecret(String name, String arn) {
            this.name = name;
            this.arn = arn;
        }
    }

    private static final class Version {
        final String id;
        final String text;
        final byte[] binary;
        final Instant created;
        final Set<String> stages = new LinkedHashSet<>();

        Version(String id, String text, byte[] binary, Instant created) {
            this.id = id;
            this.text = text;
            this.binary = binary;
            this.created = created;
        }
    }

    static String quote(String s) {
        return dev.keysource.spi.Json.quote(s);
    }

    private static ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
