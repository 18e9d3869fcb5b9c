package dev.keysource.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.keysource.KeyFetcher;
import dev.keysource.SourceMisconfiguredException;
import dev.keysource.testkit.Canary;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An https:// endpoint whose server speaks plain HTTP fails at once as misconfigured, naming the endpoint
 * and the fix, on the first attempt and long before the time limit.
 */
class SecretsManagerSchemeMismatchTest {

    private static final String REF = "aws-sm:prod/claude#api_key";

    @TempDir
    Path home;

    @Test
    void httpsEndpointOfAPlainHttpServer_failsAtOnceWithTlsMessage() {
        try (FakeSecretsManager fake = FakeSecretsManager.start()) {
            fake.putSecretString("prod/claude", "{\"api_key\":\"" + Canary.SECRET + "\"}");
            Map<String, String> env = TestEnv.env(fake, home);
            String https = fake.endpoint().toString().replace("http://", "https://");
            env.put("AWS_ENDPOINT_URL_SECRETS_MANAGER", https);

            SourceMisconfiguredException e;
            try (KeyFetcher f = TestEnv.builder(REF, env).timeout(Duration.ofSeconds(30)).maxAttempts(3).buildFetcher()) {
                e = catchThrowableOfType(SourceMisconfiguredException.class, f::fetch);
                assertThat(f.attempts()).as("not retried").isEqualTo(1);
            }

            assertThat(e).isNotNull().hasMessage(REF + ": TLS handshake with " + https + " failed: the server answered"
                    + " in plain HTTP; use http:// in the endpoint (?endpoint=, AWS_ENDPOINT_URL_SECRETS_MANAGER or"
                    + " AWS_ENDPOINT_URL), or fix the server's TLS");
            assertThat(fake.getSecretValueCount()).as("no request reached the fake as one").isZero();
            Canary.assertAbsent(e);
        }
    }
}
