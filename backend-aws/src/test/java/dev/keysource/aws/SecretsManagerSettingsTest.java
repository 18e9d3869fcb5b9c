package dev.keysource.aws;

import static dev.keysource.aws.TestEnv.builder;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.keysource.InvalidReferenceException;
import dev.keysource.KeyFetcher;
import dev.keysource.KeySourceException;
import dev.keysource.Secret;
import dev.keysource.SourceMisconfiguredException;
import dev.keysource.spi.KeySource;
import dev.keysource.spi.KeySourceProvider;
import dev.keysource.testkit.Canary;
import dev.keysource.testkit.ErrorContract;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/** Region, endpoint, profile and credentials resolution from options and the injected environment; discovery; escape hatch. */
class SecretsManagerSettingsTest {

    @TempDir
    Path home;

    private FakeSecretsManager fake;
    private Map<String, String> env;

    @BeforeEach
    void start() {
        fake = FakeSecretsManager.start();
        fake.putSecretString("prod/claude", "{\"api_key\":\"" + Canary.SECRET + "\"}");
        env = TestEnv.env(fake, home);
    }

    @AfterEach
    void stop() {
        fake.close();
    }

    private Secret fetch(String reference) {
        try (KeyFetcher f = builder(reference, env).buildFetcher()) {
            return f.fetch();
        }
    }

    private KeySourceException buildFails(String reference) {
        KeySourceException e = catchThrowableOfType(KeySourceException.class, () -> builder(reference, env).build().close());
        assertThat(e).as("building %s should fail", reference).isNotNull();
        Canary.assertAbsent(e);
        ErrorContract.assertHoldsInChain(e); // the reference once: "reference: detail"
        assertThat(e.getMessage()).doesNotContain(TestEnv.SECRET_ACCESS_KEY);
        return e;
    }

    private Path write(String name, String content) throws IOException {
        Path p = home.resolve(name);
        Files.writeString(p, content);
        return p;
    }

    // region ----------------------------------------------------------------------------------------

    @Test
    void region_referenceOption_winsOverAwsRegion() {
        fetch("aws-sm:prod/claude#api_key?region=eu-west-3");

        assertThat(fake.lastRequest().signingRegion).isEqualTo("eu-west-3");
    }

    @Test
    void region_keysourceEnvironmentSetting_winsOverAwsRegion() {
        env.put("KEYSOURCE_AWS_SM_REGION", "ap-northeast-1");

        fetch("aws-sm:prod/claude#api_key");

        assertThat(fake.lastRequest().signingRegion).isEqualTo("ap-northeast-1");
    }

    @Test
    void region_awsDefaultRegion_isUsedWithoutAwsRegion() {
        env.remove("AWS_REGION");
        env.put("AWS_DEFAULT_REGION", "sa-east-1");

        fetch("aws-sm:prod/claude#api_key");

        assertThat(fake.lastRequest().signingRegion).isEqualTo("sa-east-1");
    }

    @Test
    void region_ofTheProfileInAwsConfigFile_isUsedWithoutRegionVariables() throws IOException {
        env.remove("AWS_REGION");
        env.put("AWS_CONFIG_FILE", write("config", "[default]\nregion = us-west-1\n[profile dev]\nregion = ap-south-1\n")
                .toString());
        env.put("AWS_PROFILE", "dev");

        fetch("aws-sm:prod/claude#api_key");

        assertThat(fake.lastRequest().signingRegion).isEqualTo("ap-south-1");
        assertThat(fake.lastRequest().accessKeyId).as("static keys in the environment still win for credentials")
                .isEqualTo(TestEnv.ACCESS_KEY_ID);
    }

    @Test
    void region_defaultProfileUnderHome_isUsed() throws IOException {
        env.remove("AWS_REGION");
        Files.createDirectories(home.resolve(".aws"));
        write(".aws/config", "[default]\nregion = ca-central-1\n");

        fetch("aws-sm:prod/claude#api_key");

        assertThat(fake.lastRequest().signingRegion).isEqualTo("ca-central-1");
    }

