package dev.keysource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keysource.testkit.FakeKeySource;
import dev.keysource.testkit.FakeTime;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 11 item 4 (no work inside a map lock; a refresh in flight never brings a value back; events after
 * publication) and issue 15 #10 (close during a load) and #16 (a listener that throws an Error).
 */
class CacheLocksAndListenersTest {

    private final FakeTime time = new FakeTime();
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void shutdown() {
        pool.shutdownNow();
    }

    private CachedKey key(FakeKeySource source, UnaryOperator<CachedKey.Builder> cfg) {
        return cfg.apply(CachedKey.builder(source)
                .ticker(time.ticker()).clock(time.clock()).scheduler(time.scheduler()).executor(Runnable::run)
                .jitter(0).environment(Map.of()).systemProperties(Map.of())).build();
    }

    @Test
    void listenerCallingGetOnFetched_isServedThePublishedValue() {
        FakeKeySource src = FakeKeySource.of("fake:api-key").thenReturn("v1", "v2");
        AtomicReference<CachedKey> self = new AtomicReference<>();
        List<String> seen = new CopyOnWriteArrayList<>();
        CachedKey key = key(src, b -> b.listener(ev -> {
            if (ev.type() == KeyEvent.Type.FETCHED) {
                seen.add(self.get().get()); // inside compute this was "Recursive update"
            }
        }));
        self.set(key);
        assertThat(key.get()).isEqualTo("v1");
        assertThat(seen).containsExactly("v1");
        assertThat(src.calls()).isEqualTo(1);
    }

    @Test
    void listenerCallingGetOnRefreshed_seesTheNewValue() throws Exception {
        FakeKeySource src = FakeKeySource.of("fake:api-key").thenReturn("v1", "v2");
        AtomicReference<CachedKey> self = new AtomicReference<>();
        List<String> seen = new CopyOnWriteArrayList<>();
        CachedKey key = key(src, b -> b.listener(ev -> {
            if (ev.type() == KeyEvent.Type.REFRESHED) {
                seen.add(self.get().get());
            }
        }));
        self.set(key);
        key.get();
        key.refresh().get(10, TimeUnit.SECONDS);
        assertThat(seen).containsExactly("v2");
    }

    @Test
    void refreshInFlight_thenInvalidate_doesNotBringTheValueBack() throws Exception {
        FakeKeySource src = FakeKeySource.of("fake:api-key").thenReturn("v1", "v2", "v3");
        CachedKey key = key(src, b -> b.executor(pool));
        assertThat(key.get()).isEqualTo("v1");
        src.hold(1);
        CompletableFuture<Secret> refresh = key.refresh();
        assertThat(src.awaitEntered(Duration.ofSeconds(10))).isTrue();
        key.invalidate();
        src.open();
        assertThat(refresh.get(10, TimeUnit.SECONDS).value()).isEqualTo("v2");
        assertThat(key.get()).as("fetched after the invalidation, not the refresh begun before it").isEqualTo("v3");
        assertThat(src.calls()).isEqualTo(3);
    }

    @Test
    void refreshInFlight_thenReject_doesNotBringTheValueBack() throws Exception {
        FakeKeySource src = FakeKeySource.of("fake:api-key").thenReturn("v1", "v1", "v3");
        CachedKey key = key(src, b -> b.executor(pool));
        assertThat(key.get()).isEqualTo("v1");
        src.hold(1);
        CompletableFuture<Secret> refresh = key.refresh(); // will fetch the very value being rejected
        assertThat(src.awaitEntered(Duration.ofSeconds(10))).isTrue();
        assertThat(key.reject("v1")).isTrue();
        src.open();
        refresh.get(10, TimeUnit.SECONDS);
        assertThat(key.get()).isEqualTo("v3");
    }

    @Test
    void listenerThrowingAssertionError_isLoggedAndIgnored_valueStaysCached() {
        FakeKeySource src = FakeKeySource.of("fake:api-key").thenReturn("v1", "v2");
        CachedKey key = key(src, b -> b.listener(ev -> {
            throw new AssertionError("listener bug");
        }));
        assertThat(key.get()).isEqualTo("v1");
        assertThat(key.get()).isEqualTo("v1");
        assertThat(src.calls()).isEqualTo(1);
    }

    @Test
    void listenerThrowingStackOverflowError_isLoggedAndIgnored() {
        FakeKeySource src = FakeKeySource.of("fake:api-key").thenReturn("v1", "v2");
        CachedKey key = key(src, b -> b.listener(ev -> {
            throw new StackOverflowError();
        }));
        assertThat(key.get()).isEqualTo("v1");
        assertThat(key.get()).isEqualTo("v1");
        assertThat(src.calls()).isEqualTo(1);
    }

    @Test
    void listenerThrowingOutOfMemoryError_isRethrown_valueStaysCached() {
        FakeKeySource src = FakeKeySource.of("fake:api-key").thenReturn("v1", "v2");
        CachedKey key = key(src, b -> b.listener(ev -> {
            if (ev.type() == KeyEvent.Type.FETCHED) {
                throw new OutOfMemoryError("test");
            }
        }));
        assertThatThrownBy(key::get).isInstanceOf(OutOfMemoryError.class);
        assertThat(key.get()).isEqualTo("v1");
        assertThat(src.calls()).isEqualTo(1);
    }

    @Test
    void close_whileGetLoads_callerGetsOnlyTheDocumentedExceptions() throws Exception {
        for (int i = 0; i < 20; i++) {
            FakeKeySource src = FakeKeySource.of("fake:api-key").thenReturn("v1");
            src.hold(1);
            // the key's own threads (what close shuts down), real time
            CachedKey key = CachedKey.builder(src).environment(Map.of()).systemProperties(Map.of())
                    .backoff(Duration.ofMillis(1)).build();
            CompletableFuture<String> caller = CompletableFuture.supplyAsync(key::get, pool);
            assertThat(src.awaitEntered(Duration.ofSeconds(10))).isTrue();
            key.close();
            src.open();
            Throwable thrown = null;
            try {
                caller.get(10, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                thrown = e.getCause();
            }
            assertThat(thrown).as("what get() threw").isNotNull()
                    .satisfiesAnyOf(t -> assertThat(t).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed"),
                            t -> assertThat(t).isInstanceOf(KeySourceException.class));
        }
    }
}
