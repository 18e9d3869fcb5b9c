package dev.keysource.vault;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;

/**
 * A small, stateful, in-process fake of the Vault HTTP API on 127.0.0.1, for driving the real
 * vault-java-driver in tests: KV v1 and v2 mounts (versions, deletes, destroys), leased "dynamic"
 * mounts, the mounts endpoint {@code sys/internal/ui/mounts}, tokens with TTLs, max TTLs, renewal,
 * lookup and revocation, AppRole and Kubernetes logins, namespaces, and fault injection (statuses,
 * delays, malformed bodies, dropped connections, redirects). It answers with the JSON shapes Vault
 * sends (the driver depends on some of them: a top-level {@code renewable} and {@code auth.policies} on
 * logins, exactly {@code application/json}).
 *
 * <p>No test-framework dependency: usable from any test, and from the command line's tests.
 *
 * <pre>{@code
 * try (FakeVault vault = FakeVault.start()) {
 *     vault.mountKv2("secret/").putKv("secret/claude-code", Map.of("api_key", "sk-..."));
 *     String token = vault.createToken(Duration.ofHours(1), true);
 *     // VAULT_ADDR = vault.address(), VAULT_TOKEN = token
 * }
 * }</pre>
 */
public final class FakeVault implements AutoCloseable {

    /** How the fake answers {@code GET /v1/sys/internal/ui/mounts/<path>}. */
    public enum MountsEndpoint {
        /** As Vault 0.10+ does: the mount, or 403 when none holds the path. */
        NORMAL,
        /** 403 always, as for a token without capabilities on the path. */
        FORBIDDEN,
        /** 404 always, as a Vault before 0.10 did. */
        ABSENT
    }

    private final HttpServer server;
    private final ExecutorService pool;
    private final String address;
    private final CountDownLatch closing = new CountDownLatch(1);
    private volatile Clock clock = Clock.systemUTC();
    private volatile String namespace;
    private volatile boolean sealed;
    private volatile MountsEndpoint mountsEndpoint = MountsEndpoint.NORMAL;
    private volatile String redirectTo;
    private final Map<String, Mount> mounts = new ConcurrentHashMap<>();
    private final Map<String, Token> tokens = new ConcurrentHashMap<>();
    private final Map<String, AppRole> appRoles = new ConcurrentHashMap<>();
    private final Map<String, K8sRole> k8sRoles = new ConcurrentHashMap<>();
    private final Deque<FaultRule> faults = new ArrayDeque<>();
    private final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger counter = new AtomicInteger();

    private FakeVault(HttpServer server, String scheme) {
        this.server = server;
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fake-vault-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(pool);
        server.createContext("/", this::handle);
        server.start();
        this.address = scheme + "://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Starts a plain-HTTP fake on a free loopback port. */
    public static FakeVault start() {
        try {
            return new FakeVault(HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0), "http");
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the fake Vault", e);
        }
    }

    /** Starts an HTTPS fake serving with {@code tls} (a context holding the server's key and certificate). */
    public static FakeVault startTls(SSLContext tls) {
        try {
            HttpsServer s = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            s.setHttpsConfigurator(new HttpsConfigurator(tls));
            return new FakeVault(s, "https");
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the fake Vault", e);
        }
    }

    /** The address to put in {@code VAULT_ADDR}: {@code http://127.0.0.1:<port>}. */
    public String address() {
        return address;
    }

    /** The clock for token TTLs and created times (a test's fake clock). Default: the system clock. */
    public FakeVault clock(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        return this;
    }

    /** Requires {@code X-Vault-Namespace: ns} on every request (403 without it); null for none. */
    public FakeVault namespace(String ns) {
        this.namespace = ns;
        return this;
    }

    /** Seals (every request answers 503 "Vault is sealed") or unseals. */
    public FakeVault sealed(boolean sealed) {
        this.sealed = sealed;
        return this;
    }

