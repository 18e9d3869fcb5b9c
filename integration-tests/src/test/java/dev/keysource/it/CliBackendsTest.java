package dev.keysource.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.keysource.aws.FakeSecretsManager;
import dev.keysource.testkit.Canary;
import dev.keysource.vault.FakeVault;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The issues' "done when" runs of the packaged command line against the loopback fakes, with only the
 * environment a user would set: `keysource get vault:secret/claude-code#api_key` with VAULT_ADDR and
 * VAULT_TOKEN (KV v2, and KV v1 mounted at secret/), and `keysource get 'aws-sm:prod/claude#api_key'`
 * with the endpoint, region and static test credentials.
 */
class CliBackendsTest {

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
        List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-jar", jar.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().clear();
        pb.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        pb.environment().put("HOME", home.toString()); // no ~/.vault-token, no ~/.aws of the machine
        pb.environment().put("AWS_EC2_METADATA_DISABLED", "true");
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
    void get_vaultKv2_withOnlyVaultAddrAndToken_printsTheKey() throws Exception {
        try (FakeVault vault = FakeVault.start()) {
            vault.mountKv2("secret/").putKv("secret/claude-code", Map.of("api_key", Canary.SECRET, "other", "x"));
            String token = vault.createToken(Duration.ofHours(1), true);
            Run r = keysource(Map.of("VAULT_ADDR", vault.address(), "VAULT_TOKEN", token),
                    "get", "vault:secret/claude-code#api_key");
            assertThat(r.exit).as(r.stderr).isZero();
            assertThat(r.stdout).isEqualTo(Canary.SECRET + "\n");
            assertThat(vault.count("GET", "secret/data/claude-code")).isEqualTo(1);
            Canary.assertAbsent("stderr", r.stderr);
        }
    }

    @Test
    void get_vaultKv1MountedAtSecret_withOnlyVaultAddrAndToken_printsTheKey() throws Exception {
        try (FakeVault vault = FakeVault.start()) {
            vault.mountKv1("secret/").putKv("secret/claude-code", Map.of("api_key", Canary.SECRET));
            String token = vault.createToken(Duration.ofHours(1), true);
            Run r = keysource(Map.of("VAULT_ADDR", vault.address(), "VAULT_TOKEN", token),
                    "get", "vault:secret/claude-code#api_key");
            assertThat(r.exit).as(r.stderr).isZero();
            assertThat(r.stdout).isEqualTo(Canary.SECRET + "\n");
            assertThat(vault.count("GET", "secret/claude-code")).isEqualTo(1);
        }
    }

    @Test
    void get_vaultWithoutToken_exitsMisconfiguredNamingTheVariables() throws Exception {
        try (FakeVault vault = FakeVault.start()) {
            Run r = keysource(Map.of("VAULT_ADDR", vault.address()), "get", "vault:secret/claude-code#api_key");
            assertThat(r.exit).isEqualTo(6);
            assertThat(r.stdout).isEmpty();
            assertThat(r.stderr).contains("VAULT_TOKEN").hasLineCount(1);
        }
    }

    @Test
    void get_awsWithOnlyEndpointRegionAndStaticCredentials_printsTheField() throws Exception {
        try (FakeSecretsManager sm = FakeSecretsManager.start()) {
            sm.putSecretString("prod/claude", "{\"api_key\":\"" + Canary.SECRET + "\",\"org\":\"o-1\"}");
            Map<String, String> env = new HashMap<>();
            env.put("AWS_ENDPOINT_URL_SECRETS_MANAGER", sm.endpoint().toString());
            env.put("AWS_REGION", sm.region());
            env.put("AWS_ACCESS_KEY_ID", "AKIDEXAMPLETEST");
            env.put("AWS_SECRET_ACCESS_KEY", "test-secret-access-key");
            Run r = keysource(env, "get", "aws-sm:prod/claude#api_key");
            assertThat(r.exit).as(r.stderr).isZero();
            assertThat(r.stdout).isEqualTo(Canary.SECRET + "\n");
            assertThat(sm.getSecretValueCount()).isEqualTo(1);
            assertThat(r.stderr).doesNotContain("test-secret-access-key");
        }
    }

    @Test
    void get_awsWithoutRegion_exitsMisconfiguredSayingHowToSetOne() throws Exception {
        try (FakeSecretsManager sm = FakeSecretsManager.start()) {
            Run r = keysource(Map.of("AWS_ENDPOINT_URL_SECRETS_MANAGER", sm.endpoint().toString(),
                    "AWS_ACCESS_KEY_ID", "AKIDEXAMPLETEST", "AWS_SECRET_ACCESS_KEY", "test-secret-access-key"),
                    "get", "aws-sm:prod/claude#api_key");
            assertThat(r.exit).isEqualTo(6);
            assertThat(r.stderr).contains("AWS_REGION").hasLineCount(1).doesNotContain("test-secret-access-key");
        }
    }
}
