package dev.keysource;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysource.spi.KeySource;
import dev.keysource.testkit.FakeTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The two optional hooks of {@link KeySource}: {@code rejected} and {@code watch}. */
class SourceHooksTest {

    private final FakeTime time = new FakeTime();
    /** Returns "v" + call number; records what the cache told it. */
    static final class HookedSource implements KeySource {
        final KeyRef ref = KeyRef.parse("fake:api-key");
        final AtomicInteger calls = new AtomicInteger();
        final List<String> log = new CopyOnWriteArrayList<>();
        final AtomicReference<Runnable> changed = new AtomicReference<>();
        volatile boolean afterRejection;
        volatile Runnable duringFetch;

        @Override
        public KeyRef ref() {
            return ref;
        }

        @Override
        public Secret fetch() {
            Runnable during = duringFetch;
            duringFetch = null;
            if (during != null) {
                during.run();
            }
            log.add("fetch" + (afterRejection ? " after rejection" : ""));
            afterRejection = false;
            return Secret.of("v" + calls.incrementAndGet());
        }

        @Override
        public void rejected(Secret value) {
            log.add("rejected " + value.value());
            afterRejection = true;
        }

        @Override
        public void watch(Runnable onChange) {
            log.add("watch");
            changed.set(onChange);
        }
    }

    private CachedKey key(HookedSource src, java.util.concurrent.Executor executor) {
        return CachedKey.builder(src).ticker(time.ticker()).clock(time.clock()).scheduler(time.scheduler())
                .executor(executor).jitter(0).environment(Map.of()).systemProperties(Map.of()).build();
    }

    @Test
    void reject_tellsTheSourceBeforeTheReplacingFetch() {
        HookedSource src = new HookedSource();
        CachedKey key = key(src, Runnable::run);
        assertThat(key.get()).isEqualTo("v1");
        assertThat(key.reject("v1")).isTrue();
        assertThat(key.get()).isEqualTo("v2");
        assertThat(src.log).containsExactly("watch", "fetch", "rejected v1", "fetch after rejection");
    }

    @Test
    void reject_ofAReplacedValue_doesNotTellTheSource() {
        HookedSource src = new HookedSource();
        CachedKey key = key(src, Runnable::run);
        key.get();
        assertThat(key.reject("other")).isFalse();
        assertThat(src.log).containsExactly("watch", "fetch");
    }

    @Test
    void watch_changeWhileCached_refreshesWithoutWaitingForTheTtl() {
        HookedSource src = new HookedSource();
        CachedKey key = key(src, Runnable::run);
        assertThat(key.get()).isEqualTo("v1");
        src.changed.get().run();
        assertThat(key.get()).isEqualTo("v2");
        assertThat(src.calls.get()).isEqualTo(2);
    }

    @Test
    void watch_changeWithNothingCached_fetchesNothingUntilTheNextRead() {
        HookedSource src = new HookedSource();
        CachedKey key = key(src, Runnable::run);
        src.changed.get().run();
        assertThat(src.calls.get()).isZero();
        assertThat(key.get()).isEqualTo("v1");
    }

    @Test
    void watch_changeDuringARunningRefresh_refreshesAgainAfterIt() {
        HookedSource src = new HookedSource();
        CachedKey key = key(src, Runnable::run);
        assertThat(key.get()).isEqualTo("v1");
        src.duringFetch = () -> src.changed.get().run(); // the file changes while the refresh reads it
        key.refresh();
        assertThat(src.calls.get()).isEqualTo(3);
        assertThat(key.get()).isEqualTo("v3");
    }

    @Test
    void watch_afterClose_doesNothing() {
        HookedSource src = new HookedSource();
        CachedKey key = key(src, Runnable::run);
        key.get();
        key.close();
        src.changed.get().run();
        assertThat(src.calls.get()).isEqualTo(1);
    }

    @Test
    void note_fromAProvider_isListedAmongTheConsultedSettings() {
        dev.keysource.spi.KeySourceProvider provider = new dev.keysource.spi.KeySourceProvider() {
            @Override
            public String scheme() {
                return "fake";
            }

            @Override
            public java.util.Set<String> options() {
                return java.util.Set.of();
            }

            @Override
            public KeySource create(KeyRef ref, dev.keysource.spi.ProviderContext context) {
                context.note("no token: the local proxy adds its own");
                return new HookedSource();
            }
        };
        try (KeyFetcher fetcher = CachedKey.builder("fake:api-key").providers(List.of(provider))
                .environment(Map.of()).systemProperties(Map.of()).buildFetcher()) {
            assertThat(fetcher.consulted()).contains("no token: the local proxy adds its own");
        }
    }
}
