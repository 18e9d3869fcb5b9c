package dev.keysource.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.keysource.CachedKey;
import dev.keysource.SecretNotFoundException;
import dev.keysource.SourceUnavailableException;
import dev.keysource.testkit.Canary;
import dev.keysource.testkit.FakeKeySource;
import dev.keysource.testkit.FakeTime;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class KeySourceMetricsTest {

    private static final String REF = "fake:prod/anthropic";
    private static final String SECRET_2 = Canary.SECRET + "-rotated";

    private final FakeTime time = new FakeTime();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private CachedKey key;

    @AfterEach
    void close() {
        if (key != null) {
            key.close();
        }
        registry.close();
    }

    private CachedKey key(FakeKeySource source, UnaryOperator<CachedKey.Builder> cfg) {
        key = cfg.apply(CachedKey.builder(source)
                .ticker(time.ticker()).clock(time.clock()).scheduler(time.scheduler()).executor(Runnable::run)
                .jitter(0).maxAttempts(1).ttl(Duration.ofMinutes(5)).refreshAhead(0.8)
                .recordStats(true).environment(Map.of()).systemProperties(Map.of())).build();
        return key;
    }

    private CachedKey key(FakeKeySource source) {
        return key(source, b -> b);
    }

    /** A fetch step that takes {@code d} of fake time and returns {@code value}. */
    private FakeKeySource takes(FakeKeySource source, Duration d, String value) {
        return source.then(() -> {
            time.advance(d);
            return dev.keysource.Secret.of(value);
        });
    }

    private double count(String name, String... tags) {
        FunctionCounter fc = registry.find(name).tags(tags).functionCounter();
        if (fc != null) {
            return fc.count();
        }
        return registry.get(name).tags(tags).counter().count();
    }

    private Timer fetchTimer(String kind, String outcome, String exception) {
        return registry.get(KeySourceMetrics.FETCH).tags("kind", kind, "outcome", outcome, "exception", exception)
                .timer();
    }

    private double stale() {
        return registry.get(KeySourceMetrics.STALE).gauge().value();
    }

    private static SourceUnavailableException unavailable() {
        return new SourceUnavailableException(REF, "backend down (503)");
    }

    @Test
    void bind_afterOneLoadAndTwoReads_countsOneMissTwoHitsAndTimesTheLoad() {
        FakeKeySource src = takes(FakeKeySource.of(REF), Duration.ofMillis(40), Canary.SECRET);
        KeySourceMetrics.bind(key(src), "anthropic", registry);

        key.get();
        key.get();
        key.get();

        assertThat(count(KeySourceMetrics.GETS, "result", "miss")).isEqualTo(1);
        assertThat(count(KeySourceMetrics.GETS, "result", "hit")).isEqualTo(2);
        assertThat(count(KeySourceMetrics.ATTEMPTS)).isEqualTo(1);
        Timer load = fetchTimer("load", "success", "none");
        assertThat(load.count()).isEqualTo(1);
        assertThat(load.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(40);
        assertThat(stale()).isZero();
    }

    @Test
    void bind_withoutRecordStats_countsNoHits() {
        FakeKeySource src = FakeKeySource.of(REF).thenReturn(Canary.SECRET);
        KeySourceMetrics.bind(key(src, b -> b.recordStats(false)), "anthropic", registry);

        key.get();
        key.get();

        assertThat(count(KeySourceMetrics.GETS, "result", "hit")).isZero();
        assertThat(count(KeySourceMetrics.GETS, "result", "miss")).isEqualTo(1);
    }

    @Test
    void refreshFailure_whileValueServed_countsStaleServeUntilARefreshSucceeds() {
        FakeKeySource src = FakeKeySource.of(REF).thenReturn(Canary.SECRET).thenFail(unavailable())
                .thenReturn(SECRET_2);
        KeySourceMetrics.bind(key(src), "anthropic", registry);
        key.get();

        time.advance(Duration.ofMinutes(4)); // refresh point: 80% of 5 minutes; it fails

        assertThat(key.get()).isEqualTo(Canary.SECRET);
        assertThat(count(KeySourceMetrics.REFRESH_FAILURES)).isEqualTo(1);
        assertThat(count(KeySourceMetrics.STALE_SERVES)).isEqualTo(1);
        assertThat(stale()).isEqualTo(1);
        assertThat(fetchTimer("refresh", "failure", "SourceUnavailableException").count()).isEqualTo(1);

        time.advance(Duration.ofMinutes(3)); // retried halfway to hard expiry (10 min incl. grace): succeeds

        assertThat(key.get()).isEqualTo(SECRET_2);
        assertThat(stale()).isZero();
        assertThat(count(KeySourceMetrics.REFRESHES)).isEqualTo(1);
        assertThat(count(KeySourceMetrics.ROTATIONS)).isEqualTo(1);
        assertThat(count(KeySourceMetrics.STALE_SERVES)).isEqualTo(1);
        assertThat(fetchTimer("refresh", "success", "none").count()).isEqualTo(1);
    }

    @Test
    void expiry_afterRefreshesKeepFailing_countsExpirationAndClearsStale() {
        FakeKeySource src = FakeKeySource.of(REF).thenReturn(Canary.SECRET).thenFail(unavailable());
        KeySourceMetrics.bind(key(src, b -> b.staleGrace(Duration.ofMinutes(1))), "anthropic", registry);
        key.get();

        time.advance(Duration.ofMinutes(4));
        assertThat(stale()).isEqualTo(1);
        time.advance(Duration.ofMinutes(2)); // hard expiry at 6 minutes

        assertThat(count(KeySourceMetrics.EXPIRATIONS)).isEqualTo(1);
        assertThat(stale()).isZero();
        assertThat(count(KeySourceMetrics.REFRESH_FAILURES)).isEqualTo(count(KeySourceMetrics.STALE_SERVES));
        assertThat(count(KeySourceMetrics.REFRESH_FAILURES)).isGreaterThanOrEqualTo(1);
    }

    @Test
    void reject_ofServedValue_countsRejectionAndNextReadIsAMiss() {
        FakeKeySource src = FakeKeySource.of(REF).thenReturn(Canary.SECRET, SECRET_2);
        KeySourceMetrics.bind(key(src), "anthropic", registry);
        String first = key.get();

        assertThat(key.reject(first)).isTrue();
        assertThat(key.get()).isEqualTo(SECRET_2);

        assertThat(count(KeySourceMetrics.REJECTIONS)).isEqualTo(1);
        assertThat(count(KeySourceMetrics.GETS, "result", "miss")).isEqualTo(2);
        assertThat(count(KeySourceMetrics.ROTATIONS)).isEqualTo(1);
        assertThat(fetchTimer("load", "success", "none").count()).isEqualTo(2);
    }

    @Test
    void load_thatFails_countsLoadFailureAndTimesItByExceptionType() {
        FakeKeySource src = FakeKeySource.of(REF)
                .thenFail(new SecretNotFoundException(REF, "no such secret"));
        KeySourceMetrics.bind(key(src), "anthropic", registry);

        assertThatThrownBy(key::get).isInstanceOf(SecretNotFoundException.class);

        assertThat(count(KeySourceMetrics.LOAD_FAILURES)).isEqualTo(1);
        assertThat(count(KeySourceMetrics.GETS, "result", "miss")).isEqualTo(1);
        assertThat(fetchTimer("load", "failure", "SecretNotFoundException").count()).isEqualTo(1);
        assertThat(fetchTimer("load", "success", "none").count()).isZero();
    }

    @Test
    void slowFetch_pastThreshold_countsSlowFetch() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            FakeKeySource src = FakeKeySource.of(REF).thenReturn(Canary.SECRET).hold(1);
            KeySourceMetrics.bind(key(src, b -> b.executor(pool).slowThreshold(Duration.ofSeconds(10))), "anthropic",
                    registry);
            CompletableFuture<String> read = CompletableFuture.supplyAsync(key::get, pool);
            assertThat(src.awaitEntered(Duration.ofSeconds(10))).isTrue();
            // the slow-fetch check is scheduled just after the attempt starts: wait for it
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> time.scheduler().delays().contains(Duration.ofSeconds(10)));

            time.advance(Duration.ofSeconds(11)); // the fetch is still held at the gate
            src.open();

            assertThat(read.get(10, TimeUnit.SECONDS)).isEqualTo(Canary.SECRET);
            assertThat(count(KeySourceMetrics.SLOW_FETCHES)).isEqualTo(1);
            assertThat(fetchTimer("load", "success", "none").totalTime(TimeUnit.SECONDS)).isEqualTo(11);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void meters_afterWholeLifecycle_neverHoldTheSecretOrReference() {
        FakeKeySource src = FakeKeySource.of(REF).thenReturn(Canary.SECRET).thenFail(unavailable())
                .thenReturn(SECRET_2, Canary.SECRET);
        KeySourceMetrics.builder(key(src), "anthropic").tag("team", "payments").build().bindTo(registry);
        key.get();
        time.advance(Duration.ofMinutes(4)); // refresh fails: stale
        time.advance(Duration.ofMinutes(3)); // refresh succeeds: rotation
        key.reject(key.get()); // reject, reload
        key.get();

        assertThat(registry.getMeters()).hasSizeGreaterThan(10);
        for (Meter m : registry.getMeters()) {
            Meter.Id id = m.getId();
            Canary.assertAbsent("meter name", id.getName());
            Canary.assertAbsent("meter description", String.valueOf(id.getDescription()));
            Canary.assertAbsent("meter unit", String.valueOf(id.getBaseUnit()));
            for (Tag t : id.getTags()) {
                Canary.assertAbsent("tag of " + id.getName(), t.getKey() + "=" + t.getValue());
                assertThat(t.getValue()).doesNotContain("prod/anthropic");
            }
            Set<String> keys = id.getTags().stream().map(Tag::getKey).collect(Collectors.toSet());
            assertThat(keys).contains("name", "scheme", "team").doesNotContain("reference");
        }
        Canary.assertAbsent("the registry's rendering", registry.getMetersAsString());
        assertThat(registry.getMetersAsString()).doesNotContain("prod/anthropic");
    }

    @Test
    void meters_everyMeter_taggedByNameAndScheme() {
        KeySourceMetrics.bind(key(FakeKeySource.of(REF).thenReturn(Canary.SECRET)), "anthropic", registry);
        key.get();

        assertThat(registry.getMeters()).allSatisfy(m -> {
            assertThat(m.getId().getTag("name")).isEqualTo("anthropic");
            assertThat(m.getId().getTag("scheme")).isEqualTo("fake");
        });
        assertThat(registry.getMeters().stream().map(m -> m.getId().getName()).collect(Collectors.toSet()))
                .containsExactlyInAnyOrder(KeySourceMetrics.FETCH, KeySourceMetrics.GETS,
                        KeySourceMetrics.LOAD_FAILURES, KeySourceMetrics.REFRESHES, KeySourceMetrics.REFRESH_FAILURES,
                        KeySourceMetrics.STALE_SERVES, KeySourceMetrics.STALE, KeySourceMetrics.REJECTIONS,
                        KeySourceMetrics.ROTATIONS, KeySourceMetrics.EXPIRATIONS, KeySourceMetrics.ATTEMPTS,
                        KeySourceMetrics.SLOW_FETCHES);
    }

    @Test
    void fetchTimers_acrossOutcomes_shareOneSetOfTagKeys() {
        FakeKeySource src = FakeKeySource.of(REF).thenReturn(Canary.SECRET).thenFail(unavailable());
        KeySourceMetrics.bind(key(src), "anthropic", registry);
        key.get();
        time.advance(Duration.ofMinutes(4));

        List<Timer> timers = List.copyOf(registry.get(KeySourceMetrics.FETCH).timers());
        assertThat(timers).hasSizeGreaterThanOrEqualTo(3);
        Set<Set<String>> keySets = new HashSet<>();
        for (Timer t : timers) {
            keySets.add(t.getId().getTags().stream().map(Tag::getKey).collect(Collectors.toSet()));
        }
        assertThat(keySets).containsExactly(Set.of("name", "scheme", "kind", "outcome", "exception"));
    }

    @Test
    void referenceTag_whenAskedFor_tagsTheFullReference() {
        KeySourceMetrics m = KeySourceMetrics.builder(key(FakeKeySource.of(REF).thenReturn(Canary.SECRET)), "anthropic")
                .referenceTag(true).build();
        m.bindTo(registry);

        assertThat(m.tags()).contains(Tag.of("reference", REF));
        assertThat(registry.getMeters()).allSatisfy(meter ->
                assertThat(meter.getId().getTag("reference")).isEqualTo(REF));
    }

    @Test
    void bindTo_sameRegistryTwice_doesNotDoubleCountEvents() {
        FakeKeySource src = FakeKeySource.of(REF).thenReturn(Canary.SECRET).thenFail(unavailable());
        KeySourceMetrics m = KeySourceMetrics.bind(key(src), "anthropic", registry);
        m.bindTo(registry);
        key.get();
        time.advance(Duration.ofMinutes(4));

        assertThat(fetchTimer("load", "success", "none").count()).isEqualTo(1);
        assertThat(count(KeySourceMetrics.STALE_SERVES)).isEqualTo(1);
    }

    @Test
    void bindTo_twoRegistries_eachCounts() {
        SimpleMeterRegistry other = new SimpleMeterRegistry();
        KeySourceMetrics m = KeySourceMetrics.bind(key(FakeKeySource.of(REF).thenReturn(Canary.SECRET)), "a", registry);
        m.bindTo(other);
        key.get();

        assertThat(fetchTimer("load", "success", "none").count()).isEqualTo(1);
        assertThat(other.get(KeySourceMetrics.FETCH).tags("outcome", "success", "kind", "load").timer().count())
                .isEqualTo(1);
        other.close();
    }

    @Test
    void builder_blankName_isRefusedWithMessage() {
        CachedKey k = key(FakeKeySource.of(REF).thenReturn(Canary.SECRET));
        assertThatThrownBy(() -> KeySourceMetrics.builder(k, " "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("name must not be blank; give the key a name for dashboards, e.g. \"anthropic\"");
    }

    @Test
    void builder_reservedTagKey_isRefusedWithMessage() {
        CachedKey k = key(FakeKeySource.of(REF).thenReturn(Canary.SECRET));
        assertThatThrownBy(() -> KeySourceMetrics.builder(k, "a").tags(Tags.of("reference", "x")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("tag key 'reference' is reserved by keysource; use another key");
    }
}
