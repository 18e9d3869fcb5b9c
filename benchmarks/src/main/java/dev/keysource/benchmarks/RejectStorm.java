package dev.keysource.benchmarks;

import com.amazonaws.secretsmanager.caching.SecretCache;
import com.amazonaws.secretsmanager.caching.SecretCacheConfiguration;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import dev.keysource.CachedKey;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;

/**
 * The 401 storm: {@code --threads} (64) threads all got a 401 with the same key at once; each says so
 * to its cache and reads the key again. Counts the backend calls that causes, per round, for
 *
 * <ul>
 *   <li>keysource: {@code reject(value)} then {@code get()};
 *   <li>a plain Caffeine {@code LoadingCache}: {@code invalidate(id)} then {@code get(id)};
 *   <li>the caching client: {@code refreshNow(id)} (its forced refresh) then {@code getSecretString(id)}.
 * </ul>
 *
 * <p>The backend takes {@code --backend-ms} (20) per call and answers a new value each call.
 */
public final class RejectStorm {

    static final String SECRET_ID = "prod/claude";

    private RejectStorm() {
    }

    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv);
        int threads = args.integer("threads", 64);
        int rounds = args.integer("rounds", 20);
        long backendMs = args.longValue("backend-ms", 20);
        Path out = args.path("out", "results/raw");
        Results res = new Results().put("threads", threads).put("rounds", rounds).put("backendMs", backendMs);
        for (String client : new String[] {"keysource", "caffeine", "caching-client"}) {
            int[] calls = new int[rounds];
            long[] millis = new long[rounds];
            for (int r = 0; r < rounds; r++) {
                long[] elapsed = new long[1];
                calls[r] = round(client, threads, TimeUnit.MILLISECONDS.toNanos(backendMs), elapsed);
                millis[r] = TimeUnit.NANOSECONDS.toMillis(elapsed[0]);
            }
            Arrays.sort(calls);
            Arrays.sort(millis);
            res.put(client + ".stormMs.median", millis[rounds / 2]);
            res.put(client + ".stormMs.max", millis[rounds - 1]);
            res.put(client + ".min", calls[0]);
            res.put(client + ".median", calls[rounds / 2]);
            res.put(client + ".max", calls[rounds - 1]);
            System.out.printf("%s: backend calls per storm of %d threads over %d rounds: min %d, median %d, max %d;"
                            + " all threads had a fresh value after %d ms (median), %d ms (max)%n",
                    client, threads, rounds, calls[0], calls[rounds / 2], calls[rounds - 1], millis[rounds / 2],
                    millis[rounds - 1]);
        }
        res.write(out.resolve("storm.properties"));
    }

    /**
     * Runs one storm against a fresh, warmed cache; returns the backend calls it caused and puts into
     * {@code elapsed[0]} the nanoseconds from the barrier opening until the last thread had its value.
     */
    static int round(String client, int threads, long backendNanos, long[] elapsed) throws Exception {
        Backend backend = new Backend(backendNanos);
        switch (client) {
            case "keysource" -> {
                BenchKeySource source = new BenchKeySource("bench:" + SECRET_ID, backend, n -> "value-" + n);
                try (CachedKey key = CachedKey.builder(source).ttl(Duration.ofMinutes(5)).build()) {
                    String refused = key.get();
                    int before = backend.calls();
                    Set<String> seen = storm(threads, elapsed, () -> {
                        key.reject(refused);
                        return key.get();
                    });
                    requireFresh(client, seen, refused);
                    return backend.calls() - before;
                }
            }
            case "caffeine" -> {
                LoadingCache<String, String> cache = Caffeine.newBuilder().build(id -> "value-" + backend.call());
                String refused = cache.get(SECRET_ID);
                int before = backend.calls();
                Set<String> seen = storm(threads, elapsed, () -> {
                    cache.invalidate(SECRET_ID);
                    return cache.get(SECRET_ID);
                });
                requireFresh(client, seen, refused);
                return backend.calls() - before;
            }
            case "caching-client" -> {
                try (SecretCache cache = new SecretCache(new SecretCacheConfiguration()
                        .withClient(new StubSecretsManagerClient(backend, id -> "value"))
                        .withCacheItemTTL(TimeUnit.MINUTES.toMillis(5)))) {
                    cache.getSecretString(SECRET_ID);
                    int before = backend.calls();
                    storm(threads, elapsed, () -> {
                        cache.refreshNow(SECRET_ID);
                        return cache.getSecretString(SECRET_ID);
                    });
                    return backend.calls() - before;
                }
            }
            default -> throw new IllegalArgumentException("unknown client " + client);
        }
    }

    /** What each storm thread does once the barrier opens: report the 401, then read the key again. */
    interface Read {
        String afterRejecting() throws Exception;
    }

    /** Starts {@code threads} threads at one barrier; returns the distinct values they read afterwards. */
    static Set<String> storm(int threads, long[] elapsed, Read read) throws InterruptedException {
        long[] opened = new long[1];
        long[] done = new long[threads];
        CyclicBarrier barrier = new CyclicBarrier(threads, () -> opened[0] = System.nanoTime());
        String[] got = new String[threads];
        Throwable[] failed = new Throwable[threads];
        Thread[] ts = new Thread[threads];
        for (int i = 0; i < threads; i++) {
            int me = i;
            ts[i] = new Thread(() -> {
                try {
                    barrier.await();
                    got[me] = read.afterRejecting();
                    done[me] = System.nanoTime();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    failed[me] = e;
                } catch (BrokenBarrierException | RuntimeException e) {
                    failed[me] = e;
                } catch (Exception e) { // refreshNow declares InterruptedException only; Read declares Exception
                    failed[me] = e;
                }
            }, "storm-" + i);
            ts[i].start();
        }
        for (Thread t : ts) {
            t.join();
        }
        for (Throwable f : failed) {
            if (f != null) {
                throw new IllegalStateException("a storm thread failed", f);
            }
        }
        elapsed[0] = Arrays.stream(done).max().orElseThrow() - opened[0];
        return new HashSet<>(Arrays.asList(got));
    }

    private static void requireFresh(String client, Set<String> seen, String refused) {
        if (seen.contains(refused) || seen.contains(null)) {
            throw new IllegalStateException(client + ": a thread read the refused value again after rejecting it");
        }
    }
}
