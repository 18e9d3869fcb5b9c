package dev.keysource.aws.internal;

import dev.keysource.KeyRef;
import dev.keysource.SourceMisconfiguredException;
import dev.keysource.aws.SecretsManagerKeySourceProvider;
import dev.keysource.spi.Printable;
import dev.keysource.spi.ProviderContext;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.InstanceProfileRegionProvider;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClientBuilder;
import software.amazon.awssdk.utils.IoUtils;

/**
 * The identity of one SDK client: region, endpoint, profile, credentials, scheduler and time limit,
 * resolved from the provider context. Two references with equal specs share a client. Credentials
 * take part in equality through a SHA-256 fingerprint and never appear in {@link #toString()}.
 */
public final class ClientSpec {

    private static final Logger LOG = LoggerFactory.getLogger(ClientSpec.class);

    /** The longest the HTTP client waits to connect (less if the attempt time limit is shorter). */
    static final Duration MAX_CONNECT_TIMEOUT = Duration.ofSeconds(10);

    /**
     * The SDK call gets this share (in tenths) of the attempt time limit, so that the backend itself
     * reports a timeout with region and secret; the core's limit stays the backstop.
     */
    static final int CALL_TIMEOUT_TENTHS = 9;

    /**
     * A profile's {@code credential_process} gets this share (in tenths) of the attempt time limit: less
     * than the SDK call's, so that it is stopped, and says so, before the call times out.
     */
    static final int PROCESS_TIMEOUT_TENTHS = 8;

    private static final Pattern REGION_NAME = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");
    private static final Pattern ARN = Pattern.compile("arn:[a-z0-9-]+:secretsmanager:([^:]*):[^:]*:secret:.+");

    private enum Kind { STATIC, PROFILE, DEFAULT_CHAIN }

    private final String region;
    private final URI endpoint;
    private final String profileName;
    private final ProfileFiles profiles;
    private final Kind kind;
    private final String fingerprint;
    private final AwsCredentials staticCredentials; // not in equals or toString
    private final ScheduledExecutorService scheduler;
    private final Duration callTimeout;
    private final Where where;
    private final String reference; // for messages; not part of the identity
    // for a profile's credential_process; not part of the identity (the same for every reference of a process)
    private Map<String, String> environment = Map.of();
    private java.time.Clock clock = java.time.Clock.systemUTC();
    private Duration processTimeout = Duration.ofSeconds(24);
    private boolean webIdentity;

    private ClientSpec(String reference, String region, URI endpoint, String profileName, ProfileFiles profiles, Kind kind,
                       String fingerprint, AwsCredentials staticCredentials, ScheduledExecutorService scheduler,
                       Duration callTimeout, Where where) {
        this.region = region;
        this.endpoint = endpoint;
        this.profileName = profileName;
        this.profiles = profiles;
        this.kind = kind;
        this.fingerprint = fingerprint;
        this.staticCredentials = staticCredentials;
        this.scheduler = scheduler;
        this.callTimeout = callTimeout;
        this.where = where;
        this.reference = reference;
    }

