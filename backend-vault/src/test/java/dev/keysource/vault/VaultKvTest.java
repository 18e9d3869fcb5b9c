package dev.keysource.vault;

import static dev.keysource.vault.VaultTests.env;
import static dev.keysource.vault.VaultTests.failure;
import static dev.keysource.vault.VaultTests.fetch;
import static dev.keysource.vault.VaultTests.key;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keysource.CachedKey;
import dev.keysource.SecretNotFoundException;
import dev.keysource.Secret;
import dev.keysource.SourceAccessDeniedException;
import dev.keysource.SourceMisconfiguredException;
import dev.keysource.testkit.Canary;
import dev.keysource.testkit.FakeTime;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Paths, mounts, versions, fields and leases, through the real driver against {@link FakeVault}. */
class VaultKvTest {

    @TempDir
    Path home;

    FakeVault vault;
    String token;

    @BeforeEach
    void start() {
        vault = FakeVault.start();
        token = vault.createToken(Duration.ZERO, false);
    }

    @AfterEach
    void stop() {
        vault.close();
    }

    @Test
    void fetch_kv2WithAddressAndToken_readsDataPathWithVersionAndCreated() {
        vault.mountKv2("secret");
        vault.putKv("secret/claude-code", Map.of("api_key", "sk-first"));
        vault.putKv("secret/claude-code", Map.of("api_key", "sk-second"));

        Secret s = fetch("vault:secret/claude-code#api_key", env(vault, token, home), 1);

        assertThat(s.value()).isEqualTo("sk-second");
        assertThat(s.version()).hasValue("2");
        assertThat(s.created()).isPresent();
        assertThat(s.expiry()).isEmpty();
        assertThat(vault.requests()).extracting(Object::toString).containsExactly(
                "GET /v1/sys/internal/ui/mounts/secret/claude-code",
                "GET /v1/secret/data/claude-code");
        assertThat(vault.requests()).allSatisfy(r -> assertThat(r.header("X-Vault-Token")).isEqualTo(token));
    }

    @Test
    void fetch_kv1MountedAtSecret_readsPathAsGiven() {
        vault.mountKv1("secret");
        vault.putKv("secret/claude-code", Map.of("api_key", "sk-v1"));

        Secret s = fetch("vault:secret/claude-code#api_key", env(vault, token, home), 1);

        assertThat(s.value()).isEqualTo("sk-v1");
        assertThat(s.version()).isEmpty();
        assertThat(s.expiry()).as("a KV v1 lease_duration is a refresh hint, not an expiry").isEmpty();
        assertThat(vault.count("GET", "secret/claude-code")).isEqualTo(1);
    }

    @Test
    void fetch_multiSegmentKv2Mount_insertsDataAfterWholeMount() {
        vault.mountKv2("team/apps/kv");
        vault.putKv("team/apps/kv/svc/db", Map.of("password", "pw"));

        Secret s = fetch("vault:team/apps/kv/svc/db", env(vault, token, home), 1);

        assertThat(s.value()).isEqualTo("pw");
        assertThat(vault.count("GET", "team/apps/kv/data/svc/db")).isEqualTo(1);
    }

    @Test
    void fetch_secondReadOfSameMount_usesCachedMount() {
        vault.mountKv2("secret");
        vault.putKv("secret/a", Map.of("k", "1"));
        vault.putKv("secret/b", Map.of("k", "2"));
        VaultKeySourceProvider provider = new VaultKeySourceProvider();
        Map<String, String> env = env(vault, token, home);

        try (CachedKey a = CachedKey.builder("vault:secret/a").providers(java.util.List.of(provider))
                .environment(env).systemProperties(Map.of()).build();
             CachedKey b = CachedKey.builder("vault:secret/b").providers(java.util.List.of(provider))
                     .environment(env).systemProperties(Map.of()).build()) {
            assertThat(a.get()).isEqualTo("1");
            assertThat(b.get()).isEqualTo("2");
        }

        assertThat(vault.requests().stream().filter(r -> r.path.startsWith("sys/internal/ui/mounts/")).count())
                .as("one mount lookup for both secrets of one provider").isEqualTo(1);
    }

    @Test
    void fetch_versionOption_pinsKv2Version() {
        vault.mountKv2("secret");
        vault.putKv("secret/app", Map.of("api_key", "old"));
        vault.putKv("secret/app", Map.of("api_key", "new"));

        Secret s = fetch("vault:secret/app#api_key?version=1", env(vault, token, home), 1);

        assertThat(s.value()).isEqualTo("old");
        assertThat(s.version()).hasValue("1");
        assertThat(vault.requests("GET", "secret/data/app").get(0).query).isEqualTo("version=1");
    }

