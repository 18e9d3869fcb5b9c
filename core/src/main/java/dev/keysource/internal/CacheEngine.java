package dev.keysource.internal;

import dev.keysource.KeyEvent;
import dev.keysource.KeyListener;
import dev.keysource.KeySourceException;
import dev.keysource.KeyStats;
import dev.keysource.Secret;
import dev.keysource.SourceInterruptedException;
import dev.keysource.spi.KeySource;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cache-and-resilience rules for one secret of a client (docs/design.md §5): one per canonical reference.
 *
 * <p>The value lives in the client's one Caffeine cache ({@link ClientCore#cache()}), keyed by the
 * canonical reference, whose per-entry expiry is the value's hard expiry on the injected ticker. The hot
 * path does not touch Caffeine: the entry being served is also published in a volatile field, read
 * without locks or clock reads.
 *
 * <p>No work runs inside a map lock: a load runs on the caller's thread (the first caller; the others
 * wait on its future: single flight), the Caffeine map is only changed with {@code putIfAbsent},
 * {@code replace(k, old, new)} and {@code remove(k, v)}, and events are emitted after the value is
 * published (so a listener may call {@code get()}).
 *
 * <p>Time: one task per entry sits on the scheduler, at its refresh point. When a refresh starts, an
 * expiry task for the entry's hard expiry is added (cancelled when the refresh succeeds); Caffeine's own
 * expiry, driven by its scheduler, removes an entry nobody refreshed as a backstop.
 */
