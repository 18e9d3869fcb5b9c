package dev.keysource.it;

import static dev.keysource.it.FaultMatrix.ATTEMPTS;
import static dev.keysource.it.FaultMatrix.BACKOFF;
import static dev.keysource.it.FaultMatrix.TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.keysource.CachedKey;
import dev.keysource.KeyEvent;
import dev.keysource.KeyListener;
import dev.keysource.KeySourceException;
import dev.keysource.Secret;
import dev.keysource.it.FaultMatrix.Expect;
import dev.keysource.it.FaultMatrix.Row;
import dev.keysource.testkit.Canary;
import dev.keysource.testkit.ErrorContract;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fault matrix, library half: each row of {@link FaultMatrix} through {@link CachedKey} with the
 * backends found by discovery and the environment injected. Two tests per row:
 * <ul>
 *   <li>a first load against the faulty backend: the exception type (or the value, for faults that are
 *       survived), the attempts keysource made and the backend saw, the time taken (at most time limit ×
 *       attempts + backoffs + margin; at least time limit × attempts for time-outs), a FETCH_FAILED event;</li>
 *   <li>a good value first, then the fault and a refresh: the refresh fails with the same type, a
 *       REFRESH_FAILED event and a warning are emitted, and {@code get()} keeps returning the good value.</li>
 * </ul>
 * In both, no message, event or log line holds the secret (the canary) or a credential.
 */
class FaultMatrixTest {

    @TempDir
    Path dir;

    /** Loads each backend's classes once, so the first row of a backend is not timed with class loading. */
    @BeforeAll
    static void warmUp(@TempDir Path warm) throws Exception {
        int i = 0;
        for (java.util.function.Function<Path, Rig> f : List.<java.util.function.Function<Path, Rig>>of(
                Rig.Script::new, d -> new Rig.Vault(d, null), d -> new Rig.Aws(d, null), Rig.Agent::new,
                Rig.SecretFile::new)) {
            Path d = Files.createDirectory(warm.resolve("warm-" + i++));
            try (Rig rig = f.apply(d); CachedKey key = builder(rig, e -> { }).build()) {
                assertThat(key.secret().matches(Canary.SECRET)).as("warm-up fetch of %s", rig.backend()).isTrue();
            }
        }
    }

    static Stream<Row> rows() {
        return FaultMatrix.rows().stream();
    }

    static CachedKey.Builder builder(Rig rig, KeyListener listener) {
        return CachedKey.builder(rig.reference())
                .environment(rig.env())
                .systemProperties(Map.of())
                .timeout(TIMEOUT)
                .maxAttempts(ATTEMPTS)
                .backoff(BACKOFF)
                .listener(listener);
    }

    @Test
    void matrix_rows_coverEveryFaultOfTheIssue() {
        List<Row> rows = FaultMatrix.rows();
        List<String> ids = FaultMatrix.ids();

        assertThat(rows).hasSizeGreaterThanOrEqualTo(40);
        assertThat(ids).doesNotHaveDuplicates();
        assertThat(ids).allMatch(id -> id.matches("(script|vault|aws|agent|file)-[a-z0-9-]+"));
        for (String fault : List.of("latency", "connection-refused", "bad-token", "429", "502", "504", "throttling",
                "access-denied", "not-found", "malformed-json")) {
            assertThat(ids).as("Secrets Manager Agent row for %s", fault).contains("agent-" + fault);
        }
        assertThat(ids).contains("file-missing", "file-world-writable", "file-not-json", "file-no-field");
        for (String fault : List.of("latency", "connection-refused", "reset-mid-body", "truncated-body",
                "malformed-json", "500", "502", "503", "403", "404", "tls-untrusted", "unknown-host")) {
            assertThat(ids).as("vault row for %s", fault).contains("vault-" + fault);
        }
        assertThat(ids).contains("vault-sealed", "vault-412");
        for (String fault : List.of("latency", "connection-refused", "reset-mid-body", "truncated-body",
                "malformed-json", "500", "502", "503", "throttling", "access-denied", "not-found", "tls-untrusted",
                "unknown-host")) {
            assertThat(ids).as("aws row for %s", fault).contains("aws-" + fault);
        }
        for (String fault : List.of("exit-nonzero", "hang", "hang-grandchild", "stdout-flood", "stderr-flood",
                "empty-output", "invalid-output")) {
            assertThat(ids).as("script row for %s", fault).contains("script-" + fault);
        }
        for (Row r : rows) {
            assertThat(r.expected.exitCode).as(r.id).isEqualTo(FaultMatrix.exitCodeOf(r.expected.type));
            assertThat(r.expected.serverSeen).as("%s: one attempt is at most two requests", r.id)
                    .isLessThanOrEqualTo(2 * r.expected.attempts);
        }
        String defects = rows.stream().filter(r -> r.knownDefect != null).map(r -> r.id + ": " + r.knownDefect)
                .collect(Collectors.joining("\n  "));
        System.out.println("FaultMatrix: " + rows.size() + " rows, " + rows.stream().filter(r -> r.noStale == null).count()
                + " with a stale-on-error check; known defects: " + (defects.isEmpty() ? "none" : "\n  " + defects));
    }