    @Test
    void fetch_versionOnKv1Mount_isMisconfigured() {
        vault.mountKv1("secret");
        vault.putKv("secret/app", Map.of("api_key", Canary.SECRET));

        SourceMisconfiguredException e = failure(SourceMisconfiguredException.class, "vault:secret/app?version=2",
                env(vault, token, home), token);

        assertThat(e.getMessage()).contains("KV v1 mount", "remove ?version");
    }

    @Test
    void fetch_noFieldAndOneField_returnsIt() {
        vault.mountKv2("secret");
        vault.putKv("secret/app", Map.of("only", "the-value"));

        assertThat(fetch("vault:secret/app", env(vault, token, home), 1).value()).isEqualTo("the-value");
    }

    @Test
    void fetch_noFieldAndSeveralFields_isMisconfiguredListingNamesNotValues() {
        vault.mountKv2("secret");
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("username", "admin-" + Canary.SECRET);
        data.put("password", Canary.SECRET);
        vault.putKv("secret/db", data);

        SourceMisconfiguredException e = failure(SourceMisconfiguredException.class, "vault:secret/db",
                env(vault, token, home), token);

        assertThat(e.getMessage()).contains("2 fields ('password', 'username')", "#field", "vault:secret/db#password");
    }

    @Test
    void fetch_missingField_isMisconfiguredListingFields() {
        vault.mountKv2("secret");
        vault.putKv("secret/app", Map.of("api_key", Canary.SECRET));

        SourceMisconfiguredException e = failure(SourceMisconfiguredException.class, "vault:secret/app#apikey",
                env(vault, token, home), token);

        assertThat(e.getMessage()).contains("no field 'apikey'", "its fields are: 'api_key';");
    }

    @Test
    void fetch_nonStringField_returnsItsJson() {
        vault.mountKv2("secret");
        vault.putKv("secret/app", Map.of("port", 5432));

        assertThat(fetch("vault:secret/app#port", env(vault, token, home), 1).value()).isEqualTo("5432");
    }

    @Test
    void fetch_nonKvMount_plainReadWithLeaseAsExpiry() {
        FakeTime time = new FakeTime();
        vault.clock(time.clock());
        vault.mountDynamic("database", "database", Duration.ofMinutes(2),
                n -> Map.of("username", "v-app-" + n, "password", "pw-" + n));

        try (CachedKey key = key("vault:database/creds/app#password", env(vault, token, home))
                .clock(time.clock()).ticker(time.ticker()).scheduler(time.scheduler()).executor(Runnable::run)
                .build()) {
            Secret s = key.secret();
            assertThat(s.value()).isEqualTo("pw-1");
            assertThat(s.expiry()).hasValue(FakeTime.DEFAULT_START.plus(Duration.ofMinutes(2)));
            assertThat(s.version()).isEmpty();
        }
        assertThat(vault.count("GET", "database/creds/app")).isEqualTo(1);
    }

    @Test
    void get_leaseShorterThanTtl_capsTtl() {
        FakeTime time = new FakeTime();
        vault.clock(time.clock());
        vault.mountDynamic("aws", "aws", Duration.ofSeconds(90), n -> Map.of("secret_key", "key-" + n));

        try (CachedKey key = key("vault:aws/creds/deploy", env(vault, token, home))
                .clock(time.clock()).ticker(time.ticker()).scheduler(time.scheduler()).executor(Runnable::run)
                .ttl(Duration.ofMinutes(10)).expirySkew(Duration.ofSeconds(10)).staleGrace(Duration.ZERO).build()) {
            assertThat(key.get()).isEqualTo("key-1");
            time.advance(Duration.ofSeconds(85));
            assertThat(key.get()).as("refetched before the 90 s lease ran out, not after the 10 min TTL")
                    .isEqualTo("key-2");
        }
    }

    @Test
    void fetch_mountsEndpointForbiddenWithKvOption_usesKvOptionAndFirstSegment() {
        vault.mountKv2("secret").mountsEndpoint(FakeVault.MountsEndpoint.FORBIDDEN);
        vault.putKv("secret/app", Map.of("api_key", "k"));

        Secret s = fetch("vault:secret/app#api_key?kv=2", env(vault, token, home), 1);

        assertThat(s.value()).isEqualTo("k");
        assertThat(vault.count("GET", "secret/data/app")).isEqualTo(1);
    }

