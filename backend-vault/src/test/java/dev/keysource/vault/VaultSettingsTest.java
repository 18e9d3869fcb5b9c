package dev.keysource.vault;

import static dev.keysource.vault.VaultTests.env;
import static dev.keysource.vault.VaultTests.fetch;
import static dev.keysource.vault.VaultTests.key;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.keysource.CachedKey;
import dev.keysource.InvalidReferenceException;
import dev.keysource.KeyRef;
import dev.keysource.KeySourceException;
import dev.keysource.SourceInterruptedException;
import dev.keysource.SourceMisconfiguredException;
import dev.keysource.spi.KeySource;
import dev.keysource.spi.KeySourceProvider;
import dev.keysource.testkit.Canary;
import dev.keysource.testkit.ErrorContract;
import dev.keysource.vault.FakeVault.Fault;
import io.github.jopenlibs.vault.VaultConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Settings and their precedence, the errors for missing ones, discovery, sharing, and the VaultConfig escape hatch. */
class VaultSettingsTest {

    @TempDir
    Path home;

    FakeVault vault;
    String token;

    @BeforeEach
    void start() {
        vault = FakeVault.start();
        vault.mountKv2("secret");
        vault.putKv("secret/app", Map.of("api_key", "k"));
        token = vault.createToken(Duration.ZERO, false);
    }

    @AfterEach
    void stop() {
        vault.close();
    }

    @Test
    void serviceLoader_findsVaultProvider() {
        assertThat(ServiceLoader.load(KeySourceProvider.class).stream().map(ServiceLoader.Provider::type))
                .contains(VaultKeySourceProvider.class);
        assertThat(new VaultKeySourceProvider().scheme()).isEqualTo("vault");
    }

    @Test
    void get_discoveredProvider_readsSecret() {
        try (CachedKey key = CachedKey.builder("vault:secret/app#api_key").environment(env(vault, token, home))
                .systemProperties(Map.of()).build()) {
            assertThat(key.get()).isEqualTo("k");
        }
    }

    @Test
    void build_noAddress_isMisconfiguredNamingVaultAddr() {
        Map<String, String> env = new HashMap<>(env(vault, token, home));
        env.remove("VAULT_ADDR");

        SourceMisconfiguredException e = catchThrowableOfType(SourceMisconfiguredException.class,
                () -> key("vault:secret/app", env).build());

        assertThat(e.getMessage()).isEqualTo("vault:secret/app: no Vault address: set VAULT_ADDR (e.g."
                + " VAULT_ADDR=https://vault.example.com:8200), or the setting 'address' (KEYSOURCE_VAULT_ADDRESS,"
                + " system property keysource.vault.address)");
    }

    @Test
    void build_noTokenAnywhere_isMisconfiguredNamingVariablesAndFile() {
        SourceMisconfiguredException e = catchThrowableOfType(SourceMisconfiguredException.class,
                () -> key("vault:secret/app", env(vault, null, home)).build());

        assertThat(e.getMessage()).contains("no Vault token: set VAULT_TOKEN", "'vault login'",
                home.resolve(".vault-token").toString(), "auth=approle", "auth=kubernetes");
    }

    @Test
    void build_addressNotUrl_isMisconfigured() {
        SourceMisconfiguredException e = catchThrowableOfType(SourceMisconfiguredException.class,
                () -> key("vault:secret/app", env(vault, token, home, "VAULT_ADDR", "vault.example.com:8200")).build());

        assertThat(e.getMessage()).contains("the Vault address 'vault.example.com:8200' (environment variable"
                + " VAULT_ADDR) must be an http or https URL");
    }

    @Test
    void build_tokenAsReferenceOption_isRefusedWithoutEchoingIt() {
        SourceMisconfiguredException e = catchThrowableOfType(SourceMisconfiguredException.class,
                () -> key("vault:secret/app?token=" + Canary.SECRET, env(vault, null, home)).build());

        assertThat(e.getMessage()).contains("credential option 'token'", "VAULT_TOKEN", "token=****");
        assertThat(e.reference()).doesNotContain(Canary.SECRET);
        Canary.assertAbsent(e);
        ErrorContract.assertHoldsInChain(e); // the reference once: "reference: detail"
    }

    @Test
    void build_secretIdAsReferenceOption_isRefused() {
        SourceMisconfiguredException e = catchThrowableOfType(SourceMisconfiguredException.class,
                () -> key("vault:secret/app?auth=approle&role-id=r&secret-id=" + Canary.SECRET, env(vault, null, home))
                        .build());

        assertThat(e.getMessage()).contains("credential option 'secret-id'");
        Canary.assertAbsent(e);
        ErrorContract.assertHoldsInChain(e); // the reference once: "reference: detail"
    }

    @Test
    void build_invalidAuth_isMisconfiguredListingMethods() {
        SourceMisconfiguredException e = catchThrowableOfType(SourceMisconfiguredException.class,
                () -> key("vault:secret/app?auth=ldap", env(vault, token, home)).build());

        assertThat(e.getMessage()).isEqualTo("vault:secret/app?auth=ldap: invalid setting 'auth' = 'ldap' (reference"
                + " option 'auth'); accepted: token, approle, kubernetes, none (a Vault Agent or Proxy adds its own token)");
    }

