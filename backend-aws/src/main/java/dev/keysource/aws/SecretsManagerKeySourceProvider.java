package dev.keysource.aws;

import dev.keysource.KeyRef;
import dev.keysource.aws.internal.ClientSpec;
import dev.keysource.aws.internal.SecretsManagerKeySource;
import dev.keysource.aws.internal.Target;
import dev.keysource.spi.KeySource;
import dev.keysource.spi.KeySourceProvider;
import dev.keysource.spi.ProviderContext;
import dev.keysource.spi.SharedPool;
import java.util.Set;

/**
 * The {@code aws-sm} scheme: a secret of AWS Secrets Manager, read with the AWS SDK for Java v2.
 *
 * <pre>{@code
 * aws-sm:prod/claude#api_key                         // a JSON field of the AWSCURRENT SecretString
 * aws-sm:prod/claude?region=eu-west-1&stage=AWSPREVIOUS
 * aws-sm:arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/claude-AbCdEf
 * }</pre>
 *
 * <p>The location is a secret name or a full ARN. Options (also settable in code, as system
 * properties {@code keysource.aws-sm.<name>} and as {@code KEYSOURCE_AWS_SM_<NAME>}):
 * <ul>
 *   <li>{@value #REGION}: the region; otherwise the ARN's region, {@code AWS_REGION},
 *       {@code AWS_DEFAULT_REGION}, the system property {@code aws.region}, the profile's
 *       {@code region}, then the EC2 instance metadata (unless {@code AWS_EC2_METADATA_DISABLED=true}).
 *       None found is a misconfiguration.</li>
 *   <li>{@value #PROFILE}: a profile of {@code ~/.aws/config} and {@code ~/.aws/credentials}
 *       (or {@code AWS_CONFIG_FILE} / {@code AWS_SHARED_CREDENTIALS_FILE}) whose credentials and
 *       region are used. Without it: static credentials from {@code AWS_ACCESS_KEY_ID},
 *       {@code AWS_SECRET_ACCESS_KEY} (and {@code AWS_SESSION_TOKEN}) when set, otherwise the
 *       SDK's default credentials chain with the profile {@code AWS_PROFILE}.</li>
 *   <li>{@value #ENDPOINT}: an endpoint URL (a local emulator, a VPC endpoint); otherwise
 *       {@code AWS_ENDPOINT_URL_SECRETS_MANAGER}, then {@code AWS_ENDPOINT_URL}.</li>
 *   <li>{@value #STAGE}: a staging label, default {@value #DEFAULT_STAGE}; or</li>
 *   <li>{@value #VERSION}: a version id (exclusive with {@code stage}).</li>
 * </ul>
 * A {@code #field} picks one key of a JSON {@code SecretString}; without it the whole string is the
 * secret. A {@code SecretBinary} secret is returned as bytes ({@link dev.keysource.Secret#isBinary()}).
 *
 * <p>The SDK's own retries are off (the keysource resilience layer owns attempts); its call timeout
 * and the HTTP client's connect and read timeouts follow the attempt time limit. One SDK client is
 * shared by the sources this provider instance creates with the same region, profile, endpoint,
 * credentials, scheduler and time limit, and closed when the last of them closes.
 *
 * <p>Public no-arg constructor, no I/O until {@link #create}; registered for
 * {@link java.util.ServiceLoader}. To use a {@code SecretsManagerClient} you configured yourself,
 * see {@link SecretsManagerKeySources}.
 */
public final class SecretsManagerKeySourceProvider implements KeySourceProvider {

    /** The scheme, {@value}. */
    public static final String SCHEME = "aws-sm";
    /** Option: the AWS region, e.g. {@code eu-west-1}. */
    public static final String REGION = "region";
    /** Option: the profile of the AWS config and credentials files. */
    public static final String PROFILE = "profile";
    /** Option: the endpoint URL, for local emulators and VPC endpoints. */
    public static final String ENDPOINT = "endpoint";
    /** Option: the staging label to read; default {@value #DEFAULT_STAGE}. */
    public static final String STAGE = "stage";
    /** Option: the version id to read; exclusive with {@value #STAGE}. */
    public static final String VERSION = "version";
    /** The staging label read when neither {@value #STAGE} nor {@value #VERSION} is given. */
    public static final String DEFAULT_STAGE = "AWSCURRENT";

    private static final Set<String> OPTIONS = Set.of(REGION, PROFILE, ENDPOINT, STAGE, VERSION);

    /** One SDK client per region, endpoint and credentials, shared by the sources of this provider. */
    private final SharedPool<ClientSpec, ClientSpec.Built> clients = new SharedPool<>(
            ClientSpec.Built::close);

    /** No I/O; clients are created by {@link #create}. */
    public SecretsManagerKeySourceProvider() {
    }

    @Override
    public String scheme() {
        return SCHEME;
    }

    @Override
    public Set<String> options() {
        return OPTIONS;
    }

    /**
     * Resolves region, endpoint and credentials (reading the AWS config files when a profile is
     * involved) and takes a shared SDK client for them.
     *
     * @throws dev.keysource.SourceMisconfiguredException when no region is found, options conflict,
     *         or the profile or credentials settings are unusable
     */
    @Override
    public KeySource create(KeyRef ref, ProviderContext context) {
        Target target = Target.resolve(ref, context::setting);
        ClientSpec spec = ClientSpec.resolve(ref, context);
        SharedPool.Lease<ClientSpec.Built> lease = clients.acquire(spec, ClientSpec::build);
        return new SecretsManagerKeySource(ref, target, lease.value().client(), spec.where(), lease::release);
    }

    @Override
    public String toString() {
        return "SecretsManagerKeySourceProvider[" + SCHEME + "]";
    }
}
