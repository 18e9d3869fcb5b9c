package dev.keysource.vault;

import dev.keysource.CachedKey;
import dev.keysource.KeySourceException;
import dev.keysource.KeyFetcher;
import dev.keysource.Secret;
import dev.keysource.testkit.Canary;
import dev.keysource.testkit.ErrorContract;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Shared helpers: builders wired to a fake Vault with an injected environment (never the real one). */
final class VaultTests {

    private VaultTests() {
    }

    /** An environment with VAULT_ADDR, VAULT_TOKEN (if non-null) and HOME at {@code home}. */
    static Map<String, String> env(FakeVault vault, String token, Path home, String... more) {
        Map<String, String> env = new HashMap<>();
        env.put("VAULT_ADDR", vault.address());
        if (token != null) {
            env.put("VAULT_TOKEN", token);
        }
        env.put("HOME", home.toString());
        for (int i = 0; i + 1 < more.length; i += 2) {
            env.put(more[i], more[i + 1]);
        }
        return env;
    }

    static CachedKey.Builder key(String reference, Map<String, String> env) {
        return CachedKey.builder(reference)
                .providers(List.of(new VaultKeySourceProvider()))
                .environment(env)
                .systemProperties(Map.of())
                .backoff(Duration.ofMillis(1));
    }

    /** One fetch through the resilience layer with {@code attempts} attempts. */
    static Secret fetch(String reference, Map<String, String> env, int attempts) {
        try (KeyFetcher f = key(reference, env).maxAttempts(attempts).buildFetcher()) {
            return f.fetch();
        }
    }

    /** The failure of one fetch (one attempt), checked to be of {@code type} and to hold no token nor canary. */
    static <T extends KeySourceException> T failure(Class<T> type, String reference, Map<String, String> env,
                                                    String... tokens) {
        T e;
        try (KeyFetcher f = key(reference, env).maxAttempts(1).buildFetcher()) {
            e = catchThrowableOfType(type, f::fetch);
        }
        assertThat(e).as("expected %s", type.getSimpleName()).isNotNull();
        assertClean(e, tokens);
        return e;
    }

    /** The message chain holds neither the canary nor any of {@code tokens}. */
    static void assertClean(Throwable e, String... tokens) {
        Canary.assertAbsent(e);
        ErrorContract.assertHoldsInChain(e); // the reference once: "reference: detail"
        for (Throwable t = e; t != null; t = t.getCause()) {
            for (String token : tokens) {
                assertThat(String.valueOf(t.getMessage())).doesNotContain(token);
                assertThat(t.toString()).doesNotContain(token);
            }
        }
    }
}
