package dev.keysource.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysource.it.FaultMatrix.Expect;
import dev.keysource.it.FaultMatrix.Row;
import dev.keysource.testkit.Canary;
import dev.keysource.testkit.ErrorContract;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fault matrix, command-line half: each row of {@link FaultMatrix} through {@code keysource get REF}
 * in a child JVM (the runnable jar of module {@code cli}), as a tool runs a helper: the environment of the
 * row only, stdin left open, the same settings as the library half through {@code KEYSOURCE_*} variables,
 * and the hosts file that keeps "unknown host" rows off DNS. Asserted: the exit code, stdout (the secret
 * and a newline, or nothing), stderr (one line on failure), the attempts the backend saw, the time, and
 * that neither stream holds the secret or a credential.
 *
 * <p>The jar is {@code cli/target/keysource.jar} (or {@code -Dkeysource.cli.jar=PATH}); without it the
 * rows are skipped with a message, and so are rows whose scheme the jar does not bundle. To run those
 * anyway, {@code -Dkeysource.cli.extraClasspath=JARS} adds the missing backends' jars to the jar's class
 * path (the CLI then runs as {@code java -cp keysource.jar:JARS dev.keysource.cli.Main}).
 */
class CliFaultMatrixTest {

    /** JVM start-up and the CLI's own start, on a loaded 2-core machine. */
    static final Duration JVM_MARGIN = Duration.ofSeconds(4);

    static final Path JAR = Path.of(System.getProperty("keysource.cli.jar",
            Path.of(System.getProperty("keysource.repo.root", ".."), "cli", "target", "keysource.jar").toString()));

    private static String bundled;

    @TempDir
    Path dir;

    static Stream<Row> rows() {
        return FaultMatrix.rows().stream();
    }

    /** What the jar's {@code --version} says it bundles, e.g. "backends: aws-sm, script, vault". */
    private static synchronized String bundled(Path cwd) {
        if (bundled == null) {
            Result r = run(cwd, Map.of("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin")), "--version");
            assertThat(r.exit).as("keysource --version: %s", r.stderr).isZero();
            bundled = r.stdoutText();
        }
        return bundled;
    }

    private static String scheme(Row row) {
        return row.backend.equals("aws") ? "aws-sm" : row.backend.equals("agent") ? "aws-sm-agent" : row.backend;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void keysourceGet_fault_exitsAsTheRowSays(Row row) throws Exception {
        Assumptions.assumeTrue(Files.isRegularFile(JAR), () -> "no runnable CLI jar at " + JAR.toAbsolutePath()
                + ": build module cli (mvn -pl cli package) or pass -Dkeysource.cli.jar=PATH; CLI half of "
                + row.id + " skipped");
        FaultMatrixTest.assumeRunnable(row);
        String version = bundled(dir);
        Assumptions.assumeTrue(version.matches("(?s).*backends:[^)]*\\b" + scheme(row) + "\\b.*"),
                () -> "the CLI jar does not bundle the " + scheme(row) + " backend (" + version.trim()
                        + "): add keysource-" + row.backend + " to module cli (runtime scope); " + row.id + " skipped");
        Expect x = FaultMatrixTest.asserted(row);
        Path d = Files.createDirectory(dir.resolve("cli"));
        try (Rig rig = row.rig.apply(d)) {
            row.inject.accept(rig);
            Map<String, String> env = new HashMap<>(rig.env());
            env.putIfAbsent("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
            env.put("KEYSOURCE_TIMEOUT_MS", Long.toString(FaultMatrix.TIMEOUT.toMillis()));
            env.put("KEYSOURCE_ATTEMPTS", Integer.toString(FaultMatrix.ATTEMPTS));
            env.put("KEYSOURCE_BACKOFF_MS", Long.toString(FaultMatrix.BACKOFF.toMillis()));

            Result r = run(d, env, "get", rig.reference());

            assertThat(r.exit).as("exit code of keysource get (stderr: %s)", r.stderr).isEqualTo(x.exitCode);
            if (x.type == null) {
                assertThat(r.stdoutText().equals(Canary.SECRET + "\n")).as("stdout is the secret and a newline")
                        .isTrue();
            } else {
                assertThat(r.stdout).as("nothing on stdout after a failure").isEmpty();
                assertThat(r.stderr).endsWith("\n").doesNotContain("Exception in thread");
                // the error is one line; log warnings of the backend (WARN ...) may come before it
                List<String> lines = r.stderr.lines().collect(java.util.stream.Collectors.toList());
                String error = lines.get(lines.size() - 1);
                assertThat(lines.subList(0, lines.size() - 1)).as("stderr before the error line: log warnings only")
                        .allMatch(l -> l.startsWith("WARN "));
                assertThat(error).as("the error line").startsWith("keysource: " + rig.reference() + ": ");
                ErrorContract.assertReferenceOnce("the CLI's error line", rig.reference(), error);
                for (String fragment : x.fragments) {
                    assertThat(error).as("the error line says where and what to do").contains(fragment);
                }
            }
            assertThat(rig.serverAttempts()).as("attempts the backend saw: %s", rig.seen()).isEqualTo(x.serverSeen);
            assertThat(r.took).as("took %d ms", r.took.toMillis())
                    .isLessThanOrEqualTo(FaultMatrix.bound().plus(JVM_MARGIN));
            FaultMatrixTest.after(row, rig);
            FaultMatrixTest.assertClean(rig, "the CLI's stderr", r.stderr);
            FaultMatrixTest.assertClean(rig, "the CLI's stdout", x.type == null ? "" : r.stdoutText());
        }
    }

    // ---------------------------------------------------------------------------------------------

    static final class Result {
        int exit;
        byte[] stdout;
        String stderr;
        Duration took;

        String stdoutText() {
            return new String(stdout, StandardCharsets.UTF_8);
        }
    }

    /** Runs the jar with exactly {@code env}; stdin stays open (tools never close a helper's stdin). */
    static Result run(Path cwd, Map<String, String> env, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-Djdk.net.hosts.file=" + System.getProperty("keysource.hosts.file",
                Path.of("src", "test", "resources", "hosts").toAbsolutePath().toString()));
        String extra = System.getProperty("keysource.cli.extraClasspath");
        if (extra != null) {
            cmd.add("-cp");
            cmd.add(JAR.toAbsolutePath() + ":" + extra);
            cmd.add("dev.keysource.cli.Main");
        } else {
            cmd.add("-jar");
            cmd.add(JAR.toAbsolutePath().toString());
        }
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        long start = System.nanoTime();
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
            CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
            Duration limit = FaultMatrix.bound().plus(JVM_MARGIN).plus(Duration.ofSeconds(10));
            if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new AssertionError("keysource " + String.join(" ", args) + " did not exit within " + limit);
            }
            Result r = new Result();
            r.took = Duration.ofNanos(System.nanoTime() - start);
            r.exit = p.exitValue();
            r.stdout = out.get(10, TimeUnit.SECONDS);
            r.stderr = new String(err.get(10, TimeUnit.SECONDS), StandardCharsets.UTF_8);
            return r;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("reading the CLI's output", e);
        } finally {
            try {
                p.getOutputStream().close();
            } catch (IOException e) {
                // gone
            }
        }
    }

    private static byte[] readAll(InputStream in) {
        try (in) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            in.transferTo(b);
            return b.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
