package dev.keysource;


import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keysource.testkit.FakeKeySource;
import dev.keysource.testkit.FakeTime;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** The cache rules of docs/design.md §5, on fake time. */
class CachedKeyTest {

    private final FakeTime time = new FakeTime();
    private final List<KeyEvent> events = new CopyOnWriteArrayList<>();
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void shutdown() {
        pool.shutdownNow();
    }

    private CachedKey key(FakeKeySource source, UnaryOperator<CachedKey.Builder> cfg) {
        return cfg.apply(CachedKey.builder(source)
                .ticker(time.ticker()).clock(time.clock()).scheduler(time.scheduler()).executor(Runnable::run)
                .jitter(0).environment(Map.of()).systemProperties(Map.of()).listener(events::add)).build();
    }

    private List<KeyEvent.Type> types() {
        return events.stream().map(KeyEvent::type).collect(Collectors.toList());
    }

    private static SourceUnavailableException unavailable() {
        return new SourceUnavailableException("fake:api-key", "backend down (503)");
    }

    @Test
    void get_withinTtl_servedFromCacheThenRefetchedAfterTtl() {
        FakeKeySource src = FakeKeySource.of("fake:api-key").thenReturn("v1", "v2");
        CachedKey key = key(src, b -> b.ttl(Duration.ofMinutes(5)).refreshAhead(1.0));
        assertThat(key.get()).isEqualTo("v1");
        time.advance(Duration.ofMinutes(5).minusSeconds(1));
        assertThat(key.get()).isEqualTo("v1");
        assertThat(src.calls()).isEqualTo(1);
        time.advance(Duration.ofSeconds(1));
        assertThat(src.calls()).isEqualTo(2);
        assertThat(key.get()).isEqualTo("v2");
        assertThat(types()).containsExactly(KeyEvent.Type.FETCHED, KeyEvent.Type.REFRESHED, KeyEvent.Type.ROTATED);
    }

    @Test
    void refresh_startsAtConfiguredFraction() {
        FakeKeySource src = FakeKeySource.of("fake:api-key").thenReturn("v1", "v2");
        CachedKey key = key(src, b -> b.ttl(Duration.ofMinutes(10)).refreshAhead(0.5));
        key.get();
        time.advance(Duration.ofMinutes(5).minusMillis(1));
        assertThat(src.calls()).isEqualTo(1);
        time.advance(Duration.ofMillis(1));
        assertThat(src.calls()).isEqualTo(2);
        assertThat(key.get()).isEqualTo("v2");
    }

    @Test
    void get_whileRefreshHeldOnGate_keepsReturningOldValueWithoutWaiting() throws Exception {
        FakeKeySource src = FakeKeySource.of("fake:api-key").thenReturn("v1", "v2");
        CachedKey key = key(src, b -> b.executor(pool));
        assertThat(key.get()).isEqualTo("v1");
        src.hold(1);
        time.advance(Duration.ofMinutes(4)); // 80% of 5 min: the refresh starts on the pool and blocks
        assertThat(src.awaitEntered(Duration.ofSeconds(10))).isTrue();
        for (int i = 0; i < 1000; i++) {
            assertThat(key.get()).isEqualTo("v1");
        }
        CompletableFuture<Secret> running = key.refresh();
        assertThat(running).isNotDone();
        src.open();
        assertThat(running.get(10, TimeUnit.SECONDS).value()).isEqualTo("v2");
        assertThat(key.get()).isEqualTo("v2");
        assertThat(src.calls()).isEqualTo(2);
    }

