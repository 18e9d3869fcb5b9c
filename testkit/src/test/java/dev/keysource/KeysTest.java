package dev.keysource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keysource.spi.KeySource;
import dev.keysource.spi.KeySourceProvider;
import dev.keysource.spi.ProviderContext;
import dev.keysource.testkit.FakeKeySource;
import dev.keysource.testkit.FakeTime;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The {@link Keys} client: one entry per canonical reference, handles, defaults, bound, close. */
class KeysTest {

    private final FakeTime time = new FakeTime();
    private final List<KeyEvent> events = new CopyOnWriteArrayList<>();

    /** The {@code fake} scheme: one FakeKeySource per location, answering "<location>-1", "<location>-2", ... */
    static final class FakeProvider implements KeySourceProvider {
        final Map<String, FakeKeySource> sources = new ConcurrentHashMap<>();
        final List<ProviderContext> contexts = new CopyOnWriteArrayList<>();

        @Override
        public String scheme() {
            return "fake";
        }

        @Override
        public Set<String> options() {
            return Set.of("flavour");
        }

        @Override
        public KeySource create(KeyRef ref, ProviderContext context) {
            contexts.add(context);
            String l = ref.location();
            return sources.computeIfAbsent(ref.toString(),
                    k -> FakeKeySource.of(k).thenReturn(l + "-1", l + "-2", l + "-3", l + "-4"));
        }
    }

    private Keys.Builder client(FakeProvider p) {
        return Keys.builder().provider(p).ticker(time.ticker()).clock(time.clock()).scheduler(time.scheduler())
                .executor(Runnable::run).jitter(0).environment(Map.of()).systemProperties(Map.of())
                .listener(events::add);
    }

    @Test
    void get_sameSecretByTwoSpellingsAndHandles_oneEntryOneFetch() {
        FakeProvider p = new FakeProvider();
        try (Keys keys = client(p).build()) {
            CachedKey a = keys.key("fake:app?flavour=x#f");
            CachedKey b = keys.key("fake:app#f?flavour=x"); // the field before the options, as people type it
            assertThat(a.get()).isEqualTo("app-1");
            assertThat(b.get()).isEqualTo("app-1");
            assertThat(keys.get("fake:app?flavour=x#f")).isEqualTo("app-1");
            assertThat(p.sources).hasSize(1);
            assertThat(p.sources.values().iterator().next().calls()).isEqualTo(1);
            assertThat(keys.references()).containsExactly("fake:app?flavour=x#f");
        }
    }

    @Test
    void keys_shareTheClientsExecutorAndScheduler() {
        FakeProvider p = new FakeProvider();
        try (Keys keys = client(p).build()) {
            keys.get("fake:a");
            keys.get("fake:b");
            assertThat(p.contexts).hasSize(2);
            assertThat(p.contexts.get(0).scheduler()).isSameAs(p.contexts.get(1).scheduler()).isSameAs(time.scheduler());
        }
    }

    @Test
    void ttl_clientDefault_referenceOptionOverridesItForItsKey() {
        FakeProvider p = new FakeProvider();
        try (Keys keys = client(p).ttl(Duration.ofMinutes(10)).refreshAhead(1.0).build()) {
            keys.get("fake:long");
            keys.get("fake:short?ttl=1m");
            time.advance(Duration.ofMinutes(1));
            assertThat(keys.get("fake:short?ttl=1m")).isEqualTo("short-2");
            assertThat(keys.get("fake:long")).isEqualTo("long-1");
            time.advance(Duration.ofMinutes(9));
            assertThat(keys.get("fake:long")).isEqualTo("long-2");
        }
    }

    @Test
    void rejectAndInvalidate_byReference() {
        FakeProvider p = new FakeProvider();
        try (Keys keys = client(p).build()) {
            assertThat(keys.get("fake:a")).isEqualTo("a-1");
            assertThat(keys.reject("fake:a", "stale")).isFalse();
            assertThat(keys.reject("fake:a", "a-1")).isTrue();
            assertThat(keys.get("fake:a")).isEqualTo("a-2");
            keys.invalidate("fake:a");
            assertThat(keys.get("fake:a")).isEqualTo("a-3");
            assertThat(keys.reject("fake:never-read", "x")).isFalse();
            assertThat(keys.references()).containsExactly("fake:a");
        }
    }

    @Test
    void maximumSize_evictsBeyondTheBound_andTheEvictedKeyLoadsAgain() {
        FakeProvider p = new FakeProvider();
        try (Keys keys = client(p).maximumSize(2).build()) {
            for (String ref : new String[] {"fake:a", "fake:b", "fake:c"}) {
                keys.get(ref);
            }
            time.advance(Duration.ZERO); // Caffeine's maintenance runs on the client's scheduler
            assertThat(keys.core().cachedValues()).isEqualTo(2);
            int calls = 0;
            for (String ref : new String[] {"fake:a", "fake:b", "fake:c"}) {
                keys.get(ref);
            }
            for (FakeKeySource s : p.sources.values()) {
                calls += s.calls();
            }
            assertThat(calls).as("one of the three was evicted and loaded again").isEqualTo(4);
        }
    }

    @Test
    void handleClose_releasesOnlyTheHandle_clientCloseClosesEverything() {
        FakeProvider p = new FakeProvider();
        Keys keys = client(p).build();
        CachedKey a = keys.key("fake:a");
        List<KeyEvent> mine = new CopyOnWriteArrayList<>();
        a.addListener(mine::add);
        a.get();
        a.close();
        assertThatThrownBy(a::get).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        keys.invalidate("fake:a");
        assertThat(keys.get("fake:a")).as("the entry is the client's").isEqualTo("a-2");
        assertThat(mine).as("the closed handle's listener is removed").hasSize(1);
        assertThat(events).extracting(KeyEvent::type).containsExactly(KeyEvent.Type.FETCHED, KeyEvent.Type.FETCHED,
                KeyEvent.Type.ROTATED);

        keys.close();

        assertThat(p.sources.get("fake:a").isClosed()).isTrue();
        assertThatThrownBy(() -> keys.get("fake:a")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        time.advance(Duration.ofHours(1));
        assertThat(p.sources.get("fake:a").calls()).isEqualTo(2);
    }

    @Test
    void build_settingOfSchemeNobodyServes_refusedNamingIt() {
        assertThatThrownBy(() -> client(new FakeProvider()).setting("vualt", "auth", "approle").build())
                .isInstanceOf(SourceMisconfiguredException.class)
                .hasMessageStartingWith("settings given for scheme 'vualt', which no backend serves: unknown scheme");
    }

    @Test
    void build_invalidCoreSettingFromEnvironment_refusedAtBuild() {
        assertThatThrownBy(() -> Keys.builder().environment(Map.of("KEYSOURCE_ATTEMPTS", "lots"))
                .systemProperties(Map.of()).build())
                .isInstanceOf(SourceMisconfiguredException.class).hasMessageContaining("attempts");
    }
}
