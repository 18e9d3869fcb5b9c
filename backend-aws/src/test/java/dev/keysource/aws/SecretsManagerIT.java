package dev.keysource.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.keysource.CachedKey;
import dev.keysource.KeyFetcher;
import dev.keysource.KeySourceException;
import dev.keysource.Secret;
import dev.keysource.SecretNotFoundException;
import dev.keysource.SourceMisconfiguredException;
import dev.keysource.testkit.Canary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.localstack.LocalStackContainer;
import org.testcontainers.utility.DockerImageName;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.CreateSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.PutSecretValueResponse;

/**
 * The main paths against a real Secrets Manager API (LocalStack), where Docker can run it. Without
 * Docker every test is skipped with a message saying so. The image is
 * {@value #DEFAULT_IMAGE} unless {@code -Dkeysource.it.localstack.image=...} names another.
 */
class SecretsManagerIT {

    static final String DEFAULT_IMAGE = "localstack/localstack:4.4";

    private static LocalStackContainer localstack;
    private static SecretsManagerClient admin;
    private static Path home;
    private static String skipReason;

    @BeforeAll
    static void startLocalStack() throws Exception {
        boolean docker;
        try {
            docker = DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException e) {
            docker = false;
        }
        if (!docker) {
            skipReason = "SecretsManagerIT skipped: no Docker daemon is reachable here, so LocalStack cannot run; "
                    + "the loopback-fake tests (SecretsManagerKeySourceTest, SecretsManagerFailureTest) cover the same paths";
            return;
        }
        String image = System.getProperty("keysource.it.localstack.image", DEFAULT_IMAGE);
        localstack = new LocalStackContainer(DockerImageName.parse(image)).withServices("secretsmanager");
        try {
            localstack.start();
        } catch (RuntimeException e) {
            localstack = null;
            skipReason = "SecretsManagerIT skipped: Docker is reachable but LocalStack (" + image
                    + ") did not start (cannot pull the image?): " + e.getClass().getSimpleName();
            return;
        }
        admin = SecretsManagerClient.builder()
                .endpointOverride(localstack.getEndpoint())
                .region(Region.of(localstack.getRegion()))
                .httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(localstack.getAccessKey(), localstack.getSecretKey())))
                .build();
        home = Files.createTempDirectory("keysource-it-home");
    }

    @BeforeEach
    void requireLocalStack() {
        Assumptions.assumeTrue(skipReason == null, () -> skipReason);
    }

    @AfterAll
    static void stopLocalStack() {
        if (admin != null) {
            admin.close();
        }
        if (localstack != null) {
            localstack.stop();
        }
    }

    private static Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put("HOME", home.toString());
        env.put("AWS_REGION", localstack.getRegion());
        env.put("AWS_ENDPOINT_URL_SECRETS_MANAGER", localstack.getEndpoint().toString());
        env.put("AWS_ACCESS_KEY_ID", localstack.getAccessKey());
        env.put("AWS_SECRET_ACCESS_KEY", localstack.getSecretKey());
        env.put("AWS_EC2_METADATA_DISABLED", "true");
        return env;
    }

    private static CachedKey.Builder builder(String reference) {
        return CachedKey.builder(reference)
                .providers(List.of(new SecretsManagerKeySourceProvider()))
                .environment(env())
                .systemProperties(Map.of())
                .timeout(Duration.ofSeconds(10))
                .backoff(Duration.ofMillis(50));
    }

    private static Secret fetch(String reference) {
        try (KeyFetcher f = builder(reference).buildFetcher()) {
            return f.fetch();
        }
    }

    @Test
    void fetch_byNameWithField_returnsTheField() {
        admin.createSecret(b -> b.name("it/field").secretString("{\"api_key\":\"" + Canary.SECRET + "\"}"));

        Secret s = fetch("aws-sm:it/field#api_key");

        assertThat(s.matches(Canary.SECRET)).isTrue();
        assertThat(s.version()).isPresent();
        assertThat(s.created()).isPresent();
    }

    @Test
    void fetch_byArn_returnsTheWholeString() {
        CreateSecretResponse created = admin.createSecret(b -> b.name("it/arn").secretString("plain-value"));

        assertThat(fetch("aws-sm:" + created.arn()).value()).isEqualTo("plain-value");
    }

    @Test
    void fetch_binary_returnsTheBytes() {
        byte[] bytes = {1, 2, 3, (byte) 0xff};
        admin.createSecret(b -> b.name("it/binary").secretBinary(SdkBytes.fromByteArray(bytes)));

        Secret s = fetch("aws-sm:it/binary");

        assertThat(s.isBinary()).isTrue();
        assertThat(s.bytes()).containsExactly(bytes);
    }

    @Test
    void get_afterRotationAndReject_returnsTheNewValueAndPreviousStageTheOld() {
        CreateSecretResponse v1 = admin.createSecret(b -> b.name("it/rotate").secretString("{\"k\":\"old\"}"));
        try (CachedKey key = builder("aws-sm:it/rotate#k").build()) {
            assertThat(key.get()).isEqualTo("old");

            PutSecretValueResponse v2 = admin.putSecretValue(b -> b.secretId("it/rotate").secretString("{\"k\":\"new\"}"));
            assertThat(key.reject("old")).isTrue();

            assertThat(key.get()).isEqualTo("new");
            assertThat(key.secret().version()).contains(v2.versionId());
            assertThat(fetch("aws-sm:it/rotate#k?stage=AWSPREVIOUS").value()).isEqualTo("old");
            assertThat(fetch("aws-sm:it/rotate#k?version=" + v1.versionId()).value()).isEqualTo("old");
        }
    }

    @Test
    void fetch_unknownSecret_isNotFound() {
        KeySourceException e;
        try (KeyFetcher f = builder("aws-sm:it/none").buildFetcher()) {
            e = catchThrowableOfType(KeySourceException.class, f::fetch);
        }

        assertThat(e).isInstanceOf(SecretNotFoundException.class);
        assertThat(e.getMessage()).contains("ResourceNotFoundException", "'it/none'");
    }

    @Test
    void fetch_missingField_isMisconfigured() {
        admin.createSecret(b -> b.name("it/nofield").secretString("{\"user\":\"" + Canary.SECRET + "\"}"));
        KeySourceException e;
        try (KeyFetcher f = builder("aws-sm:it/nofield#api_key").buildFetcher()) {
            e = catchThrowableOfType(KeySourceException.class, f::fetch);
        }

        assertThat(e).isInstanceOf(SourceMisconfiguredException.class);
        Canary.assertAbsent(e);
    }
}