    public FakeVault mountsEndpoint(MountsEndpoint mode) {
        this.mountsEndpoint = Objects.requireNonNull(mode, "mode");
        return this;
    }

    /**
     * Acts as a performance standby that does not forward: every request is answered with a 307 to the same
     * path on {@code activeAddress}; null to stop.
     */
    public FakeVault redirectTo(String activeAddress) {
        this.redirectTo = activeAddress;
        return this;
    }

    // ------------------------------------------------------------------------------------------ mounts

    public FakeVault mountKv1(String path) {
        mounts.put(mountPath(path), new Mount(mountPath(path), "kv", 1, null, null));
        return this;
    }

    public FakeVault mountKv2(String path) {
        mounts.put(mountPath(path), new Mount(mountPath(path), "kv", 2, null, null));
        return this;
    }

    /**
     * A non-KV engine (database, aws, ...): each read of a path under it calls {@code generator} with the
     * path after the mount and a counter from 1, and answers with a lease of {@code lease}.
     */
    public FakeVault mountDynamic(String path, String type, Duration lease,
                                  Function<Integer, Map<String, Object>> generator) {
        mounts.put(mountPath(path), new Mount(mountPath(path), type, 0, lease, generator));
        return this;
    }

    /** Writes a secret: replaces it on KV v1, adds a version on KV v2. Returns the version (1 on KV v1). */
    public int putKv(String path, Map<String, ?> data) {
        Mount m = mountOf(path);
        if (m == null || m.kv == 0) {
            throw new IllegalArgumentException("no KV mount holds " + path);
        }
        String rest = rest(m, path);
        synchronized (m) {
            List<Version> versions = m.data.computeIfAbsent(rest, k -> new ArrayList<>());
            Version v = new Version(new LinkedHashMap<>(data), clock.instant());
            if (m.kv == 1) {
                versions.clear();
            }
            versions.add(v);
            return m.kv == 1 ? 1 : versions.size();
        }
    }

    /** Soft-deletes a KV v2 version (readable again after undelete). */
    public FakeVault deleteVersion(String path, int version) {
        version(path, version).deleted = clock.instant();
        return this;
    }

    /** Destroys a KV v2 version for good. */
    public FakeVault destroyVersion(String path, int version) {
        Version v = version(path, version);
        v.destroyed = true;
        v.data = null;
        return this;
    }

    // ------------------------------------------------------------------------------------------ tokens

    /** A new token; {@code ttl} zero for one that never expires. */
    public String createToken(Duration ttl, boolean renewable) {
        String id = "hvs.fake-" + UUID.randomUUID().toString().replace("-", "");
        tokens.put(id, new Token(counter.incrementAndGet(), id, ttl, renewable, null, clock.instant()));
        return id;
    }

    /** Registers {@code id} as a token (a given value, e.g. for {@code ~/.vault-token} files). */
    public FakeVault token(String id, Duration ttl, boolean renewable) {
        tokens.put(id, new Token(counter.incrementAndGet(), id, ttl, renewable, null, clock.instant()));
        return this;
    }

    /** Caps the token's life: renewals stop extending it past {@code maxTtl} from its creation. */
    public FakeVault maxTtl(String token, Duration maxTtl) {
        Token t = tokens.get(token);
        t.maxExpiry = t.created.plus(maxTtl);
        return this;
    }

    /** Limits the token to API paths starting with one of {@code prefixes} (403 elsewhere). */
    public FakeVault policy(String token, String... prefixes) {
        tokens.get(token).prefixes = List.of(prefixes);
        return this;
    }

    public FakeVault revoke(String token) {
        Token t = tokens.get(token);
        if (t != null) {
            t.revoked = true;
        }
        return this;
    }

    /** Revokes every token issued so far (what a restored-from-backup or re-initialised Vault looks like). */
    public FakeVault revokeAll() {
        tokens.values().forEach(t -> t.revoked = true);
        return this;
    }