    @Test
    void refreshFailure_servesStaleValueAndEmitsEvent_thenThrowsAfterHardExpiry() {
        FakeKeySource src = FakeKeySource.of("fake:api-key").thenReturn("v1").thenFail(unavailable());
        CachedKey key = key(src, b -> b.maxAttempts(1).staleGrace(Duration.ofMinutes(2)));
        assertThat(key.get()).isEqualTo("v1");
        time.advance(Duration.ofMinutes(4));
        assertThat(types()).contains(KeyEvent.Type.REFRESH_FAILED);
        KeyEvent failed = events.stream().filter(e -> e.type() == KeyEvent.Type.REFRESH_FAILED).findFirst().orElseThrow();
        assertThat(failed.servedUntil()).contains(FakeTime.DEFAULT_START.plus(Duration.ofMinutes(7)));
        assertThat(failed.failure()).get().isInstanceOf(SourceUnavailableException.class);
        time.advance(Duration.ofMinutes(3).minusSeconds(1)); // 6:59 — inside TTL + grace
        assertThat(key.get()).isEqualTo("v1");
        assertThat(src.calls()).isGreaterThan(2); // refresh retried while serving stale
        time.advance(Duration.ofSeconds(1));      // 7:00 — hard expiry
        assertThat(types()).contains(KeyEvent.Type.EXPIRED);
        assertThatThrownBy(key::get).isInstanceOf(SourceUnavailableException.class).hasMessageContaining("503");
        assertThat(types()).endsWith(KeyEvent.Type.FETCH_FAILED);
        assertThat(key.stats().refreshFailures()).isGreaterThanOrEqualTo(2);
        assertThat(key.stats().expirations()).isEqualTo(1);
    }

    @Test
    void backendExpirySoonerThanTtl_refreshedBeforeThatExpiry() {
        Instant expiry = FakeTime.DEFAULT_START.plus(Duration.ofMinutes(2));
        FakeKeySource src = FakeKeySource.of("fake:api-key")
                .thenReturn(Secret.builder("v1").expiry(expiry).build()).thenReturn("v2");
        CachedKey key = key(src, b -> b.ttl(Duration.ofMinutes(5)));
        key.get();
        // effective TTL = 2 min - 30 s skew = 90 s; refresh at 80% = 72 s
        time.advance(Duration.ofSeconds(71));
        assertThat(src.calls()).isEqualTo(1);
        time.advance(Duration.ofSeconds(1));
        assertThat(src.calls()).isEqualTo(2);
        assertThat(key.get()).isEqualTo("v2");
        assertThat(time.now()).isBefore(expiry);
    }

    @Test
    void backendExpiry_failingRefresh_neverServedPastExpiryMinusSkew() {
        Instant expiry = FakeTime.DEFAULT_START.plus(Duration.ofMinutes(2));
        FakeKeySource src = FakeKeySource.of("fake:api-key")
                .thenReturn(Secret.builder("v1").expiry(expiry).build()).thenFail(unavailable());
        CachedKey key = key(src, b -> b.maxAttempts(1));
        key.get();
        time.advance(Duration.ofSeconds(89));
        assertThat(key.get()).isEqualTo("v1");
        time.advance(Duration.ofSeconds(1));
        assertThatThrownBy(key::get).isInstanceOf(SourceUnavailableException.class);
    }

    @Test
    void jwtValue_expClaimCapsTtl() {
        long exp = FakeTime.DEFAULT_START.plus(Duration.ofMinutes(2)).getEpochSecond();
        String jwt = b64("{\"alg\":\"HS256\",\"typ\":\"JWT\"}") + "." + b64("{\"sub\":\"svc\",\"exp\":" + exp + "}") + ".c2ln";
        FakeKeySource src = FakeKeySource.of("fake:api-key").thenReturn(jwt).thenReturn("v2");
        CachedKey key = key(src, b -> b.ttl(Duration.ofMinutes(5)));
        assertThat(key.get()).isEqualTo(jwt);
        time.advance(Duration.ofSeconds(72)); // 80% of (120 s - 30 s)
        assertThat(src.calls()).isEqualTo(2);
    }

    @Test
    void jwtAlreadyNearExpiry_servedWithFloorNotRefetchedInLoop() {
        long exp = FakeTime.DEFAULT_START.plusSeconds(10).getEpochSecond(); // inside the 30 s skew
        String jwt = b64("{\"alg\":\"HS256\"}") + "." + b64("{\"exp\":" + exp + "}") + ".c2ln";
        FakeKeySource src = FakeKeySource.of("fake:api-key").thenReturn(jwt);
        CachedKey key = key(src, b -> b.ttl(Duration.ofMinutes(5)));
        for (int i = 0; i < 100; i++) {
            assertThat(key.get()).isEqualTo(jwt);
        }
        time.advance(Duration.ofSeconds(20));
        assertThat(src.calls()).isEqualTo(1); // floor = max(1 s, ttl/10 = 30 s)
    }

