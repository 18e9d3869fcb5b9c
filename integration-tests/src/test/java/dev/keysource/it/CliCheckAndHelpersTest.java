package dev.keysource.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysource.aws.FakeSecretsManager;
import dev.keysource.cli.internal.Cli;
import dev.keysource.spi.Json;
import dev.keysource.testkit.Canary;
import dev.keysource.vault.FakeVault;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `keysource check` and the credential-helper formats against the loopback Vault and Secrets Manager fakes:
 * check names what it talked to (Vault address, namespace, auth, token TTL, mount; AWS region and its origin,
 * endpoint, credentials provider) and never the secret, the token or a key; credential_process reads Vault's
 * AWS engine and a JSON secret in Secrets Manager with the lease as Expiration.
 */
class CliCheckAndHelpersTest {

    @TempDir
    Path home;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int keysource(Map<String, String> extra, String... args) {
        Map<String, String> env = new HashMap<>();
        env.put("HOME", home.toString());
        env.put("AWS_EC2_METADATA_DISABLED", "true");
        env.put("KEYSOURCE_ATTEMPTS", "1");
        env.putAll(extra);
        return new Cli(env, out, err).run(args);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void check_vault_namesAddressNamespaceAuthTokenTtlAndMount_neverTheTokenOrValue() {
        try (FakeVault vault = FakeVault.start()) {
            vault.mountKv2("secret/").putKv("secret/claude-code", Map.of("api_key", Canary.SECRET));
            vault.token(Canary.SECRET, Duration.ofHours(1), true);
            int code = keysource(Map.of("VAULT_ADDR", vault.address(), "VAULT_TOKEN", Canary.SECRET), "check",
                    "--timeout", "5s", "--set", "kv=2", "vault:secret/claude-code#api_key");
            assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
            assertThat(out()).contains("address    " + vault.address() + "\n")
                    .contains("namespace  (none: the root namespace)\n")
                    .contains("auth       token (environment variable VAULT_TOKEN)\n")
                    .containsPattern("token      TTL 3[0-9]{3} s, renewable, policies ")
                    .contains("mount      secret/ (KV v2)\n")
                    .contains("value      sk-…(26 chars)…6a\n")
                    .contains("           command-line option --set kv\n")
                    .contains("timeout=PT5S (command-line option --timeout)")
                    .doesNotContain("code setting");
            Canary.assertAbsent("check's output", out());
            Canary.assertAbsent("check's stderr", err.toString(StandardCharsets.UTF_8));
        }
    }

    @Test
    void check_aws_namesRegionAndItsOriginEndpointAndCredentialsProvider_neverTheKeys() {
        try (FakeSecretsManager sm = FakeSecretsManager.start()) {
            sm.putSecretString("prod/claude", "{\"api_key\":\"" + Canary.SECRET + "\"}");
            int code = keysource(Map.of("AWS_ENDPOINT_URL_SECRETS_MANAGER", sm.endpoint().toString(), "AWS_REGION",
                    sm.region(), "AWS_ACCESS_KEY_ID", "AKIDCHECKTEST", "AWS_SECRET_ACCESS_KEY", Canary.SECRET),
                    "check", "--format", "json", "aws-sm:prod/claude#api_key");
            assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
            @SuppressWarnings("unchecked")
            Map<String, Object> backend = (Map<String, Object>) ((Map<String, Object>) Json.parse(out())).get("backend");
            assertThat(backend).containsEntry("region", sm.region() + " (environment variable AWS_REGION)")
                    .containsEntry("endpoint", sm.endpoint().toString())
                    .containsEntry("credentials", "static credentials from AWS_ACCESS_KEY_ID and "
                            + "AWS_SECRET_ACCESS_KEY; supplied by code");
            assertThat(out()).doesNotContain("AKIDCHECKTEST");
            Canary.assertAbsent("check's output", out());
        }
    }

    @Test
    void credentialProcess_fromVaultsAwsEngine_oneReadTheLeaseAsExpiration() {
        try (FakeVault vault = FakeVault.start()) {
            vault.mountDynamic("aws/", "aws", Duration.ofMinutes(15), n -> Map.of("access_key", "AKIA" + n,
                    "secret_key", Canary.SECRET + n, "security_token", "tok" + n));
            String token = vault.createToken(Duration.ofHours(1), true);
            Instant before = Instant.now();
            int code = keysource(Map.of("VAULT_ADDR", vault.address(), "VAULT_TOKEN", token), "get", "--format",
                    "credential-process", "vault:aws/creds/deploy");
            assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
            @SuppressWarnings("unchecked")
            Map<String, Object> o = (Map<String, Object>) Json.parse(out());
            assertThat(o.get("Version").toString()).isEqualTo("1");
            assertThat(o).containsEntry("AccessKeyId", "AKIA1").containsEntry("SecretAccessKey", Canary.SECRET + "1")
                    .containsEntry("SessionToken", "tok1");
            assertThat(Instant.parse((String) o.get("Expiration")))
                    .isBetween(before.plusSeconds(14 * 60), Instant.now().plusSeconds(15 * 60 + 1));
            assertThat(vault.count("GET", "aws/creds/deploy")).as("one read: the keys belong together").isEqualTo(1);
        }
    }

    @Test
    void credentialProcess_fromAJsonSecretInSecretsManager() {
        try (FakeSecretsManager sm = FakeSecretsManager.start()) {
            sm.putSecretString("ci/aws", "{\"AccessKeyId\":\"AKIASM\",\"SecretAccessKey\":\"" + Canary.SECRET + "\"}");
            int code = keysource(Map.of("AWS_ENDPOINT_URL_SECRETS_MANAGER", sm.endpoint().toString(), "AWS_REGION",
                    sm.region(), "AWS_ACCESS_KEY_ID", "AKIDX", "AWS_SECRET_ACCESS_KEY", "x"), "get", "--format",
                    "credential-process", "aws-sm:ci/aws");
            assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
            assertThat(out()).isEqualTo("{\"Version\":1,\"AccessKeyId\":\"AKIASM\",\"SecretAccessKey\":\"" + Canary.SECRET
                    + "\"}\n");
        }
    }
}
