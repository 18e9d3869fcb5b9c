package dev.keysource.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.keysource.KeyFetcher;
import dev.keysource.SourceMisconfiguredException;
import dev.keysource.testkit.Canary;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A region the endpoint refuses says that the region is the problem, where it came from and how to set
 * it: misconfigured, not retried. The fake answers like a real regional endpoint does to a request signed
 * for another region (HTTP 400, InvalidSignatureException, "Credential should be scoped to a valid region.").
 */
class SecretsManagerRegionTest {

    private static final String REF = "aws-sm:prod/claude#api_key";

    @TempDir
    Path home;

    @Test
    void regionTheEndpointRefuses_saysTheRegionIsTheProblem_andIsNotRetried() {
        try (FakeSecretsManager fake = FakeSecretsManager.start().refuseOtherRegions()) {
            fake.putSecretString("prod/claude", "{\"api_key\":\"" + Canary.SECRET + "\"}");
            Map<String, String> env = TestEnv.env(fake, home);
            env.put("AWS_REGION", "us-nowhere-1");

            SourceMisconfiguredException e;
            try (KeyFetcher f = TestEnv.builder(REF, env).maxAttempts(3).buildFetcher()) {
                e = catchThrowableOfType(SourceMisconfiguredException.class, f::fetch);
            }

            assertThat(e).isNotNull().hasMessage(REF + ": the region us-nowhere-1 (from environment variable AWS_REGION)"
                    + " is the problem: AWS Secrets Manager at " + fake.endpoint() + " refused it reading the secret"
                    + " 'prod/claude' (stage AWSCURRENT): Credential should be scoped to a valid region"
                    + " (InvalidSignatureException, HTTP 400, request id " + fake.lastRequest().requestId + "). Set"
                    + " the secret's region with ?region=REGION in the reference or the environment variable AWS_REGION,"
                    + " or an endpoint of that region");
            assertThat(fake.getSecretValueCount()).as("not retried").isEqualTo(1);
            Canary.assertAbsent(e);
        }
    }

    @Test
    void regionFromTheReference_isNamedWithItsOrigin() {
        try (FakeSecretsManager fake = FakeSecretsManager.start().refuseOtherRegions()) {
            fake.putSecretString("prod/claude", "{\"api_key\":\"" + Canary.SECRET + "\"}");
            Map<String, String> env = TestEnv.env(fake, home);
            String ref = "aws-sm:prod/claude?region=eu-west-3#api_key";

            SourceMisconfiguredException e;
            try (KeyFetcher f = TestEnv.builder(ref, env).maxAttempts(3).buildFetcher()) {
                e = catchThrowableOfType(SourceMisconfiguredException.class, f::fetch);
            }

            assertThat(e).isNotNull();
            assertThat(e.getMessage()).startsWith(ref + ": the region eu-west-3 (from reference option 'region') is the"
                    + " problem: AWS Secrets Manager at " + fake.endpoint() + " refused it");
        }
    }
}