    @RepeatedTest(25) // races show up only sometimes: run it many times
    void reject_64ThreadsSameStaleValue_exactlyOneBackendFetch() throws Exception {
        FakeKeySource src = FakeKeySource.of("fake:api-key").thenReturn("v1", "v2");
        CachedKey key = key(src, b -> b);
        assertThat(key.get()).isEqualTo("v1");
        CountDownLatch start = new CountDownLatch(1);
        List<CompletableFuture<String>> results = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 64; i++) {
            results.add(CompletableFuture.supplyAsync(() -> {
                await(start);
                key.reject("v1");
                return key.get();
            }, pool));
        }
        start.countDown();
        for (CompletableFuture<String> r : results) {
            assertThat(r.get(10, TimeUnit.SECONDS)).isEqualTo("v2");
        }
        assertThat(src.calls()).isEqualTo(2);
        assertThat(key.stats().rejections()).isEqualTo(1);
        assertThat(types()).containsOnlyOnce(KeyEvent.Type.REJECTED);
    }

    @Test
    void reject_valueAlreadyReplaced_causesNoFetch() throws Exception {
        FakeKeySource src = FakeKeySource.of("fake:api-key").thenReturn("v1", "v2", "v3");
        CachedKey key = key(src, b -> b);
        key.get();
        key.refresh().get();
        assertThat(key.get()).isEqualTo("v2");
        assertThat(key.reject("v1")).isFalse();
        assertThat(key.get()).isEqualTo("v2");
        assertThat(src.calls()).isEqualTo(2);
        assertThat(key.reject("v2")).isTrue();
        assertThat(key.get()).isEqualTo("v3");
    }

    @RepeatedTest(10)
    void get_64ThreadsOnColdKey_exactlyOneBackendFetch() throws Exception {
        FakeKeySource src = FakeKeySource.of("fake:api-key").thenReturn("v1");
        src.hold(1);
        CachedKey key = key(src, b -> b);
        CountDownLatch started = new CountDownLatch(64);
        List<Thread> threads = new CopyOnWriteArrayList<>();
        List<CompletableFuture<String>> results = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 64; i++) {
            results.add(CompletableFuture.supplyAsync(() -> {
                threads.add(Thread.currentThread());
                started.countDown();
                return key.get();
            }, pool));
        }
        assertThat(src.awaitEntered(Duration.ofSeconds(10))).isTrue();
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        // wait (bounded) until every caller is parked: one at the gate, the others on the load
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (threads.stream().anyMatch(t -> t.getState() == Thread.State.RUNNABLE) && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        src.open();
        for (CompletableFuture<String> r : results) {
            assertThat(r.get(10, TimeUnit.SECONDS)).isEqualTo("v1");
        }
        assertThat(src.calls()).isEqualTo(1);
        assertThat(src.maxConcurrentCalls()).isEqualTo(1);
    }

    @Test
    void transientFailure_retriedWithExponentialBackoffOnScheduler() throws Exception {
        FakeKeySource src = FakeKeySource.of("fake:api-key").thenFail(unavailable()).thenFail(unavailable()).thenReturn("v1");
        CachedKey key = key(src, b -> b.maxAttempts(3).backoff(Duration.ofMillis(200)));
        CompletableFuture<Secret> f = key.refresh();
        assertThat(src.calls()).isEqualTo(1);
        List<Duration> backoffs = backoffDelays();
        assertThat(backoffs).hasSize(1);
        assertThat(backoffs.get(0)).isBetween(Duration.ofMillis(100), Duration.ofMillis(300)); // 200 ms ± 50%
        time.advance(backoffs.get(0));
        assertThat(src.calls()).isEqualTo(2);
        backoffs = backoffDelays();
        assertThat(backoffs).hasSize(2);
        assertThat(backoffs.get(1)).isBetween(Duration.ofMillis(200), Duration.ofMillis(600)); // 400 ms ± 50%
        time.advance(backoffs.get(1));
        assertThat(src.calls()).isEqualTo(3);
        assertThat(f.get(1, TimeUnit.SECONDS).value()).isEqualTo("v1");
        assertThat(key.get()).isEqualTo("v1");
        assertThat(key.stats().fetchAttempts()).isEqualTo(3);
    }

    @Test
    void transientFailure_retriesExhausted_lastFailureSaysAttempts() {
        FakeKeySource src = FakeKeySource.of("fake:api-key").thenFail(unavailable());
        CachedKey key = key(src, b -> b.maxAttempts(3));
        CompletableFuture<Secret> f = key.refresh();
        time.advance(Duration.ofSeconds(5));
        assertThat(src.calls()).isEqualTo(3);
        assertThat(f).isCompletedExceptionally();
        assertThatThrownBy(f::get).cause().isInstanceOf(SourceUnavailableException.class)
                .hasMessage("fake:api-key: backend down (503) (gave up after 3 attempts)");
    }

    @Test
    void nonTransientFailures_notRetried() {
        List<KeySourceException> failures = List.of(
                new SecretNotFoundException("fake:api-key", "no such secret"),
                new SourceAccessDeniedException("fake:api-key", "permission denied"),
                new SourceMisconfiguredException("fake:api-key", "no address"));
        for (KeySourceException failure : failures) {
            FakeKeySource src = FakeKeySource.of("fake:api-key").thenFail(failure);
            CachedKey key = key(src, b -> b.maxAttempts(5));
            assertThatThrownBy(key::get).isSameAs(failure);
            time.advance(Duration.ofSeconds(10));
            assertThat(src.calls()).as(failure.getClass().getSimpleName()).isEqualTo(1);
            key.close();
        }
    }

    @Test
    void attemptOverTimeLimit_failsWithTimeoutAndInterruptsTheAttempt() throws Exception {
        FakeKeySource src = FakeKeySource.of("fake:api-key").thenReturn("v1");
        src.hold(1);
        CachedKey key = key(src, b -> b.executor(pool).maxAttempts(1).timeout(Duration.ofSeconds(2)));
        CompletableFuture<Secret> f = key.refresh();
        assertThat(src.awaitEntered(Duration.ofSeconds(10))).isTrue();
        time.advance(Duration.ofSeconds(2));
        assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(SourceTimeoutException.class)
                .hasMessageContaining("fake:api-key: the backend did not answer within the time limit of 2000 ms");
        src.open();
    }

    @Test
    void interruptedCaller_getsExceptionAndKeepsInterruptFlag() throws Exception {
        FakeKeySource src = FakeKeySource.of("fake:api-key").thenReturn("v1");
        src.hold(1);
        CachedKey key = key(src, b -> b.executor(pool));
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicReference<Boolean> flag = new AtomicReference<>();
        Thread caller = new Thread(() -> {
            try {
                key.get();
            } catch (Throwable t) {
                thrown.set(t);
                flag.set(Thread.currentThread().isInterrupted());
            }
        });
        caller.start();
        assertThat(src.awaitEntered(Duration.ofSeconds(10))).isTrue();
        caller.interrupt();
        caller.join(10_000);
        src.open();
        assertThat(thrown.get()).isInstanceOf(SourceInterruptedException.class);
        assertThat(flag.get()).isTrue();
    }

    @Test
    void slowFetch_emitsOneEventAfterThreshold() throws Exception {
        FakeKeySource src = FakeKeySource.of("fake:api-key").thenReturn("v1");
        src.hold(1);
        CachedKey key = key(src, b -> b.executor(pool).slowThreshold(Duration.ofSeconds(10)));
        CompletableFuture<Secret> f = key.refresh();
        assertThat(src.awaitEntered(Duration.ofSeconds(10))).isTrue();
        time.advance(Duration.ofSeconds(9));
        assertThat(types()).doesNotContain(KeyEvent.Type.SLOW_FETCH);
        time.advance(Duration.ofSeconds(1));
        assertThat(types()).containsOnlyOnce(KeyEvent.Type.SLOW_FETCH);
        src.open();
        assertThat(f.get(10, TimeUnit.SECONDS).value()).isEqualTo("v1");
    }

    @Test
    void versionChange_emitsRotated() throws Exception {
        FakeKeySource src = FakeKeySource.of("fake:api-key")
                .thenReturn(Secret.builder("a").version("1").build())
                .thenReturn(Secret.builder("a").version("1").build())
                .thenReturn(Secret.builder("b").version("2").build());
        CachedKey key = key(src, b -> b);
        key.get();
        key.refresh().get();
        assertThat(types()).doesNotContain(KeyEvent.Type.ROTATED);
        key.refresh().get();
        KeyEvent rotated = events.stream().filter(e -> e.type() == KeyEvent.Type.ROTATED).findFirst().orElseThrow();
        assertThat(rotated.version()).contains("2");
        assertThat(key.stats().rotations()).isEqualTo(1);
    }

    @Test
    void refreshJitter_spreadsRefreshTimes() {
        FakeKeySource src = FakeKeySource.of("fake:api-key").thenReturn("v1");
        for (int i = 0; i < 20; i++) {
            CachedKey key = key(src, b -> b.jitter(0.1));
            key.get();
            key.close();
        }
        List<Duration> refreshDelays = time.scheduler().delays().stream()
                .filter(d -> d.compareTo(Duration.ofMinutes(3)) > 0 && d.compareTo(Duration.ofMinutes(5)) < 0)
                .collect(Collectors.toList());
        assertThat(refreshDelays).hasSize(20)
                .allSatisfy(d -> assertThat(d).isBetween(Duration.ofSeconds(216), Duration.ofSeconds(264)));
        assertThat(refreshDelays.stream().distinct().count()).isGreaterThan(10);
    }

    @Test
    void withKey_rejectedResult_rejectsAndRetriesOnceWithFreshKey() {
        FakeKeySource src = FakeKeySource.of("fake:api-key").thenReturn("old", "new");
        CachedKey key = key(src, b -> b);
        List<String> seen = new CopyOnWriteArrayList<>();
        int status = key.withKey(k -> {
            seen.add(k);
            return k.equals("old") ? 401 : 200;
        }, s -> s == 401);
        assertThat(status).isEqualTo(200);
        assertThat(seen).containsExactly("old", "new");
        assertThat(src.calls()).isEqualTo(2);
    }

    @Test
    void close_closesSourceAndRefusesReads() {
        FakeKeySource src = FakeKeySource.of("fake:api-key").thenReturn("v1");
        CachedKey key = key(src, b -> b);
        key.get();
        key.close();
        assertThat(src.isClosed()).isTrue();
        assertThatThrownBy(key::get).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        time.advance(Duration.ofHours(1));
        assertThat(src.calls()).isEqualTo(1);
    }

    @Test
    void toStringAndEvents_neverHoldTheValue() throws Exception {
        String value = dev.keysource.testkit.Canary.SECRET;
        FakeKeySource src = FakeKeySource.of("fake:api-key").thenReturn(value).thenFail(unavailable());
        CachedKey key = key(src, b -> b.maxAttempts(1));
        assertThat(key.secret().toString()).doesNotContain(value);
        assertThat(key.toString()).doesNotContain(value);
        time.advance(Duration.ofMinutes(11));
        assertThat(events).isNotEmpty().allSatisfy(e -> assertThat(e.toString()).doesNotContain(value));
    }

    private List<Duration> backoffDelays() {
        return time.scheduler().delays().stream().filter(d -> d.compareTo(Duration.ofSeconds(1)) < 0)
                .collect(Collectors.toList());
    }

    private static void await(CountDownLatch l) {
        try {
            l.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String b64(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
