package dev.keysource.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SharedPoolTest {

    /** A value that knows whether it was closed, and how often. */
    static final class Res {
        final String key;
        final AtomicInteger closes = new AtomicInteger();

        Res(String key) {
            this.key = key;
        }
    }

    private final AtomicInteger opened = new AtomicInteger();
    private final List<Res> closed = java.util.Collections.synchronizedList(new ArrayList<>());
    private final SharedPool<String, Res> pool = new SharedPool<>(r -> {
        r.closes.incrementAndGet();
        closed.add(r);
    });

    private SharedPool.Lease<Res> acquire(String key) {
        return pool.acquire(key, k -> {
            opened.incrementAndGet();
            return new Res(k);
        });
    }

    @Test
    void acquire_sameKey_sharesOneValueUntilTheLastRelease() {
        SharedPool.Lease<Res> a = acquire("vault-1");
        SharedPool.Lease<Res> b = acquire("vault-1");

        assertThat(b.value()).isSameAs(a.value());
        assertThat(opened).hasValue(1);

        a.release();
        a.release();
        assertThat(closed).as("one lease still holds it; a second release is a no-op").isEmpty();
        assertThat(pool.size()).isEqualTo(1);

        b.release();
        assertThat(closed).containsExactly(a.value());
        assertThat(pool.size()).isZero();

        SharedPool.Lease<Res> c = acquire("vault-1");
        assertThat(c.value()).as("a new value after the last one closed").isNotSameAs(a.value());
        assertThat(opened).hasValue(2);
        c.release();
    }

    @Test
    void acquire_differentKeys_openSeparateValues() {
        SharedPool.Lease<Res> a = acquire("eu-west-1");
        SharedPool.Lease<Res> b = acquire("us-east-1");

        assertThat(a.value()).isNotSameAs(b.value());
        assertThat(pool.size()).isEqualTo(2);
        a.release();
        assertThat(closed).extracting(r -> r.key).containsExactly("eu-west-1");
        b.release();
        assertThat(pool.size()).isZero();
    }

    @Test
    void acquire_openFails_propagatesAndKeepsNothing() {
        AtomicInteger attempts = new AtomicInteger();
        SharedPool<String, Res> failing = new SharedPool<>(r -> { });
        java.util.function.Function<String, Res> open = k -> {
            if (attempts.incrementAndGet() == 1) {
                throw new IllegalStateException("no CA file");
            }
            return new Res(k);
        };

        assertThatThrownBy(() -> failing.acquire("k", open)).isInstanceOf(IllegalStateException.class)
                .hasMessage("no CA file");
        assertThat(failing.size()).isZero();

        SharedPool.Lease<Res> l = failing.acquire("k", open);
        assertThat(l.value().key).isEqualTo("k");
        assertThat(attempts).hasValue(2);
    }

    @Test
    void release_closeFails_propagatesAndTheValueIsGone() {
        SharedPool<String, Res> failing = new SharedPool<>(r -> {
            throw new IllegalStateException("revoke failed");
        });
        SharedPool.Lease<Res> l = failing.acquire("k", Res::new);

        assertThatThrownBy(l::release).hasMessage("revoke failed");
        assertThat(failing.size()).isZero();
        l.release(); // idempotent: does not close again
    }

    @Test
    void release_closeRunsOutsideThePoolLock() throws Exception {
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            java.util.concurrent.atomic.AtomicReference<SharedPool<String, Res>> self =
                    new java.util.concurrent.atomic.AtomicReference<>();
            self.set(new SharedPool<>(r -> {
                if (!r.key.equals("k")) {
                    return;
                }
                // another thread uses the pool while close runs (a revoke over the network takes time)
                try {
                    CompletableFuture.runAsync(() -> self.get().acquire("other", Res::new).release(), other)
                            .get(10, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new AssertionError("the pool was locked while a value closed", e);
                }
            }));

            self.get().acquire("k", Res::new).release();

            assertThat(self.get().size()).isZero();
        } finally {
            other.shutdownNow();
        }
    }

    @Test
    void acquireAndRelease_concurrently_openEachValueOnceAtATimeAndCloseEveryOneExactlyOnce() throws Exception {
        int threads = 8;
        int rounds = 2_000;
        ExecutorService exec = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        AtomicInteger usedAfterClose = new AtomicInteger();
        try {
            SharedPool.Lease<Res> held = acquire("held");
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String key = t % 2 == 0 ? "a" : "b";
                done.add(exec.submit(() -> {
                    start.await();
                    for (int i = 0; i < rounds; i++) {
                        SharedPool.Lease<Res> l = acquire(i % 3 == 0 ? "held" : key);
                        if (l.value().closes.get() != 0) {
                            usedAfterClose.incrementAndGet();
                        }
                        l.release();
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }

            assertThat(usedAfterClose).as("no lease handed out a closed value").hasValue(0);
            assertThat(pool.size()).as("only the held value is left").isEqualTo(1);
            assertThat(closed).allSatisfy(r -> assertThat(r.closes).hasValue(1));
            assertThat(closed).extracting(r -> r.key).doesNotContain("held");
            assertThat(opened.get()).isEqualTo(closed.size() + 1);

            held.release();
            assertThat(pool.size()).isZero();
            assertThat(opened.get()).isEqualTo(closed.size());
        } finally {
            exec.shutdownNow();
        }
    }
}
