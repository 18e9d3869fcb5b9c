package dev.keysource.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.amazonaws.secretsmanager.caching.SecretCache;
import com.amazonaws.secretsmanager.caching.SecretCacheConfiguration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.secretsmanager.model.DescribeSecretRequest;
import software.amazon.awssdk.services.secretsmanager.model.DescribeSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueRequest;
import software.amazon.awssdk.services.secretsmanager.model.ListSecretsRequest;
import software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException;

class StubSecretsManagerClientTest {

    private final Backend backend = new Backend(0);
    private final StubSecretsManagerClient client = new StubSecretsManagerClient(backend,
            id -> id.equals("prod/app") ? "the-value" : null);

    @Test
    void describeSecret_knownId_listsOneCurrentVersion() {
        DescribeSecretResponse r = client.describeSecret(DescribeSecretRequest.builder().secretId("prod/app").build());

        assertThat(r.name()).isEqualTo("prod/app");
        assertThat(r.arn()).startsWith("arn:aws:secretsmanager:").contains(":secret:prod/app-");
        assertThat(r.versionIdsToStages())
                .isEqualTo(Map.of(StubSecretsManagerClient.VERSION_ID, List.of("AWSCURRENT")));
        assertThat(backend.calls()).isEqualTo(1);
    }

    @Test
    void getSecretValue_knownId_returnsStringOfRequestedVersion() {
        var r = client.getSecretValue(GetSecretValueRequest.builder().secretId("prod/app").versionId("v9").build());

        assertThat(r.secretString()).isEqualTo("the-value");
        assertThat(r.versionId()).isEqualTo("v9");
        assertThat(r.versionStages()).containsExactly("AWSCURRENT");
        assertThat(backend.calls()).isEqualTo(1);
    }

    @Test
    void getSecretValue_unknownId_throwsResourceNotFoundWithoutCallingBackend() {
        assertThatThrownBy(() -> client.getSecretValue(GetSecretValueRequest.builder().secretId("nope").build()))
                .isInstanceOf(ResourceNotFoundException.class);
        assertThat(backend.calls()).isZero();
    }

    @Test
    void listSecrets_notStubbed_throwsUnsupported() {
        assertThatThrownBy(() -> client.listSecrets(ListSecretsRequest.builder().build()))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void secretCache_overStub_describesAndGetsOnceThenServesFromCache() {
        try (SecretCache cache = new SecretCache(new SecretCacheConfiguration().withClient(client))) {
            assertThat(cache.getSecretString("prod/app")).isEqualTo("the-value");
            assertThat(cache.getSecretString("prod/app")).isEqualTo("the-value");
        }
        assertThat(backend.calls()).isEqualTo(2); // DescribeSecret + GetSecretValue, then cached
    }
}
