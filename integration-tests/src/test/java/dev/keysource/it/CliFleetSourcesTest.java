package dev.keysource.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.keysource.awsagent.FakeSecretsManagerAgent;
import dev.keysource.testkit.Canary;
import dev.keysource.vault.FakeVault;
import dev.keysource.vault.FakeVaultProxy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13's "done when" for the command line: the packaged jar's {@code keysource get} and
 * {@code keysource check} with the node-local sources, against loopback fakes: the AWS Secrets Manager
 * Agent, a secret file, and Vault through a Vault Proxy with {@code auth=none}.
 */
class CliFleetSourcesTest {

    @TempDir
    Path home;

    private static final class Run {
        int exit;
        String stdout;
        String stderr;
    }

    private Run keysource(Map<String, String> env, String... args) throws IOException, InterruptedException {
        Path jar = CliFaultMatrixTest.JAR.toAbsolutePath().normalize();
        assumeTrue(Files.isRegularFile(jar), "the cli jar is not built (" + jar + "): run ./mvnw package first");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().clear();
        pb.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        pb.environment().put("HOME", home.toString());
        pb.environment().putAll(env);
        Path out = home.resolve("stdout");
        Path err = home.resolve("stderr");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("keysource finished").isTrue();
        Run r = new Run();
        r.exit = p.exitValue();
        r.stdout = Files.readString(out, StandardCharsets.UTF_8);
        r.stderr = Files.readString(err, StandardCharsets.UTF_8);
        return r;
    }

    @Test
    void agent_getAndCheck_withOnlyTheTokenAndThePort() throws Exception {
        try (FakeSecretsManagerAgent agent = FakeSecretsManagerAgent.start("cli-ssrf-token")) {
            agent.putSecretString("prod/claude", "{\"api_key\":\"" + Canary.SECRET + "\"}");
            Map<String, String> env = Map.of("AWS_TOKEN", "cli-ssrf-token",
                    "PARAMETERS_SECRETS_EXTENSION_HTTP_PORT", Integer.toString(agent.port()));
            Run get = keysource(env, "get", "aws-sm-agent:prod/claude#api_key");
            assertThat(get.exit).as(get.stderr).isZero();
            assertThat(get.stdout).isEqualTo(Canary.SECRET + "\n");
            Run check = keysource(env, "check", "aws-sm-agent:prod/claude#api_key");
            assertThat(check.exit).as(check.stderr).isZero();
            assertThat(check.stdout).contains("SSRF token: from the environment variable AWS_TOKEN")
                    .contains("agent: the Secrets Manager Agent at 127.0.0.1:" + agent.port())
                    .doesNotContain(Canary.SECRET).doesNotContain("cli-ssrf-token");
            Canary.assertAbsent("stderr", get.stderr + check.stderr);
        }
    }

    @Test
    void agent_wrongToken_exits4WithOneLine() throws Exception {
        try (FakeSecretsManagerAgent agent = FakeSecretsManagerAgent.start("cli-ssrf-token")) {
            agent.putSecretString("prod/claude", Canary.SECRET);
            Run r = keysource(Map.of("AWS_TOKEN", "not-the-token",
                    "PARAMETERS_SECRETS_EXTENSION_HTTP_PORT", Integer.toString(agent.port())), "get",
                    "aws-sm-agent:prod/claude");
            assertThat(r.exit).isEqualTo(4);
            assertThat(r.stdout).isEmpty();
            assertThat(r.stderr).hasLineCount(1).contains("refused the SSRF token").doesNotContain("not-the-token");
        }
    }

    @Test
    void file_getAndCheck() throws Exception {
        Path f = Files.writeString(home.resolve("app.env"), "export API_KEY=" + Canary.SECRET + "\n");
        Run get = keysource(Map.of(), "get", "file:" + f + "#API_KEY");
        assertThat(get.exit).as(get.stderr).isZero();
        assertThat(get.stdout).isEqualTo(Canary.SECRET + "\n");
        Run check = keysource(Map.of(), "check", "file:" + f + "#API_KEY");
        assertThat(check.exit).as(check.stderr).isZero();
        assertThat(check.stdout).contains("file: " + f + "; a cached value watches " + home)
                .doesNotContain(Canary.SECRET);
    }

    @Test
    void file_missing_exits3() throws Exception {
        Run r = keysource(Map.of(), "get", "file:" + home.resolve("absent"));
        assertThat(r.exit).isEqualTo(3);
        assertThat(r.stderr).hasLineCount(1).contains("does not exist");
    }

    @Test
    void vaultProxy_authNone_getAndCheck() throws Exception {
        try (FakeVault vault = FakeVault.start()) {
            vault.mountKv2("secret/").putKv("secret/claude-code", Map.of("api_key", Canary.SECRET));
            String agentToken = vault.createToken(Duration.ofHours(1), true);
            try (FakeVaultProxy proxy = FakeVaultProxy.start(vault, true, FakeVaultProxy.AutoAuth.TRUE, agentToken)) {
                Map<String, String> env = Map.of("VAULT_ADDR", proxy.address(), "KEYSOURCE_VAULT_AUTH", "none");
                Run get = keysource(env, "get", "vault:secret/claude-code#api_key");
                assertThat(get.exit).as(get.stderr).isZero();
                assertThat(get.stdout).isEqualTo(Canary.SECRET + "\n");
                Run check = keysource(env, "check", "vault:secret/claude-code#api_key");
                assertThat(check.exit).as(check.stderr).isZero();
                assertThat(check.stdout).contains("auth: none: no Vault token is sent; the Vault Agent or Proxy at "
                        + proxy.address() + " must add its auto-auth token");
                assertThat(proxy.received()).allSatisfy(h -> assertThat(h).containsEntry("x-vault-request", "true")
                        .doesNotContainKey("x-vault-token"));
            }
        }
    }
}