    /** Whether Vault would accept the token now. */
    public boolean valid(String token) {
        Token t = tokens.get(token);
        return t != null && t.valid(clock.instant());
    }

    /** Tokens issued by logins, in order. */
    public List<String> issuedTokens() {
        List<String> out = new ArrayList<>();
        tokens.values().stream().filter(t -> t.issuedBy != null).sorted((a, b) -> Integer.compare(a.seq, b.seq))
                .forEach(t -> out.add(t.id));
        return out;
    }

    /** An AppRole at {@code auth/<mount>/login} issuing tokens with {@code ttl}; {@code secretId} null for none. */
    public FakeVault appRole(String mount, String roleId, String secretId, Duration ttl, boolean renewable) {
        appRoles.put(mountPath("auth/" + mount), new AppRole(roleId, secretId, ttl, renewable));
        return this;
    }

    /** A Kubernetes role at {@code auth/<mount>/login} accepting {@code jwt}. */
    public FakeVault kubernetes(String mount, String role, String jwt, Duration ttl, boolean renewable) {
        k8sRoles.put(mountPath("auth/" + mount) + role, new K8sRole(role, jwt, ttl, renewable));
        return this;
    }

    // ------------------------------------------------------------------------------------------ faults

    /** A scripted answer, consumed by one matching request. */
    public static final class Fault {
        final int status;
        final String body;
        final Duration delay;
        final boolean drop;
        final String contentType;
        /** Whether the body goes on (chunked) until the client hangs up; {@link #body} is its first part. */
        boolean endless;

        private Fault(int status, String body, Duration delay, boolean drop, String contentType) {
            this.status = status;
            this.body = body;
            this.delay = delay;
            this.drop = drop;
            this.contentType = contentType;
        }

        /** 200, a JSON start, then spaces in chunks for as long as the client reads (or the fake closes). */
        public static Fault endless() {
            Fault f = new Fault(200, "{\"data\": {\"data\": {\"api_key\": \"", null, false, "application/json");
            f.endless = true;
            return f;
        }

        /** Answers {@code status} with Vault's error shape {@code {"errors":[...]}}. */
        public static Fault status(int status, String... errors) {
            StringBuilder sb = new StringBuilder("{\"errors\":[");
            for (int i = 0; i < errors.length; i++) {
                sb.append(i > 0 ? "," : "").append(Json.quote(errors[i]));
            }
            return new Fault(status, sb.append("]}").toString(), null, false, "application/json");
        }

        /** Answers {@code status} with this body verbatim. */
        public static Fault raw(int status, String contentType, String body) {
            return new Fault(status, body, null, false, contentType);
        }

        /** Waits {@code d} (or until the fake closes), then answers as usual. */
        public static Fault delay(Duration d) {
            return new Fault(0, null, d, false, null);
        }

        /** 200 with a body that is not JSON, as a captive proxy would send. */
        public static Fault malformed() {
            return new Fault(200, "<html><body>Gateway says hello</body></html>", null, false, "application/json");
        }

        /** Closes the connection without an answer. */
        public static Fault drop() {
            return new Fault(0, null, null, true, null);
        }
    }

    /** Queues faults for requests whose path (after {@code /v1/}) starts with {@code pathPrefix}, in order. */
    public FakeVault fail(String pathPrefix, Fault... script) {
        synchronized (faults) {
            for (Fault f : script) {
                faults.addLast(new FaultRule(pathPrefix, f));
            }
        }
        return this;
    }

    /** Faults not consumed yet. */
    public int pendingFaults() {
        synchronized (faults) {
            return faults.size();
        }
    }

    // ------------------------------------------------------------------------------------------ inspection

    /** One request as the fake saw it. */
    public static final class Request {
        public final String method;
        /** The path after {@code /v1/}, decoded. */
        public final String path;
        public final String query;
        public final Map<String, String> headers;
        public final String body;

