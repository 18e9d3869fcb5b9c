package dev.keysource.vault;

import static dev.keysource.vault.VaultTests.env;
import static dev.keysource.vault.VaultTests.failure;
import static dev.keysource.vault.VaultTests.fetch;
import static dev.keysource.vault.VaultTests.key;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.keysource.CachedKey;
import dev.keysource.SourceAccessDeniedException;
import dev.keysource.SourceMisconfiguredException;
import dev.keysource.testkit.Canary;
import dev.keysource.testkit.FakeTime;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Token, AppRole and Kubernetes auth; namespaces; renewal; re-acquisition after an expired or revoked token. */
class VaultAuthTest {

    static final String LOOKUP = "auth/token/lookup-self";
    static final String RENEW = "auth/token/renew-self";

    @TempDir
    Path home;

    FakeVault vault;
    final FakeTime time = new FakeTime();

    @BeforeEach
    void start() {
        vault = FakeVault.start().clock(time.clock());
        vault.mountKv2("secret");
        vault.putKv("secret/claude-code", Map.of("api_key", "sk-live"));
    }

    @AfterEach
    void stop() {
        vault.close();
    }

    /** A key on fake time: scheduled work runs inline when the test advances time. */
    CachedKey.Builder timed(String ref, Map<String, String> env) {
        return key(ref, env).clock(time.clock()).ticker(time.ticker()).scheduler(time.scheduler())
                .executor(Runnable::run);
    }

    // ------------------------------------------------------------------------------------------ token

    @Test
    void fetch_noVaultTokenButTokenFile_usesTokenFile() throws IOException {
        String token = vault.createToken(Duration.ZERO, false);
        Files.writeString(home.resolve(".vault-token"), token + "\n");

        assertThat(fetch("vault:secret/claude-code#api_key", env(vault, null, home), 1).value()).isEqualTo("sk-live");
        assertThat(vault.requests()).allSatisfy(r -> assertThat(r.header("X-Vault-Token")).isEqualTo(token));
    }

    @Test
    void fetch_vaultTokenAndTokenFile_prefersVaultToken() throws IOException {
        String token = vault.createToken(Duration.ZERO, false);
        Files.writeString(home.resolve(".vault-token"), "hvs.stale-file-token");

        fetch("vault:secret/claude-code", env(vault, token, home), 1);

        assertThat(vault.requests()).allSatisfy(r -> assertThat(r.header("X-Vault-Token")).isEqualTo(token));
    }

    @Test
    void get_renewableGivenToken_isLookedUpThenRenewedBeforeExpiry() {
        String token = vault.createToken(Duration.ofSeconds(60), true);
        try (CachedKey key = timed("vault:secret/claude-code", env(vault, token, home)).build()) {
            assertThat(key.get()).isEqualTo("sk-live");
            time.advance(Duration.ofSeconds(1));
            assertThat(vault.count("GET", LOOKUP)).isEqualTo(1);
            assertThat(vault.renewals(token)).isZero();

            time.advance(Duration.ofSeconds(40)); // 2/3 of the 59 s left
            assertThat(vault.renewals(token)).isEqualTo(1);
            time.advance(Duration.ofMinutes(10));
            assertThat(vault.renewals(token)).isGreaterThanOrEqualTo(10);
            assertThat(vault.valid(token)).as("kept alive past its first 60 s TTL").isTrue();
            key.invalidate();
            assertThat(key.get()).isEqualTo("sk-live");
        }
    }

    @Test
    void get_tokenFileRefreshedAfterRevocation_rereadsFileAndRetries() throws IOException {
        String first = vault.createToken(Duration.ZERO, false);
        Files.writeString(home.resolve(".vault-token"), first);
        try (CachedKey key = timed("vault:secret/claude-code", env(vault, null, home)).build()) {
            assertThat(key.get()).isEqualTo("sk-live");
            vault.revoke(first);
            String second = vault.createToken(Duration.ZERO, false);
            Files.writeString(home.resolve(".vault-token"), second); // 'vault login' or a Vault Agent sink
            key.invalidate();

            assertThat(key.get()).isEqualTo("sk-live");
            assertThat(vault.requests("GET", "secret/data/claude-code"))
                    .extracting(r -> r.header("X-Vault-Token")).containsExactly(first, first, second);
        }
    }

    @Test
    void fetch_revokedGivenToken_isRejectedSayingExpiredOrRevoked() {
        String token = vault.createToken(Duration.ZERO, false);
        vault.revoke(token);

        SourceAccessDeniedException e = failure(SourceAccessDeniedException.class, "vault:secret/claude-code",
                env(vault, token, home), token);

        assertThat(e.getMessage()).contains("environment variable VAULT_TOKEN is expired or revoked",
                "set a fresh token", "403", "permission denied", vault.address());
    }

