package dev.keysource.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysource.testkit.Canary;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged jar, run as a helper: exact stdout bytes, exit codes, one-line errors, no secret on stderr. */
class CliIT {

    @TempDir
    Path dir;

    private Path helper(String name, String body) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
        return p;
    }

    private PackagedJar.Run run(String... args) {
        return PackagedJar.run(dir, PackagedJar.env(), args);
    }

    /** A failing run: nothing on stdout, one line on stderr, no canary anywhere. */
    private PackagedJar.Run failing(int expectedExit, String... args) {
        PackagedJar.Run r = run(args);
        assertThat(r.exit).as("exit code; stderr: %s", r.stderr).isEqualTo(expectedExit);
        assertThat(r.stdout).isEmpty();
        assertThat(r.stderr).startsWith("keysource: ").endsWith("\n").hasLineCount(1);
        Canary.assertAbsent("the CLI's stderr", r.stderr);
        return r;
    }

    @Test
    void get_helperKey_printsExactlyTheKeyAndANewline() throws IOException {
        Path h = helper("get-key.sh", "printf '  %s  \\n\\n' " + Canary.SECRET);
        PackagedJar.Run r = run("get", "script:" + h);
        assertThat(r.exit).isZero();
        assertThat(r.stdout).isEqualTo((Canary.SECRET + "\n").getBytes(StandardCharsets.US_ASCII));
        assertThat(r.stderr).isEmpty();
    }

    @Test
    void get_json_printsOneJsonObject() throws IOException {
        Path h = helper("json.sh", "echo '{\"key\":\"sk-j\",\"expires_at\":\"2031-01-01T00:00:00Z\"}'");
        PackagedJar.Run r = run("get", "--format", "json", "script:" + h);
        assertThat(r.exit).isZero();
        assertThat(r.stdoutText()).isEqualTo("{\"reference\":\"script:" + h + "\",\"scheme\":\"script\",\"value\":\"sk-j\","
                + "\"encoding\":\"text\",\"expiry\":\"2031-01-01T00:00:00Z\"}\n");
    }

    @Test
    void get_usageErrors_exit2() {
        assertThat(failing(2, "get").stderr).contains("the reference is missing");
        assertThat(failing(2, "get", "nosuch:thing").stderr).contains("unknown scheme 'nosuch'")
                .contains("Schemes on the classpath: ");
        assertThat(failing(2, "fetch", "script:x").stderr).contains("unknown command 'fetch'");
    }

    @Test
    void get_notFound_exit3() throws IOException {
        Path h = helper("nf.sh", "echo 'no such secret: app/key' >&2\nexit 66");
        assertThat(failing(3, "get", "script:" + h).stderr).isEqualTo("keysource: script:" + h + ": the helper exited "
                + "with code 66 (not found); stderr: \"no such secret: app/key\"; check the name of the secret the "
                + "helper reads\n");
    }

    @Test
    void get_rejected_exit4_withoutTheKeyItPrinted() throws IOException {
        Path h = helper("denied.sh", "echo " + Canary.SECRET + "\necho 'permission denied' >&2\nexit 77");
        assertThat(failing(4, "get", "script:" + h).stderr).contains("exited with code 77 (permission denied)")
                .contains("stderr: \"permission denied\"");
    }

    @Test
    void get_unavailable_exit5_afterRetries() throws IOException {
        Path h = helper("down.sh", "echo " + Canary.SECRET + "\necho \"backend down; key was $(echo "
                + Canary.SECRET + ")\" >&2\nexit 1");
        assertThat(failing(5, "get", "script:" + h).stderr).contains("exited with code 1")
                .contains("key was ****").contains("(gave up after 3 attempts)");
    }

    @Test
    void get_timeout_exit5() throws IOException {
        Path h = helper("slow.sh", "echo " + Canary.SECRET + "\nsleep 30");
        // 2 s: the backend kills the helper a tenth (200 ms) before the attempt's limit and must have reported it by
        // then; with 1 s (100 ms) a loaded machine sometimes let the resilience layer's generic time-out win
        PackagedJar.Run r = PackagedJar.run(dir, PackagedJar.env("KEYSOURCE_ATTEMPTS", "1"), "get", "--timeout",
                "2s", "script:" + h);
        assertThat(r.exit).isEqualTo(5);
        assertThat(r.stdout).isEmpty();
        assertThat(r.stderr).contains("did not finish within 1800 ms and was killed").hasLineCount(1);
        Canary.assertAbsent("the CLI's stderr", r.stderr);
        assertThat(r.took).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void get_misconfigured_exit6() throws IOException {
        Path h = helper("open.sh", "echo " + Canary.SECRET);
        Files.setPosixFilePermissions(h, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThat(failing(6, "get", "script:" + h).stderr).contains("world-writable");
        Path twoLines = helper("two.sh", "echo " + Canary.SECRET + "\necho more");
        assertThat(failing(6, "get", "script:" + twoLines).stderr).contains("is a line break");
    }

    @Test
    void get_withStdinOpen_neverReadsIt() throws IOException {
        Path h = helper("reads.sh", "cat >/dev/null\necho sk-stdin-closed");
        PackagedJar.Run r = run("get", "script:" + h); // the child's stdin pipe stays open throughout
        assertThat(r.exit).isZero();
        assertThat(r.stdoutText()).isEqualTo("sk-stdin-closed\n");
        assertThat(r.took).isLessThan(Duration.ofSeconds(20));
    }

    @Test
    void get_callersWorkingDirectoryAndEnvironment_reachTheHelper() throws IOException {
        Path work = Files.createDirectories(dir.resolve("project"));
        Path h = work.resolve("local-helper.sh");
        Files.writeString(h, "#!/bin/sh\necho \"$(basename \"$PWD\")-$TEAM_NAME\"\n");
        Files.setPosixFilePermissions(h, PosixFilePermissions.fromString("rwx------"));
        PackagedJar.Run r = PackagedJar.run(work, PackagedJar.env("TEAM_NAME", "payments"), "get",
                "script:./local-helper.sh");
        assertThat(r.stderr).isEmpty();
        assertThat(r.stdoutText()).isEqualTo("project-payments\n");
    }

    @Test
    void check_printsResolutionAndMaskedValue() throws IOException {
        Path h = helper("ok.sh", "echo " + Canary.SECRET);
        PackagedJar.Run r = PackagedJar.run(dir, PackagedJar.env("CLAUDE_CODE_API_KEY_HELPER_TTL_MS", "60000"),
                "check", "script:" + h);
        assertThat(r.exit).isZero();
        assertThat(r.stdoutText())
                .contains("reference  script:" + h + "\n")
                .contains("scheme     script\n")
                .contains("value      sk-…(26 chars)…6a\n")
                .contains("expiry     -\n")
                .containsPattern("latency    \\d+ ms \\(1 attempt\\)\n")
                .contains("ttl=PT1M (environment variable CLAUDE_CODE_API_KEY_HELPER_TTL_MS)")
                .endsWith("result     ok\n");
        Canary.assertAbsent("check's stdout", r.stdoutText());
        assertThat(r.stderr).isEmpty();
    }

    @Test
    void check_failure_exitsWithTheSameCode() throws IOException {
        Path h = helper("denied.sh", "echo " + Canary.SECRET + "\nexit 77");
        PackagedJar.Run r = run("check", "script:" + h);
        assertThat(r.exit).isEqualTo(4);
        assertThat(r.stdoutText()).contains("result     failed: rejected (authentication or permission) (exit 4)");
        assertThat(r.stderr).hasLineCount(1);
        Canary.assertAbsent("check's stdout", r.stdoutText());
        Canary.assertAbsent("check's stderr", r.stderr);
    }

    @Test
    void helpAndVersion_exit0() {
        PackagedJar.Run help = run("--help");
        assertThat(help.exit).isZero();
        assertThat(help.stdoutText()).contains("\"apiKeyHelper\": \"keysource get vault:secret/claude-code#api_key\"");
        PackagedJar.Run version = run("--version");
        assertThat(version.exit).isZero();
        assertThat(version.stdoutText()).startsWith("keysource 0.1.0");
    }

    /** Runs the jar through sh with stdout redirected as {@code redirect} says; returns exit code and stderr. */
    private String[] shellRun(String redirect, String ref) throws Exception {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", "'" + javaBin + "' -jar '" + PackagedJar.JAR.toAbsolutePath()
                + "' get '" + ref + "' " + redirect).directory(dir.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("KEYSOURCE_") || k.startsWith("JAVA_TOOL"));
        pb.redirectError(dir.resolve("stderr.txt").toFile());
        Process p = pb.start();
        p.getOutputStream().close();
        assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        return new String[] {Integer.toString(p.exitValue()), Files.readString(dir.resolve("stderr.txt"))};
    }

    @Test
    void get_stdoutFullOrClosed_saysTheKeyCouldNotBeWritten_exit7() throws Exception {
        Path h = helper("key.sh", "echo " + Canary.SECRET);
        for (String redirect : new String[] {">/dev/full", ">&-"}) {
            String[] r = shellRun(redirect, "script:" + h);
            assertThat(r[0]).as(redirect).isEqualTo("7");
            assertThat(r[1]).as(redirect).startsWith("keysource: could not write the key to stdout (")
                    .endsWith("): stdout is closed, full or gone; nothing usable was printed\n").hasLineCount(1);
            Canary.assertAbsent("stderr", r[1]);
        }
    }
}