    @Test
    void fetch_mountsEndpointForbiddenWithoutKv_isRejectedNamingKvOption() {
        vault.mountKv2("secret").mountsEndpoint(FakeVault.MountsEndpoint.FORBIDDEN);
        vault.putKv("secret/app", Map.of("api_key", Canary.SECRET));

        SourceAccessDeniedException e = failure(SourceAccessDeniedException.class, "vault:secret/app",
                env(vault, token, home), token);

        assertThat(e.getMessage()).contains("403", "sys/internal/ui/mounts/secret/app", "set kv=1 or kv=2",
                vault.address());
    }

    @Test
    void fetch_kvEnvironmentSetting_overridesDetection() {
        vault.mountKv2("secret").mountsEndpoint(FakeVault.MountsEndpoint.FORBIDDEN);
        vault.putKv("secret/app", Map.of("api_key", "k"));

        Secret s = fetch("vault:secret/app", env(vault, token, home, "KEYSOURCE_VAULT_KV", "2"), 1);

        assertThat(s.value()).isEqualTo("k");
    }

    @Test
    void fetch_oldVaultWithoutMountsEndpoint_readsAsKv1() {
        vault.mountKv1("secret").mountsEndpoint(FakeVault.MountsEndpoint.ABSENT);
        vault.putKv("secret/app", Map.of("api_key", "k"));

        assertThat(fetch("vault:secret/app", env(vault, token, home), 1).value()).isEqualTo("k");
        assertThat(vault.count("GET", "secret/app")).isEqualTo(1);
    }

    @Test
    void fetch_unknownMount_isRejectedSayingNoMount() {
        SourceAccessDeniedException e = failure(SourceAccessDeniedException.class, "vault:nosuch/app",
                env(vault, token, home), token);

        assertThat(e.getMessage()).contains("no mount at that path", "preflight capability check returned 403");
    }

    @Test
    void fetch_pathNamingTheMountItself_isMisconfigured() {
        vault.mountKv2("secret");

        SourceMisconfiguredException e = failure(SourceMisconfiguredException.class, "vault:secret",
                env(vault, token, home), token);

        assertThat(e.getMessage()).contains("names the KV mount secret/ itself");
    }

    @Test
    void get_afterRejectOfRotatedValue_returnsNewValueWithOneRead() {
        vault.mountKv2("secret");
        vault.putKv("secret/claude-code", Map.of("api_key", "sk-old"));
        try (CachedKey key = key("vault:secret/claude-code#api_key", env(vault, token, home)).build()) {
            assertThat(key.get()).isEqualTo("sk-old");
            vault.putKv("secret/claude-code", Map.of("api_key", "sk-new"));
            vault.clearRequests();

            assertThat(key.get()).as("still cached").isEqualTo("sk-old");
            assertThat(key.reject("sk-old")).isTrue();
            assertThat(key.get()).isEqualTo("sk-new");

            assertThat(vault.requests()).extracting(Object::toString)
                    .containsExactly("GET /v1/secret/data/claude-code");
            assertThat(key.secret().version()).hasValue("2");
        }
    }

    @Test
    void fetch_deletedKv2Version_isNotFoundSayingDeleted() {
        vault.mountKv2("secret");
        vault.putKv("secret/app", Map.of("api_key", Canary.SECRET));
        vault.deleteVersion("secret/app", 1);

        SecretNotFoundException e = failure(SecretNotFoundException.class, "vault:secret/app",
                env(vault, token, home), token);

        assertThat(e.getMessage()).contains("version 1 of secret/app was deleted", "vault kv undelete -versions=1",
                "404", vault.address());
    }

    @Test
    void fetch_destroyedKv2Version_isNotFoundSayingDestroyed() {
        vault.mountKv2("secret");
        vault.putKv("secret/app", Map.of("api_key", Canary.SECRET));
        vault.putKv("secret/app", Map.of("api_key", "second"));
        vault.destroyVersion("secret/app", 1);

        SecretNotFoundException e = failure(SecretNotFoundException.class, "vault:secret/app?version=1",
                env(vault, token, home), token);

        assertThat(e.getMessage()).contains("version 1 of secret/app was destroyed");
    }

    @Test
    void fetch_createdTime_isParsed() {
        FakeTime time = new FakeTime(Instant.parse("2031-05-06T07:08:09Z"));
        vault.clock(time.clock());
        vault.mountKv2("secret");
        vault.putKv("secret/app", Map.of("k", "v"));

        assertThat(fetch("vault:secret/app", env(vault, token, home), 1).created())
                .hasValue(Instant.parse("2031-05-06T07:08:09Z"));
    }
}