    /**
     * Resolves region, endpoint and credentials for {@code ref} from settings and the injected
     * environment (docs/design.md §6).
     *
     * @throws SourceMisconfiguredException with a message that says what to set
     */
    public static ClientSpec resolve(KeyRef ref, ProviderContext ctx) {
        String reference = ref.toString();

        // profile and the files it lives in
        Optional<String> profileSetting = ctx.setting(SecretsManagerKeySourceProvider.PROFILE);
        String profileName = profileSetting.or(() -> env(ctx, "AWS_PROFILE")).orElse("default");
        ProfileFiles profiles = new ProfileFiles(
                file(ctx, "AWS_CONFIG_FILE", Paths.get(ctx.userHome(), ".aws", "config")),
                file(ctx, "AWS_SHARED_CREDENTIALS_FILE", Paths.get(ctx.userHome(), ".aws", "credentials")));
        boolean profileNamed = profileSetting.isPresent() || env(ctx, "AWS_PROFILE").isPresent();
        if (profileNamed) {
            // a named profile must exist, as the aws CLI requires: otherwise the failure surfaces later, as a
            // missing region or missing credentials, and never names the real cause
            boolean exists;
            try {
                exists = profiles.profile(profileName).isPresent();
            } catch (IllegalStateException e) {
                throw new SourceMisconfiguredException(reference, e.getMessage());
            }
            if (!exists) {
                String origin = profileSetting.isPresent()
                        ? ctx.settingOrigin(SecretsManagerKeySourceProvider.PROFILE).orElse("settings")
                        : "environment variable AWS_PROFILE";
                throw new SourceMisconfiguredException(reference, "the AWS profile '"
                        + Printable.escape(profileName) + "' (from " + origin + ") is not in " + profiles.describe()
                        + "; create it with 'aws configure --profile " + Printable.escape(profileName) + "', or point"
                        + " AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE at the files that hold it");
            }
        }

        String[] region = region(ref, ctx, profileName, profiles);
        URI endpoint = endpoint(reference, ctx);

        // credentials: an explicit profile, else static keys from the environment, else the SDK's chain
        Kind kind;
        String fingerprint;
        AwsCredentials creds = null;
        String credentialsDescription;
        if (profileSetting.isPresent()) {
            kind = Kind.PROFILE;
            fingerprint = "profile:" + profileName;
            credentialsDescription = "the credentials of AWS profile '" + profileName + "'";
        } else {
            Optional<String> keyId = env(ctx, "AWS_ACCESS_KEY_ID");
            Optional<String> secretKey = env(ctx, "AWS_SECRET_ACCESS_KEY");
            Optional<String> token = env(ctx, "AWS_SESSION_TOKEN");
            if (keyId.isPresent() != secretKey.isPresent()) {
                String set = keyId.isPresent() ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY";
                String unset = keyId.isPresent() ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID";
                throw new SourceMisconfiguredException(reference, set + " is set but " + unset
                        + " is not; set both (and AWS_SESSION_TOKEN for temporary credentials), or unset " + set
                        + " to use a profile or the instance's role");
            }
            if (keyId.isPresent()) {
                kind = Kind.STATIC;
                creds = token.isPresent()
                        ? AwsSessionCredentials.create(keyId.get(), secretKey.get(), token.get())
                        : AwsBasicCredentials.create(keyId.get(), secretKey.get());
                fingerprint = sha256(keyId.get() + '\0' + secretKey.get() + '\0' + token.orElse(""));
                credentialsDescription = "static credentials from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
                        + (token.isPresent() ? " and AWS_SESSION_TOKEN" : "");
            } else {
                kind = Kind.DEFAULT_CHAIN;
                fingerprint = "chain:" + profileName;
                credentialsDescription = "the AWS SDK's default credentials chain (profile '" + profileName + "')";
            }
        }

        Duration callTimeout = callTimeout(ctx.attemptTimeout());
        Where where = new Where(region[0], region[1], endpoint, credentialsDescription);
        ClientSpec spec = new ClientSpec(reference, region[0], endpoint, profileName, profiles, kind, fingerprint, creds,
                ctx.scheduler(), callTimeout, where);
        spec.environment = ctx.environment();
        spec.clock = ctx.clock();
        spec.processTimeout = ctx.attemptTimeout().multipliedBy(PROCESS_TIMEOUT_TENTHS).dividedBy(10);
        spec.webIdentity = env(ctx, "AWS_WEB_IDENTITY_TOKEN_FILE").isPresent()
                || System.getProperty("aws.accessKeyId") != null;
        return spec;
    }

    /** Where this client reads, for messages. */
    public Where where() {
        return where;
    }

    /** The time limit of one SDK call: a share of the attempt time limit. */
    static Duration callTimeout(Duration attemptTimeout) {
        Duration d = attemptTimeout.multipliedBy(CALL_TIMEOUT_TENTHS).dividedBy(10);
        return d.isZero() ? attemptTimeout : d;
    }

    /** A built client and what it owns. */
    public static final class Built implements AutoCloseable {
        private final SecretsManagerClient client;
        private final List<AutoCloseable> owned;

        Built(SecretsManagerClient client, List<AutoCloseable> owned) {
            this.client = client;
            this.owned = owned;
        }

        public SecretsManagerClient client() {
            return client;
        }

        @Override
        public void close() {
            IoUtils.closeQuietlyV2(client, null);
            owned.forEach(c -> IoUtils.closeQuietlyV2(c, null));
        }
    }

