package dev.keysource.benchmarks;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.DescribeSecretRequest;
import software.amazon.awssdk.services.secretsmanager.model.DescribeSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueRequest;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueResponse;
import software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException;

/**
 * An in-memory {@link SecretsManagerClient} answering the two calls the caching client makes,
 * {@code DescribeSecret} and {@code GetSecretValue}, with the response shapes Secrets Manager sends
 * (ARN, name, one version labelled {@code AWSCURRENT}), no I/O, and each call costing one
 * {@link Backend} round trip. Every other operation throws {@link UnsupportedOperationException}.
 */
public final class StubSecretsManagerClient implements SecretsManagerClient {

    /** The one version every secret has (the caching client then fetches each value once per version). */
    public static final String VERSION_ID = "a1b2c3d4-0000-4000-8000-000000000001";
    private static final Instant CREATED = Instant.parse("2026-01-01T00:00:00Z");

    private final Backend backend;
    private final Function<String, String> values;

    /**
     * @param values the {@code SecretString} of each secret id; null for a secret that does not exist
     */
    public StubSecretsManagerClient(Backend backend, Function<String, String> values) {
        this.backend = Objects.requireNonNull(backend, "backend");
        this.values = Objects.requireNonNull(values, "values");
    }

    @Override
    public DescribeSecretResponse describeSecret(DescribeSecretRequest request) {
        String id = existing(request.secretId());
        backend.call();
        return DescribeSecretResponse.builder()
                .arn(arn(id))
                .name(id)
                .createdDate(CREATED)
                .versionIdsToStages(Map.of(VERSION_ID, List.of("AWSCURRENT")))
                .build();
    }

    @Override
    public GetSecretValueResponse getSecretValue(GetSecretValueRequest request) {
        String id = existing(request.secretId());
        backend.call();
        return GetSecretValueResponse.builder()
                .arn(arn(id))
                .name(id)
                .versionId(request.versionId() != null ? request.versionId() : VERSION_ID)
                .versionStages("AWSCURRENT")
                .secretString(values.apply(id))
                .createdDate(CREATED)
                .build();
    }

    private String existing(String id) {
        if (id == null || values.apply(id) == null) {
            throw ResourceNotFoundException.builder().message("Secrets Manager can't find the specified secret.")
                    .build();
        }
        return id;
    }

    private static String arn(String id) {
        return "arn:aws:secretsmanager:eu-west-1:123456789012:secret:" + id + "-AbCdEf";
    }

    @Override
    public String serviceName() {
        return SERVICE_NAME;
    }

    @Override
    public void close() {
        // nothing held
    }
}
