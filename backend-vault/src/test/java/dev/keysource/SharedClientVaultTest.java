package dev.keysource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keysource.vault.FakeVault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11, done-when: twenty keys of one Vault (AppRole from the environment) cost one login, one mount
 * look-up per mount and twenty reads, and a constant number of threads, whether they come from
 * {@link CachedKey#of} (the shared client, installed here with an injected environment through the
 * package-private test seam {@code Keys.installShared}) or from an explicit {@link Keys} client; closing
 * the client revokes its token and leaves none of its threads.
 */
class SharedClientVaultTest {

    private static final int KEYS = 20;

    @TempDir
    Path home;
    private FakeVault vault;
    private Map<String, String> env;
    private Set<Thread> before;

    @BeforeEach
    void setUp() {
        vault = FakeVault.start();
        vault.mountKv2("secret/");
        vault.mountKv1("legacy/");
        for (int i = 0; i < KEYS; i++) {
            vault.putKv((i % 2 == 0 ? "secret/app/k" : "legacy/app/k") + i, Map.of("v", "value-" + i));
        }
        vault.appRole("approle", "role-1", "secret-1", Duration.ofHours(1), true);
        env = new HashMap<>();
        env.put("VAULT_ADDR", vault.address());
        env.put("VAULT_ROLE_ID", "role-1");
        env.put("VAULT_SECRET_ID", "secret-1");
        env.put("KEYSOURCE_VAULT_AUTH", "approle");
        env.put("HOME", home.toString());
        Keys.installShared(null);
        before = Thread.getAllStackTraces().keySet();
    }

    @AfterEach
    void tearDown() {
        Keys.installShared(null);
        vault.close();
    }

    private static String ref(int i) {
        return "vault:" + (i % 2 == 0 ? "secret" : "legacy") + "/app/k" + i + "#v";
    }

    @Test
    void cachedKeyOf_twentyReferencesOfOneVault_oneLoginOneMountLookupPerMountTwentyReadsFewThreads() {
        Keys.installShared(Keys.builder().environment(env).systemProperties(Map.of()));
        List<CachedKey> keys = new ArrayList<>();
        for (int i = 0; i < KEYS; i++) {
            CachedKey k = CachedKey.of(ref(i)); // twenty places of a service, each with the one-liner
            keys.add(k);
            assertThat(k.get()).isEqualTo("value-" + i);
        }
        for (CachedKey k : keys) {
            k.get(); // cached
        }
        assertCalls();
        assertThat(addedThreads()).as("threads added by keysource").hasSizeLessThanOrEqualTo(3);
        String token = vault.issuedTokens().get(0);
        assertThat(vault.valid(token)).isTrue();

        Keys.installShared(null); // closes the shared client

        assertClosed(token, "keysource-shared-");
    }

    @Test
    void keysClient_twentyReferencesOfOneVault_oneLoginOneMountLookupPerMountTwentyReadsFewThreads() {
        Keys keys = Keys.builder().environment(env).systemProperties(Map.of()).build();
        for (int i = 0; i < KEYS; i++) {
            assertThat(keys.get(ref(i))).isEqualTo("value-" + i);
        }
        for (int i = 0; i < KEYS; i++) {
            assertThat(keys.key(ref(i)).get()).isEqualTo("value-" + i);
        }
        assertCalls();
        assertThat(keys.references()).hasSize(KEYS);
        assertThat(addedThreads()).as("threads added by keysource").hasSizeLessThanOrEqualTo(3);
        String token = vault.issuedTokens().get(0);

        keys.close();

        assertClosed(token, "keysource-client-");
    }

    @Test
    void keysClient_userExecutorOfOneThread_loadsEveryVaultKey() {
        java.util.concurrent.ExecutorService one = java.util.concurrent.Executors.newFixedThreadPool(1);
        try (Keys keys = Keys.builder().environment(env).systemProperties(Map.of()).executor(one).build()) {
            for (int i = 0; i < 4; i++) {
                assertThat(keys.get(ref(i))).isEqualTo("value-" + i);
            }
        } finally {
            one.shutdownNow();
        }
    }

    @Test
    void close_givenToken_neverRevoked() {
        String token = vault.createToken(Duration.ofHours(1), true);
        env.remove("KEYSOURCE_VAULT_AUTH");
        env.put("VAULT_TOKEN", token);
        try (Keys keys = Keys.builder().environment(env).systemProperties(Map.of()).build()) {
            assertThat(keys.get(ref(0))).isEqualTo("value-0");
        }
        assertThat(vault.count("POST", "auth/token/revoke-self")).isZero();
        assertThat(vault.valid(token)).isTrue();
    }

    private void assertCalls() {
        assertThat(vault.count("POST", "auth/approle/login")).as("logins").isEqualTo(1);
        List<String> mountLookups = vault.requests().stream().map(r -> r.path)
                .filter(p -> p.startsWith("sys/internal/ui/mounts/")).collect(Collectors.toList());
        assertThat(mountLookups).as("one mount look-up per mount").hasSize(2);
        long reads = vault.requests().stream()
                .filter(r -> r.method.equals("GET") && (r.path.startsWith("secret/data/app/") || r.path.startsWith("legacy/app/")))
                .count();
        assertThat(reads).as("reads").isEqualTo(KEYS);
    }

    private void assertClosed(String token, String threadPrefix) {
        assertThat(vault.count("POST", "auth/token/revoke-self")).as("revocations").isEqualTo(1);
        assertThat(vault.valid(token)).as("the token the client logged in for").isFalse();
        // shutdownNow() has interrupted them; they end asynchronously
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(liveThreads(threadPrefix))
                .as("threads the client created").isEmpty());
    }

    /** Threads started since the test began (keysource's, and the JDK HTTP client's it made), still alive. */
    private List<String> addedThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> !before.contains(t) && t.isAlive())
                .map(Thread::getName).filter(n -> n.startsWith("keysource-") || n.startsWith("HttpClient-"))
                .sorted().collect(Collectors.toList());
    }

    private static List<String> liveThreads(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith(prefix)).collect(Collectors.toList());
    }
}
