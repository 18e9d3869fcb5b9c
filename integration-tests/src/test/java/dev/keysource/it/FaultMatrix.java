package dev.keysource.it;

import dev.keysource.KeySourceException;
import dev.keysource.SecretNotFoundException;
import dev.keysource.SourceAccessDeniedException;
import dev.keysource.SourceMisconfiguredException;
import dev.keysource.SourceTimeoutException;
import dev.keysource.SourceUnavailableException;
import dev.keysource.it.FaultProxy.Fault;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The rows of the fault matrix (issue 6): for each backend and fault, what a caller gets, how many
 * attempts the backend sees, the CLI's exit code, and whether a value fetched before keeps being
 * served. Shared by {@link FaultMatrixTest} (the library), {@link CliFaultMatrixTest} (the command line)
 * and {@link ReliabilityDocTest} (docs/RELIABILITY.md has one row per id here).
 *
 * <p>Settings of every row: time limit {@link #TIMEOUT} per attempt, {@link #ATTEMPTS} attempts, backoff
 * {@link #BACKOFF} doubling with ±50% jitter. The secret is always the canary.
 */
final class FaultMatrix {

    static final Duration TIMEOUT = Duration.ofSeconds(1);
    static final int ATTEMPTS = 3;
    static final Duration BACKOFF = Duration.ofMillis(50);
    /** Scheduling, process start-up, first-use class loading: on a loaded 2-core machine. */
    static final Duration MARGIN = Duration.ofMillis(1500);

    /** The most a failing fetch may take: time limit × attempts + the longest backoffs + margin. */
    static Duration bound() {
        Duration backoffs = Duration.ZERO;
        Duration b = BACKOFF;
        for (int i = 1; i < ATTEMPTS; i++) {
            backoffs = backoffs.plus(b.multipliedBy(3).dividedBy(2)); // +50% jitter at most
            b = b.multipliedBy(2);
        }
        return TIMEOUT.multipliedBy(ATTEMPTS).plus(backoffs).plus(MARGIN);
    }

    /** The exit code of the CLI for an outcome (docs/design.md §7): 0, 3 not found, 4 rejected, 5 unavailable, 6 misconfigured. */
    static int exitCodeOf(Class<? extends KeySourceException> type) {
        if (type == null) {
            return 0;
        }
        if (SecretNotFoundException.class.isAssignableFrom(type)) {
            return 3;
        }
        if (SourceAccessDeniedException.class.isAssignableFrom(type)) {
            return 4;
        }
        if (SourceUnavailableException.class.isAssignableFrom(type)) {
            return 5; // includes SourceTimeoutException
        }
        if (SourceMisconfiguredException.class.isAssignableFrom(type)) {
            return 6;
        }
        throw new IllegalArgumentException("no exit code for " + type.getName());
    }

    /** What a row expects: an outcome, the attempts, the exit code and what the message says. */
    static final class Expect {
        /** Null: the fetch succeeds (the fault is survived). */
        final Class<? extends KeySourceException> type;
        final int exitCode;
        /** Attempts keysource makes (the exception's {@code attempts()}, or the stats' fetch attempts). */
        final int attempts;
        /** Attempts the backend sees (helper runs, requests, TLS handshakes); 0 where nothing arrives. */
        final int serverSeen;
        /** Texts the message holds: where it failed and what to do. */
        final List<String> fragments;

        Expect(Class<? extends KeySourceException> type, int exitCode, int attempts, int serverSeen, String... fragments) {
            this.type = type;
            this.exitCode = exitCode;
            this.attempts = attempts;
            this.serverSeen = serverSeen;
            this.fragments = List.of(fragments);
        }

        String outcome() {
            return type == null ? "value" : type.getSimpleName();
        }

        @Override
        public String toString() {
            return outcome() + ", exit " + exitCode + ", " + attempts + " attempt(s), backend saw " + serverSeen;
        }
    }

    /** One fault on one backend. */
    static final class Row {
        final String id;
        final String backend;
        final String fault;
        final Function<Path, Rig> rig;
        final Consumer<Rig> inject;
        Expect expected;
        /** Non-null: a known defect; {@link #current} is asserted instead of {@link #expected}, with a warning. */
        String knownDefect;
        Expect current;
        /** Whether the elapsed time must also reach the time limit × attempts (the fault is a time-out). */
        boolean timesOut;
        /** Non-null: why stale-on-error does not apply (no earlier good value can exist). */
        String noStale;
        /** Checks after the fetch (e.g. that a helper's grandchild was killed). */
        Consumer<Rig> after = r -> { };
        /** Whether {@link #after} fails today at random (a known defect): its failure is then a warning. */
        boolean afterIsKnownDefect;
        /** Whether the row runs only as root (it changes a file's owner). */
        boolean needsRoot;

        Row(String id, String backend, String fault, Function<Path, Rig> rig, Consumer<Rig> inject) {
            this.id = id;
            this.backend = backend;
            this.fault = fault;
            this.rig = rig;
            this.inject = inject;
        }

        Row fails(Class<? extends KeySourceException> type, int attempts, int serverSeen, String... fragments) {
            this.expected = new Expect(type, exitCodeOf(type), attempts, serverSeen, fragments);
            return this;
        }

        Row succeeds(int attempts) {
            this.expected = new Expect(null, 0, attempts, attempts);
            return this;
        }

        Row timesOut() {
            this.timesOut = true;
            return this;
        }

        Row noStale(String why) {
            this.noStale = why;
            return this;
        }

        Row after(Consumer<Rig> check) {
            this.after = check;
            return this;
        }

        Row needsRoot() {
            this.needsRoot = true;
            return this;
        }

        /** Marks a known defect: the build asserts today's behaviour {@code now} and prints a warning. */
        Row knownDefect(String description, Class<? extends KeySourceException> type, int attempts, int serverSeen,
                        String... fragments) {
            this.knownDefect = description;
            this.current = new Expect(type, exitCodeOf(type), attempts, serverSeen, fragments);
            return this;
        }

        /**
         * Marks a known defect in what {@link #after} checks, which fails at random today: its failure is
         * printed as a warning instead of failing the build.
         */
        Row knownDefectInAfterCheck(String description) {
            this.knownDefect = description;
            this.current = expected;
            this.afterIsKnownDefect = true;
            return this;
        }

        /** What the build asserts. */
        Expect asserted() {
            return knownDefect != null ? current : expected;
        }

        @Override
        public String toString() {
            return id;
        }
    }

    private FaultMatrix() {
    }

    // ============================================================================================ rows

    static List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        rows.addAll(scriptRows());
        rows.addAll(vaultRows());
        rows.addAll(awsRows());
        rows.addAll(agentRows());
        rows.addAll(fileRows());
        for (Row r : rows) {
            Objects.requireNonNull(r.expected, r.id);
        }
        return rows;
    }

    static Row row(String id, String fault, Function<Path, Rig> rig, Consumer<Rig> inject) {
        return new Row(id, id.substring(0, id.indexOf('-')), fault, rig, inject);
    }

    // ---------------------------------------------------------------------------------------------- script

    private static Row script(String id, String fault, Function<Rig.Script, String> body) {
        return row(id, fault, Rig.Script::new, r -> ((Rig.Script) r).body(body.apply((Rig.Script) r)));
    }

    private static String secret(Rig.Script s) {
        return Rig.Script.q(s.secretFile);
    }

    static List<Row> scriptRows() {
        return List.of(
                script("script-exit-nonzero", "the helper exits with code 1 (its backend is down)",
                        s -> "echo 'vault: 503 Service Unavailable' >&2\nexit 1")
                        .fails(SourceUnavailableException.class, 3, 3, "exited with code 1", "503 Service Unavailable",
                                "run the helper by hand"),
                script("script-exit-nonzero-key-on-stdout", "the helper prints the key, then exits with code 2",
                        s -> "cat " + secret(s) + "\necho 'partial failure' >&2\nexit 2")
                        .fails(SourceUnavailableException.class, 3, 3, "exited with code 2", "not shown"),
                script("script-exit-permission", "the helper exits with 77 (EX_NOPERM: its credentials were refused)",
                        s -> "echo 'permission denied' >&2\nexit 77")
                        .fails(SourceAccessDeniedException.class, 1, 1, "exited with code 77", "permission denied"),
                script("script-exit-not-found", "the helper exits with 66 (EX_NOINPUT: no such secret)",
                        s -> "echo 'no such secret' >&2\nexit 66")
                        .fails(SecretNotFoundException.class, 1, 1, "exited with code 66", "not found"),
                script("script-command-not-found", "the helper runs a program that does not exist (exit 127)",
                        s -> "exec /nonexistent/keysource-helper")
                        .fails(SourceMisconfiguredException.class, 1, 1, "exited with code 127", "command not found"),
                script("script-hang", "the helper hangs",
                        s -> "exec sleep 30")
                        .fails(SourceTimeoutException.class, 3, 3, "did not finish within", "was killed")
                        .timesOut(),
                script("script-hang-grandchild", "the helper hangs and a background grandchild holds its stdout",
                        s -> "sleep 30 &\necho $! > " + s.file("grandchild.pid") + "\nsleep 30")
                        .fails(SourceTimeoutException.class, 3, 3, "did not finish within", "was killed")
                        .timesOut()
                        .after(FaultMatrix::grandchildKilled),
                script("script-grandchild-holds-pipe", "the helper prints the key and exits, a grandchild keeps stdout open",
                        s -> "cat " + secret(s) + "\nsleep 30 &\necho $! > " + s.file("grandchild.pid") + "\nexit 0")
                        .succeeds(1)
                        .after(FaultMatrix::grandchildKilled),
                script("script-orphan-closed-stdio", "the helper prints the key and leaves a process with closed "
                        + "stdio and an empty environment", s -> "(env -i sleep 30 </dev/null >/dev/null 2>&1 & echo $! > "
                        + s.file("grandchild.pid") + ")\ncat " + secret(s))
                        .succeeds(1)
                        .after(FaultMatrix::grandchildKilled),
                script("script-key-echoed-in-stderr", "the helper prints {\"key\": ...}, echoes the key inside a "
                        + "stderr line and exits with code 1", s -> "printf '{\"key\":\"%s\"}\\n' \"$(cat " + secret(s)
                        + ")\"\necho \"upstream: key=$(cat " + secret(s) + ") revoked\" >&2\nexit 1")
                        .fails(SourceUnavailableException.class, 3, 3, "exited with code 1", "key=**** revoked"),
                script("script-stdout-flood", "the helper floods stdout (the secret, endlessly)",
                        s -> "exec yes \"$(cat " + secret(s) + ")\"")
                        .fails(SourceMisconfiguredException.class, 1, 1, "more than 65536 bytes", "max-output"),
                script("script-stderr-flood", "the helper writes 1 MB to stderr, then the key",
                        s -> "head -c 1000000 /dev/zero | tr '\\000' e >&2\ncat " + secret(s))
                        .succeeds(1),
                script("script-stderr-flood-exit", "the helper writes 1 MB to stderr and exits with code 1",
                        s -> "head -c 1000000 /dev/zero | tr '\\000' e >&2\nexit 1")
                        .fails(SourceUnavailableException.class, 3, 3, "exited with code 1", "eeee"),
                script("script-empty-output", "the helper exits 0 and prints nothing",
                        s -> "exit 0")
                        .fails(SecretNotFoundException.class, 1, 1, "printed nothing", "empty value is not a secret"),
                script("script-invalid-output", "the helper prints a line that is not a key (spaces)",
                        s -> "echo 'this is not a key'")
                        .fails(SourceMisconfiguredException.class, 1, 1),
                script("script-invalid-output-secret", "the helper prints the key followed by other words",
                        s -> "printf '%s and more words\\n' \"$(cat " + secret(s) + ")\"")
                        .fails(SourceMisconfiguredException.class, 1, 1),
                script("script-binary-output", "the helper prints bytes that are not text",
                        s -> "printf '\\001\\002\\377\\376\\n'")
                        .fails(SourceMisconfiguredException.class, 1, 1),
                script("script-invalid-json", "the helper prints JSON whose key is not a string",
                        s -> "echo '{\"key\": 42, \"expires_at\": \"2030-01-01T00:00:00Z\"}'")
                        .fails(SourceMisconfiguredException.class, 1, 1, "key"),
                script("script-fails-once", "the helper fails once (exit 1), then prints the key",
                        s -> "if [ ! -f " + s.file("failed-once") + " ]; then touch " + s.file("failed-once")
                                + "; exit 1; fi\ncat " + secret(s))
                        .succeeds(2),
                row("script-world-writable", "the helper file is world-writable", Rig.Script::new,
                        r -> chmod(((Rig.Script) r).helper, "rwxrwxrwx"))
                        .fails(SourceMisconfiguredException.class, 1, 0, "world-writable", "chmod o-w"),
                row("script-world-writable-dir", "the helper's directory is world-writable without the sticky bit",
                        Rig.Script::new, r -> chmod(r.dir, "rwxrwxrwx"))
                        .fails(SourceMisconfiguredException.class, 1, 0, "world-writable without the sticky bit",
                                "chmod o-w"),
                row("script-other-owner", "the helper file belongs to another user", Rig.Script::new,
                        r -> chown(((Rig.Script) r).helper, 65534))
                        .fails(SourceMisconfiguredException.class, 1, 0, "owned by user", "chown")
                        .needsRoot());
    }

    private static void chmod(Path p, String perms) {
        try {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(perms));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void chown(Path p, int uid) {
        try {
            Files.setAttribute(p, "unix:uid", uid);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The grandchild whose pid the helper wrote is gone (killed with the tree, or as a pipe holder). */
    static void grandchildKilled(Rig rig) {
        Path pidFile = rig.dir.resolve("grandchild.pid");
        org.awaitility.Awaitility.await("the helper's grandchild is killed")
                .atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    if (!Files.exists(pidFile)) {
                        return false;
                    }
                    for (String line : Files.readAllLines(pidFile)) {
                        if (!line.isBlank() && running(Long.parseLong(line.trim()))) {
                            return false;
                        }
                    }
                    return true;
                });
    }

    /** Alive and not a zombie (a killed process not reaped yet counts as gone). */
    static boolean running(long pid) {
        if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            try {
                String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
                return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
            } catch (IOException | RuntimeException e) {
                return !Files.isDirectory(Path.of("/proc")); // gone meanwhile; without /proc, trust isAlive
            }
        }
        return false;
    }

    // ---------------------------------------------------------------------------------------------- vault

    private static Function<Path, Rig> vault() {
        return d -> new Rig.Vault(d, null);
    }

    private static Row vault(String id, String fault, Fault f) {
        return vault(id, fault, Rig.Vault.READS, f);
    }

    private static Row vault(String id, String fault, Predicate<FaultProxy.Request> which, Fault f) {
        return row(id, fault, vault(), r -> ((Rig.Vault) r).proxy.inject(which, f));
    }

    private static Fault vaultError(int status, String... errors) {
        StringBuilder sb = new StringBuilder("{\"errors\":[");
        for (int i = 0; i < errors.length; i++) {
            sb.append(i > 0 ? "," : "").append('"').append(errors[i]).append('"');
        }
        return Fault.status(status, "application/json", sb.append("]}").toString());
    }

    static List<Row> vaultRows() {
        return List.of(
                vault("vault-latency", "Vault answers after 5 s, past the time limit", Fault.delay(Duration.ofSeconds(5)))
                        .fails(SourceTimeoutException.class, 3, 3, "did not answer within the time limit")
                        .timesOut(),
                row("vault-connection-refused", "nothing listens at VAULT_ADDR (Vault is down)", vault(),
                        r -> ((Rig.Vault) r).proxy.refuse())
                        .fails(SourceUnavailableException.class, 3, 0, "cannot connect to Vault", "VAULT_ADDR"),
                vault("vault-reset-mid-body", "the connection is reset halfway through the answer", Fault.resetMidBody())
                        .fails(SourceUnavailableException.class, 3, 3, Rig.Vault.READ),
                vault("vault-truncated-body", "the answer ends before its Content-Length", Fault.truncate())
                        .fails(SourceUnavailableException.class, 3, 3, Rig.Vault.READ),
                // the JDK HttpClient resends an idempotent GET once when a connection closes before any byte of
                // an answer (ConnectionExpiredException; jdk.internal.net.http.MultiExchange): 2 requests per attempt
                vault("vault-connection-dropped", "the connection is closed without an answer", Fault.drop())
                        .fails(SourceUnavailableException.class, 3, 6, Rig.Vault.READ),
                vault("vault-malformed-json", "HTTP 200 with a body that is not JSON",
                        Fault.status(200, "application/json", "{\"data\": {\"data\": {\"api_key\": "))
                        .fails(SourceUnavailableException.class, 3, 3, "not the JSON Vault sends"),
                vault("vault-html-200", "HTTP 200 with a proxy's HTML page",
                        Fault.status(200, "text/html", "<html><body>Please log in to the proxy</body></html>"))
                        .fails(SourceUnavailableException.class, 3, 3, "not the JSON Vault sends"),
                vault("vault-500", "HTTP 500", vaultError(500, "internal error"))
                        .fails(SourceUnavailableException.class, 3, 3, "500", "internal error", "server's logs"),
                vault("vault-502", "HTTP 502 from a load balancer",
                        Fault.status(502, "text/html", "<html>502 Bad Gateway</html>"))
                        .fails(SourceUnavailableException.class, 3, 3, "502"),
                vault("vault-503", "HTTP 503", vaultError(503, "service unavailable"))
                        .fails(SourceUnavailableException.class, 3, 3, "503", "vault status"),
                vault("vault-sealed", "Vault is sealed (503 to the mount lookup and the read)", Rig.Vault.KEY_REQUESTS,
                        vaultError(503, "Vault is sealed"))
                        .fails(SourceUnavailableException.class, 3, 3, "503", "Vault is sealed", "vault status"),
                vault("vault-412", "HTTP 412: a performance standby has not caught up",
                        vaultError(412, "required index state not present"))
                        .fails(SourceUnavailableException.class, 3, 3, "412", "has not caught up"),
                vault("vault-429", "HTTP 429: rate limit quota exceeded", vaultError(429, "rate limit quota exceeded"))
                        .fails(SourceUnavailableException.class, 3, 3, "429", "rate-limiting"),
                vault("vault-403", "HTTP 403: the token's policies do not allow the read",
                        vaultError(403, "1 error occurred:\\n\\t* permission denied\\n\\n"))
                        .fails(SourceAccessDeniedException.class, 1, 1, "403", "permission denied",
                                "capabilities = [\"read\"]"),
                vault("vault-404", "HTTP 404: nothing at the path", vaultError(404))
                        .fails(SecretNotFoundException.class, 1, 1, "404", "nothing is stored at this path"),
                vault("vault-400", "HTTP 400: Vault refuses the request as invalid", vaultError(400, "invalid request"))
                        .fails(SourceMisconfiguredException.class, 1, 1, "400", "invalid request"),
                row("vault-tls-untrusted", "Vault presents a certificate from a CA nobody configured",
                        d -> new Rig.Vault(d, TlsCerts.trusted()),
                        r -> ((Rig.Vault) r).proxy.inject(req -> true, Fault.tls(TlsCerts.untrusted().server)))
                        .fails(SourceMisconfiguredException.class, 1, 1, "TLS handshake failed", "VAULT_CACERT"),
                row("vault-unknown-host", "VAULT_ADDR names a host that does not resolve", vault(),
                        r -> ((Rig.Vault) r).addressOverride = "http://vault.invalid:8200")
                        .fails(SourceUnavailableException.class, 3, 0, "vault.invalid")
                        .noStale("the address is part of the client's configuration: a client that once fetched "
                                + "from a host keeps using it"),
                row("vault-503-once", "one HTTP 503, then Vault answers", vault(),
                        r -> ((Rig.Vault) r).proxy.inject(Rig.Vault.READS, vaultError(503, "Vault is sealed"), 1))
                        .succeeds(2),
                // issue 15
                vault("vault-endless-body", "HTTP 200 with an endless chunked body",
                        Fault.endless("application/json", "{\"data\": {\"data\": {\"api_key\": \""))
                        .fails(SourceMisconfiguredException.class, 1, 1, "larger than 4 MiB", "not retried", "VAULT_ADDR"),
                row("vault-empty-value", "the field holds an empty string", vault(),
                        r -> ((Rig.Vault) r).vault.putKv("secret/app", java.util.Map.of("api_key", "", "user", "svc")))
                        .fails(SecretNotFoundException.class, 1, 1, "the field 'api_key'", "is empty"),
                vault("vault-version-not-integer", "HTTP 200 whose metadata.version is 1e3",
                        Fault.status(200, "application/json", "{\"data\": {\"data\": {\"api_key\": \"x\"},"
                                + " \"metadata\": {\"version\": 1e3}}}"))
                        .fails(SourceUnavailableException.class, 3, 3, "not the JSON Vault sends"),
                row("vault-token-file-bom", "~/.vault-token starts with a UTF-8 byte order mark", vault(),
                        r -> tokenFile((Rig.Vault) r, "\uFEFF" + ((Rig.Vault) r).token + "\n"))
                        .succeeds(1),
                row("vault-token-file-stray-character", "~/.vault-token holds a character no token has (U+00A0)",
                        vault(), r -> tokenFile((Rig.Vault) r, ((Rig.Vault) r).token.substring(0, 4) + "\u00a0"
                                + ((Rig.Vault) r).token.substring(4)))
                        .fails(SourceMisconfiguredException.class, 1, 0, "token file", "U+00A0", "vault login")
                        .noStale("the token's source is fixed when the client is built"));
    }

    // ---------------------------------------------------------------------------------------------- aws

    private static Function<Path, Rig> aws() {
        return d -> new Rig.Aws(d, null);
    }

    private static Row aws(String id, String fault, Fault f) {
        return row(id, fault, aws(), r -> ((Rig.Aws) r).proxy.inject(Rig.Aws.ALL, f));
    }

    private static Fault awsError(int status, String code) {
        return Fault.status(status, "application/x-amz-json-1.1",
                "{\"__type\":\"" + code + "\",\"message\":\"injected " + code + "\"}");
    }

    static List<Row> awsRows() {
        return List.of(
                aws("aws-latency", "Secrets Manager answers after 5 s, past the time limit",
                        Fault.delay(Duration.ofSeconds(5)))
                        .fails(SourceTimeoutException.class, 3, 3, "did not answer in time", "'prod/claude'")
                        .timesOut(),
                row("aws-connection-refused", "nothing listens at the endpoint", aws(),
                        r -> ((Rig.Aws) r).proxy.refuse())
                        .fails(SourceUnavailableException.class, 3, 0, "cannot reach AWS Secrets Manager", "'prod/claude'"),
                aws("aws-reset-mid-body", "the connection is reset halfway through the answer", Fault.resetMidBody())
                        .fails(SourceUnavailableException.class, 3, 3, "'prod/claude'"),
                aws("aws-truncated-body", "the answer ends before its Content-Length", Fault.truncate())
                        .fails(SourceUnavailableException.class, 3, 3, "'prod/claude'"),
                aws("aws-connection-dropped", "the connection is closed without an answer", Fault.drop())
                        .fails(SourceUnavailableException.class, 3, 3, "'prod/claude'"),
                aws("aws-malformed-json", "HTTP 200 with a body that is not JSON",
                        Fault.status(200, "application/x-amz-json-1.1", "{\"SecretString\": \"{\\\"api_key"))
                        .fails(SourceUnavailableException.class, 3, 3, "could not be read", "HTTP 200"),
                aws("aws-500", "HTTP 500 InternalServiceError", awsError(500, "InternalServiceError"))
                        .fails(SourceUnavailableException.class, 3, 3, "InternalServiceError", "HTTP 500"),
                aws("aws-502", "HTTP 502 with an HTML page", Fault.status(502, "text/html", "<html>Bad Gateway</html>"))
                        .fails(SourceUnavailableException.class, 3, 3, "HTTP 502"),
                aws("aws-503", "HTTP 503 ServiceUnavailable", awsError(503, "ServiceUnavailable"))
                        .fails(SourceUnavailableException.class, 3, 3, "ServiceUnavailable", "HTTP 503"),
                aws("aws-throttling", "HTTP 400 ThrottlingException", awsError(400, "ThrottlingException"))
                        .fails(SourceUnavailableException.class, 3, 3, "ThrottlingException", "throttling"),
                aws("aws-access-denied", "HTTP 400 AccessDeniedException", awsError(400, "AccessDeniedException"))
                        .fails(SourceAccessDeniedException.class, 1, 1, "AccessDeniedException",
                                "secretsmanager:GetSecretValue"),
                aws("aws-not-found", "HTTP 400 ResourceNotFoundException", awsError(400, "ResourceNotFoundException"))
                        .fails(SecretNotFoundException.class, 1, 1, "ResourceNotFoundException", "Check the secret name"),
                aws("aws-decryption-failure", "HTTP 400 DecryptionFailure (KMS key disabled)",
                        awsError(400, "DecryptionFailure"))
                        .fails(SourceMisconfiguredException.class, 1, 1, "DecryptionFailure", "kms:Decrypt"),
                row("aws-tls-untrusted", "the endpoint presents a certificate from a CA the JVM does not trust",
                        d -> new Rig.Aws(d, TlsCerts.untrusted()), r -> { })
                        .fails(SourceMisconfiguredException.class, 1, 1, "certificate", "javax.net.ssl.trustStore")
                        .noStale("the JVM's default trust store is fixed for the test JVM, so no earlier fetch over "
                                + "TLS can succeed against a private CA"),
                row("aws-unknown-host", "the endpoint names a host that does not resolve", aws(),
                        r -> ((Rig.Aws) r).endpointOverride = "http://secretsmanager.invalid:4566")
                        .fails(SourceUnavailableException.class, 3, 0, "secretsmanager.invalid")
                        .noStale("the endpoint is part of the client's configuration"),
                row("aws-throttled-once", "one ThrottlingException, then Secrets Manager answers", aws(),
                        r -> ((Rig.Aws) r).proxy.inject(Rig.Aws.ALL, awsError(400, "ThrottlingException"), 1))
                        .succeeds(2),
                // issue 15
                aws("aws-endless-body", "HTTP 200 with an endless chunked body",
                        Fault.endless("application/x-amz-json-1.1", "{\"Name\":\"prod/claude\",\"SecretString\":\""))
                        .fails(SourceMisconfiguredException.class, 1, 1, "larger than 1 MiB", "not retried"),
                row("aws-empty-value", "the JSON field of the SecretString is an empty string", aws(),
                        r -> ((Rig.Aws) r).fake.putSecretString("prod/claude", "{\"user\":\"svc\",\"api_key\":\"\"}"))
                        .fails(SecretNotFoundException.class, 1, 1, "the field 'api_key', but it is empty"),
                row("aws-credential-process-fails", "the profile's credential_process exits with code 1", aws(),
                        r -> ((Rig.Aws) r).credentialProcess = "sh -c 'echo \"SSO session expired\" >&2; exit 1'")
                        .fails(SourceMisconfiguredException.class, 1, 0, "credential_process of AWS profile 'proc'",
                                "exited with code 1", "SSO session expired")
                        .noStale("the credentials' source is fixed when the client is built"),
                row("aws-credential-process-hangs", "the profile's credential_process hangs, with a child", aws(),
                        r -> ((Rig.Aws) r).credentialProcess = "sh -c 'sleep 30 & echo $! > "
                                + r.dir.resolve("grandchild.pid") + "; wait'")
                        .fails(SourceTimeoutException.class, 3, 0, "credential_process of AWS profile 'proc'",
                                "did not finish within", "stopped with the processes it started")
                        .timesOut()
                        .after(FaultMatrix::grandchildKilled)
                        .noStale("the credentials' source is fixed when the client is built"));
    }

    /** Makes the rig read its token from {@code ~/.vault-token} holding {@code content}. */
    private static void tokenFile(Rig.Vault rig, String content) {
        try {
            Files.writeString(rig.dir.resolve(".vault-token"), content, java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        rig.tokenFromFile = true;
    }

    // ---------------------------------------------------------------------------------------------- agent

    private static Function<Path, Rig> agent() {
        return Rig.Agent::new;
    }

    private static Row agent(String id, String fault, Fault f) {
        return row(id, fault, agent(), r -> ((Rig.Agent) r).proxy.inject(Rig.Agent.ALL, f));
    }

    private static Fault agentAnswer(int status, String body) {
        return Fault.status(status, body.startsWith("{") ? "application/json" : "text/plain", body);
    }

    static List<Row> agentRows() {
        return List.of(
                agent("agent-latency", "the Secrets Manager Agent answers after 5 s, past the time limit",
                        Fault.delay(Duration.ofSeconds(5)))
                        .fails(SourceTimeoutException.class, 3, 3, "did not answer within", "agent's log")
                        .timesOut(),
                row("agent-connection-refused", "nothing listens on the agent's port (the agent is not running)",
                        agent(), r -> ((Rig.Agent) r).proxy.refuse())
                        .fails(SourceUnavailableException.class, 3, 0, "nothing answers at 127.0.0.1:",
                                "is the Secrets Manager Agent running"),
                agent("agent-bad-token", "HTTP 403 Bad Token: the SSRF token is not the agent's",
                        agentAnswer(403, "Bad Token"))
                        .fails(SourceAccessDeniedException.class, 1, 1, "refused the SSRF token", "AWS_TOKEN"),
                agent("agent-429", "HTTP 429: the agent is at its connection limit",
                        agentAnswer(429, "Connection limit exceeded"))
                        .fails(SourceUnavailableException.class, 3, 3, "connection limit"),
                agent("agent-502", "HTTP 502 ConnectionError: the agent cannot reach Secrets Manager",
                        agentAnswer(502, "{\"__type\":\"ConnectionError\", \"message\":\"Read Error\"}"))
                        .fails(SourceUnavailableException.class, 3, 3, "502 ConnectionError"),
                agent("agent-504", "HTTP 504 TimeoutError: Secrets Manager did not answer the agent in time",
                        agentAnswer(504, "{\"__type\":\"TimeoutError\", \"message\":\"Timeout\"}"))
                        .fails(SourceUnavailableException.class, 3, 3, "504 TimeoutError"),
                agent("agent-throttling", "HTTP 400 ThrottlingException passed through by the agent",
                        agentAnswer(400, "{\"__type\":\"ThrottlingException\", \"message\":\"Rate exceeded\"}"))
                        .fails(SourceUnavailableException.class, 3, 3, "ThrottlingException"),
                agent("agent-access-denied", "HTTP 400 AccessDeniedException: the agent's IAM role may not read it",
                        agentAnswer(400, "{\"__type\":\"AccessDeniedException\", \"message\":\"denied\"}"))
                        .fails(SourceAccessDeniedException.class, 1, 1, "AccessDeniedException",
                                "secretsmanager:GetSecretValue"),
                agent("agent-not-found", "HTTP 400 ResourceNotFoundException passed through by the agent",
                        agentAnswer(400, "{\"__type\":\"ResourceNotFoundException\", \"message\":\"no such\"}"))
                        .fails(SecretNotFoundException.class, 1, 1, "ResourceNotFoundException", "has no secret"),
                agent("agent-malformed-json", "HTTP 200 with a body that is not JSON",
                        agentAnswer(200, "{\"SecretString\": \"{\\\"api_key"))
                        .fails(SourceUnavailableException.class, 3, 3, "not JSON", "something other than the agent"),
                agent("agent-reset-mid-body", "the connection is reset halfway through the answer", Fault.resetMidBody())
                        .fails(SourceUnavailableException.class, 3, 3, "reading from the Secrets Manager Agent"),
                row("agent-502-once", "one HTTP 502, then the agent answers", agent(),
                        r -> ((Rig.Agent) r).proxy.inject(Rig.Agent.ALL,
                                agentAnswer(502, "{\"__type\":\"ConnectionError\"}"), 1))
                        .succeeds(2));
    }

    // ---------------------------------------------------------------------------------------------- file

    private static Row file(String id, String fault, Consumer<Rig.SecretFile> inject) {
        return row(id, fault, Rig.SecretFile::new, r -> inject.accept((Rig.SecretFile) r));
    }

    static List<Row> fileRows() {
        return List.of(
                file("file-missing", "the secret file does not exist (not written yet, or the mount is gone)",
                        r -> delete(r.file))
                        .fails(SecretNotFoundException.class, 1, 0, "does not exist", "Vault Agent"),
                file("file-world-writable", "the secret file is world-writable", r -> chmod(r.file, "rw-rw-rw-"))
                        .fails(SourceMisconfiguredException.class, 1, 0, "world-writable", "chmod o-w"),
                file("file-not-json", "the .json file holds text that is not JSON", r -> r.write("sk-not-json"))
                        .fails(SourceMisconfiguredException.class, 1, 0, "is not JSON", "remove '#api_key'"),
                file("file-no-field", "the JSON has no api_key field", r -> r.write("{\"user\":\"svc\"}"))
                        .fails(SourceMisconfiguredException.class, 1, 0, "has no field 'api_key'", "'user'"),
                file("file-empty", "the file is empty", r -> r.write(""))
                        .fails(SecretNotFoundException.class, 1, 0, "is empty", "empty value is not a secret"));
    }

    private static void delete(Path p) {
        try {
            Files.delete(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Row ids in order. */
    static List<String> ids() {
        List<String> ids = new ArrayList<>();
        for (Row r : rows()) {
            ids.add(r.id);
        }
        return ids;
    }

    /** Certificates for the TLS rows, made once per test JVM. */
    static final class TlsCerts {
        private static Certs trusted;
        private static Certs untrusted;

        private TlsCerts() {
        }

        static synchronized Certs trusted() {
            if (trusted == null) {
                trusted = Certs.generate(tempDir("trusted"), "trusted");
            }
            return trusted;
        }

        static synchronized Certs untrusted() {
            if (untrusted == null) {
                untrusted = Certs.generate(tempDir("untrusted"), "untrusted");
            }
            return untrusted;
        }

        /** A directory deleted with its files when the JVM exits. */
        private static Path tempDir(String name) {
            try {
                Path d = Files.createTempDirectory("keysource-it-tls");
                d.toFile().deleteOnExit();
                for (String f : List.of(name + ".p12", name + ".pem")) {
                    d.resolve(f).toFile().deleteOnExit();
                }
                return d;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    static String describe(List<String> l) {
        return Arrays.toString(l.toArray());
    }
}