    @Test
    void region_noneFound_isMisconfiguredAndSaysHowToSetOne() {
        env.remove("AWS_REGION");

        KeySourceException e = buildFails("aws-sm:prod/claude#api_key");

        assertThat(e).isExactlyInstanceOf(SourceMisconfiguredException.class);
        assertThat(e.getMessage()).isEqualTo("aws-sm:prod/claude#api_key: no AWS region is set for Secrets Manager. "
                + "Set one with the reference option ?region=eu-west-1, the environment variable AWS_REGION (or "
                + "KEYSOURCE_AWS_SM_REGION), 'region' in the profile 'default' of " + home.resolve(".aws/config")
                + " or " + home.resolve(".aws/credentials") + ", or use the secret's full ARN");
        assertThat(fake.getSecretValueCount()).isZero();
    }

    @Test
    void region_optionDifferentFromTheArnsRegion_isMisconfigured() {
        KeySourceException e = buildFails("aws-sm:arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/claude-AbCdEf"
                + "?region=us-east-2");

        assertThat(e).isExactlyInstanceOf(SourceMisconfiguredException.class);
        assertThat(e.getMessage()).contains("us-east-2", "reference option 'region'", "eu-west-1", "ARN");
    }

    @Test
    void region_notARegionName_isMisconfigured() {
        KeySourceException e = buildFails("aws-sm:prod/claude?region=EU%20West");

        assertThat(e).isExactlyInstanceOf(SourceMisconfiguredException.class);
        assertThat(e.getMessage()).contains("'EU West'", "not a region name", "eu-west-1");
    }

    // endpoint --------------------------------------------------------------------------------------

    @Test
    void endpoint_awsEndpointUrl_isUsedWithoutTheServiceSpecificVariable() {
        env.remove("AWS_ENDPOINT_URL_SECRETS_MANAGER");
        env.put("AWS_ENDPOINT_URL", fake.endpoint().toString());

        assertThat(fetch("aws-sm:prod/claude#api_key").matches(Canary.SECRET)).isTrue();
    }

    @Test
    void endpoint_serviceSpecificVariable_winsOverAwsEndpointUrl() {
        env.put("AWS_ENDPOINT_URL", "http://127.0.0.1:1");

        assertThat(fetch("aws-sm:prod/claude#api_key").matches(Canary.SECRET)).isTrue();
    }

    @Test
    void endpoint_referenceOption_winsOverTheEnvironment() {
        try (FakeSecretsManager other = FakeSecretsManager.start()) {
            other.putSecretString("prod/claude", "{\"api_key\":\"other\"}");

            assertThat(fetch("aws-sm:prod/claude#api_key?endpoint=" + other.endpoint()).value()).isEqualTo("other");
        }
    }

    @Test
    void endpoint_notAnHttpUrl_isMisconfiguredWithoutEchoingIt() {
        env.put("AWS_ENDPOINT_URL_SECRETS_MANAGER", "ftp://user:" + Canary.SECRET + "@example.com");

        KeySourceException e = buildFails("aws-sm:prod/claude");

        assertThat(e).isExactlyInstanceOf(SourceMisconfiguredException.class);
        assertThat(e.getMessage()).contains("environment variable AWS_ENDPOINT_URL_SECRETS_MANAGER", "http://localhost:4566");
    }

    // credentials -----------------------------------------------------------------------------------

    @Test
    void credentials_sessionToken_isSentWithTheStaticKeys() {
        env.put("AWS_SESSION_TOKEN", TestEnv.SESSION_TOKEN);

        fetch("aws-sm:prod/claude#api_key");

        assertThat(fake.lastRequest().sessionToken).isTrue();
    }

    @Test
    void credentials_profileOption_usesThatProfilesKeysOverTheEnvironments() throws IOException {
        env.put("AWS_SHARED_CREDENTIALS_FILE", write("credentials",
                "[dev]\naws_access_key_id = AKIAPROFILEDEV000001\naws_secret_access_key = devsecret\n").toString());

        fetch("aws-sm:prod/claude#api_key?profile=dev");

        assertThat(fake.lastRequest().accessKeyId).isEqualTo("AKIAPROFILEDEV000001");
    }

