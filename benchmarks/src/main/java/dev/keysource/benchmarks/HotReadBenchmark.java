package dev.keysource.benchmarks;

import com.amazonaws.secretsmanager.caching.SecretCache;
import com.amazonaws.secretsmanager.caching.SecretCacheConfiguration;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import dev.keysource.CachedKey;
import dev.keysource.Keys;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Hot read: one secret, already cached, read as fast as the threads can (run with {@code -t 1} and
 * {@code -t 2}). All four read the same value from a backend that answers at once; none refreshes
 * during the run (TTLs of minutes).
 *
 * <ul>
 *   <li>{@code keysourceGet}: {@link CachedKey#get()} of a handle from a {@link Keys} client.
 *   <li>{@code keysGet}: {@link Keys#get(String)} of that client (a map look-up by the reference, then the
 *       handle's read).
 *   <li>{@code cachingClientGetSecretString}: {@code SecretCache.getSecretString} of
 *       aws-secretsmanager-caching-java 2.2.0 over {@link StubSecretsManagerClient}.
 *   <li>{@code caffeineLoadingGet}: a Caffeine {@code LoadingCache.get} with {@code refreshAfterWrite}
 *       and {@code expireAfterWrite} (the cache a user would hand-roll; it reads the clock per get).
 *   <li>{@code caffeineGetIfPresent}: a bare unbounded Caffeine {@code getIfPresent}, the floor.
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class HotReadBenchmark {

    static final String SECRET_ID = "prod/claude";
    static final String VALUE = "sk-bench-0123456789abcdefghijklmnopqrstuvwxyz";

    static final String REFERENCE = "bench:" + SECRET_ID;

    private Keys keys;
    private CachedKey key;
    private SecretCache cachingClient;
    private LoadingCache<String, String> loading;
    private Cache<String, String> floor;

    @Setup(Level.Trial)
    public void setUp() {
        Backend backend = new Backend(0);
        keys = Keys.builder().provider(new BenchProvider(backend, id -> VALUE)).ttl(Duration.ofMinutes(5)).build();
        key = keys.key(REFERENCE);
        cachingClient = new SecretCache(new SecretCacheConfiguration()
                .withClient(new StubSecretsManagerClient(backend, id -> VALUE))
                .withCacheItemTTL(TimeUnit.MINUTES.toMillis(5)));
        loading = Caffeine.newBuilder()
                .refreshAfterWrite(Duration.ofMinutes(4))
                .expireAfterWrite(Duration.ofMinutes(5))
                .build(id -> VALUE);
        floor = Caffeine.newBuilder().build();
        floor.put(SECRET_ID, VALUE);
        check(key.get(), "keysource");
        check(keys.get(REFERENCE), "keysource client");
        check(cachingClient.getSecretString(SECRET_ID), "caching client");
        check(loading.get(SECRET_ID), "caffeine loading");
        check(floor.getIfPresent(SECRET_ID), "caffeine");
    }

    private static void check(String v, String who) {
        if (!VALUE.equals(v)) {
            throw new IllegalStateException(who + " did not return the benchmark value");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        keys.close();
        cachingClient.close();
    }

    @Benchmark
    public String keysourceGet() {
        return key.get();
    }

    @Benchmark
    public String keysGet() {
        return keys.get(REFERENCE);
    }

    @Benchmark
    public String cachingClientGetSecretString() {
        return cachingClient.getSecretString(SECRET_ID);
    }

    @Benchmark
    public String caffeineLoadingGet() {
        return loading.get(SECRET_ID);
    }

    @Benchmark
    public String caffeineGetIfPresent() {
        return floor.getIfPresent(SECRET_ID);
    }
}