    /**
     * Builds the SDK client: url-connection HTTP client with connect and read timeouts, SDK retries
     * off, the call timeout on the context's scheduler, the profile files of the injected environment.
     */
    public Built build() {
        List<AutoCloseable> owned = new ArrayList<>();
        try {
            Duration connect = callTimeout.compareTo(MAX_CONNECT_TIMEOUT) < 0 ? callTimeout : MAX_CONNECT_TIMEOUT;
            SdkHttpClient http = new PlainHttpGuard(UrlConnectionHttpClient.builder()
                    .connectionTimeout(connect)
                    .socketTimeout(callTimeout)
                    .build(), scheduler);
            owned.add(http);

            AwsCredentialsProvider credentials =
                    switch (kind) {
                        case STATIC -> StaticCredentialsProvider.create(staticCredentials);
                        case PROFILE -> credentialProcess().orElseGet(() -> ProfileCredentialsProvider.builder()
                                .profileFile(profiles::load)
                                .profileName(profileName)
                                .build());
                        default -> (webIdentity ? Optional.<AwsCredentialsProvider>empty() : credentialProcess())
                                .orElseGet(() -> DefaultCredentialsProvider.builder()
                                        .profileFile(profiles::load)
                                        .profileName(profileName)
                                        .build());
                    };
            CredentialsLookup lookup = new CredentialsLookup(credentials);
            owned.add(lookup);
            SecretsManagerClientBuilder b = SecretsManagerClient.builder()
                    .region(Region.of(region))
                    .httpClient(http)
                    .credentialsProvider(lookup)
                    .overrideConfiguration(o -> o
                            .retryStrategy(AwsRetryStrategy.doNotRetry())
                            .addExecutionInterceptor(new ResponseMarker())
                            .addExecutionInterceptor(new BoundedResponse())
                            .apiCallTimeout(callTimeout)
                            .apiCallAttemptTimeout(callTimeout)
                            .scheduledExecutorService(scheduler)
                            .defaultProfileFileSupplier(profiles::load)
                            .defaultProfileName(profileName));
            if (endpoint != null) {
                b.endpointOverride(endpoint);
            }
            SecretsManagerClient client = b.build();
            LOG.debug("keysource: created a Secrets Manager client {} with {} (call timeout {} ms)", where.describe(),
                    where.credentials(), callTimeout.toMillis());
            return new Built(client, owned);
        } catch (RuntimeException e) {
            owned.forEach(c -> IoUtils.closeQuietlyV2(c, null));
            throw new SourceMisconfiguredException(reference, "cannot create the AWS Secrets Manager client "
                    + where.describe()
                    + ": " + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    /**
     * keysource's runner of the profile's {@code credential_process}, where the SDK would run it: the SDK's
     * own has no time limit (see {@link CredentialProcess}).
     */
    private Optional<AwsCredentialsProvider> credentialProcess() {
        return profiles.profile(profileName).flatMap(CredentialProcess::of)
                .map(command -> new CredentialProcess(profileName, command, profiles.describe(), environment,
                        processTimeout, clock));
    }

    // ---------------------------------------------------------------------------------------------

    /** {region, origin}. */
    private static String[] region(KeyRef ref, ProviderContext ctx, String profileName, ProfileFiles profiles) {
        String reference = ref.toString();
        Optional<String> arnRegion = arnRegion(ref.location());
        Optional<String> setting = ctx.setting(SecretsManagerKeySourceProvider.REGION);
        String region;
        String origin;
        if (setting.isPresent()) {
            region = setting.get().trim();
            origin = ctx.settingOrigin(SecretsManagerKeySourceProvider.REGION).orElse("settings");
            if (arnRegion.isPresent() && !arnRegion.get().equals(region)) {
                throw new SourceMisconfiguredException(reference, "the region " + region + " (from "
                        + origin + ") differs from the region " + arnRegion.get() + " of the secret's ARN; a secret is "
                        + "read in its own region: drop the region setting or use the ARN of the replica in " + region);
            }
        } else if (arnRegion.isPresent()) {
            region = arnRegion.get();
            origin = "the secret's ARN";
        } else {
            // the SDK's order; each look-up runs only if the ones before it found nothing
            String[] found = env(ctx, "AWS_REGION").map(r -> origin(r.trim(), "environment variable AWS_REGION"))
                    .or(() -> env(ctx, "AWS_DEFAULT_REGION")
                            .map(r -> origin(r.trim(), "environment variable AWS_DEFAULT_REGION")))
                    .or(() -> Optional.ofNullable(System.getProperty("aws.region")).filter(r -> !r.isBlank())
                            .map(r -> origin(r.trim(), "system property aws.region")))
                    .or(() -> profileRegion(reference, profiles, profileName)
                            .map(r -> origin(r.trim(), "'region' of AWS profile '" + profileName + "'")))
                    .or(() -> instanceRegion(ctx).map(r -> origin(r, "the EC2 instance metadata")))
                    .orElseThrow(() -> new SourceMisconfiguredException(reference, "no AWS region is set for Secrets "
                            + "Manager. Set one with the reference option ?region=eu-west-1, the environment variable "
                            + "AWS_REGION (or KEYSOURCE_AWS_SM_REGION), 'region' in the profile '" + profileName + "' of "
                            + profiles.describe() + ", or use the secret's full ARN"));
            region = found[0];
            origin = found[1];
        }
        if (!REGION_NAME.matcher(region).matches()) {
            throw new SourceMisconfiguredException(reference, "the region '" + region + "' (from " + origin
                    + ") is not a region name; write it like eu-west-1 or us-east-1");
        }
        return new String[] {region, origin};
    }

    /** The region of {@code arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME}, if the location is one. */
    static Optional<String> arnRegion(String location) {
        Matcher m = ARN.matcher(location);
        return m.matches() && !m.group(1).isEmpty() ? Optional.of(m.group(1)) : Optional.empty();
    }

    private static Optional<String> profileRegion(String reference, ProfileFiles profiles, String profileName) {
        try {
            return profiles.profile(profileName).flatMap(p -> p.property("region")).filter(s -> !s.isBlank());
        } catch (IllegalStateException e) {
            throw new SourceMisconfiguredException(reference, e.getMessage());
        }
    }

    private static Optional<String> instanceRegion(ProviderContext ctx) {
        boolean disabled = env(ctx, "AWS_EC2_METADATA_DISABLED").map(v -> v.trim().equalsIgnoreCase("true")).orElse(false)
                || "true".equalsIgnoreCase(System.getProperty("aws.disableEc2Metadata"));
        if (disabled) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(new InstanceProfileRegionProvider().getRegion()).map(Region::id);
        } catch (SdkClientException e) {
            LOG.debug("keysource: no region from the EC2 instance metadata: {}", e.getClass().getSimpleName());
            return Optional.empty();
        }
    }

    private static URI endpoint(String reference, ProviderContext ctx) {
        String value;
        String origin;
        Optional<String> setting = ctx.setting(SecretsManagerKeySourceProvider.ENDPOINT);
        boolean ignoreEnv = env(ctx, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS").map(v -> v.trim().equalsIgnoreCase("true"))
                .orElse(false);
        Optional<String[]> found = setting.map(e -> origin(e.trim(),
                        ctx.settingOrigin(SecretsManagerKeySourceProvider.ENDPOINT).orElse("settings")))
                .or(() -> ignoreEnv ? Optional.empty() : env(ctx, "AWS_ENDPOINT_URL_SECRETS_MANAGER")
                        .map(e -> origin(e.trim(), "environment variable AWS_ENDPOINT_URL_SECRETS_MANAGER")))
                .or(() -> ignoreEnv ? Optional.empty() : env(ctx, "AWS_ENDPOINT_URL")
                        .map(e -> origin(e.trim(), "environment variable AWS_ENDPOINT_URL")));
        if (found.isEmpty()) {
            return null;
        }
        value = found.get()[0];
        origin = found.get()[1];
        try {
            URI uri = new URI(value);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null && uri.getUserInfo() == null
                    && uri.getQuery() == null && uri.getFragment() == null) {
                return uri;
            }
        } catch (URISyntaxException e) {
            // reported below, without echoing the value
        }
        throw new SourceMisconfiguredException(reference, "the endpoint from " + origin + " is not an "
                + "http(s) URL with a host and no user info or query, such as http://localhost:4566 or "
                + "https://secretsmanager.eu-west-1.amazonaws.com");
    }

    /** A value and where it came from, as the look-ups here return them. */
    private static String[] origin(String value, String origin) {
        return new String[] {value, origin};
    }

    private static Optional<String> env(ProviderContext ctx, String name) {
        return ctx.env(name).filter(s -> !s.isBlank());
    }

    private static Path file(ProviderContext ctx, String variable, Path fallback) {
        Optional<String> v = env(ctx, variable);
        if (v.isEmpty()) {
            return fallback;
        }
        String p = v.get().trim();
        if (p.equals("~") || p.startsWith("~/")) {
            return Paths.get(ctx.userHome(), p.substring(1).replaceFirst("^/", ""));
        }
        return Paths.get(p);
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ClientSpec s)) {
            return false;
        }
        
        return region.equals(s.region) && Objects.equals(endpoint, s.endpoint) && profileName.equals(s.profileName)
                && profiles.equals(s.profiles) && kind == s.kind && fingerprint.equals(s.fingerprint)
                && scheduler == s.scheduler && callTimeout.equals(s.callTimeout);
    }

    @Override
    public int hashCode() {
        return Objects.hash(region, endpoint, profileName, profiles, kind, fingerprint, System.identityHashCode(scheduler),
                callTimeout);
    }

    /** Never shows a credential. */
    @Override
    public String toString() {
        return "ClientSpec[" + where.describe() + ", " + where.credentials() + ", call timeout " + callTimeout.toMillis()
                + " ms]";
    }
}
