package dev.keysource;


import static org.assertj.core.api.Assertions.assertThat;

import dev.keysource.spi.KeySource;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * Soak (issue 6): 8 threads read 3 keys for the whole run while the backend fails half its calls at
 * random and has latency spikes. Real time, bounded: {@code -Dkeysource.soak.seconds} (default 20).
 */
class SoakTest {

    private static final long SECONDS = Long.getLong("keysource.soak.seconds", 20);
    private static final long SEED = Long.getLong("keysource.soak.seed", 6L);

    /** Fails ~half the calls (transient), with latency spikes; values rotate each successful call. */
    private static final class FlakyBackend implements KeySource {
        private final KeyRef ref;
        private final Random random;
        final AtomicLong calls = new AtomicLong();
        final AtomicLong failures = new AtomicLong();

        FlakyBackend(String ref, long seed) {
            this.ref = KeyRef.parse(ref);
            this.random = new Random(seed);
        }

        @Override
        public KeyRef ref() {
            return ref;
        }

        @Override
        public Secret fetch() {
            long n = calls.incrementAndGet();
            int roll;
            boolean fail;
            synchronized (random) {
                roll = random.nextInt(100);
                fail = random.nextBoolean();
            }
            long latencyMs = roll < 5 ? 150 : roll < 20 ? 20 : 1; // spikes: 5% at 150 ms (over the 100 ms limit)
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(latencyMs));
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt();
                throw new SourceInterruptedException(ref.toString(), "interrupted");
            }
            if (fail) {
                failures.incrementAndGet();
                throw new SourceUnavailableException(ref.toString(), "injected 503");
            }
            return Secret.builder("value-" + n).version(Long.toString(n)).build();
        }
    }

    @Test
    void soak_flakyBackend_noCallerVisibleErrorsBoundedCallsNoLeaks() throws Exception {
        System.out.println("SoakTest seconds=" + SECONDS + " seed=" + SEED);
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        Duration ttl = Duration.ofMillis(400);
        int attempts = 5;
        List<FlakyBackend> backends = new ArrayList<>();
        List<CachedKey> keys = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            FlakyBackend b = new FlakyBackend("soak:key-" + i, SEED + i);
            backends.add(b);
            keys.add(CachedKey.builder(b).ttl(ttl).staleGrace(Duration.ofSeconds(10)).maxAttempts(attempts)
                    .backoff(Duration.ofMillis(10)).timeout(Duration.ofMillis(100)).environment(Map.of())
                    .systemProperties(Map.of()).build());
        }
        // first successful load of each key (may take retries)
        for (CachedKey k : keys) {
            for (int tries = 0; ; tries++) {
                try {
                    k.get();
                    break;
                } catch (SourceUnavailableException e) {
                    assertThat(tries).as("first load keeps failing").isLessThan(20);
                }
            }
        }
        AtomicBoolean stop = new AtomicBoolean();
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        AtomicLong reads = new AtomicLong();
        CountDownLatch done = new CountDownLatch(8);
        List<Thread> readers = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int id = t;
            Thread th = new Thread(() -> {
                long n = 0;
                try {
                    while (!stop.get()) {
                        String v = keys.get((int) (n % 3)).get();
                        if (v == null || !v.startsWith("value-")) {
                            errors.add(new AssertionError("bad value read"));
                        }
                        n++;
                        if ((n & 0xFFF) == 0) {
                            LockSupport.parkNanos(50_000); // let the refresh threads breathe on 2 cores
                        }
                    }
                } catch (Throwable e) {
                    errors.add(e);
                } finally {
                    reads.addAndGet(n);
                    done.countDown();
                }
            }, "soak-reader-" + id);
            readers.add(th);
            th.start();
        }
        long half = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS) / 2;
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS);
        LockSupport.parkNanos(half - System.nanoTime());
        System.gc();
        long heapMid = memory.getHeapMemoryUsage().getUsed();
        while (System.nanoTime() < end) {
            LockSupport.parkNanos(end - System.nanoTime());
        }
        stop.set(true);
        assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();

        long calls = backends.stream().mapToLong(b -> b.calls.get()).sum();
        long failures = backends.stream().mapToLong(b -> b.failures.get()).sum();
        // each key refreshes at most every ttl * 0.8 * 0.9 (jitter); each refresh makes at most `attempts` calls
        long refreshesPerKey = TimeUnit.SECONDS.toMillis(SECONDS) / (long) (ttl.toMillis() * 0.8 * 0.9) + 2;
        long bound = 3 * refreshesPerKey * attempts + 3 * 20;
        System.out.printf("SoakTest reads=%d backendCalls=%d injectedFailures=%d bound=%d errors=%d%n",
                reads.get(), calls, failures, bound, errors.size());
        assertThat(errors).as("caller-visible errors after the first load").isEmpty();
        assertThat(failures).as("the backend really failed").isGreaterThan(calls / 4);
        assertThat(calls).isLessThanOrEqualTo(bound);
        assertThat(reads.get()).isGreaterThan(10_000);

        keys.forEach(CachedKey::close);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline && !keysourceThreads().isEmpty()) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        assertThat(keysourceThreads()).as("threads left after close").isEmpty();
        System.gc();
        long heapEnd = memory.getHeapMemoryUsage().getUsed();
        System.out.printf("SoakTest heapMid=%d KiB heapEnd=%d KiB%n", heapMid / 1024, heapEnd / 1024);
        assertThat(heapEnd).as("heap after the run vs halfway").isLessThan(heapMid + 64L * 1024 * 1024);
    }

    private static List<String> keysourceThreads() {
        List<String> names = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive() && t.getName().startsWith("keysource-soak-")) {
                names.add(t.getName());
            }
        }
        return names;
    }
}
