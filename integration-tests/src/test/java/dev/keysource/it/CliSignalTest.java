package dev.keysource.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * docs/RELIABILITY.md, "Stopping keysource": a {@code keysource get} stopped by SIGTERM, SIGHUP or SIGINT
 * while its helper runs leaves nothing of the helper running (issue 15 #6). Runs the packaged jar.
 */
class CliSignalTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"TERM", "HUP", "INT"})
    void get_signalledWhileTheHelperRuns_killsTheHelpersWholeTree(String signal) throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc")), "needs /proc (Linux)");
        Assumptions.assumeTrue(Files.isRegularFile(CliFaultMatrixTest.JAR), () -> "no CLI jar at " + CliFaultMatrixTest.JAR);
        Path pids = dir.resolve("pids");
        Path helper = dir.resolve("slow-helper.sh");
        // the helper, a child that waits on it, and a grandchild re-parented at once: three processes
        Files.writeString(helper, "#!/bin/sh\necho $$ >> " + pids + "\n(sleep 300 & echo $! >> " + pids + ")\n"
                + "sleep 300 & echo $! >> " + pids + "\nwait\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(helper, PosixFilePermissions.fromString("rwx------"));

        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", CliFaultMatrixTest.JAR.toAbsolutePath().toString(),
                "get", "script:" + helper));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile())
                .redirectOutput(dir.resolve("stdout").toFile()).redirectError(dir.resolve("stderr").toFile());
        pb.environment().clear();
        pb.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        pb.environment().put("HOME", dir.toString());
        pb.environment().put("KEYSOURCE_TIMEOUT_MS", "120000");
        Process cli = pb.start();
        List<Long> tree;
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> lines(pids).size() == 3);
            tree = lines(pids);
            assertThat(tree).allMatch(CliSignalTest::running);

            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(cli.pid())).start();
            assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(cli.waitFor(20, TimeUnit.SECONDS)).as("keysource get exits on SIG%s", signal).isTrue();
        } finally {
            cli.destroyForcibly();
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> tree.stream().noneMatch(CliSignalTest::running));
        assertThat(Files.readString(dir.resolve("stdout"))).as("no key on stdout").isEmpty();
    }

    private static List<Long> lines(Path file) {
        List<Long> out = new ArrayList<>();
        try {
            if (Files.exists(file)) {
                for (String l : Files.readAllLines(file)) {
                    if (!l.isBlank()) {
                        out.add(Long.parseLong(l.trim()));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** Running and not a zombie. */
    private static boolean running(long pid) {
        Path stat = Path.of("/proc/" + pid + "/stat");
        try {
            String s = Files.readString(stat);
            return s.charAt(s.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException e) {
            return false;
        }
    }
}
