package dev.keysource.aws.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysource.KeyRef;
import dev.keysource.KeySourceException;
import dev.keysource.SourceMisconfiguredException;
import dev.keysource.SourceUnavailableException;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * A region AWS does not have gives a Secrets Manager host name that does not resolve: that is the region's
 * fault, not the network's (no test may resolve a real host name, so the SDK's failure is built here).
 */
class AwsErrorsRegionTest {

    private static final String REF = "aws-sm:app";

    private static KeySourceException classify(String region, URI endpoint) {
        Target target = Target.resolve(KeyRef.parse(REF), k -> Optional.empty());
        Where where = new Where(region, "environment variable AWS_REGION", endpoint, "static credentials");
        return new AwsErrors(REF, target, where).client(SdkClientException.builder().message("Received an"
                + " UnknownHostException when attempting to interact with a service")
                .cause(new UnknownHostException("secretsmanager." + region + ".amazonaws.com")).build());
    }

    @Test
    void unknownRegionWhoseHostDoesNotResolve_isMisconfiguredNamingTheRegion() {
        KeySourceException e = classify("us-nowhere-1", null);

        assertThat(e).isExactlyInstanceOf(SourceMisconfiguredException.class).hasMessage(REF + ": the region"
                + " us-nowhere-1 (from environment variable AWS_REGION) is the problem: it is not an AWS region (the SDK"
                + " does not know it, and the Secrets Manager host name made from it does not resolve), so the secret"
                + " 'app' (stage AWSCURRENT) cannot be read. Set the secret's region with ?region=REGION in the"
                + " reference or the environment variable AWS_REGION");
        assertThat(e.isTransient()).isFalse();
    }

    @Test
    void knownRegionWhoseHostDoesNotResolve_staysANetworkFailure() {
        assertThat(classify("eu-west-1", null)).isExactlyInstanceOf(SourceUnavailableException.class);
    }

    @Test
    void endpointOverrideThatDoesNotResolve_isNotBlamedOnTheRegion() {
        assertThat(classify("us-nowhere-1", URI.create("https://sm.internal.example"))).isExactlyInstanceOf(
                SourceUnavailableException.class);
    }
}
