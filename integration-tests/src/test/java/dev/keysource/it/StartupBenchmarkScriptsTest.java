package dev.keysource.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI's start-up benchmark scripts run, one round each, on the jars this build made, so they cannot
 * break silently again (backends.sh once failed with a NoClassDefFoundError in FakeServers and RESULTS.md
 * said "not measured"). Only that they work and print every row is checked here: the figures come from
 * benchmarks/run.sh, never from a test.
 */
class StartupBenchmarkScriptsTest {

    private static final Path ROOT = Path.of(System.getProperty("keysource.repo.root", "..")).toAbsolutePath()
            .normalize();

    @TempDir
    Path tmp;

    private String run(String script) throws Exception {
        Path out = tmp.resolve("out.txt");
        Path err = tmp.resolve("err.txt");
        ProcessBuilder pb = new ProcessBuilder(List.of("bash", ROOT.resolve("benchmarks/startup/" + script).toString(),
                "1")).directory(tmp.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().keySet().removeIf(k -> k.startsWith("KEYSOURCE_") || k.startsWith("VAULT_")
                || k.startsWith("AWS_"));
        pb.environment().put("KEYSOURCE_BENCH_NO_BUILD", "1");
        pb.environment().put("KEYSOURCE_NO_BUILD", "1");
        pb.environment().put("KEYSOURCE_JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Process p = pb.start();
        assertThat(p.waitFor(300, TimeUnit.SECONDS)).as(script + " finishes").isTrue();
        String stdout = Files.readString(out, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as("%s exit; stderr: %s", script, Files.readString(err, StandardCharsets.UTF_8))
                .isZero();
        return stdout;
    }

    @Test
    void backendsScript_measuresEveryBackendAgainstTheTrivialMain() throws Exception {
        String out = run("backends.sh");
        assertThat(out).containsPattern("trivial main \\(baseline\\) +[0-9.]+ ms")
                .containsPattern("keysource get script:echo \\.\\.\\. +[0-9.]+ ms +[0-9.]+x main")
                .containsPattern("keysource get vault:secret/claude-code#api_key +[0-9.]+ ms +[0-9.]+x main")
                .containsPattern("keysource get aws-sm:prod/claude#api_key +[0-9.]+ ms +[0-9.]+x main")
                .containsPattern("(?m)^(aws-cli/\\S+ secretsmanager get-secret-value +[0-9.]+ ms|AWS CLI: not installed)");
    }

    @Test
    void agentScript_measuresTheAgentAndFileSources() throws Exception {
        String out = run("agent.sh");
        assertThat(out).containsPattern("trivial main \\(baseline\\) +[0-9.]+ ms")
                .containsPattern("keysource get aws-sm-agent:prod/claude#api_key +[0-9.]+ ms +[0-9.]+x")
                .containsPattern("keysource get file:\\.\\.\\. +[0-9.]+ ms +[0-9.]+x")
                .containsPattern("HttpURLConnection +[0-9.]+ ms")
                .containsPattern("java.net.http.HttpClient +[0-9.]+ ms");
    }

    @Test
    void runScript_measuresTheScriptPath() throws Exception {
        String out = run("run.sh");
        assertThat(out).containsPattern("ratio ./keysource get / trivial main: [0-9.]+x");
    }
}
