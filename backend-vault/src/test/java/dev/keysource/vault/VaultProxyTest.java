package dev.keysource.vault;

import static dev.keysource.vault.VaultTests.env;
import static dev.keysource.vault.VaultTests.failure;
import static dev.keysource.vault.VaultTests.fetch;
import static dev.keysource.vault.VaultTests.key;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keysource.KeyFetcher;
import dev.keysource.SourceAccessDeniedException;
import dev.keysource.SourceMisconfiguredException;
import dev.keysource.testkit.Canary;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading through a Vault Agent / Vault Proxy listener: the request header, and no token with auto-auth. */
class VaultProxyTest {

    @TempDir
    Path home;
    FakeVault vault;
    String agentToken;

    @BeforeEach
    void start() {
        vault = FakeVault.start();
        vault.mountKv2("secret");
        vault.putKv("secret/claude-code", Map.of("api_key", Canary.SECRET));
        agentToken = vault.createToken(Duration.ofHours(1), true);
    }

    @AfterEach
    void stop() {
        vault.close();
    }

    private static Map<String, String> through(FakeVaultProxy proxy, Map<String, String> env) {
        Map<String, String> m = new HashMap<>(env);
        m.put("VAULT_ADDR", proxy.address());
        return m;
    }

    @Test
    void requireRequestHeader_everyRequestCarriesXVaultRequest() {
        String token = vault.createToken(Duration.ZERO, false);
        try (FakeVaultProxy proxy = FakeVaultProxy.start(vault, true, FakeVaultProxy.AutoAuth.FALSE, null)) {
            assertThat(fetch("vault:secret/claude-code#api_key", through(proxy, env(vault, token, home)), 1).value())
                    .isEqualTo(Canary.SECRET);
            assertThat(proxy.received()).hasSize(2) // mount lookup, read
                    .allSatisfy(h -> assertThat(h).containsEntry("x-vault-request", "true"));
        }
    }

    @Test
    void authNone_sendsNoTokenAndTheProxyAddsItsAutoAuthToken() {
        try (FakeVaultProxy proxy = FakeVaultProxy.start(vault, true, FakeVaultProxy.AutoAuth.TRUE, agentToken)) {
            Map<String, String> env = through(proxy, env(vault, null, home, "KEYSOURCE_VAULT_AUTH", "none"));
            assertThat(fetch("vault:secret/claude-code#api_key", env, 1).value()).isEqualTo(Canary.SECRET);
            assertThat(proxy.received()).isNotEmpty()
                    .allSatisfy(h -> assertThat(h).doesNotContainKey("x-vault-token"));
            assertThat(vault.requests()).allSatisfy(r -> assertThat(r.header("X-Vault-Token")).isEqualTo(agentToken));
            // the proxy's token is not ours to look up, renew or revoke
            assertThat(vault.requests()).noneMatch(r -> r.path.startsWith("auth/token/"));
        }
    }

    @Test
    void authNone_checkSaysSo() {
        try (FakeVaultProxy proxy = FakeVaultProxy.start(vault, true, FakeVaultProxy.AutoAuth.TRUE, agentToken);
             KeyFetcher f = key("vault:secret/claude-code#api_key?auth=none", through(proxy, env(vault, null, home)))
                     .buildFetcher()) {
            f.fetch();
            assertThat(f.consulted()).contains("auth: none: no Vault token is sent; the Vault Agent or Proxy at "
                    + proxy.address() + " must add its auto-auth token (use_auto_auth_token)");
        }
    }

    @Test
    void authNone_proxyWithoutAutoAuthToken_refusedWithWhatToCheck() {
        try (FakeVaultProxy proxy = FakeVaultProxy.start(vault, true, FakeVaultProxy.AutoAuth.FALSE, agentToken)) {
            SourceAccessDeniedException e = failure(SourceAccessDeniedException.class,
                    "vault:secret/claude-code#api_key?auth=none", through(proxy, env(vault, null, home)), agentToken);
            assertThat(e.getMessage()).contains("no token (auth=none): the token the Vault Agent or Proxy at "
                    + proxy.address() + " adds").contains("use_auto_auth_token = true");
        }
    }

    @Test
    void noTokenAtALocalAddress_suggestsAuthNone() {
        try (FakeVaultProxy proxy = FakeVaultProxy.start(vault, true, FakeVaultProxy.AutoAuth.TRUE, agentToken)) {
            assertThatThrownBy(() -> key("vault:secret/claude-code#api_key", through(proxy, env(vault, null, home)))
                    .buildFetcher()).isInstanceOf(SourceMisconfiguredException.class).hasMessageEndingWith("; if " + proxy.address() + " is a Vault Agent or Vault Proxy that "
                    + "adds its auto-auth token, set auth=none");
        }
    }
}
