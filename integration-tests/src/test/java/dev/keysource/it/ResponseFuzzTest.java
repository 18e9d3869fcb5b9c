package dev.keysource.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysource.CachedKey;
import dev.keysource.KeyFetcher;
import dev.keysource.KeySourceException;
import dev.keysource.SecretNotFoundException;
import dev.keysource.SourceAccessDeniedException;
import dev.keysource.SourceMisconfiguredException;
import dev.keysource.SourceTimeoutException;
import dev.keysource.SourceUnavailableException;
import dev.keysource.aws.FakeSecretsManager;
import dev.keysource.testkit.Canary;
import dev.keysource.testkit.ErrorContract;
import dev.keysource.vault.FakeVault;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Randomized tests (fixed seed, printed; {@code -Dkeysource.fuzz.seed=N} and {@code -Dkeysource.fuzz.cases=N}
 * to vary): Vault and Secrets Manager answer with random JSON, mutations of their real answers, random
 * truncations and random bytes, through the real client libraries against the loopback fakes; a helper
 * prints random bytes and random JSON. Only the documented keysource exception types may escape, never
 * an NPE, a raw library exception or the core's "bug in the backend" wrapper, and no message holds the
 * secret (which the random documents often contain) or a credential.
 */
class ResponseFuzzTest {

    static final long SEED = Long.getLong("keysource.fuzz.seed", 20261126L);
    static final int CASES = Integer.getInteger("keysource.fuzz.cases", 300);

    /** The exception types a fetch may throw (docs/design.md §4 and docs/errors.md). */
    static final Set<Class<?>> DOCUMENTED = Set.of(SecretNotFoundException.class, SourceAccessDeniedException.class,
            SourceMisconfiguredException.class, SourceUnavailableException.class, SourceTimeoutException.class);

    @TempDir
    Path home;

    /** Outcomes by name ("value" or the exception's simple name), with a failing case's description. */
    static final class Outcomes {
        final String name;
        final long seed;
        final Map<String, Integer> counts = new TreeMap<>();
        int cases;

        Outcomes(String name, long seed) {
            this.name = name;
            this.seed = seed;
        }

        /** Runs one case and checks what came out; {@code what} describes the input (without secrets). */
        void run(String what, Supplier<?> fetch, List<String> credentials) {
            cases++;
            try {
                fetch.get();
                counts.merge("value", 1, Integer::sum);
            } catch (Throwable t) {
                String where = name + " case " + cases + " (seed " + seed + ", " + what + ")";
                assertThat(DOCUMENTED).as("%s threw an undocumented %s", where, t.getClass().getName())
                        .contains(t.getClass());
                KeySourceException e = (KeySourceException) t;
                // how the core and the backends report an exception they did not classify
                assertThat(e.getMessage()).as(where).doesNotContain("this is a bug").doesNotContain("please report it");
                Canary.assertAbsent(e);
                ErrorContract.assertHoldsInChain(e); // the reference once: "reference: detail"
                String chain = FaultMatrixTest.chain(e);
                for (String c : credentials) {
                    assertThat(chain.contains(c)).as("%s: a credential in the message", where).isFalse();
                }
                counts.merge(t.getClass().getSimpleName(), 1, Integer::sum);
            }
        }

        void print() {
            System.out.println("ResponseFuzzTest " + name + ": seed=" + seed + " cases=" + cases + " outcomes=" + counts);
        }
    }

    // ============================================================================================ vault

    static Map<String, Object> vaultKv2Answer() {
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("created_time", "2026-11-26T10:00:00.123456Z");
        meta.put("custom_metadata", null);
        meta.put("deletion_time", "");
        meta.put("destroyed", false);
        meta.put("version", 3);
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("api_key", Canary.SECRET);
        fields.put("user", "svc");
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("data", fields);
        data.put("metadata", meta);
        return envelope(data);
    }

    static Map<String, Object> vaultMountAnswer() {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("accessor", "kv_1234");
        data.put("options", new LinkedHashMap<>(Map.of("version", "2")));
        data.put("path", "secret/");
        data.put("type", "kv");
        return envelope(data);
    }