    @Test
    void unknownHostRows_resolveNamesFromTheHostsFileOnly() throws Exception {
        String hosts = System.getProperty("jdk.net.hosts.file");
        assertThat(hosts).as("surefire's argLine sets jdk.net.hosts.file: no DNS traffic from this module").isNotNull();
        assertThat(Files.readAllLines(Path.of(hosts))).allMatch(l -> l.isBlank() || l.endsWith(" localhost"));
        assertThat(java.net.InetAddress.getByName("localhost").isLoopbackAddress()).isTrue();
        assertThat(catchThrowable(() -> java.net.InetAddress.getByName("example.com")))
                .isInstanceOf(java.net.UnknownHostException.class);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void get_firstLoadAgainstFault_behavesAsTheRowSays(Row row) throws Exception {
        assumeRunnable(row);
        Expect x = asserted(row);
        Path d = Files.createDirectory(dir.resolve("first"));
        Events events = new Events();
        Throwable thrown;
        Duration elapsed;
        String logs;
        try (Rig rig = row.rig.apply(d); Capture capture = Capture.start()) {
            row.inject.accept(rig);
            try (CachedKey key = builder(rig, events).build()) {
                long start = System.nanoTime();
                thrown = catchThrowable(key::get);
                elapsed = Duration.ofNanos(System.nanoTime() - start);

                if (x.type == null) {
                    assertThat(thrown).as("the fault is survived").isNull();
                    assertThat(key.secret().matches(Canary.SECRET)).as("the value is the secret").isTrue();
                    assertThat(key.stats().fetchAttempts()).as("attempts keysource made").isEqualTo(x.attempts);
                    assertThat(events.types()).contains(KeyEvent.Type.FETCHED);
                } else {
                    assertFailure(row, rig, thrown, x);
                    assertThat(((KeySourceException) thrown).attempts()).as("attempts keysource made")
                            .isEqualTo(x.attempts);
                    assertThat(events.of(KeyEvent.Type.FETCH_FAILED)).as("a FETCH_FAILED event").hasSize(1)
                            .allSatisfy(e -> assertThat(e.failure()).get().isInstanceOf(x.type));
                }
                assertThat(rig.serverAttempts()).as("attempts the backend saw: %s", rig.seen()).isEqualTo(x.serverSeen);
            }
            after(row, rig);
            assertTiming(row, x, elapsed);
            logs = capture.text();
            assertClean(rig, "the logs", logs);
            assertClean(rig, "the events", events.toString());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void refresh_faultAfterAGoodValue_servesTheGoodValue(Row row) throws Exception {
        assumeRunnable(row);
        Assumptions.assumeTrue(row.noStale == null, () -> "no stale-on-error check for " + row.id + ": " + row.noStale);
        Expect x = asserted(row);
        Path d = Files.createDirectory(dir.resolve("stale"));
        Events events = new Events();
        try (Rig rig = row.rig.apply(d); Capture capture = Capture.start()) {
            try (CachedKey key = builder(rig, events).build()) {
                assertThat(key.secret().matches(Canary.SECRET)).as("the good value first").isTrue();
                rig.resetCounts();
                events.clear();
                row.inject.accept(rig);

                long start = System.nanoTime();
                CompletableFuture<Secret> refresh = key.refresh();
                Throwable failure = null;
                try {
                    refresh.get(FaultMatrix.bound().toMillis() + 5000, TimeUnit.MILLISECONDS);
                } catch (ExecutionException e) {
                    failure = e.getCause();
                } catch (TimeoutException e) {
                    throw new AssertionError(row.id + ": the refresh did not end within " + FaultMatrix.bound(), e);
                }
                Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

                assertThat(key.secret().matches(Canary.SECRET)).as("get() serves the good value").isTrue();
                assertThat(rig.serverAttempts()).as("attempts the backend saw: %s", rig.seen()).isEqualTo(x.serverSeen);
                if (x.type == null) {
                    assertThat(failure).as("the fault is survived").isNull();
                    assertThat(events.types()).contains(KeyEvent.Type.REFRESHED);
                } else {
                    assertFailure(row, rig, failure, x);
                    assertThat(events.of(KeyEvent.Type.REFRESH_FAILED)).as("a REFRESH_FAILED event").hasSize(1)
                            .allSatisfy(e -> {
                                assertThat(e.failure()).get().isInstanceOf(x.type);
                                assertThat(e.servedUntil()).as("the event says until when the old value is served")
                                        .isPresent();
                            });
                    assertThat(capture.text()).as("a warning names the reference")
                            .contains("refreshing " + rig.reference() + " failed; serving the previous value");
                    assertThat(key.stats().refreshFailures()).isEqualTo(1);
                }
                assertTiming(row, x, elapsed);
            }
            after(row, rig);
            assertClean(rig, "the logs", capture.text());
            assertClean(rig, "the events", events.toString());
        }
    }

    // ---------------------------------------------------------------------------------------------

    static void assumeRunnable(Row row) {
        if (row.needsRoot) {
            Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
                    () -> row.id + " changes a file's owner: it runs as root only");
        }
    }

    /** The row's check after the fetch; for a known defect in it, a failure is a warning. */
    static void after(Row row, Rig rig) {
        try {
            row.after.accept(rig);
        } catch (AssertionError | RuntimeException e) {
            if (!row.afterIsKnownDefect) {
                throw e;
            }
            System.out.println("WARNING: KNOWN DEFECT seen in fault matrix row " + row.id + ": " + e.getMessage());
        }
    }

    /** The row's expectation; for a known defect, today's behaviour, with a warning in the build log. */
    static Expect asserted(Row row) {
        if (row.knownDefect != null) {
            System.out.println("WARNING: KNOWN DEFECT in fault matrix row " + row.id + ": " + row.knownDefect
                    + "; expected " + row.expected + ", asserting today's " + row.current);
        }
        return row.asserted();
    }

    private static void assertFailure(Row row, Rig rig, Throwable thrown, Expect x) {
        assertThat(thrown).as("the failure of %s", row.id).isExactlyInstanceOf(x.type);
        KeySourceException e = (KeySourceException) thrown;
        assertThat(e.reference()).isEqualTo(rig.reference());
        assertThat(e.isTransient()).as("transient (retried) exactly when the exit code is 5").isEqualTo(x.exitCode == 5);
        assertThat(e.getMessage()).as("the message names the reference").contains(rig.reference());
        for (String fragment : x.fragments) {
            assertThat(e.getMessage()).as("the message says where and what to do").contains(fragment);
        }
        assertThat(e.getMessage()).as("no 'bug' in a classified failure").doesNotContain("this is a bug");
        Canary.assertAbsent(e);
        ErrorContract.assertHoldsInChain(e); // the reference once: "reference: detail"
        assertClean(rig, "the exception chain", chain(e));
    }

    private static void assertTiming(Row row, Expect x, Duration elapsed) {
        assertThat(elapsed).as("%s took %d ms; bound %d ms", row.id, elapsed.toMillis(), FaultMatrix.bound().toMillis())
                .isLessThanOrEqualTo(FaultMatrix.bound());
        if (row.timesOut) {
            Duration floor = TIMEOUT.multipliedBy(x.attempts).multipliedBy(8).dividedBy(10);
            assertThat(elapsed).as("%d attempts of the time limit", x.attempts).isGreaterThanOrEqualTo(floor);
        }
    }

    static void assertClean(Rig rig, String where, String text) {
        Canary.assertAbsent(where, text);
        for (String credential : rig.credentials()) {
            assertThat(text.contains(credential)).as("%s hold a credential of the %s rig", where, rig.backend()).isFalse();
        }
    }

    static String chain(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            sb.append(c).append('\n');
            for (Throwable s : c.getSuppressed()) {
                sb.append("suppressed: ").append(s).append('\n');
            }
        }
        return sb.toString();
    }

    /** Collects events. */
    static final class Events implements KeyListener {
        private final List<KeyEvent> events = new CopyOnWriteArrayList<>();

        @Override
        public void onEvent(KeyEvent event) {
            events.add(event);
        }

        List<KeyEvent.Type> types() {
            return events.stream().map(KeyEvent::type).collect(Collectors.toList());
        }

        List<KeyEvent> of(KeyEvent.Type type) {
            return events.stream().filter(e -> e.type() == type).collect(Collectors.toList());
        }

        void clear() {
            events.clear();
        }

        @Override
        public String toString() {
            return events.toString();
        }
    }
}
