package dev.keysource.aws.internal;

import dev.keysource.KeyRef;
import dev.keysource.KeySourceException;
import dev.keysource.Secret;
import dev.keysource.SecretNotFoundException;
import dev.keysource.SourceMisconfiguredException;
import dev.keysource.spi.Json;
import dev.keysource.spi.KeySource;
import dev.keysource.spi.Printable;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueRequest;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueResponse;

/**
 * One {@code GetSecretValue} call per {@link #fetch()}: the version id becomes the secret's version,
 * {@code CreatedDate} its created time; a {@code #field} is read from a JSON {@code SecretString};
 * {@code SecretBinary} gives a binary secret. Failures are classified by {@link AwsErrors}.
 */
public final class SecretsManagerKeySource implements KeySource {

    private final KeyRef ref;
    private final String reference;
    private final Target target;
    private final SecretsManagerClient client;
    private final AwsErrors errors;
    private final Where where;
    private final Runnable onClose;
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * @param onClose run once on {@link #close()}: releases a shared client, or nothing for a client
     *                the caller owns
     */
    public SecretsManagerKeySource(KeyRef ref, Target target, SecretsManagerClient client, Where where,
                                   Runnable onClose) {
        this.ref = ref;
        this.reference = ref.toString();
        this.target = target;
        this.client = client;
        this.errors = new AwsErrors(reference, target, where);
        this.where = where;
        this.onClose = onClose;
    }

    @Override
    public KeyRef ref() {
        return ref;
    }

    /** Region and where it came from, endpoint, and which credentials provider supplied credentials (never keys). */
    @Override
    public Map<String, String> describe() {
        Map<String, String> d = new java.util.LinkedHashMap<>();
        d.put("region", (where.region() != null ? where.region() : "(none)")
                + (where.regionOrigin() != null ? " (" + where.regionOrigin() + ")" : ""));
        d.put("endpoint", where.endpoint() != null ? where.endpoint().toString() : "the AWS default for the region");
        String supplied;
        try {
            var id = client.serviceClientConfiguration()
                    .credentialsProvider().resolveIdentity().join();
            supplied = id.providerName().map(n -> "supplied by " + providerNames(n)).orElse("supplied")
                    + id.expirationTime().map(t -> ", expiring " + t).orElse("");
        } catch (RuntimeException e) {
            supplied = "none resolved (" + e.getClass().getSimpleName() + ")";
        }
        d.put("credentials", where.credentials() + "; " + supplied);
        return d;
    }

    /**
     * The SDK names the providers that supplied credentials by business-metric codes ("g", "n,v"); their
     * enum names say it in words: CREDENTIALS_PROFILE_PROCESS becomes "profile process".
     */
    static String providerNames(String codes) {
        StringBuilder sb = new StringBuilder();
        for (String code : codes.split(",", -1)) {
            String name = null;
            for (software.amazon.awssdk.core.useragent.BusinessMetricFeatureId f
                    : software.amazon.awssdk.core.useragent.BusinessMetricFeatureId.values()) {
                if (f.value().equals(code.trim()) && f.name().startsWith("CREDENTIALS_")) {
                    name = f.name().substring("CREDENTIALS_".length()).toLowerCase(java.util.Locale.ROOT)
                            .replace('_', ' ');
                }
            }
            sb.append(sb.length() > 0 ? ", " : "").append(name != null ? name : "provider '" + code.trim() + "'");
        }
        return sb.toString();
    }

    @Override
    public Secret fetch() {
        GetSecretValueRequest request = GetSecretValueRequest.builder()
                .secretId(target.secretId())
                .versionId(target.versionId())
                .versionStage(target.requestStage())
                .build();
        GetSecretValueResponse response;
        try {
            response = client.getSecretValue(request);
        } catch (AwsServiceException e) {
            throw errors.service(e);
        } catch (RuntimeException e) {
            throw errors.client(e);
        }
        return toSecret(response);
    }

    private Secret toSecret(GetSecretValueResponse r) {
        Secret.Builder b;
        if (r.secretString() != null) {
            if (r.secretString().isEmpty()) {
                throw empty("has an empty SecretString; store a value ('aws secretsmanager put-secret-value "
                        + "--secret-id NAME --secret-string ...')");
            }
            String value = target.field() == null ? r.secretString() : field(r.secretString(), target.field());
            if (value.isEmpty()) {
                throw empty("has the field '" + Printable.escape(target.field()) + "', but it is empty; store a "
                        + "value in it, or name another field with #field");
            }
            b = Secret.builder(value);
        } else if (r.secretBinary() != null) {
            if (target.field() != null) {
                throw misconfigured("holds binary data (SecretBinary), not a JSON SecretString, so it has no field '"
                        + target.field() + "'; remove '#" + target.field() + "' to read the bytes");
            }
            SdkBytes bytes = r.secretBinary();
            if (bytes.asByteArrayUnsafe().length == 0) {
                throw empty("has an empty SecretBinary; store a value ('aws secretsmanager put-secret-value "
                        + "--secret-id NAME --secret-binary ...')");
            }
            b = Secret.builderOfBytes(bytes.asByteArrayUnsafe());
        } else {
            throw misconfigured("came back with neither SecretString nor SecretBinary; check that the endpoint is "
                    + "Secrets Manager");
        }
        return b.version(r.versionId()).created(r.createdDate()).build();
    }

    /** The field of a JSON object, read by the SPI's one reader. Never quotes the JSON: it is the secret. */
    private String field(String json, String name) {
        try {
            return Json.field(json, name);
        } catch (Json.FieldUnreadable e) {
            throw misconfigured(e.getMessage());
        }
    }

    /** An empty value is an error on every backend (docs/errors.md): never handed out as a secret. */
    private KeySourceException empty(String what) {
        return new SecretNotFoundException(reference, "the " + errors.target() + " " + what);
    }

    private KeySourceException misconfigured(String what) {
        return new SourceMisconfiguredException(reference, "the " + errors.target() + " " + what);
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            onClose.run();
        }
    }

    @Override
    public String toString() {
        return "SecretsManagerKeySource[" + reference + "]";
    }
}
