package dev.keysource.aws;

import dev.keysource.InvalidReferenceException;
import dev.keysource.KeyRef;
import dev.keysource.aws.internal.SecretsManagerKeySource;
import dev.keysource.aws.internal.Target;
import dev.keysource.aws.internal.Where;
import dev.keysource.spi.KeySource;
import java.net.URI;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerServiceClientConfiguration;

/**
 * The escape hatch: a {@link KeySource} on a {@link SecretsManagerClient} you configured yourself
 * (credentials, region, proxy, HTTP client, interceptors).
 *
 * <pre>{@code
 * SecretsManagerClient sm = SecretsManagerClient.builder()
 *         .region(Region.EU_WEST_1)
 *         .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
 *         .build();
 * CachedKey key = CachedKey.builder(SecretsManagerKeySources.of(sm, "aws-sm:prod/claude#api_key")).build();
 * }</pre>
 *
 * <p>The reference gives the secret, {@code stage} or {@code version}, and {@code #field}; region,
 * profile and endpoint belong to the client, so those options are refused. The source never closes
 * the client: you own it. Turn the SDK's retries off (as above) so that keysource's {@code attempts}
 * setting is the number of calls, and keep the client's timeouts under keysource's {@code timeout}.
 */
public final class SecretsManagerKeySources {

    private static final List<String> CLIENT_OPTIONS = List.of(SecretsManagerKeySourceProvider.REGION,
            SecretsManagerKeySourceProvider.PROFILE, SecretsManagerKeySourceProvider.ENDPOINT);

    private SecretsManagerKeySources() {
    }

    /**
     * A source reading {@code reference} (such as {@code aws-sm:prod/claude#api_key}) through {@code client}.
     *
     * @throws InvalidReferenceException if the reference does not parse, is not {@code aws-sm}, or sets
     *         region, profile or endpoint
     * @throws dev.keysource.SourceMisconfiguredException if both stage and version are set
     */
    public static KeySource of(SecretsManagerClient client, String reference) {
        Objects.requireNonNull(reference, "reference");
        return of(client, KeyRef.parse(reference));
    }

    /** As {@link #of(SecretsManagerClient, String)}, with a parsed reference. */
    public static KeySource of(SecretsManagerClient client, KeyRef ref) {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(ref, "ref");
        if (!SecretsManagerKeySourceProvider.SCHEME.equals(ref.scheme())) {
            throw new InvalidReferenceException(ref.toString(), "this is not an "
                    + SecretsManagerKeySourceProvider.SCHEME + ": reference; write aws-sm:NAME-OR-ARN[#field]");
        }
        for (String option : CLIENT_OPTIONS) {
            if (ref.option(option).isPresent()) {
                throw new InvalidReferenceException(ref.toString(), "the reference sets '" + option
                        + "', but the SecretsManagerClient passed in decides region, profile and endpoint; remove '"
                        + option + "' from the reference or configure it on the client");
            }
        }
        Target target = Target.resolve(ref, ref::option);
        SecretsManagerServiceClientConfiguration config = client.serviceClientConfiguration();
        String region = Optional.ofNullable(config.region()).map(Region::id).orElse(null);
        URI endpoint = config.endpointOverride().orElse(null);
        Where where = new Where(region, "the SecretsManagerClient passed in", endpoint,
                "the credentials of the SecretsManagerClient passed in");
        return new SecretsManagerKeySource(ref, target, client, where, () -> { });
    }
}
