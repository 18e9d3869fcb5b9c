package dev.keysource.aws.internal;

import dev.keysource.KeyRef;
import dev.keysource.SourceMisconfiguredException;
import dev.keysource.aws.SecretsManagerKeySourceProvider;
import java.util.Optional;
import java.util.function.Function;

/** What one reference reads: the secret id, a stage or a version id, and an optional JSON field. */
public final class Target {

    private final String secretId;
    private final String stage;
    private final boolean stageExplicit;
    private final String versionId;
    private final String field;

    private Target(String secretId, String stage, boolean stageExplicit, String versionId, String field) {
        this.secretId = secretId;
        this.stage = stage;
        this.stageExplicit = stageExplicit;
        this.versionId = versionId;
        this.field = field;
    }

    /**
     * Reads {@code stage} and {@code version} through {@code setting} (code, reference option,
     * system property, environment) and the field from the reference.
     *
     * @throws SourceMisconfiguredException when both are given or one is blank
     */
    public static Target resolve(KeyRef ref, Function<String, Optional<String>> setting) {
        Optional<String> stage = setting.apply(SecretsManagerKeySourceProvider.STAGE);
        Optional<String> version = setting.apply(SecretsManagerKeySourceProvider.VERSION);
        if (stage.isPresent() && version.isPresent()) {
            throw new SourceMisconfiguredException(ref.toString(), "both 'stage' (" + stage.get()
                    + ") and 'version' (" + version.get() + ") are set; give one of them: a staging label such as "
                    + "AWSCURRENT or AWSPREVIOUS, or a version id");
        }
        if (stage.isPresent() && stage.get().isBlank()) {
            throw new SourceMisconfiguredException(ref.toString(), "'stage' is empty; give a staging label "
                    + "such as AWSCURRENT or AWSPREVIOUS, or leave it out for AWSCURRENT");
        }
        if (version.isPresent() && version.get().isBlank()) {
            throw new SourceMisconfiguredException(ref.toString(), "'version' is empty; give a version id "
                    + "(aws secretsmanager list-secret-version-ids --secret-id NAME lists them) or leave it out");
        }
        return new Target(ref.location(), stage.orElse(SecretsManagerKeySourceProvider.DEFAULT_STAGE),
                stage.isPresent(), version.orElse(null), ref.field().orElse(null));
    }

    /** The secret name or ARN. */
    public String secretId() {
        return secretId;
    }

    /** The staging label sent with the request, or null to let Secrets Manager use AWSCURRENT. */
    public String requestStage() {
        return versionId == null && stageExplicit ? stage : null;
    }

    /** The version id, or null. */
    public String versionId() {
        return versionId;
    }

    /** The JSON field, or null. */
    public String field() {
        return field;
    }

    /** "secret 'prod/app' (stage AWSCURRENT)" or "secret 'prod/app' (version id ...)", for messages. */
    public String describe() {
        return "secret '" + secretId + "' (" + (versionId != null ? "version id " + versionId : "stage " + stage) + ")";
    }
}