    @Test
    void fetch_validTokenWithoutPolicy_isRejectedNamingPolicyPath() {
        String token = vault.createToken(Duration.ZERO, false);
        vault.policy(token, "other/");

        SourceAccessDeniedException e = failure(SourceAccessDeniedException.class, "vault:secret/claude-code",
                env(vault, token, home), token);

        assertThat(e.getMessage()).contains("is valid, but its policies do not allow 'read' on secret/data/claude-code",
                "path \"secret/data/claude-code\" { capabilities = [\"read\"] }");
        assertThat(vault.count("GET", LOOKUP)).as("checked the token once").isEqualTo(1);
    }

    // ------------------------------------------------------------------------------------------ AppRole

    @Test
    void fetch_appRoleFromSettings_logsInAtMountAndReadsWithIssuedToken() {
        vault.appRole("approle-prod", "role-123", "secret-456", Duration.ofHours(1), true);

        try (var f = key("vault:secret/claude-code#api_key", env(vault, null, home))
                .setting("auth", "approle").setting("role-id", "role-123").setting("secret-id", "secret-456")
                .setting("auth-mount", "approle-prod").maxAttempts(1).buildFetcher()) {
            assertThat(f.fetch().value()).isEqualTo("sk-live");
        }

        FakeVault.Request login = vault.requests("POST", "auth/approle-prod/login").get(0);
        assertThat(FakeVault.Json.field(login.body, "role_id")).isEqualTo("role-123");
        assertThat(FakeVault.Json.field(login.body, "secret_id")).isEqualTo("secret-456");
        assertThat(login.header("X-Vault-Token")).isNull();
        String issued = vault.issuedTokens().get(0);
        assertThat(vault.requests("GET", "secret/data/claude-code").get(0).header("X-Vault-Token")).isEqualTo(issued);
    }

    @Test
    void fetch_appRoleFromEnvironmentAndSecretIdFile_logsIn() throws IOException {
        vault.appRole("approle", "role-env", "secret-file", Duration.ofHours(1), true);
        Path secretIdFile = Files.writeString(home.resolve("secret-id"), "secret-file\n");

        String value = fetch("vault:secret/claude-code", env(vault, null, home, "VAULT_ROLE_ID", "role-env",
                "KEYSOURCE_VAULT_AUTH", "approle", "KEYSOURCE_VAULT_SECRET_ID_FILE", secretIdFile.toString()), 1).value();

        assertThat(value).isEqualTo("sk-live");
        assertThat(vault.count("POST", "auth/approle/login")).isEqualTo(1);
    }

    @Test
    void fetch_appRoleWrongSecretId_isRejectedWithoutEchoingIt() {
        vault.appRole("approle", "role-1", "right", Duration.ofHours(1), true);

        SourceAccessDeniedException e = failure(SourceAccessDeniedException.class, "vault:secret/claude-code?auth=approle",
                env(vault, null, home, "VAULT_ROLE_ID", "role-1", "VAULT_SECRET_ID", Canary.SECRET), Canary.SECRET);

        assertThat(e.getMessage()).contains("logging in with AppRole failed", "400", "invalid role or secret ID",
                "POST " + vault.address() + "/v1/auth/approle/login", "VAULT_SECRET_ID");
    }

    @Test
    void build_appRoleWithoutRoleId_isMisconfiguredNamingVariables() {
        SourceMisconfiguredException e = catchThrowableOfType(SourceMisconfiguredException.class,
                () -> key("vault:secret/x?auth=approle", env(vault, null, home)).build());

        assertThat(e.getMessage()).contains("needs a role ID", "VAULT_ROLE_ID", "role-id-file");
    }

    @Test
    void get_loginTokenRevokedMidRun_logsInAgainAndRetriesWithoutError() {
        vault.appRole("approle", "r", "s", Duration.ofHours(1), true);
        try (CachedKey key = timed("vault:secret/claude-code", env(vault, null, home, "VAULT_ROLE_ID", "r",
                "VAULT_SECRET_ID", "s")).setting("auth", "approle").build()) {
            assertThat(key.get()).isEqualTo("sk-live");
            vault.revokeAll(); // a Vault restored from backup, or an operator revoking the accessor
            vault.putKv("secret/claude-code", Map.of("api_key", "sk-rotated"));
            key.reject("sk-live");

            assertThat(key.get()).isEqualTo("sk-rotated");
        }
        assertThat(vault.count("POST", "auth/approle/login")).isEqualTo(2);
        assertThat(vault.requests("GET", "secret/data/claude-code")).extracting(r -> r.header("X-Vault-Token"))
                .containsExactly(vault.issuedTokens().get(0), vault.issuedTokens().get(0), vault.issuedTokens().get(1));
    }