    private static Map<String, Object> envelope(Map<String, Object> data) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("request_id", "b0a1");
        e.put("lease_id", "");
        e.put("renewable", false);
        e.put("lease_duration", 0);
        e.put("data", data);
        e.put("wrap_info", null);
        e.put("warnings", null);
        e.put("auth", null);
        return e;
    }

    /** A random answer: status, content type and body, mostly near the real {@code valid} one. */
    static String[] randomAnswer(RandomJson r, Map<String, Object> valid, String jsonType, Object errorDoc) {
        int status = r.random.nextInt(4) == 0 ? r.oneOf(200, 204, 302, 400, 401, 403, 404, 412, 429, 500, 502, 503)
                : 200;
        String type = r.random.nextInt(8) == 0 ? r.oneOf("text/html", "text/plain", "application/json; charset=utf-8")
                : jsonType;
        String body;
        String kind;
        switch (r.random.nextInt(7)) {
            case 0: kind = "random JSON"; body = r.write(r.value(3)); break;
            case 1: case 2: kind = "mutated answer"; body = r.write(r.mutate(valid)); break;
            case 3: kind = "truncated answer"; body = r.truncate(r.write(valid)); break;
            case 4: kind = "truncated mutated answer"; body = r.truncate(r.write(r.mutate(valid))); break;
            case 5: kind = "random bytes"; body = new String(r.bytes(), StandardCharsets.ISO_8859_1); break;
            default: kind = "mutated error"; body = r.write(r.mutate(errorDoc));
        }
        return new String[] {Integer.toString(status), type, body, kind + ", HTTP " + status + ", " + type};
    }

    @Test
    void fetch_randomVaultAnswers_throwOnlyDocumentedTypes() {
        RandomJson r = new RandomJson(SEED);
        Outcomes reads = new Outcomes("vault read", SEED);
        Outcomes mounts = new Outcomes("vault mount lookup", SEED);
        Map<String, Object> errors = new LinkedHashMap<>(Map.of("errors", List.of("permission denied")));
        try (FakeVault vault = FakeVault.start()) {
            vault.mountKv2("secret");
            vault.putKv("secret/app", Map.of("api_key", Canary.SECRET, "user", "svc"));
            String token = vault.createToken(Duration.ZERO, false);
            Map<String, String> env = Map.of("VAULT_ADDR", vault.address(), "VAULT_TOKEN", token, "HOME", home.toString());
            try (KeyFetcher f = fetcher("vault:secret/app#api_key", env)) {
                for (int i = 0; i < CASES; i++) {
                    String[] a = randomAnswer(r, vaultKv2Answer(), "application/json", errors);
                    vault.fail("secret/data/app", FakeVault.Fault.raw(Integer.parseInt(a[0]), a[1], a[2]));
                    reads.run(a[3], f::fetch, List.of(token));
                    vault.clearRequests();
                }
            }
            for (int i = 0; i < CASES / 5; i++) {
                String[] a = randomAnswer(r, vaultMountAnswer(), "application/json", errors);
                vault.fail("sys/internal/ui/mounts/", FakeVault.Fault.raw(Integer.parseInt(a[0]), a[1], a[2]));
                try (KeyFetcher f = fetcher("vault:secret/app#api_key", env)) {
                    mounts.run(a[3], f::fetch, List.of(token));
                }
                assertThat(vault.pendingFaults()).as("each case's mount lookup took its answer").isZero();
            }
        }
        reads.print();
        mounts.print();
        assertThat(reads.counts).as("some answers are read, some refused").containsKey("value").hasSizeGreaterThan(1);
    }

    // ============================================================================================ aws

    static Map<String, Object> awsAnswer(RandomJson r) {
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("user", "svc");
        inner.put("api_key", Canary.SECRET);
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("ARN", "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/claude-AbCdEf");
        a.put("Name", "prod/claude");
        a.put("VersionId", "00000001-0000-4000-8000-000000000001");
        // the SecretString is JSON in a string: fuzz that too
        a.put("SecretString", r.random.nextInt(3) == 0 ? r.write(r.mutate(inner)) : r.write(inner));
        a.put("VersionStages", List.of("AWSCURRENT"));
        a.put("CreatedDate", new java.math.BigDecimal("1764151200.123"));
        return a;
    }

    @Test
    void fetch_randomSecretsManagerAnswers_throwOnlyDocumentedTypes() {
        RandomJson r = new RandomJson(SEED + 1);
        Outcomes out = new Outcomes("aws-sm", SEED + 1);
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("__type", "AccessDeniedException");
        error.put("message", "User is not authorized");
        try (FakeSecretsManager fake = FakeSecretsManager.start()) {
            fake.putSecretString("prod/claude", "{\"api_key\":\"" + Canary.SECRET + "\"}");
            Map<String, String> env = Map.of("HOME", home.toString(), "AWS_REGION", "us-east-1",
                    "AWS_ENDPOINT_URL_SECRETS_MANAGER", fake.endpoint().toString(),
                    "AWS_ACCESS_KEY_ID", Rig.Aws.ACCESS_KEY_ID, "AWS_SECRET_ACCESS_KEY", Rig.Aws.SECRET_ACCESS_KEY,
                    "AWS_EC2_METADATA_DISABLED", "true");
            try (KeyFetcher f = fetcher("aws-sm:prod/claude#api_key", env);
                 KeyFetcher whole = fetcher("aws-sm:prod/claude", env)) {
                for (int i = 0; i < CASES; i++) {
                    String[] a = randomAnswer(r, awsAnswer(r), "application/x-amz-json-1.1", error);
                    fake.respondNext(1, Integer.parseInt(a[0]), a[2]);
                    KeyFetcher which = r.random.nextInt(4) == 0 ? whole : f;
                    out.run(a[3], which::fetch, List.of(Rig.Aws.ACCESS_KEY_ID, Rig.Aws.SECRET_ACCESS_KEY));
                    fake.reset();
                }
            }
        }
        out.print();
        assertThat(out.counts).containsKey("value").hasSizeGreaterThan(1);
    }

    // ============================================================================================ script

    static List<Object> helperShapes() {
        List<Object> shapes = new ArrayList<>();
        shapes.add(new LinkedHashMap<>(Map.of("key", Canary.SECRET, "expires_at", "2030-01-01T00:00:00Z")));
        shapes.add(new LinkedHashMap<>(Map.of("key", Canary.SECRET, "expires_in", 3600)));
        shapes.add(new LinkedHashMap<>(Map.of("Version", 1, "AccessKeyId", "AKIAHELPER", "SecretAccessKey",
                Canary.SECRET, "SessionToken", "tok", "Expiration", "2030-01-01T00:00:00Z")));
        Map<String, Object> status = new LinkedHashMap<>(Map.of("token", Canary.SECRET,
                "expirationTimestamp", "2030-01-01T00:00:00Z"));
        shapes.add(new LinkedHashMap<>(Map.of("kind", "ExecCredential", "apiVersion",
                "client.authentication.k8s.io/v1", "status", status)));
        Map<String, Object> creds = new LinkedHashMap<>(Map.of("AccessKeyId", "AKIAHELPER", "SecretAccessKey",
                Canary.SECRET, "SessionToken", "tok", "Expiration", "2030-01-01T00:00:00Z"));
        shapes.add(new LinkedHashMap<>(Map.of("Credentials", creds)));
        return shapes;
    }

    @Test
    void fetch_randomHelperOutputs_throwOnlyDocumentedTypes() throws Exception {
        RandomJson r = new RandomJson(SEED + 2);
        Outcomes bytes = new Outcomes("helper bytes", SEED + 2);
        Outcomes json = new Outcomes("helper JSON", SEED + 2);
        Path out = home.resolve("out");
        try (Rig.Script rig = new Rig.Script(home)) {
            rig.body("cat " + Rig.Script.q(out));
            try (KeyFetcher f = fetcher(rig.reference(), rig.env())) {
                for (int i = 0; i < CASES / 2; i++) {
                    Files.write(out, r.bytes());
                    bytes.run("random bytes", f::fetch, List.of());
                }
                List<Object> shapes = helperShapes();
                for (int i = 0; i < CASES; i++) {
                    Object shape = shapes.get(r.random.nextInt(shapes.size()));
                    String text;
                    String kind;
                    switch (r.random.nextInt(4)) {
                        case 0: kind = "random JSON"; text = r.write(r.value(3)); break;
                        case 1: kind = "truncated shape"; text = r.truncate(r.write(shape)); break;
                        default: kind = "mutated shape"; text = r.write(r.mutate(shape));
                    }
                    Files.writeString(out, text);
                    json.run(kind, f::fetch, List.of());
                }
            }
        }
        bytes.print();
        json.print();
        assertThat(json.counts).containsKey("value").hasSizeGreaterThan(1);
    }

    private static KeyFetcher fetcher(String reference, Map<String, String> env) {
        return CachedKey.builder(reference)
                .environment(env)
                .systemProperties(Map.of())
                .timeout(Duration.ofSeconds(5))
                .maxAttempts(1)
                .buildFetcher();
    }
}
