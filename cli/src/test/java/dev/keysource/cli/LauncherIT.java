package dev.keysource.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysource.testkit.Canary;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ./keysource launcher at the repository root, run from another directory with stdin left open:
 * it passes the working directory, the environment and the exit code through, and makes its AppCDS
 * archive. KEYSOURCE_NO_BUILD=1 keeps it from rebuilding while other modules change under the test.
 */
class LauncherIT {

    private static final Path LAUNCHER = Path.of(System.getProperty("keysource.launcher", "../keysource"));

    @TempDir
    Path dir;

    private static final class Result {
        int exit;
        String out;
        String err;
    }

    private Result launch(Map<String, String> extraEnv, String... args) throws Exception {
        String[] cmd = Stream.concat(Stream.of(LAUNCHER.toAbsolutePath().toString()), Stream.of(args))
                .toArray(String[]::new);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("KEYSOURCE_"));
        pb.environment().put("KEYSOURCE_NO_BUILD", "1");
        pb.environment().put("XDG_CACHE_HOME", dir.resolve("cache").toString());
        pb.environment().putAll(extraEnv);
        Process p = pb.start(); // stdin: an open pipe nobody writes to or closes, as tools leave it
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("the launcher exits").isTrue();
        Result r = new Result();
        r.exit = p.exitValue();
        r.out = out.get(10, TimeUnit.SECONDS);
        r.err = err.get(10, TimeUnit.SECONDS);
        p.getOutputStream().close();
        return r;
    }

    private static String read(InputStream in) {
        try (in) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            in.transferTo(b);
            return b.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path helper(String name, String body) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
        return p;
    }

    @Test
    void launcher_passesWorkingDirectoryAndEnvironment_printsOnlyTheKey() throws Exception {
        helper("local.sh", "cat >/dev/null\necho \"$(basename \"$PWD\")-$TEAM_NAME\"");
        Result r = launch(Map.of("TEAM_NAME", "payments"), "get", "script:./local.sh");
        assertThat(r.err).isEmpty();
        assertThat(r.exit).isZero();
        assertThat(r.out).isEqualTo(dir.getFileName() + "-payments\n");
        try (Stream<Path> archives = Files.list(dir.resolve("cache/keysource"))) {
            assertThat(archives.map(p -> p.getFileName().toString()))
                    .as("a class-data archive in the per-user cache directory, not next to the jar")
                    .anyMatch(n -> n.endsWith(".jsa"));
        }
        try (Stream<Path> target = Files.list(PackagedJar.JAR.toAbsolutePath().getParent())) {
            assertThat(target.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains(".jsa"));
        }
    }

    @Test
    void launcher_failure_passesTheExitCodeThroughWithoutTheSecret() throws Exception {
        helper("nf.sh", "echo " + Canary.SECRET + "\necho 'no such secret' >&2\nexit 66");
        Result r = launch(Map.of(), "get", "script:./nf.sh");
        assertThat(r.exit).isEqualTo(3);
        assertThat(r.out).isEmpty();
        assertThat(r.err).startsWith("keysource: script:./nf.sh: the helper exited with code 66 (not found)")
                .hasLineCount(1);
        Canary.assertAbsent("the launcher's stderr", r.err);
    }
}