        Request(String method, String path, String query, Map<String, String> headers, String body) {
            this.method = method;
            this.path = path;
            this.query = query;
            this.headers = headers;
            this.body = body;
        }

        /** A header by lower-case name, or null. */
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        @Override
        public String toString() {
            return method + " /v1/" + path + (query != null ? "?" + query : "");
        }
    }

    public List<Request> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    /** Requests with this method and exactly this path. */
    public List<Request> requests(String method, String path) {
        List<Request> out = new ArrayList<>();
        for (Request r : requests()) {
            if (r.method.equals(method) && r.path.equals(path)) {
                out.add(r);
            }
        }
        return out;
    }

    public int count(String method, String path) {
        return requests(method, path).size();
    }

    public void clearRequests() {
        requests.clear();
    }

    @Override
    public void close() {
        closing.countDown();
        server.stop(0);
        pool.shutdownNow();
    }

    // ------------------------------------------------------------------------------------------ serving

    private void handle(HttpExchange ex) throws IOException {
        try (InputStream in = ex.getRequestBody()) {
            String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            String rawPath = ex.getRequestURI().getRawPath();
            String raw = rawPath.startsWith("/v1/") ? rawPath.substring(4) : rawPath.substring(1);
            String path = URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
            Map<String, String> headers = new LinkedHashMap<>();
            ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v.get(0)));
            Request req = new Request(ex.getRequestMethod(), path, ex.getRequestURI().getRawQuery(), headers, body);
            requests.add(req);
            Fault f = nextFault(path);
            if (f != null && f.delay != null) {
                try {
                    closing.await(f.delay.toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                f = null;
            }
            if (f != null && f.drop) {
                throw new DropConnection();
            }
            if (f != null && f.endless) {
                sendEndless(ex, f);
                return;
            }
            if (f != null) {
                send(ex, f.status, f.contentType, f.body);
                return;
            }
            if (redirectTo != null) {
                ex.getResponseHeaders().add("Location", redirectTo + ex.getRequestURI().toString());
                send(ex, 307, "application/json", "");
                return;
            }
            Answer a = answer(req);
            send(ex, a.status, "application/json", a.body);
        }
    }

    /** Thrown out of the handler: the server then closes the connection without answering. */
    private static final class DropConnection extends RuntimeException {
        private static final long serialVersionUID = 1L;

        DropConnection() {
            super("dropped by the fake", null, false, false);
        }
    }

    private Fault nextFault(String path) {
        synchronized (faults) {
            Iterator<FaultRule> it = faults.iterator();
            while (it.hasNext()) {
                FaultRule r = it.next();
                if (path.startsWith(r.prefix)) {
                    it.remove();
                    return r.fault;
                }
            }
        }
        return null;
    }

    /** Streams the fault's body, then spaces, until the client closes the connection or the fake closes. */
    private void sendEndless(HttpExchange ex, Fault f) throws IOException {
        ex.getResponseHeaders().set("Content-Type", f.contentType);
        ex.sendResponseHeaders(f.status, 0); // chunked
        byte[] chunk = new byte[64 * 1024];
        java.util.Arrays.fill(chunk, (byte) ' ');
        try (OutputStream out = ex.getResponseBody()) {
            out.write(f.body.getBytes(StandardCharsets.UTF_8));
            while (closing.getCount() > 0) {
                out.write(chunk);
                endlessBytes.addAndGet(chunk.length);
            }
        } catch (IOException e) {
            // the client hung up: what an endless answer waits for
        } finally {
            ex.close();
        }
    }

    /** Bytes of endless bodies written so far (an upper bound on what a client read). */
    public long endlessBytesSent() {
        return endlessBytes.get();
    }

    private final java.util.concurrent.atomic.AtomicLong endlessBytes = new java.util.concurrent.atomic.AtomicLong();

