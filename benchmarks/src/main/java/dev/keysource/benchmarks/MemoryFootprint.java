package dev.keysource.benchmarks;

import com.amazonaws.secretsmanager.caching.SecretCache;
import com.amazonaws.secretsmanager.caching.SecretCacheConfiguration;
import dev.keysource.CachedKey;
import dev.keysource.Keys;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * Heap retained per cached key: {@code --keys} (10,000) secrets, each read once and held, in a JVM of
 * its own (run it with {@code -XX:+UseSerialGC} so {@link System#gc()} is a full, compacting
 * collection and the heap in use afterwards is exactly what is live). Per key = (heap after loading
 * every key − heap after a warm-up that loaded and dropped a few) / keys. Every secret value is a
 * distinct 44-character string, counted in every row (each client holds its values).
 *
 * <p>{@code --impl}:
 * <ul>
 *   <li>{@code map}: the values in a {@code ConcurrentHashMap} by id, the floor;
 *   <li>{@code keysource}: one {@link Keys} client holding every secret, a {@link CachedKey} handle
 *       held per secret (what a service with many keys does); its default executor and scheduler;
 *   <li>{@code keysource-standalone}: one {@link CachedKey} built alone per secret, sharing one executor
 *       and one scheduler passed in (each key is a client of one);
 *   <li>{@code keysource-default}: one {@link CachedKey} per secret, built with the defaults, so each
 *       creates its own fetch pool and scheduler thread (run with fewer keys: two threads per key);
 *   <li>{@code caching-client}: one {@code SecretCache} (max size raised to the key count) holding them all.
 * </ul>
 */
public final class MemoryFootprint {

    private static final int WARMUP_KEYS = 200;

    private MemoryFootprint() {
    }

    /** A set of loaded keys, kept reachable until {@link #close()}. */
    interface Held extends AutoCloseable {
        @Override
        void close();
    }

    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv);
        String impl = args.string("impl", "keysource");
        int keys = args.integer("keys", 10_000);
        Path out = args.path("out", "results/raw");

        ExecutorService pool = Executors.newCachedThreadPool(r -> daemon(r, "bench-fetch"));
        ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1, r -> daemon(r, "bench-scheduler"));
        scheduler.setRemoveOnCancelPolicy(true);

        // the fake backend is apparatus (its call log alone is 512 KB): made before the baseline, so the figure is
        // the client's heap only, for every impl alike
        Backend backend = new Backend(0);
        load(impl, WARMUP_KEYS, backend, pool, scheduler).close();
        long heapBefore = heapAfterGc();
        long rssBefore = rssBytes();
        int threadsBefore = Thread.activeCount();
        Held held = load(impl, keys, backend, pool, scheduler);
        long heapAfter;
        long rssAfter;
        int threadsAfter;
        try {
            heapAfter = heapAfterGc();
            rssAfter = rssBytes();
            threadsAfter = Thread.activeCount();
        } finally {
            Reference.reachabilityFence(held); // the keys must stay reachable while the heap is measured
            Reference.reachabilityFence(backend); // and the backend, in the baseline and in the figure
        }
        held.close();
        pool.shutdownNow();
        scheduler.shutdownNow();

        double perKey = (heapAfter - heapBefore) / (double) keys;
        Results res = new Results()
                .put("impl", impl)
                .put("keys", keys)
                .put("heapBytes", heapAfter - heapBefore)
                .put("heapBytesPerKey", String.format(Locale.ROOT, "%.0f", perKey))
                .put("rssBytesPerKey", rssBefore < 0 ? "n/a"
                        : String.format(Locale.ROOT, "%.0f", (rssAfter - rssBefore) / (double) keys))
                .put("threadsAdded", threadsAfter - threadsBefore);
        res.write(out.resolve("memory-" + impl + ".properties"));
        System.out.printf(Locale.ROOT, "%s: %d keys, %.0f bytes of heap per key, %d threads added%n", impl, keys,
                perKey, threadsAfter - threadsBefore);
    }

    static String id(int i) {
        return String.format(Locale.ROOT, "prod/service-%05d", i);
    }

    /** A distinct 44-character value per secret. */
    static String value(String id) {
        return "sk-bench-" + id.substring(id.length() - 5) + "-0123456789abcdefghijklmnopqrstu";
    }

    static Held load(String impl, int keys, Backend backend, ExecutorService pool,
                     ScheduledThreadPoolExecutor scheduler) {
        switch (impl) {
            case "map" -> {
                Map<String, String> map = new ConcurrentHashMap<>();
                for (int i = 0; i < keys; i++) {
                    String id = id(i);
                    backend.call();
                    map.put(id, value(id));
                }
                return () -> map.clear();
            }
            case "keysource" -> {
                Keys client = Keys.builder()
                        .provider(new BenchProvider(backend, MemoryFootprint::value))
                        .ttl(Duration.ofMinutes(5))
                        .maximumSize(keys)
                        .build();
                @SuppressWarnings("ModifiedButNotUsed") // holds the handles: what is measured is their footprint
                List<CachedKey> list = new ArrayList<>(keys);
                for (int i = 0; i < keys; i++) {
                    CachedKey key = client.key("bench:" + id(i));
                    key.get();
                    list.add(key);
                }
                return () -> {
                    list.clear();
                    client.close();
                };
            }
            case "keysource-standalone", "keysource-default" -> {
                List<CachedKey> list = new ArrayList<>(keys);
                for (int i = 0; i < keys; i++) {
                    String id = id(i);
                    String v = value(id);
                    CachedKey.Builder b = CachedKey.builder(BenchKeySource.constant("bench:" + id, backend, v))
                            .ttl(Duration.ofMinutes(5));
                    if (impl.equals("keysource-standalone")) {
                        b.executor(pool).scheduler(scheduler);
                    }
                    CachedKey key = b.build();
                    key.get();
                    list.add(key);
                }
                return () -> list.forEach(CachedKey::close);
            }
            case "caching-client" -> {
                SecretCache cache = new SecretCache(new SecretCacheConfiguration()
                        .withClient(new StubSecretsManagerClient(backend, MemoryFootprint::value))
                        .withMaxCacheSize(keys)
                        .withCacheItemTTL(Duration.ofMinutes(5).toMillis()));
                for (int i = 0; i < keys; i++) {
                    cache.getSecretString(id(i));
                }
                return cache::close;
            }
            default -> throw new IllegalArgumentException(
                    "--impl must be map, keysource, keysource-standalone, keysource-default or caching-client: "
                            + impl);
        }
    }

    static long heapAfterGc() {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    /** Resident set size from /proc (Linux), or -1 elsewhere. */
    static long rssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.US_ASCII)) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