    @Test
    void get_concurrentRefusalsOfOneRevokedToken_logInAgainOnce() throws Exception {
        vault.appRole("approle", "r", "s", Duration.ofHours(1), true);
        VaultKeySourceProvider provider = new VaultKeySourceProvider();
        Map<String, String> env = env(vault, null, home, "VAULT_ROLE_ID", "r", "VAULT_SECRET_ID", "s",
                "KEYSOURCE_VAULT_AUTH", "approle");
        java.util.List<CachedKey> keys = new java.util.ArrayList<>();
        for (int i = 0; i < 6; i++) {
            vault.putKv("secret/k" + i, Map.of("v", "value-" + i));
            keys.add(key("vault:secret/k" + i, env).providers(java.util.List.of(provider)).build());
        }
        try {
            for (CachedKey k : keys) {
                k.get();
            }
            vault.revokeAll();
            keys.forEach(CachedKey::invalidate);
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(keys.size());
            try {
                java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
                java.util.List<java.util.concurrent.Future<String>> results = new java.util.ArrayList<>();
                for (CachedKey k : keys) {
                    results.add(pool.submit(() -> {
                        go.await();
                        return k.get();
                    }));
                }
                go.countDown();
                for (int i = 0; i < keys.size(); i++) {
                    assertThat(results.get(i).get(30, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("value-" + i);
                }
            } finally {
                pool.shutdownNow();
            }
        } finally {
            keys.forEach(CachedKey::close);
        }
        assertThat(vault.count("POST", "auth/approle/login")).as("one login, then one re-login shared by all")
                .isEqualTo(2);
    }

    @Test
    void get_loginTokenRenewable_isRenewedAndThenReplacedAtMaxTtl() {
        vault.appRole("approle", "r", "s", Duration.ofSeconds(60), true);
        try (CachedKey key = timed("vault:secret/claude-code", env(vault, null, home, "VAULT_ROLE_ID", "r",
                "VAULT_SECRET_ID", "s")).setting("auth", "approle").build()) {
            assertThat(key.get()).isEqualTo("sk-live");
            String first = vault.issuedTokens().get(0);
            vault.maxTtl(first, Duration.ofSeconds(100));

            time.advance(Duration.ofSeconds(41)); // renewed at 40 s: lease 60 s
            assertThat(vault.renewals(first)).isEqualTo(1);
            time.advance(Duration.ofSeconds(40)); // renewed at 80 s: capped to 20 s, so log in again at ~93 s
            assertThat(vault.renewals(first)).isEqualTo(2);
            time.advance(Duration.ofSeconds(14));
            assertThat(vault.issuedTokens()).hasSize(2);

            time.advance(Duration.ofSeconds(10)); // the first token is gone at 100 s
            assertThat(vault.valid(first)).isFalse();
            key.invalidate();
            assertThat(key.get()).isEqualTo("sk-live");
            assertThat(vault.requests("GET", "secret/data/claude-code")).last()
                    .extracting(r -> r.header("X-Vault-Token")).isEqualTo(vault.issuedTokens().get(1));
        }
    }

    @Test
    void get_loginTokenExpiredWhileUpkeepCouldNotRun_logsInBeforeReading() {
        vault.appRole("approle", "r", "s", Duration.ofSeconds(60), false);
        FakeTime stalled = new FakeTime(); // a scheduler nobody advances: no renewal, no proactive login
        try (CachedKey key = key("vault:secret/claude-code", env(vault, null, home, "VAULT_ROLE_ID", "r",
                "VAULT_SECRET_ID", "s")).setting("auth", "approle").clock(time.clock()).ticker(time.ticker())
                .scheduler(stalled.scheduler()).executor(Runnable::run).build()) {
            assertThat(key.get()).isEqualTo("sk-live");
            time.advance(Duration.ofSeconds(61));
            key.invalidate();

            assertThat(key.get()).isEqualTo("sk-live");
        }
        assertThat(vault.count("POST", "auth/approle/login")).isEqualTo(2);
        assertThat(vault.requests("GET", "secret/data/claude-code")).as("never sent an expired token")
                .allSatisfy(r -> assertThat(r.header("X-Vault-Token")).isIn(vault.issuedTokens()));
        assertThat(vault.requests()).noneMatch(r -> r.path.equals(LOOKUP));
    }

    @Test
    void get_policyDeniedWithFreshLoginToken_isRejectedWithoutLoggingInAgain() {
        vault.appRole("approle", "r", "s", Duration.ofHours(1), true);
        String[] issued = new String[1];
        try (CachedKey key = key("vault:secret/claude-code", env(vault, null, home, "VAULT_ROLE_ID", "r",
                "VAULT_SECRET_ID", "s")).setting("auth", "approle").maxAttempts(1).build()) {
            assertThat(key.get()).isEqualTo("sk-live");
            issued[0] = vault.issuedTokens().get(0);
            vault.policy(issued[0], "sys/", "auth/");
            key.invalidate();

            SourceAccessDeniedException e = catchThrowableOfType(SourceAccessDeniedException.class, key::get);
            assertThat(e.getMessage()).contains("is valid, but its policies do not allow 'read'");
            VaultTests.assertClean(e, issued[0]);
        }
        assertThat(vault.count("POST", "auth/approle/login")).isEqualTo(1);
    }

    // ------------------------------------------------------------------------------------------ Kubernetes

    @Test
    void fetch_kubernetes_logsInWithJwtFileRoleAndMount() throws IOException {
        String jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6YXBwOmFwcCJ9.sig";
        Path jwtFile = Files.writeString(home.resolve("token"), jwt);
        vault.kubernetes("k8s-east", "app", jwt, Duration.ofHours(1), true);

        try (var f = key("vault:secret/claude-code?auth=kubernetes&role=app&auth-mount=k8s-east",
                env(vault, null, home)).setting("jwt-file", jwtFile.toString()).maxAttempts(1).buildFetcher()) {
            assertThat(f.fetch().value()).isEqualTo("sk-live");
        }

        FakeVault.Request login = vault.requests("POST", "auth/k8s-east/login").get(0);
        assertThat(FakeVault.Json.field(login.body, "role")).isEqualTo("app");
        assertThat(FakeVault.Json.field(login.body, "jwt")).isEqualTo(jwt);
    }

    @Test
    void fetch_kubernetesJwtRefused_isRejectedNamingRoleAndFile() throws IOException {
        Path jwtFile = Files.writeString(home.resolve("token"), Canary.SECRET);
        vault.kubernetes("kubernetes", "app", "another-jwt", Duration.ofHours(1), true);

        SourceAccessDeniedException e = failure(SourceAccessDeniedException.class,
                "vault:secret/claude-code?auth=kubernetes&role=app",
                env(vault, null, home, "KEYSOURCE_VAULT_JWT_FILE", jwtFile.toString()));

        assertThat(e.getMessage()).contains("logging in with Kubernetes failed", "403", "role 'app'",
                jwtFile.toString());
    }

    @Test
    void build_kubernetesWithoutJwtFile_isMisconfigured() {
        SourceMisconfiguredException e = catchThrowableOfType(SourceMisconfiguredException.class,
                () -> key("vault:secret/x?auth=kubernetes&role=app", env(vault, null, home))
                        .setting("jwt-file", home.resolve("missing").toString()).build());

        assertThat(e.getMessage()).contains("service-account token", "is not a readable file", "jwt-file");
    }

    @Test
    void fetch_unknownAuthMount_isMisconfiguredNamingAuthMount() {
        vault.appRole("approle", "r", "s", Duration.ofHours(1), true);

        SourceMisconfiguredException e = failure(SourceMisconfiguredException.class,
                "vault:secret/claude-code?auth=approle&auth-mount=nope", env(vault, null, home, "VAULT_ROLE_ID", "r"));

        assertThat(e.getMessage()).contains("no AppRole auth method is mounted at auth/nope", "auth-mount");
    }

    // ------------------------------------------------------------------------------------------ namespace

    @Test
    void fetch_namespace_sentOnEveryCallIncludingLogin() {
        vault.namespace("team-a");
        vault.appRole("approle", "r", "s", Duration.ofSeconds(60), true);
        try (CachedKey key = timed("vault:secret/claude-code", env(vault, null, home, "VAULT_ROLE_ID", "r",
                "VAULT_SECRET_ID", "s", "VAULT_NAMESPACE", "team-a")).setting("auth", "approle").build()) {
            assertThat(key.get()).isEqualTo("sk-live");
            time.advance(Duration.ofSeconds(41)); // a renewal
            vault.revokeAll();
            key.invalidate();
            assertThat(key.get()).isEqualTo("sk-live"); // lookup-self, login, read
        }
        assertThat(vault.requests()).extracting(Object::toString).contains(
                "POST /v1/auth/approle/login", "GET /v1/sys/internal/ui/mounts/secret/claude-code",
                "GET /v1/secret/data/claude-code", "POST /v1/auth/token/renew-self", "GET /v1/auth/token/lookup-self");
        assertThat(vault.requests()).allSatisfy(r -> assertThat(r.header("X-Vault-Namespace")).isEqualTo("team-a"));
    }

    @Test
    void fetch_namespaceFromTokenEnvironment_sentOnReads() {
        vault.namespace("ns1/child");
        String token = vault.createToken(Duration.ZERO, false);

        fetch("vault:secret/claude-code", env(vault, token, home, "VAULT_NAMESPACE", "/ns1/child/"), 1);

        assertThat(vault.requests()).isNotEmpty()
                .allSatisfy(r -> assertThat(r.header("X-Vault-Namespace")).isEqualTo("ns1/child"));
    }
}