    @Test
    void credentials_awsProfileVariableWithoutStaticKeys_usesTheDefaultChainWithThatProfile() throws IOException {
        env.remove("AWS_ACCESS_KEY_ID");
        env.remove("AWS_SECRET_ACCESS_KEY");
        env.put("AWS_PROFILE", "ci");
        env.put("AWS_SHARED_CREDENTIALS_FILE", write("credentials",
                "[ci]\naws_access_key_id = AKIAPROFILECI0000001\naws_secret_access_key = cisecret\n").toString());

        fetch("aws-sm:prod/claude#api_key");

        assertThat(fake.lastRequest().accessKeyId).isEqualTo("AKIAPROFILECI0000001");
    }

    @Test
    void credentials_profileOptionNotInTheFiles_isMisconfiguredAtBuild() {
        KeySourceException e = buildFails("aws-sm:prod/claude?profile=ghost");

        assertThat(e).isExactlyInstanceOf(SourceMisconfiguredException.class);
        assertThat(e.getMessage()).contains("profile 'ghost'", "reference option 'profile'", "aws configure --profile ghost");
    }

    @Test
    void credentials_profileWithoutKeys_isMisconfiguredOnFetchAndNotRetried() throws IOException {
        env.put("AWS_CONFIG_FILE", write("config", "[profile nokeys]\nregion = us-east-1\n").toString());

        KeySourceException e;
        try (KeyFetcher f = builder("aws-sm:prod/claude?profile=nokeys", env).buildFetcher()) {
            e = catchThrowableOfType(KeySourceException.class, f::fetch);
        }

        assertThat(e).isExactlyInstanceOf(SourceMisconfiguredException.class);
        assertThat(e.getMessage()).contains("no usable AWS credentials", "profile 'nokeys'", "AWS_ACCESS_KEY_ID");
        assertThat(fake.getSecretValueCount()).isZero();
    }

    @Test
    void credentials_accessKeyIdWithoutSecretKey_isMisconfiguredAtBuild() {
        env.remove("AWS_SECRET_ACCESS_KEY");

        KeySourceException e = buildFails("aws-sm:prod/claude");

        assertThat(e).isExactlyInstanceOf(SourceMisconfiguredException.class);
        assertThat(e.getMessage()).contains("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not")
                .doesNotContain(TestEnv.ACCESS_KEY_ID);
    }

    @Test
    void credentials_unreadableCredentialsFile_isMisconfiguredWithoutQuotingIt() throws IOException {
        env.put("AWS_SHARED_CREDENTIALS_FILE", write("credentials",
                "[dev\naws_secret_access_key " + Canary.SECRET + "\n").toString());

        KeySourceException e = buildFails("aws-sm:prod/claude?profile=dev");

        assertThat(e).isExactlyInstanceOf(SourceMisconfiguredException.class);
        assertThat(e.getMessage()).contains("credentials file", "cannot be read or parsed");
    }

    // options ---------------------------------------------------------------------------------------

    @Test
    void options_stageAndVersionTogether_areMisconfigured() {
        KeySourceException e = buildFails("aws-sm:prod/claude?stage=AWSCURRENT&version=abc");

        assertThat(e).isExactlyInstanceOf(SourceMisconfiguredException.class);
        assertThat(e.getMessage()).isEqualTo("aws-sm:prod/claude?stage=AWSCURRENT&version=abc: both 'stage' (AWSCURRENT) "
                + "and 'version' (abc) are set; give one of them: a staging label such as AWSCURRENT or AWSPREVIOUS, "
                + "or a version id");
    }

    @Test
    void options_unknownOption_namesTheAcceptedOnes() {
        assertThatThrownBy(() -> builder("aws-sm:prod/claude?regoin=eu-west-1", env).build())
                .isInstanceOf(InvalidReferenceException.class)
                .hasMessageContaining("regoin")
                .hasMessageContaining("endpoint, profile, region, stage, version");
    }

    @Test
    void provider_isFoundByServiceLoaderWithItsSchemeAndOptions() {
        List<KeySourceProvider> found = StreamSupport.stream(ServiceLoader.load(KeySourceProvider.class).spliterator(), false)
                .filter(p -> p instanceof SecretsManagerKeySourceProvider)
                .collect(Collectors.toList());

        assertThat(found).hasSize(1);
        assertThat(found.get(0).scheme()).isEqualTo("aws-sm");
        assertThat(found.get(0).options()).containsExactlyInAnyOrder("region", "profile", "endpoint", "stage", "version");
        assertThat(found.get(0).opaqueLocation()).isFalse();
    }

