package dev.keysource.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.keysource.KeyEvent;
import dev.keysource.KeyListener;
import dev.keysource.KeySourceException;
import dev.keysource.KeyStats;
import dev.keysource.Secret;
import dev.keysource.Ticker;
import dev.keysource.spi.KeySource;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cache-and-resilience layer for one secret (DESIGN §5).
 *
 * <p>The entry lives in a Caffeine cache (one key) whose per-entry expiry is the value's hard expiry
 * on the injected ticker; Caffeine's loading gives single flight, and compare-and-remove on its map
 * gives compare-and-reject. The hot path does not touch Caffeine: the entry being served is also
 * published in a volatile field, read without locks or clock reads. Refresh and expiry are not
 * checked per read but scheduled ahead on the scheduler: at the refresh point a background fetch
 * starts (readers keep the current value); at hard expiry the entry is unpublished so the next read
 * loads (and may throw).
 */
public final class CacheEngine implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger("dev.keysource");
    private static final String KEY = "secret";
    /** Shortest lifetime given to a value whose backend expiry is already (nearly) reached. */
    static final Duration MIN_TTL = Duration.ofSeconds(1);
    private static final VarHandle CURRENT;

    static {
        try {
            CURRENT = MethodHandles.lookup().findVarHandle(CacheEngine.class, "current", Entry.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final KeySource source;
    private final String reference;
    private final CoreConfig config;
    private final Ticker ticker;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    private final ResilientFetcher fetcher;
    private final Cache<String, Entry> cache;
    private final List<KeyListener> listeners = new CopyOnWriteArrayList<>();
    private final boolean recordHits;
    private final AtomicReference<CompletableFuture<Secret>> refreshing = new AtomicReference<>();
    private final Runnable onClose;
    private final AtomicReference<Secret> lastFetched = new AtomicReference<>();
    /** The source reported a change while a refresh was running: refresh again when it ends. */
    private final java.util.concurrent.atomic.AtomicBoolean changedDuringRefresh =
            new java.util.concurrent.atomic.AtomicBoolean();

    @SuppressWarnings("unused") // accessed through CURRENT
    private volatile Entry current;
    private volatile boolean closed;

    private final LongAdder hits = new LongAdder();
    private final LongAdder loads = new LongAdder();
    private final LongAdder loadFailures = new LongAdder();
    private final LongAdder refreshes = new LongAdder();
    private final LongAdder refreshFailures = new LongAdder();
    private final LongAdder rejections = new LongAdder();
    private final LongAdder expirations = new LongAdder();
    private final LongAdder rotations = new LongAdder();

    /** One cached value and its schedule (times on the ticker, in nanos). */
    static final class Entry {
        final Secret secret;
        final long loadedAt;
        final long hardExpiryAt;
        final Instant hardExpiry;
        long refreshAtDelay;
        /** Set before the entry leaves the cache (rejected, expired, invalidated): readers then load anew. */
        volatile boolean dead;
        volatile ScheduledFuture<?> refreshTask;
        volatile ScheduledFuture<?> expiryTask;

        Entry(Secret secret, long loadedAt, long hardExpiryAt, Instant hardExpiry) {
            this.secret = secret;
            this.loadedAt = loadedAt;
            this.hardExpiryAt = hardExpiryAt;
            this.hardExpiry = hardExpiry;
        }

        void cancelTasks() {
            ScheduledFuture<?> r = refreshTask;
            ScheduledFuture<?> x = expiryTask;
            if (r != null) {
                r.cancel(false);
            }
            if (x != null) {
                x.cancel(false);
            }
        }
    }

    public CacheEngine(KeySource source, CoreConfig config, Ticker ticker, Clock clock, Executor executor,
                       ScheduledExecutorService scheduler, List<KeyListener> listeners, boolean recordHits,
                       Runnable onClose) {
        this.source = source;
        this.reference = source.ref().toString();
        this.config = config;
        this.ticker = ticker;
        this.clock = clock;
        this.scheduler = scheduler;
        this.recordHits = recordHits;
        this.onClose = onClose;
        this.listeners.addAll(listeners);
        this.fetcher = new ResilientFetcher(source, config, executor, scheduler, ticker);
        // Caffeine gives single-flight loading and compare-and-remove; lifetimes are scheduled by this class
        // (refresh and expiry tasks), so the cache needs no expiry policy of its own, which would cost ~6 KB
        // of timer-wheel state per key (measured by benchmarks/MemoryFootprint)
        this.cache = Caffeine.newBuilder().executor(Runnable::run).initialCapacity(1).build();
        source.watch(this::sourceChanged);
    }

    /** {@link KeySource#watch}: the source saw a change; refresh the cached value (if any) in the background. */
    private void sourceChanged() {
        if (closed) {
            return;
        }
        Entry e = cache.asMap().get(KEY);
        if (e == null || e.dead) {
            return; // nothing cached: the next read fetches
        }
        changedDuringRefresh.set(true);
        if (refreshing.get() == null && changedDuringRefresh.getAndSet(false)) {
            refreshFrom(e);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // reads

    /** The current secret: lock-free and clock-free when cached, a (single-flight) load otherwise. */
    public Secret secret() {
        Entry e = (Entry) CURRENT.getAcquire(this);
        if (e != null && !e.dead) {
            if (recordHits) {
                hits.increment();
            }
            return e.secret;
        }
        return load();
    }

    private Secret load() {
        while (true) {
            ensureOpen();
            Entry e = cache.get(KEY, k -> loadEntry());
            if (e.dead) { // being removed by a concurrent reject/expiry/invalidate: help, then load anew
                cache.asMap().remove(KEY, e);
                continue;
            }
            publish(e);
            return e.secret;
        }
    }

    private Entry loadEntry() {
        loads.increment();
        long start = ticker.read();
        Secret s;
        try {
            s = ResilientFetcher.await(fetcher.fetchAsync(this::slow), reference);
        } catch (KeySourceException ex) {
            loadFailures.increment();
            emit(KeyEvent.Type.FETCH_FAILED, Duration.ofNanos(ticker.read() - start), null, null, ex);
            throw ex;
        }
        Entry e = newEntry(s);
        Duration latency = Duration.ofNanos(ticker.read() - start);
        emit(KeyEvent.Type.FETCHED, latency, s.version().orElse(null), null, null);
        noteValue(s, latency);
        schedule(e);
        return e;
    }

    /** Serve {@code e} from the hot path unless it has been replaced or removed meanwhile. */
    private void publish(Entry e) {
        CURRENT.setRelease(this, e);
        if (e.dead || cache.asMap().get(KEY) != e || closed) {
            CURRENT.compareAndSet(this, e, null);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // entry lifetimes

    private Entry newEntry(Secret s) {
        long now = ticker.read();
        Instant wallNow = clock.instant();
        Duration ttl = config.ttl;
        boolean backendExpiry = false;
        Optional<Instant> expiry = s.expiry();
        if (expiry.isEmpty() && !s.isBinary()) {
            expiry = Jwt.expiry(s.value());
        }
        if (expiry.isPresent()) {
            backendExpiry = true;
            Duration untilExpiry = Duration.between(wallNow, expiry.get()).minus(config.expirySkew);
            if (untilExpiry.compareTo(ttl) < 0) {
                ttl = untilExpiry;
            }
            Duration floor = max(MIN_TTL, config.ttl.dividedBy(10));
            if (ttl.compareTo(floor) < 0) {
                LOG.warn("keysource: {} returned a value that expires at {}, within the expiry skew of {} ms; serving "
                                + "it for {} ms before fetching again", reference, expiry.get(),
                        config.expirySkew.toMillis(), floor.toMillis());
                ttl = floor;
            }
        }
        Duration serve = backendExpiry ? ttl : ttl.plus(config.staleGrace);
        long ttlNanos = saturatedNanos(ttl);
        long serveNanos = saturatedNanos(serve);
        Entry e = new Entry(s, now, now + serveNanos, wallNow.plus(serve));
        e.refreshAtDelay = refreshDelay(ttlNanos);
        return e;
    }

    private long refreshDelay(long ttlNanos) {
        double base = ttlNanos * config.refreshAhead;
        double spread = config.jitter == 0 ? 0 : (ThreadLocalRandom.current().nextDouble() * 2 - 1) * config.jitter;
        long d = (long) (base * (1 + spread));
        return Math.max(0, Math.min(d, ttlNanos));
    }

    private void schedule(Entry e) {
        e.refreshTask = scheduler.schedule(() -> refreshIfCurrent(e), e.refreshAtDelay, TimeUnit.NANOSECONDS);
        e.expiryTask = scheduler.schedule(() -> expire(e), e.hardExpiryAt - ticker.read(), TimeUnit.NANOSECONDS);
    }

    private void refreshIfCurrent(Entry e) {
        if (!closed && cache.asMap().get(KEY) == e) {
            refreshFrom(e);
        }
    }

    private void expire(Entry e) {
        if (closed) {
            return;
        }
        if (cache.asMap().get(KEY) == e) {
            e.dead = true;
        }
        boolean removed = cache.asMap().remove(KEY, e);
        if (CURRENT.compareAndSet(this, e, null) || removed) {
            expirations.increment();
            emit(KeyEvent.Type.EXPIRED, null, e.secret.version().orElse(null), null, null);
            LOG.warn("keysource: the value of {} reached its hard expiry without a successful refresh; the next read "
                    + "fetches it again", reference);
        }
        e.cancelTasks();
    }

    // ---------------------------------------------------------------------------------------------
    // refresh

    /** Starts (or joins) a background refresh; never blocks. */
    public CompletableFuture<Secret> refresh() {
        ensureOpen();
        return refreshFrom(cache.asMap().get(KEY));
    }

    private CompletableFuture<Secret> refreshFrom(Entry old) {
        CompletableFuture<Secret> mine = new CompletableFuture<>();
        if (!refreshing.compareAndSet(null, mine)) {
            CompletableFuture<Secret> running = refreshing.get();
            if (running != null) {
                return running;
            }
            return refreshFrom(old);
        }
        long start = ticker.read();
        fetcher.fetchAsync(this::slow).whenComplete((s, failure) -> {
            try {
                if (failure != null) {
                    onRefreshFailed(old, ResilientFetcher.unwrap(failure), start);
                } else {
                    onRefreshed(old, s, start);
                }
            } finally {
                refreshing.set(null);
                if (failure != null) {
                    mine.completeExceptionally(ResilientFetcher.unwrap(failure));
                } else {
                    mine.complete(s);
                }
                Entry now;
                if (changedDuringRefresh.getAndSet(false) && !closed && (now = cache.asMap().get(KEY)) != null
                        && !now.dead) {
                    refreshFrom(now); // the change may have come after this fetch read the source
                }
            }
        });
        return mine;
    }

    private void onRefreshed(Entry old, Secret s, long start) {
        if (closed) {
            return;
        }
        Entry n = newEntry(s);
        Entry installed = cache.asMap().compute(KEY, (k, cur) -> (cur == null || cur == old) ? n : cur);
        if (installed != n) {
            return; // a load installed a newer value meanwhile
        }
        schedule(n);
        publish(n);
        refreshes.increment();
        Duration latency = Duration.ofNanos(ticker.read() - start);
        emit(KeyEvent.Type.REFRESHED, latency, s.version().orElse(null), null, null);
        if (old != null) {
            old.cancelTasks();
        }
        noteValue(s, latency);
    }

    /** Emits ROTATED when a newly fetched value differs from the one fetched before it. */
    private void noteValue(Secret s, Duration latency) {
        Secret prev = lastFetched.getAndSet(s);
        if (prev != null && rotated(prev, s)) {
            rotations.increment();
            emit(KeyEvent.Type.ROTATED, latency, s.version().orElse(null), null, null);
        }
    }

    private void onRefreshFailed(Entry old, Throwable t, long start) {
        if (closed) {
            return; // closing interrupted the refresh: nothing to report
        }
        refreshFailures.increment();
        KeySourceException e = t instanceof KeySourceException ? (KeySourceException) t
                : new KeySourceException(reference, reference + ": refresh failed: " + t.getClass().getName());
        Duration latency = Duration.ofNanos(ticker.read() - start);
        boolean serving = old != null && cache.asMap().get(KEY) == old;
        emit(KeyEvent.Type.REFRESH_FAILED, latency, null, serving ? old.hardExpiry : null, e);
        if (serving) {
            long remaining = old.hardExpiryAt - ticker.read();
            LOG.warn("keysource: refreshing {} failed; serving the previous value until {} ({} ms): {}", reference,
                    old.hardExpiry, Duration.ofNanos(Math.max(0, remaining)).toMillis(), e.getMessage());
            // try again before the value runs out: halfway to hard expiry, at least a second apart
            long next = Math.max(MIN_TTL.toNanos(), remaining / 2);
            if (!closed && next < remaining) {
                old.refreshTask = scheduler.schedule(() -> refreshIfCurrent(old), next, TimeUnit.NANOSECONDS);
            }
        } else {
            LOG.warn("keysource: refreshing {} failed: {}", reference, e.getMessage());
        }
    }

    private static boolean rotated(Secret before, Secret after) {
        if (before.version().isPresent() && after.version().isPresent()) {
            return !before.version().get().equals(after.version().get());
        }
        return !before.sameValueAs(after);
    }

    // ---------------------------------------------------------------------------------------------
    // reject, invalidate, close

    /**
     * Drops the served value if it is still {@code value}; true if it was dropped. Concurrent
     * rejections of one value drop it once; the next read loads a new one (single flight).
     */
    public boolean reject(String value) {
        ensureOpen();
        Entry e = cache.asMap().get(KEY);
        if (e == null || e.dead || !e.secret.matches(value)) {
            return false;
        }
        synchronized (e) { // one rejection per entry wins
            if (e.dead) {
                return false;
            }
            e.dead = true;
        }
        try {
            source.rejected(e.secret); // before the entry goes, so the fetch replacing it follows the rejection
        } catch (RuntimeException ex) {
            LOG.warn("keysource: the source of {} threw {} when told of a rejection; ignored", reference,
                    ex.getClass().getName());
        }
        cache.asMap().remove(KEY, e);
        CURRENT.compareAndSet(this, e, null);
        e.cancelTasks();
        rejections.increment();
        emit(KeyEvent.Type.REJECTED, null, e.secret.version().orElse(null), null, null);
        LOG.info("keysource: the value of {} was rejected by its user (e.g. HTTP 401/403); the next read fetches a new "
                + "one", reference);
        return true;
    }

    /** Drops the value unconditionally. */
    public void invalidate() {
        Entry e = cache.asMap().get(KEY);
        if (e != null) {
            e.dead = true;
            cache.asMap().remove(KEY, e);
            e.cancelTasks();
        }
        Entry c = (Entry) CURRENT.getAndSet(this, null);
        if (c != null) {
            c.dead = true;
        }
    }

    public void addListener(KeyListener l) {
        listeners.add(l);
    }

    public KeyStats stats() {
        return new KeyStats(hits.sum(), loads.sum(), loadFailures.sum(), refreshes.sum(), refreshFailures.sum(),
                rejections.sum(), expirations.sum(), rotations.sum(), fetcher.attempts());
    }

    public String reference() {
        return reference;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        invalidate();
        try {
            source.close();
        } finally {
            onClose.run();
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("this CachedKey for " + reference + " is closed");
        }
    }

    // ---------------------------------------------------------------------------------------------

    private void slow(Duration elapsed) {
        emit(KeyEvent.Type.SLOW_FETCH, elapsed, null, null, null);
    }

    private void emit(KeyEvent.Type type, Duration latency, String version, Instant servedUntil, KeySourceException f) {
        if (listeners.isEmpty()) {
            return;
        }
        KeyEvent ev = new KeyEvent(type, reference, clock.instant(), latency, version, servedUntil, f);
        for (KeyListener l : listeners) {
            try {
                l.onEvent(ev);
            } catch (RuntimeException ex) {
                LOG.warn("keysource: a KeyListener threw {} on {}; ignored", ex.getClass().getName(), type);
            }
        }
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE / 4;
        }
    }
}
