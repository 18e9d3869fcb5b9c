package dev.keysource.vault;

import static dev.keysource.vault.VaultTests.env;
import static dev.keysource.vault.VaultTests.key;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keysource.CachedKey;
import dev.keysource.testkit.FakeTime;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11 item 5: token upkeep belongs to the session, not to whichever key registered first; the
 * session's close revokes the token it logged in for.
 */
class SessionUpkeepTest {

    @TempDir
    Path home;
    private final FakeTime first = new FakeTime();
    private final FakeTime second = new FakeTime();
    private FakeVault vault;

    @BeforeEach
    void start() {
        vault = FakeVault.start().clock(second.clock());
        vault.mountKv2("secret");
        vault.putKv("secret/a", Map.of("v", "a"));
        vault.putKv("secret/b", Map.of("v", "b"));
        vault.appRole("approle", "role-1", "secret-1", Duration.ofHours(1), true);
    }

    @AfterEach
    void stop() {
        vault.close();
    }

    private CachedKey.Builder on(FakeTime t, String ref, VaultKeySourceProvider provider) {
        Map<String, String> env = env(vault, null, home, "VAULT_ROLE_ID", "role-1", "VAULT_SECRET_ID", "secret-1",
                "KEYSOURCE_VAULT_AUTH", "approle");
        return key(ref, env).providers(List.of(provider)).ticker(t.ticker()).clock(t.clock())
                .scheduler(t.scheduler()).executor(Runnable::run);
    }

    @Test
    void firstKeyCloses_renewalMovesToTheRemainingKeysThreads_andTheLastCloseRevokes() {
        VaultKeySourceProvider provider = new VaultKeySourceProvider();
        CachedKey a = on(first, "vault:secret/a#v", provider).build();   // registers first: hosts the renewal
        CachedKey b = on(second, "vault:secret/b#v", provider).build();
        assertThat(a.get()).isEqualTo("a");
        assertThat(b.get()).isEqualTo("b");
        assertThat(vault.count("POST", "auth/approle/login")).as("one session, one login").isEqualTo(1);
        String token = vault.issuedTokens().get(0);

        a.close(); // its scheduler is never advanced again (as if its client had shut it down)
        second.advance(Duration.ofMinutes(41)); // 2/3 of the 1 h lease

        assertThat(vault.renewals(token)).as("renewed on the remaining key's scheduler").isEqualTo(1);
        assertThat(vault.count("POST", "auth/token/revoke-self")).isZero();

        b.close();

        assertThat(vault.count("POST", "auth/token/revoke-self")).as("the last source revokes").isEqualTo(1);
        assertThat(vault.valid(token)).isFalse();
    }
}