    @Test
    void fetch_withOnlyEndpointRegionAndStaticKeysSet_readsTheField() {
        // what `keysource get 'aws-sm:prod/claude#api_key'` sees in issue 5's first "done when"
        Map<String, String> minimal = Map.of(
                "AWS_ENDPOINT_URL_SECRETS_MANAGER", fake.endpoint().toString(),
                "AWS_REGION", "us-east-1",
                "AWS_ACCESS_KEY_ID", TestEnv.ACCESS_KEY_ID,
                "AWS_SECRET_ACCESS_KEY", TestEnv.SECRET_ACCESS_KEY);
        try (KeyFetcher f = dev.keysource.CachedKey.builder("aws-sm:prod/claude#api_key").environment(minimal)
                .systemProperties(Map.of()).buildFetcher()) {
            assertThat(f.fetch().matches(Canary.SECRET)).isTrue();
        }
        assertThat(fake.getSecretValueCount()).isEqualTo(1);
    }

    @Test
    void discovery_withoutExplicitProviders_readsTheSecret() {
        try (KeyFetcher f = dev.keysource.CachedKey.builder("aws-sm:prod/claude#api_key").environment(env)
                .systemProperties(Map.of()).buildFetcher()) {
            assertThat(f.fetch().matches(Canary.SECRET)).isTrue();
        }
    }

    @Test
    void consulted_listsTheVariablesReadButNoValues() {
        try (KeyFetcher f = builder("aws-sm:prod/claude#api_key", env).buildFetcher()) {
            f.fetch();
            assertThat(f.consulted()).anySatisfy(c -> assertThat(c).contains("AWS_REGION"))
                    .anySatisfy(c -> assertThat(c).contains("AWS_ENDPOINT_URL_SECRETS_MANAGER"))
                    .allSatisfy(c -> assertThat(c).doesNotContain(TestEnv.SECRET_ACCESS_KEY, TestEnv.ACCESS_KEY_ID));
        }
    }

    // escape hatch ----------------------------------------------------------------------------------

    @Test
    void escapeHatch_readyClient_readsTheSecretAndIsNotClosedWithTheSource() {
        Map<String, String> none = new HashMap<>();
        try (SecretsManagerClient client = SecretsManagerClient.builder()
                .region(Region.of("eu-central-1"))
                .endpointOverride(fake.endpoint())
                .httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIAHATCH00000000001",
                        "hatchsecret")))
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .build()) {
            KeySource source = SecretsManagerKeySources.of(client, "aws-sm:prod/claude#api_key");
            try (KeyFetcher f = dev.keysource.CachedKey.builder(source).environment(none).buildFetcher()) {
                assertThat(f.fetch().matches(Canary.SECRET)).isTrue();
            }
            assertThat(fake.lastRequest().signingRegion).isEqualTo("eu-central-1");
            assertThat(fake.lastRequest().accessKeyId).isEqualTo("AKIAHATCH00000000001");

            KeySource again = SecretsManagerKeySources.of(client, "aws-sm:prod/claude#api_key");
            assertThat(again.fetch().matches(Canary.SECRET)).as("the client outlives the closed source").isTrue();

            fake.failNext(1, "AccessDeniedException");
            assertThatThrownBy(again::fetch).isInstanceOf(dev.keysource.SourceAccessDeniedException.class)
                    .hasMessageContaining("eu-central-1").hasMessageContaining(fake.endpoint().toString());
        }
    }

    @Test
    void escapeHatch_referenceWithRegion_isRefused() {
        try (SecretsManagerClient client = SecretsManagerClient.builder().region(Region.US_EAST_1)
                .httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b"))).build()) {
            assertThatThrownBy(() -> SecretsManagerKeySources.of(client, "aws-sm:prod/claude?region=eu-west-1"))
                    .isInstanceOf(InvalidReferenceException.class)
                    .hasMessageContaining("sets 'region'");
            assertThatThrownBy(() -> SecretsManagerKeySources.of(client, "vault:secret/app"))
                    .isInstanceOf(InvalidReferenceException.class)
                    .hasMessageContaining("not an aws-sm: reference");
        }
    }
}
