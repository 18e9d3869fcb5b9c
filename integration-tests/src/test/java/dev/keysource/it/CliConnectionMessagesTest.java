package dev.keysource.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.keysource.aws.FakeSecretsManager;
import dev.keysource.testkit.Canary;
import dev.keysource.vault.FakeVault;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14 #5 at the command line: https:// against a plain-HTTP server, and a region the endpoint
 * refuses, each exit 6 at once with one exact line on stderr (no "gave up after N attempts": not retried).
 */
class CliConnectionMessagesTest {

    @TempDir
    Path home;

    private Map<String, String> env(String... pairs) {
        assumeTrue(Files.isRegularFile(CliFaultMatrixTest.JAR), "the cli jar is not built: run ./mvnw package first");
        Map<String, String> env = new HashMap<>();
        env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        env.put("HOME", home.toString());
        env.put("AWS_EC2_METADATA_DISABLED", "true");
        for (int i = 0; i + 1 < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    @Test
    void get_vaultHttpsAgainstPlainHttpServer_exits6WithTheTlsLine() {
        try (FakeVault vault = FakeVault.start()) {
            vault.mountKv2("secret/").putKv("secret/app", Map.of("api_key", Canary.SECRET));
            String token = vault.createToken(Duration.ofHours(1), true);
            String https = vault.address().replace("http://", "https://");

            CliFaultMatrixTest.Result r = CliFaultMatrixTest.run(home, env("VAULT_ADDR", https, "VAULT_TOKEN", token),
                    "get", "vault:secret/app#api_key");

            assertThat(r.exit).as(r.stderr).isEqualTo(6);
            assertThat(r.stdoutText()).isEmpty();
            assertThat(r.stderr).isEqualTo("keysource: vault:secret/app#api_key: TLS handshake with " + https
                    + " failed: the server answered in plain HTTP; use http:// in VAULT_ADDR (or fix the server's"
                    + " TLS)\n");
        }
    }

    @Test
    void get_awsHttpsEndpointOfPlainHttpServer_exits6WithTheTlsLine() {
        try (FakeSecretsManager sm = FakeSecretsManager.start()) {
            sm.putSecretString("prod/claude", "{\"api_key\":\"" + Canary.SECRET + "\"}");
            String https = sm.endpoint().toString().replace("http://", "https://");

            CliFaultMatrixTest.Result r = CliFaultMatrixTest.run(home, env("AWS_ENDPOINT_URL_SECRETS_MANAGER", https,
                    "AWS_REGION", sm.region(), "AWS_ACCESS_KEY_ID", "AKIDEXAMPLETEST", "AWS_SECRET_ACCESS_KEY",
                    "test-secret-access-key"), "get", "aws-sm:prod/claude#api_key");

            assertThat(r.exit).as(r.stderr).isEqualTo(6);
            assertThat(r.stderr).isEqualTo("keysource: aws-sm:prod/claude#api_key: TLS handshake with " + https
                    + " failed: the server answered in plain HTTP; use http:// in the endpoint (?endpoint=,"
                    + " AWS_ENDPOINT_URL_SECRETS_MANAGER or AWS_ENDPOINT_URL), or fix the server's TLS\n");
            assertThat(sm.getSecretValueCount()).isZero();
        }
    }

    @Test
    void get_awsRegionTheEndpointRefuses_exits6NamingTheRegionAndItsOrigin() {
        try (FakeSecretsManager sm = FakeSecretsManager.start().refuseOtherRegions()) {
            sm.putSecretString("prod/claude", "{\"api_key\":\"" + Canary.SECRET + "\"}");

            CliFaultMatrixTest.Result r = CliFaultMatrixTest.run(home, env("AWS_ENDPOINT_URL_SECRETS_MANAGER",
                    sm.endpoint().toString(), "AWS_REGION", "us-nowhere-1", "AWS_ACCESS_KEY_ID", "AKIDEXAMPLETEST",
                    "AWS_SECRET_ACCESS_KEY", "test-secret-access-key"), "get", "aws-sm:prod/claude#api_key");

            assertThat(r.exit).as(r.stderr).isEqualTo(6);
            assertThat(r.stderr).isEqualTo("keysource: aws-sm:prod/claude#api_key: the region us-nowhere-1 (from"
                    + " environment variable AWS_REGION) is the problem: AWS Secrets Manager at " + sm.endpoint()
                    + " refused it reading the secret 'prod/claude' (stage AWSCURRENT): Credential should be scoped to"
                    + " a valid region (InvalidSignatureException, HTTP 400, request id " + sm.lastRequest().requestId
                    + "). Set the secret's region with ?region=REGION in the reference or the environment variable"
                    + " AWS_REGION, or an endpoint of that region\n");
            assertThat(sm.getSecretValueCount()).as("not retried").isEqualTo(1);
        }
    }
}