    private static void send(HttpExchange ex, int status, String contentType, String body) throws IOException {
        byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        if (contentType != null) {
            ex.getResponseHeaders().set("Content-Type", contentType);
        }
        ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        }
        ex.close();
    }

    private static final class Answer {
        final int status;
        final String body;

        Answer(int status, String body) {
            this.status = status;
            this.body = body;
        }
    }

    private static Answer errors(int status, String... errors) {
        return new Answer(status, Fault.status(status, errors).body);
    }

    private static final Answer DENIED = errors(403, "1 error occurred:\n\t* permission denied\n\n");

    private Answer answer(Request r) {
        if (sealed) {
            return errors(503, "Vault is sealed");
        }
        if (namespace != null && !namespace.equals(r.header("X-Vault-Namespace"))) {
            return DENIED;
        }
        Instant now = clock.instant();
        if (r.method.equals("POST") || r.method.equals("PUT")) {
            if (r.path.startsWith("auth/") && r.path.endsWith("/login")) {
                return login(r, now);
            }
            if (r.path.equals("auth/token/renew-self")) {
                return renewSelf(r, now);
            }
            if (r.path.equals("auth/token/revoke-self")) {
                Token self = tokens.get(String.valueOf(r.header("X-Vault-Token")));
                if (self == null || !self.valid(now)) {
                    return DENIED;
                }
                self.revoked = true;
                return new Answer(204, "");
            }
            return errors(405, "unsupported operation");
        }
        if (!r.method.equals("GET")) {
            return errors(405, "unsupported operation");
        }
        Token t = tokens.get(String.valueOf(r.header("X-Vault-Token")));
        if (t == null || !t.valid(now)) {
            return DENIED;
        }
        if (r.path.equals("auth/token/lookup-self")) {
            return lookupSelf(t, now);
        }
        if (r.path.startsWith("sys/internal/ui/mounts/")) {
            return mountInfo(r.path.substring("sys/internal/ui/mounts/".length()));
        }
        if (!t.allows(r.path)) {
            return DENIED;
        }
        Mount m = mountOf(r.path);
        if (m == null) {
            return errors(404, "no handler for route \"" + r.path + "\". route entry not found.");
        }
        return read(m, r, now);
    }

    private Answer mountInfo(String path) {
        if (mountsEndpoint == MountsEndpoint.FORBIDDEN) {
            return DENIED;
        }
        if (mountsEndpoint == MountsEndpoint.ABSENT) {
            return errors(404);
        }
        Mount m = mountOf(path);
        if (m == null) {
            return errors(403, "preflight capability check returned 403, please ensure client's policies grant"
                    + " access to path \"" + path + "/\"");
        }
        Map<String, Object> options = new LinkedHashMap<>();
        if (m.kv > 0) {
            options.put("version", Integer.toString(m.kv));
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("accessor", m.type + "_" + Integer.toHexString(m.path.hashCode()));
        data.put("config", Map.of("default_lease_ttl", 0, "force_no_cache", false, "max_lease_ttl", 0));
        data.put("description", "");
        data.put("external_entropy_access", false);
        data.put("local", false);
        data.put("options", m.kv > 0 ? options : null);
        data.put("path", m.path);
        data.put("seal_wrap", false);
        data.put("type", m.type);
        data.put("uuid", UUID.nameUUIDFromBytes(m.path.getBytes(StandardCharsets.UTF_8)).toString());
        return ok(envelope("", false, 0, data, null));
    }

    private Answer read(Mount m, Request r, Instant now) {
        String rest = rest(m, r.path);
        if (m.kv == 0) {
            int n = m.reads.incrementAndGet();
            Map<String, Object> data = m.generator.apply(n);
            return ok(envelope(m.path + rest + "/" + n, true, m.lease.getSeconds(), data, null));
        }
        if (m.kv == 1) {
            synchronized (m) {
                List<Version> vs = m.data.get(rest);
                if (vs == null || vs.isEmpty()) {
                    return errors(404);
                }
                return ok(envelope("", false, 2764800, vs.get(vs.size() - 1).data, null));
            }
        }
        if (!rest.startsWith("data/")) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("errors", List.of());
            e.put("warnings", List.of("Invalid path for a versioned K/V secrets engine. See the API docs for the"
                    + " appropriate API endpoints to use. If using the Vault CLI, use 'vault kv get' for this operation."));
            return new Answer(404, Json.write(e));
        }
        String key = rest.substring("data/".length());
        Integer wanted = null;
        if (r.query != null) {
            Matcher q = Pattern.compile("(?:^|&)version=([^&]*)").matcher(r.query);
            if (q.find()) {
                try {
                    wanted = Integer.parseInt(q.group(1));
                } catch (NumberFormatException e) {
                    return errors(400, "invalid version \"" + q.group(1) + "\"");
                }
            }
        }
        synchronized (m) {
            List<Version> vs = m.data.get(key);
            if (vs == null || vs.isEmpty()) {
                return errors(404);
            }
            int n = wanted == null || wanted == 0 ? vs.size() : wanted;
            if (n < 1 || n > vs.size()) {
                return errors(404);
            }
            Version v = vs.get(n - 1);
            Map<String, Object> meta = new LinkedHashMap<>();
            meta.put("created_time", v.created.toString());
            meta.put("custom_metadata", null);
            meta.put("deletion_time", v.deleted == null ? "" : v.deleted.toString());
            meta.put("destroyed", v.destroyed);
            meta.put("version", n);
            Map<String, Object> data = new LinkedHashMap<>();
            boolean gone = v.destroyed || v.deleted != null;
            data.put("data", gone ? null : v.data);
            data.put("metadata", meta);
            Map<String, Object> env = envelope("", false, 0, data, null);
            return gone ? new Answer(404, Json.write(env)) : ok(env);
        }
    }

    private Answer login(Request r, Instant now) {
        String mount = r.path.substring(0, r.path.length() - "login".length());
        AppRole ar = appRoles.get(mount);
        if (ar != null) {
            String roleId = Json.field(r.body, "role_id");
            String secretId = Json.field(r.body, "secret_id");
            if (roleId == null) {
                return errors(400, "missing role_id");
            }
            if (!roleId.equals(ar.roleId) || !Objects.equals(secretId, ar.secretId)) {
                return errors(400, "invalid role or secret ID");
            }
            return issue(mount, ar.ttl, ar.renewable, now, Map.of("role_name", "app"));
        }
        String role = Json.field(r.body, "role");
        K8sRole kr = role == null ? null : k8sRoles.get(mount + role);
        if (kr != null || (role != null && k8sRoles.keySet().stream().anyMatch(k -> k.startsWith(mount)))) {
            if (kr == null) {
                return errors(400, "invalid role name \"" + role + "\"");
            }
            if (!kr.jwt.equals(Json.field(r.body, "jwt"))) {
                return DENIED;
            }
            return issue(mount, kr.ttl, kr.renewable, now, Map.of("role", role, "service_account_name", "app"));
        }
        return errors(404, "no handler for route \"" + r.path + "\". route entry not found.");
    }

    private Answer issue(String mount, Duration ttl, boolean renewable, Instant now, Map<String, Object> metadata) {
        String id = "hvs.login-" + UUID.randomUUID().toString().replace("-", "");
        Token t = new Token(counter.incrementAndGet(), id, ttl, renewable, mount, now);
        tokens.put(id, t);
        return ok(envelope("", false, 0, null, authBlock(t, ttl.getSeconds(), metadata)));
    }

    private Answer renewSelf(Request r, Instant now) {
        Token t = tokens.get(String.valueOf(r.header("X-Vault-Token")));
        if (t == null || !t.valid(now)) {
            return DENIED;
        }
        if (!t.renewable) {
            return errors(400, "lease is not renewable");
        }
        Duration ttl = t.ttl;
        if (t.maxExpiry != null) {
            Duration left = Duration.between(now, t.maxExpiry);
            if (left.compareTo(ttl) < 0) {
                ttl = left.isNegative() ? Duration.ZERO : left;
            }
        }
        t.expiry = now.plus(ttl);
        t.renewals++;
        return ok(envelope("", false, 0, null, authBlock(t, ttl.getSeconds(), null)));
    }

    private Answer lookupSelf(Token t, Instant now) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("accessor", "acc-" + t.seq);
        d.put("creation_time", t.created.getEpochSecond());
        d.put("creation_ttl", t.ttl.getSeconds());
        d.put("display_name", "token");
        d.put("entity_id", "");
        d.put("expire_time", t.expiry == null ? null : t.expiry.toString());
        d.put("explicit_max_ttl", 0);
        d.put("id", t.id);
        d.put("issue_time", t.created.toString());
        d.put("meta", null);
        d.put("num_uses", 0);
        d.put("orphan", true);
        d.put("path", t.issuedBy != null ? t.issuedBy + "login" : "auth/token/create");
        d.put("policies", List.of("default"));
        d.put("renewable", t.renewable);
        d.put("ttl", t.expiry == null ? 0 : Math.max(0, Duration.between(now, t.expiry).getSeconds()));
        d.put("type", "service");
        return ok(envelope("", false, 0, d, null));
    }

    private static Map<String, Object> authBlock(Token t, long leaseSeconds, Map<String, Object> metadata) {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("client_token", t.id);
        a.put("accessor", "acc-" + t.seq);
        a.put("policies", List.of("default"));
        a.put("token_policies", List.of("default"));
        a.put("metadata", metadata);
        a.put("lease_duration", leaseSeconds);
        a.put("renewable", t.renewable);
        a.put("entity_id", "");
        a.put("token_type", "service");
        a.put("orphan", true);
        return a;
    }

    private static Map<String, Object> envelope(String leaseId, boolean renewable, long lease, Object data,
                                                Object auth) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("request_id", UUID.randomUUID().toString());
        e.put("lease_id", leaseId);
        e.put("renewable", renewable);
        e.put("lease_duration", lease);
        e.put("data", data);
        e.put("wrap_info", null);
        e.put("warnings", null);
        e.put("auth", auth);
        return e;
    }

    private static Answer ok(Map<String, Object> body) {
        return new Answer(200, Json.write(body));
    }

    // ------------------------------------------------------------------------------------------ state

    private static String mountPath(String path) {
        String p = path;
        while (p.startsWith("/")) {
            p = p.substring(1);
        }
        return p.endsWith("/") ? p : p + "/";
    }

    private Mount mountOf(String path) {
        Mount best = null;
        for (Mount m : mounts.values()) {
            if ((path + "/").startsWith(m.path) && (best == null || m.path.length() > best.path.length())) {
                best = m;
            }
        }
        return best;
    }

    private static String rest(Mount m, String path) {
        return path.length() > m.path.length() ? path.substring(m.path.length()) : "";
    }

    private Version version(String path, int version) {
        Mount m = mountOf(path);
        if (m == null || m.kv != 2) {
            throw new IllegalArgumentException("no KV v2 mount holds " + path);
        }
        synchronized (m) {
            return m.data.get(rest(m, path)).get(version - 1);
        }
    }

    private static final class Mount {
        final String path;
        final String type;
        final int kv;
        final Duration lease;
        final Function<Integer, Map<String, Object>> generator;
        final Map<String, List<Version>> data = new LinkedHashMap<>();
        final AtomicInteger reads = new AtomicInteger();

        Mount(String path, String type, int kv, Duration lease, Function<Integer, Map<String, Object>> generator) {
            this.path = path;
            this.type = type;
            this.kv = kv;
            this.lease = lease;
            this.generator = generator;
        }
    }

    private static final class Version {
        Map<String, Object> data;
        final Instant created;
        volatile Instant deleted;
        volatile boolean destroyed;

        Version(Map<String, Object> data, Instant created) {
            this.data = data;
            this.created = created;
        }
    }

    private static final class Token {
        final String id;
        final Duration ttl;
        final boolean renewable;
        final String issuedBy;
        final Instant created;
        final int seq;
        volatile Instant expiry;
        volatile Instant maxExpiry;
        volatile boolean revoked;
        volatile List<String> prefixes = List.of("");
        volatile int renewals;

        Token(int seq, String id, Duration ttl, boolean renewable, String issuedBy, Instant created) {
            this.seq = seq;
            this.id = id;
            this.ttl = ttl;
            this.renewable = renewable;
            this.issuedBy = issuedBy;
            this.created = created;
            this.expiry = ttl.isZero() ? null : created.plus(ttl);
        }

        boolean valid(Instant now) {
            return !revoked && (expiry == null || now.isBefore(expiry));
        }

        boolean allows(String path) {
            return prefixes.stream().anyMatch(path::startsWith);
        }
    }

    /** Renewals of {@code token} so far. */
    public int renewals(String token) {
        Token t = tokens.get(token);
        return t == null ? 0 : t.renewals;
    }

    private static final class AppRole {
        final String roleId;
        final String secretId;
        final Duration ttl;
        final boolean renewable;

        AppRole(String roleId, String secretId, Duration ttl, boolean renewable) {
            this.roleId = roleId;
            this.secretId = secretId;
            this.ttl = ttl;
            this.renewable = renewable;
        }
    }

    private static final class K8sRole {
        final String role;
        final String jwt;
        final Duration ttl;
        final boolean renewable;

        K8sRole(String role, String jwt, Duration ttl, boolean renewable) {
            this.role = role;
            this.jwt = jwt;
            this.ttl = ttl;
            this.renewable = renewable;
        }
    }

    private static final class FaultRule {
        final String prefix;
        final Fault fault;

        FaultRule(String prefix, Fault fault) {
            this.prefix = prefix;
            this.fault = fault;
        }
    }

    /** Just enough JSON for the fake: writes maps, lists, strings, numbers, booleans, null; reads flat string fields. */
    static final class Json {
        private Json() {
        }

        static String write(Object o) {
            StringBuilder sb = new StringBuilder();
            write(sb, o);
            return sb.toString();
        }

        @SuppressWarnings("unchecked")
        private static void write(StringBuilder sb, Object o) {
            if (o == null) {
                sb.append("null");
            } else if (o instanceof String) {
                sb.append(quote((String) o));
            } else if (o instanceof Number || o instanceof Boolean) {
                sb.append(o);
            } else if (o instanceof Map) {
                sb.append('{');
                boolean first = true;
                for (Map.Entry<String, Object> e : ((Map<String, Object>) o).entrySet()) {
                    sb.append(first ? "" : ",").append(quote(e.getKey())).append(':');
                    write(sb, e.getValue());
                    first = false;
                }
                sb.append('}');
            } else if (o instanceof List) {
                sb.append('[');
                boolean first = true;
                for (Object x : (List<Object>) o) {
                    sb.append(first ? "" : ",");
                    write(sb, x);
                    first = false;
                }
                sb.append(']');
            } else {
                sb.append(quote(o.toString()));
            }
        }

        static String quote(String s) {
            return dev.keysource.spi.Json.quote(s);
        }

        /** A top-level string field of a flat JSON object, or null if absent or null. */
        static String field(String json, String name) {
            Matcher m = Pattern.compile("\"" + Pattern.quote(name) + "\"\\s*:\\s*(null|\"((?:[^\"\\\\]|\\\\.)*)\")")
                    .matcher(json);
            if (!m.find() || m.group(2) == null) {
                return null;
            }
            return m.group(2).replace("\\\"", "\"").replace("\\\\", "\\").replace("\\n", "\n");
        }
    }
}