public final class CacheEngine implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger("dev.keysource");
    /** Shortest lifetime given to a value whose backend expiry is already (nearly) reached. */
    static final Duration MIN_TTL = Duration.ofSeconds(1);
    private static final KeyListener[] NO_LISTENERS = new KeyListener[0];
    private static final VarHandle CURRENT;
    private static final VarHandle DEAD;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            CURRENT = l.findVarHandle(CacheEngine.class, "current", Entry.class);
            DEAD = l.findVarHandle(Entry.class, "dead", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final VarHandle LOADS;
    private static final VarHandle LOAD_FAILURES;
    private static final VarHandle REFRESHES;
    private static final VarHandle REFRESH_FAILURES;
    private static final VarHandle REJECTIONS;
    private static final VarHandle GENERATION;
    private static final VarHandle EXPIRATIONS;
    private static final VarHandle ROTATIONS;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            LOADS = l.findVarHandle(CacheEngine.class, "loads", int.class);
            LOAD_FAILURES = l.findVarHandle(CacheEngine.class, "loadFailures", int.class);
            REFRESHES = l.findVarHandle(CacheEngine.class, "refreshes", int.class);
            REFRESH_FAILURES = l.findVarHandle(CacheEngine.class, "refreshFailures", int.class);
            REJECTIONS = l.findVarHandle(CacheEngine.class, "rejections", int.class);
            GENERATION = l.findVarHandle(CacheEngine.class, "generation", int.class);
            EXPIRATIONS = l.findVarHandle(CacheEngine.class, "expirations", int.class);
            ROTATIONS = l.findVarHandle(CacheEngine.class, "rotations", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final ClientCore client;
    private final KeySource source;
    private final String reference;
    private final CoreConfig config;
    private final ResilientFetcher fetcher;
    // counters (int fields: a client of many keys holds one engine per key; a key would need to refresh every
    // second for 68 years to wrap one)
    private volatile int loads;
    private volatile int loadFailures;
    private volatile int refreshes;
    private volatile int refreshFailures;
    private volatile int rejections;
    private volatile int expirations;
    private volatile int rotations;
    private final LongAdder hits;

    @SuppressWarnings("unused") // accessed through CURRENT
    private volatile Entry current;
    private volatile boolean closed;
    private volatile KeyListener[] listeners = NO_LISTENERS;
    /** The load in flight (single flight), or null. */
    private volatile CompletableFuture<Entry> loading;
    /** The background refresh in flight, or null. */
    private volatile CompletableFuture<Secret> refreshing;
    /** Bumped by invalidate() and reject(): a refresh started before must not bring its value back. */
    private volatile int generation;
    /** The last value fetched, for ROTATED. */
    private volatile Secret lastFetched;
    /** The source reported a change ({@link KeySource#watch}) while a refresh was running: refresh again after. */
    private volatile boolean changedDuringRefresh;

    /**
     * One cached value and its schedule (times on the ticker, in nanos). It is its own refresh task (a
     * {@link java.util.concurrent.Callable}, so the scheduler wraps nothing): one object less per key.
     */
    static final class Entry implements java.util.concurrent.Callable<Void> {
        final CacheEngine engine;
        final Secret secret;
        final long hardExpiryAt;
        /** The hard expiry on the wall clock, in epoch milliseconds. */
        final long hardExpiryMillis;
        final long refreshAt;
        /** Set (once, by CAS) before the entry leaves the cache: readers then load anew. */
        volatile boolean dead;
        volatile ScheduledFuture<?> refreshTask;
        volatile ScheduledFuture<?> expiryTask;

        Entry(CacheEngine engine, Secret secret, long hardExpiryAt, Instant hardExpiry, long refreshAt) {
            this.engine = engine;
            this.secret = secret;
            this.hardExpiryAt = hardExpiryAt;
            this.hardExpiryMillis = hardExpiry.toEpochMilli();
            this.refreshAt = refreshAt;
        }

        Instant hardExpiry() {
            return Instant.ofEpochMilli(hardExpiryMillis);
        }

        /** The refresh point. */
        @Override
        public Void call() {
            engine.refreshPoint(this);
            return null;
        }

        /** Marks the entry dead; true for the one caller that did. */
        boolean kill() {
            return DEAD.compareAndSet(this, false, true);
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

    CacheEngine(ClientCore client, KeySource source, CoreConfig config, ResilientFetcher.Policy policy,
                boolean recordHits) {
        this.client = client;
        this.source = source;
        this.reference = source.ref().toString();
        this.config = config;
        this.hits = recordHits ? new LongAdder() : null;
        this.fetcher = new ResilientFetcher(source, policy, client.executor(), client.scheduler(), client.ticker());
        source.watch(this::sourceChanged);
    }

    /** {@link KeySource#watch}: the source saw a change; refresh the cached value (if any) in the background. */
    private void sourceChanged() {
        if (closed) {
            return;
        }
        Entry e = client.cache().asMap().get(reference);
        if (e == null || e.dead) {
            return; // nothing cached: the next read fetches
        }
        changedDuringRefresh = true;
        if (refreshing == null) {
            changedDuringRefresh = false;
            refreshInBackground(e);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // reads

    /** The current secret: lock-free and clock-free when cached, a (single-flight) load otherwise. */
    public Secret secret() {
        Entry e = (Entry) CURRENT.getAcquire(this);
        if (e != null && !e.dead) {
            LongAdder h = hits;
            if (h != null) {
                h.increment();
            }
            return e.secret;
        }
        return load();
    }

    private Secret load() {
        while (true) {
            ensureOpen();
            CompletableFuture<Entry> running = loading;
            if (running == null) {
                Entry e = (Entry) CURRENT.getAcquire(this);
                if (e != null && !e.dead) {
                    return e.secret;
                }
                Entry cached = client.cache().asMap().get(reference);
                if (cached != null && !cached.dead) { // replaced just now: serve the new one
                    publish(cached);
                    return cached.secret;
                }
                CompletableFuture<Entry> mine = new CompletableFuture<>();
                if (!LOADING.compareAndSet(this, null, mine)) {
                    continue;
                }
                return loadAsLeader(mine);
            }
            Entry e = join(running);
            if (e != null && !e.dead) {
                return e.secret;
            }
        }
    }

    private static final VarHandle LOADING;

    static {
        try {
            LOADING = MethodHandles.lookup().findVarHandle(CacheEngine.class, "loading", CompletableFuture.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Loads on this thread, outside any lock; the other callers wait on {@code mine}. */
    private Secret loadAsLeader(CompletableFuture<Entry> mine) {
        LOADS.getAndAdd(this, 1);
        long start = client.ticker().read();
        Entry e;
        try {
            Secret s;
            try {
                s = ResilientFetcher.await(fetcher.fetchAsync(this::slow), reference);
            } catch (KeySourceException ex) {
                if (closed) {
                    throw closedException(ex);
                }
                LOAD_FAILURES.getAndAdd(this, 1);
                mine.completeExceptionally(ex);
                emit(KeyEvent.Type.FETCH_FAILED, Duration.ofNanos(client.ticker().read() - start), null, null, ex);
                throw ex;
            }
            e = newEntry(s);
            install(e);
            mine.complete(e);
        } catch (RuntimeException | Error t) {
            mine.completeExceptionally(t);
            throw t;
        } finally {
            LOADING.compareAndSet(this, mine, null);
        }
        // published: now tell the listeners (one may call get() and is served the value)
        Duration latency = Duration.ofNanos(client.ticker().read() - start);
        emit(KeyEvent.Type.FETCHED, latency, e.secret.version().orElse(null), null, null);
        noteValue(e.secret, latency);
        return e.secret;
    }

    /** Waits for another caller's load. Its failure is this caller's failure, except an interrupt of it. */
    private Entry join(CompletableFuture<Entry> running) {
        try {
            return running.get();
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new SourceInterruptedException(reference,
                    "interrupted while waiting for the secret; the fetch was abandoned", ie);
        } catch (ExecutionException ee) {
            Throwable c = ee.getCause();
            if (c instanceof SourceInterruptedException || (c instanceof IllegalStateException && closed)) {
                return null; // the loading caller was interrupted (not this one): load again, or see closed
            }
            if (c instanceof RuntimeException re) {
                throw re;
            }
            if (c instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(c);
        }
    }

    /** Puts a freshly loaded entry in the cache and on the hot path, then schedules its refresh. */
    private void install(Entry e) {
        if (closed) {
            throw closedException(null);
        }
        Entry previous = client.cache().asMap().put(reference, e);
        publish(e);
        if (previous != null && previous != e) {
            previous.kill();
            previous.cancelTasks();
        }
        scheduleRefresh(e, e.refreshAt - client.ticker().read());
    }

    /** Serve {@code e} from the hot path unless it has been replaced or removed meanwhile. */
    private void publish(Entry e) {
        CURRENT.setRelease(this, e);
        if (e.dead || client.cache().asMap().get(reference) != e || closed) {
            CURRENT.compareAndSet(this, e, null);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // entry lifetimes

    private Entry newEntry(Secret s) {
        long now = client.ticker().read();
        Instant wallNow = client.clock().instant();
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
        return new Entry(this, s, now + serveNanos, wallNow.plus(serve), now + refreshDelay(ttlNanos));
    }

    private long refreshDelay(long ttlNanos) {
        double base = ttlNanos * config.refreshAhead;
        double spread = config.jitter == 0 ? 0 : (ThreadLocalRandom.current().nextDouble() * 2 - 1) * config.jitter;
        long d = (long) (base * (1 + spread));
        return Math.max(0, Math.min(d, ttlNanos));
    }

    private void scheduleRefresh(Entry e, long delayNanos) {
        try {
            e.refreshTask = client.scheduler().schedule(e, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException ex) {
            LOG.debug("keysource: refresh of {} not scheduled: the scheduler is shut down", reference);
        }
    }

    /** The refresh point of {@code e}: from now on its hard expiry is watched, and a refresh starts. */
    private void refreshPoint(Entry e) {
        if (closed || e.dead || client.cache().asMap().get(reference) != e) {
            return;
        }
        if (e.expiryTask == null) {
            try {
                e.expiryTask = client.scheduler().schedule(() -> expire(e), e.hardExpiryAt - client.ticker().read(),
                        TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException ex) {
                return;
            }
        }
        refreshInBackground(e);
    }

    /** Hard expiry of {@code e} (our task, or Caffeine's expiry): drop it, once. */
    void expire(Entry e) {
        if (closed) {
            return;
        }
        if (!e.kill()) {
            e.cancelTasks();
            return; // already rejected, replaced or expired
        }
        client.cache().asMap().remove(reference, e);
        CURRENT.compareAndSet(this, e, null);
        e.cancelTasks();
        EXPIRATIONS.getAndAdd(this, 1);
        emit(KeyEvent.Type.EXPIRED, null, e.secret.version().orElse(null), null, null);
        LOG.warn("keysource: the value of {} reached its hard expiry without a successful refresh; the next read "
                + "fetches it again", reference);
    }

    /** Caffeine dropped {@code e} to stay within its maximum size: the next read loads again. */
    void evicted(Entry e) {
        if (e.kill()) {
            CURRENT.compareAndSet(this, e, null);
            e.cancelTasks();
            LOG.debug("keysource: the value of {} was evicted (the client's maximumSize); the next read loads it",
                    reference);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // refresh

    /** Starts (or joins) a background refresh; never blocks. */
    public CompletableFuture<Secret> refresh() {
        ensureOpen();
        return refreshFrom(client.cache().asMap().get(reference));
    }

    /** Starts a refresh and returns; its outcome is handled in onRefreshed/onRefreshFailed and by events. */
    private void refreshInBackground(Entry old) {
        CompletableFuture<Secret> unused = refreshFrom(old);
    }

    private CompletableFuture<Secret> refreshFrom(Entry old) {
        CompletableFuture<Secret> mine = new CompletableFuture<>();
        while (!REFRESHING.compareAndSet(this, null, mine)) {
            CompletableFuture<Secret> running = refreshing;
            if (running != null) {
                return running;
            }
        }
        long start = client.ticker().read();
        int gen = generation;
        CompletableFuture<Secret> f;
        try {
            f = fetcher.fetchAsync(this::slow);
        } catch (RuntimeException ex) {
            REFRESHING.compareAndSet(this, mine, null);
            mine.completeExceptionally(ex);
            return mine;
        }
        CompletableFuture<Secret> unused = f.whenComplete((s, failure) -> { // mine carries the outcome
            Throwable cause = failure == null ? null : ResilientFetcher.unwrap(failure);
            Runnable after = null;
            try {
                after = cause != null ? onRefreshFailed(old, cause, start) : onRefreshed(old, s, start, gen);
            } finally {
                REFRESHING.compareAndSet(this, mine, null);
                try {
                    if (after != null) {
                        after.run(); // events: after the value is published, before the refresh's future completes
                    }
                } finally {
                    if (cause != null) {
                        mine.completeExceptionally(cause);
                    } else {
                        mine.complete(s);
                    }
                    Entry now;
                    if (changedDuringRefresh && !closed && (now = client.cache().asMap().get(reference)) != null
                            && !now.dead) {
                        changedDuringRefresh = false;
                        refreshInBackground(now); // the change may have come after this fetch read the source
                    }
                }
            }
        });
        return mine;
    }

    private static final VarHandle REFRESHING;

    static {
        try {
            REFRESHING = MethodHandles.lookup().findVarHandle(CacheEngine.class, "refreshing", CompletableFuture.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Installs the refreshed value unless the entry was invalidated, rejected or replaced meanwhile. */
    private Runnable onRefreshed(Entry old, Secret s, long start, int gen) {
        if (closed) {
            return null;
        }
        Entry n = newEntry(s);
        boolean installed;
        if (old != null) {
            installed = client.cache().asMap().replace(reference, old, n);
        } else {
            installed = generation == gen && client.cache().asMap().putIfAbsent(reference, n) == null;
            if (installed && generation != gen) { // invalidated while installing: take it back
                client.cache().asMap().remove(reference, n);
                installed = false;
            }
        }
        if (!installed) {
            return null; // invalidated, rejected, or a load installed a newer value meanwhile
        }
        publish(n); // before the old entry dies, so readers never see a gap
        if (old != null) {
            old.kill();
            old.cancelTasks();
        }
        scheduleRefresh(n, n.refreshAt - client.ticker().read());
        REFRESHES.getAndAdd(this, 1);
        Duration latency = Duration.ofNanos(client.ticker().read() - start);
        return () -> {
            emit(KeyEvent.Type.REFRESHED, latency, s.version().orElse(null), null, null);
            noteValue(s, latency);
        };
    }

    /** Emits ROTATED when a newly fetched value differs from the one fetched before it. */
    private void noteValue(Secret s, Duration latency) {
        Secret prev = lastFetched;
        lastFetched = s;
        if (prev != null && rotated(prev, s)) {
            ROTATIONS.getAndAdd(this, 1);
            emit(KeyEvent.Type.ROTATED, latency, s.version().orElse(null), null, null);
        }
    }

    private Runnable onRefreshFailed(Entry old, Throwable t, long start) {
        if (closed) {
            return null; // closing interrupted the refresh: nothing to report
        }
        REFRESH_FAILURES.getAndAdd(this, 1);
        KeySourceException e = t instanceof KeySourceException kse
                ? kse
                : dev.keysource.InternalKeySourceException.unexpected(reference, "the refresh", t);
        Duration latency = Duration.ofNanos(client.ticker().read() - start);
        boolean serving = old != null && !old.dead && client.cache().asMap().get(reference) == old;
        if (serving) {
            long remaining = old.hardExpiryAt - client.ticker().read();
            // try again before the value runs out: halfway to hard expiry, at least a second apart
            long next = Math.max(MIN_TTL.toNanos(), remaining / 2);
            if (next < remaining) {
                scheduleRefresh(old, next);
            }
            return () -> {
                emit(KeyEvent.Type.REFRESH_FAILED, latency, null, old.hardExpiry(), e);
                LOG.warn("keysource: refreshing {} failed; serving the previous value until {} ({} ms): {}", reference,
                        old.hardExpiry(), Duration.ofNanos(Math.max(0, remaining)).toMillis(), e.getMessage());
            };
        }
        return () -> {
            emit(KeyEvent.Type.REFRESH_FAILED, latency, null, null, e);
            LOG.warn("keysource: refreshing {} failed: {}", reference, e.getMessage());
        };
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
        Entry e = client.cache().asMap().get(reference);
        if (e == null || e.dead || !e.secret.matches(value)) {
            return false;
        }
        GENERATION.getAndAdd(this, 1);
        if (!e.kill()) { // one rejection per entry wins
            return false;
        }
        try {
            source.rejected(e.secret); // before the entry goes, so the fetch replacing it follows the rejection
        } catch (RuntimeException ex) {
            LOG.warn("keysource: the source of {} threw {} when told of a rejection; ignored", reference,
                    ex.getClass().getName());
        }
        client.cache().asMap().remove(reference, e);
        CURRENT.compareAndSet(this, e, null);
        e.cancelTasks();
        REJECTIONS.getAndAdd(this, 1);
        emit(KeyEvent.Type.REJECTED, null, e.secret.version().orElse(null), null, null);
        LOG.info("keysource: the value of {} was rejected by its user (e.g. HTTP 401/403); the next read fetches a new "
                + "one", reference);
        return true;
    }

    /** Drops the value unconditionally; a refresh in flight does not bring it back. */
    public void invalidate() {
        GENERATION.getAndAdd(this, 1);
        Entry e = client.cache().asMap().get(reference);
        if (e != null) {
            e.kill();
            client.cache().asMap().remove(reference, e);
            e.cancelTasks();
        }
        Entry c = (Entry) CURRENT.getAndSet(this, null);
        if (c != null) {
            c.kill();
            c.cancelTasks();
        }
    }

    /** Adds a listener of this key's events. */
    public void addListener(KeyListener l) {
        synchronized (this) {
            KeyListener[] ls = Arrays.copyOf(listeners, listeners.length + 1);
            ls[ls.length - 1] = l;
            listeners = ls;
        }
    }

    /** Removes a listener added with {@link #addListener} (by identity). */
    public void removeListener(KeyListener l) {
        synchronized (this) {
            KeyListener[] ls = listeners;
            for (int i = 0; i < ls.length; i++) {
                if (ls[i] == l) {
                    KeyListener[] n = new KeyListener[ls.length - 1];
                    System.arraycopy(ls, 0, n, 0, i);
                    System.arraycopy(ls, i + 1, n, i, ls.length - i - 1);
                    listeners = n.length == 0 ? NO_LISTENERS : n;
                    return;
                }
            }
        }
    }

    public KeyStats stats() {
        return new KeyStats(hits != null ? hits.sum() : 0, loads, loadFailures, refreshes, refreshFailures, rejections,
                expirations, rotations, fetcher.attempts());
    }

    public String reference() {
        return reference;
    }

    KeySource source() {
        return source;
    }

    boolean isClosed() {
        return closed;
    }

    /** Stops this key: drops its value, cancels its tasks, closes its source. Called by the client. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        invalidate();
        closed = true;
        invalidate();
        source.close();
    }

    private void ensureOpen() {
        if (closed || client.isClosed()) {
            throw closedException(null);
        }
    }

    private IllegalStateException closedException(Throwable cause) {
        IllegalStateException e = new IllegalStateException("keysource: " + reference + " is closed (its CachedKey or"
                + " its Keys client was closed); build a new one to read it again");
        if (cause != null) {
            e.addSuppressed(cause);
        }
        return e;
    }

    // ---------------------------------------------------------------------------------------------

    private void slow(Duration elapsed) {
        emit(KeyEvent.Type.SLOW_FETCH, elapsed, null, null, null);
    }

    private void emit(KeyEvent.Type type, Duration latency, String version, Instant servedUntil, KeySourceException f) {
        KeyListener[] own = listeners;
        KeyListener[] all = client.listeners();
        if (own.length == 0 && all.length == 0) {
            return;
        }
        KeyEvent ev = new KeyEvent(type, reference, client.clock().instant(), latency, version, servedUntil, f);
        for (KeyListener l : all) {
            ClientCore.deliver(l, ev);
        }
        for (KeyListener l : own) {
            ClientCore.deliver(l, ev);
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