    @Test
    void build_invalidKv_isMisconfigured() {
        SourceMisconfiguredException e = catchThrowableOfType(SourceMisconfiguredException.class,
                () -> key("vault:secret/app?kv=3", env(vault, token, home)).build());

        assertThat(e.getMessage()).contains("invalid setting 'kv' = '3' (reference option 'kv'); write kv=1 or kv=2");
    }

    @Test
    void build_invalidVersion_isMisconfigured() {
        SourceMisconfiguredException e = catchThrowableOfType(SourceMisconfiguredException.class,
                () -> key("vault:secret/app?version=latest", env(vault, token, home)).build());

        assertThat(e.getMessage()).contains("invalid setting 'version' = 'latest'", "a whole number from 1");
    }

    @Test
    void build_unknownOption_namesVaultOptions() {
        InvalidReferenceException e = catchThrowableOfType(InvalidReferenceException.class,
                () -> key("vault:secret/app?mount=secret", env(vault, token, home)).build());

        assertThat(e.getMessage()).contains("unknown option 'mount'", "address", "auth-mount", "kv", "role-id", "version");
    }

    @Test
    void fetch_keysourceAddressSetting_winsOverVaultAddr() {
        Map<String, String> env = env(vault, token, home, "VAULT_ADDR", "http://127.0.0.1:1",
                "KEYSOURCE_VAULT_ADDRESS", vault.address());

        assertThat(fetch("vault:secret/app", env, 1).value()).isEqualTo("k");
    }

    @Test
    void fetch_codeTokenSetting_winsOverEnvironment() {
        try (var f = key("vault:secret/app", env(vault, "hvs.not-this-one", home)).setting("token", token)
                .maxAttempts(1).buildFetcher()) {
            assertThat(f.fetch().value()).isEqualTo("k");
        }
        assertThat(vault.requests()).allSatisfy(r -> assertThat(r.header("X-Vault-Token")).isEqualTo(token));
    }

    @Test
    void get_twoKeysOfOneProviderAndIdentity_shareOneLogin() {
        vault.appRole("approle", "r", "s", Duration.ofHours(1), true);
        vault.putKv("secret/other", Map.of("v", "2"));
        VaultKeySourceProvider provider = new VaultKeySourceProvider();
        Map<String, String> env = env(vault, null, home, "VAULT_ROLE_ID", "r", "VAULT_SECRET_ID", "s",
                "KEYSOURCE_VAULT_AUTH", "approle");

        try (CachedKey a = key("vault:secret/app", env).providers(List.of(provider)).build();
             CachedKey b = key("vault:secret/other", env).providers(List.of(provider)).build()) {
            assertThat(a.get()).isEqualTo("k");
            assertThat(b.get()).isEqualTo("2");
            assertThat(vault.count("POST", "auth/approle/login")).isEqualTo(1);
        }
        try (CachedKey c = key("vault:secret/app", env).providers(List.of(provider)).build()) {
            assertThat(c.get()).isEqualTo("k");
        }
        assertThat(vault.count("POST", "auth/approle/login")).as("the session closed with its last key").isEqualTo(2);
    }

    @Test
    void get_escapeHatchWithOwnVaultConfig_readsAndPicksUpTokenChange() throws Exception {
        VaultConfig config = new VaultConfig().address(vault.address()).token(token).build();
        KeySource source = VaultKeySources.of(KeyRef.parse("vault:secret/app#api_key"), config);

        try (CachedKey key = CachedKey.builder(source).environment(Map.of()).systemProperties(Map.of()).build()) {
            assertThat(key.get()).isEqualTo("k");
            vault.revoke(token);
            String next = vault.createToken(Duration.ZERO, false);
            config.token(next);
            vault.putKv("secret/app", Map.of("api_key", "k2"));
            key.reject("k");

            assertThat(key.get()).isEqualTo("k2");
            assertThat(vault.requests("GET", "secret/data/app")).last()
                    .extracting(r -> r.header("X-Vault-Token")).isEqualTo(next);
        }
    }

    @Test
    void of_escapeHatchWithAddressOption_isMisconfigured() throws Exception {
        VaultConfig config = new VaultConfig().address(vault.address()).token(token).build();

        SourceMisconfiguredException e = catchThrowableOfType(SourceMisconfiguredException.class,
                () -> VaultKeySources.of(KeyRef.parse("vault:secret/app?address=http://x"), config));

        assertThat(e.getMessage()).contains("the option 'address' does not apply with VaultKeySources");
    }

    @Test
    void fetch_interrupted_restoresFlagAndThrowsInterrupted() throws Exception {
        vault.fail("secret/data/app", Fault.delay(Duration.ofSeconds(30)));
        VaultConfig config = new VaultConfig().address(vault.address()).token(token).build();
        KeySource source = VaultKeySources.of(KeyRef.parse("vault:secret/app"), config);
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicBoolean flag = new AtomicBoolean();
        Thread t = new Thread(() -> {
            try {
                source.fetch();
            } catch (KeySourceException e) {
                thrown.set(e);
                flag.set(Thread.currentThread().isInterrupted());
            }
        });
        t.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> vault.count("GET", "secret/data/app") == 1);
        t.interrupt();
        t.join(10_000);

        assertThat(thrown.get()).isInstanceOf(SourceInterruptedException.class);
        assertThat(flag).isTrue();
        source.close();
    }
}
