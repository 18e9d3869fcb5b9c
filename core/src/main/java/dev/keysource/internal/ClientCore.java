package dev.keysource.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Scheduler;
import dev.keysource.KeyEvent;
import dev.keysource.KeyListener;
import dev.keysource.KeyRef;
import dev.keysource.SourceMisconfiguredException;
import dev.keysource.Ticker;
import dev.keysource.spi.KeySource;
import dev.keysource.spi.KeySourceProvider;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client: what every key of it shares. The providers (one instance per scheme, so a backend's own
 * sharing by identity, Vault's sessions and AWS's SDK clients, spans every key), one bounded fetch
 * executor and one scheduler thread (unless given), one Caffeine cache of every value keyed by
 * canonical reference, the settings, and the listeners. Keys ({@link CacheEngine}) are created on first
 * use of a reference and live until the client closes.
 */
public final class ClientCore implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger("dev.keysource");
    private static final KeyListener[] NO_LISTENERS = new KeyListener[0];

    /** Default bound of the cache: values held at most (a service holds tens; this leaves room). */
    public static final long DEFAULT_MAXIMUM_SIZE = 10_000;
    /** Threads of the fetch executor a client creates: at most this many fetches run at once. */
    public static final int DEFAULT_FETCH_THREADS = 4;
    /** An idle thread the client created ends after this long. */
    public static final Duration DEFAULT_KEEP_ALIVE = Duration.ofSeconds(30);

    private final ClientParts parts;
    private final ProviderRegistry registry;
    private final Map<String, String> env;
    private final Map<String, String> props;
    private final Ticker ticker;
    private final Clock clock;
    private final Executor executor;
    private final ScheduledExecutorService scheduler;
    private final List<ExecutorService> owned = new ArrayList<>();
    private final Cache<String, CacheEngine.Entry> cache;
    /**
     * Keys by canonical reference, and by each other spelling callers used ({@code #field} before the
     * options, ...): one look-up on the read path, one node per key when written canonically.
     */
    private final ConcurrentHashMap<String, CacheEngine> byName = new ConcurrentHashMap<>();
    /** Shared by the keys with equal settings; null for a client of one (nothing to share). */
    private final ConcurrentHashMap<String, ResilientFetcher.Policy> policies;
    private final ConcurrentHashMap<String, CoreConfig> configs;
    private volatile KeyListener[] listeners;
    private volatile boolean closed;

    /**
     * @param parts what the builder collected; {@code parts.settingsByScheme} are backend settings per
     *              scheme, {@code parts.code} the defaults of every key
     * @param threadPrefix names of the threads the client creates ({@code keysource-<prefix>-fetch-1})
     */
    public ClientCore(ClientParts parts, String threadPrefix) {
        this.parts = parts;
        this.policies = parts.singleKey ? null : new ConcurrentHashMap<>();
        this.configs = parts.singleKey ? null : new ConcurrentHashMap<>();
        this.env = parts.environment != null ? parts.environment : System.getenv();
        this.props = parts.systemProperties != null ? parts.systemProperties : ClientParts.snapshot(System.getProperties());
        this.ticker = parts.ticker != null ? parts.ticker : Ticker.system();
        this.clock = parts.clock != null ? parts.clock : Clock.systemUTC();
        ProviderRegistry discovered = parts.source != null ? ProviderRegistry.of(List.of(), new ArrayList<>())
                : ProviderRegistry.load(parts.classLoader);
        this.registry = discovered.withOverrides(parts.providers != null ? parts.providers : List.of());
        Duration keepAlive = parts.keepAlive != null ? parts.keepAlive : DEFAULT_KEEP_ALIVE;
        if (parts.executor != null) {
            this.executor = parts.executor;
        } else {
            FetchPool pool = fetchPool("keysource-" + threadPrefix + "-fetch", DEFAULT_FETCH_THREADS, keepAlive);
            owned.add(pool);
            this.executor = pool;
        }
        if (parts.scheduler != null) {
            this.scheduler = parts.scheduler;
        } else {
            ScheduledThreadPoolExecutor stpe = new ScheduledThreadPoolExecutor(1,
                    daemon("keysource-" + threadPrefix + "-scheduler"));
            stpe.setRemoveOnCancelPolicy(true);
            stpe.setKeepAliveTime(keepAlive.toNanos(), TimeUnit.NANOSECONDS);
            stpe.allowCoreThreadTimeOut(true);
            stpe.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
            owned.add(stpe);
            this.scheduler = stpe;
        }
        this.listeners = parts.listeners.toArray(NO_LISTENERS);
        if (parts.singleKey) {
            // a key built alone (a client of one): its expiry task is exact, so the cache needs no bound nor
            // expiry policy, whose timer wheel and frequency sketch would cost ~8 KB per key
            this.cache = Caffeine.newBuilder().executor(Runnable::run).initialCapacity(1).build();
        } else {
            long max = parts.maximumSize != null ? parts.maximumSize : DEFAULT_MAXIMUM_SIZE;
            this.cache = Caffeine.newBuilder()
                    .maximumSize(max)
                    .ticker(ticker::read)
                    .expireAfter(new HardExpiry(ticker))
                    .scheduler(Scheduler.forScheduledExecutorService(scheduler))
                    // maintenance and removal notices run on the scheduler, never on a reader or inside a map lock
                    .executor(scheduler)
                    .removalListener(this::removed)
                    .build();
        }
    }

    /** Each value leaves the cache at its hard expiry, on the injected ticker. */
    private static final class HardExpiry implements Expiry<String, CacheEngine.Entry> {
        private final Ticker ticker;

        HardExpiry(Ticker ticker) {
            this.ticker = ticker;
        }

        @Override
        public long expireAfterCreate(String key, CacheEngine.Entry e, long currentTime) {
            return Math.max(0, e.hardExpiryAt - ticker.read());
        }

        @Override
        public long expireAfterUpdate(String key, CacheEngine.Entry e, long currentTime, long currentDuration) {
            return Math.max(0, e.hardExpiryAt - ticker.read());
        }

        @Override
        public long expireAfterRead(String key, CacheEngine.Entry e, long currentTime, long currentDuration) {
            return currentDuration;
        }
    }

    private void removed(String key, CacheEngine.Entry e, RemovalCause cause) {
        if (key == null || e == null || !cause.wasEvicted()) {
            return;
        }
        CacheEngine engine = e.engine;
        if (cause == RemovalCause.EXPIRED) {
            engine.expire(e);
        } else {
            engine.evicted(e);
        }
    }

    /**
     * Validates what can be checked without a reference: the core settings from code, system properties
     * and environment, and the backend settings given per scheme (the scheme must be served, each name
     * accepted). No I/O.
     */
    public void validate() {
        CoreConfig.resolve(parts.code, new SettingsSource(Map.of(), null, props, env), List.of());
        for (Map.Entry<String, Map<String, String>> e : parts.settingsByScheme.entrySet()) {
            String scheme = e.getKey();
            KeySourceProvider provider;
            try {
                provider = registry.provider(scheme, scheme + ":");
            } catch (dev.keysource.InvalidReferenceException ex) {
                throw new SourceMisconfiguredException(null, "settings given for scheme '" + scheme
                        + "', which no backend serves: " + ex.detail(), ex);
            }
            ClientParts.checkSettings(provider, scheme, null, e.getValue()); // a client's settings: no single reference
        }
    }

    // ------------------------------------------------------------------------------------------- keys

    /** The key of {@code reference}: one map look-up once it is known; created (no I/O) on first use. */
    public CacheEngine engine(String reference) {
        CacheEngine e = byName.get(reference);
        if (e != null) {
            return e;
        }
        return create(reference);
    }

    /** The key of {@code reference} if it exists, without creating it. */
    public CacheEngine existing(String reference) {
        CacheEngine e = byName.get(reference);
        if (e != null) {
            return e;
        }
        try {
            return byName.get(canonical(reference));
        } catch (RuntimeException ex) {
            return null;
        }
    }

    private String canonical(String reference) {
        KeySourceProvider provider = registry.provider(KeyRef.schemeOf(reference), reference);
        return (provider.opaqueLocation() ? KeyRef.parseOpaque(reference) : KeyRef.parse(reference)).toString();
    }

    private CacheEngine create(String reference) {
        ensureOpen();
        KeySourceProvider provider = registry.provider(KeyRef.schemeOf(reference), reference);
        KeyRef ref = provider.opaqueLocation() ? KeyRef.parseOpaque(reference) : KeyRef.parse(reference);
        String canonical = ref.toString();
        CacheEngine e = byName.get(canonical);
        if (e == null) {
            Map<String, String> code = parts.settingsFor(ref.scheme());
            ClientParts.checkOptions(provider, ref, code);
            CoreConfig.Values defaults = parts.code;
            if (parts.referenceOptionsWin && !ref.options().isEmpty()) { // a client's settings are defaults
                code = new java.util.LinkedHashMap<>(code);
                code.keySet().removeAll(ref.options().keySet());
                defaults = ClientParts.withoutOptions(parts.code, ref.options().keySet());
            }
            SettingsSource s = new SettingsSource(code, ref, props, env);
            CoreConfig config = intern(CoreConfig.resolve(defaults, s, provider.ttlEnvironmentVariables()));
            DefaultProviderContext ctx = new DefaultProviderContext(ref.scheme(), s, clock, executor, scheduler,
                    config.timeout);
            KeySource source = provider.create(ref, ctx); // outside any map lock
            if (source == null) {
                throw ClientParts.noSource(canonical, provider);
            }
            e = adopt(source, config);
        }
        if (!reference.equals(canonical)) {
            byName.putIfAbsent(reference, e);
        }
        return e;
    }

    /** Adds a key for a source built elsewhere (or by {@link #create}); a key that exists already wins. */
    public CacheEngine adopt(KeySource source, CoreConfig config) {
        ResilientFetcher.Policy policy = policies == null ? ResilientFetcher.Policy.of(config)
                : policies.computeIfAbsent(ResilientFetcher.Policy.keyOf(config), k -> ResilientFetcher.Policy.of(config));
        CacheEngine made = new CacheEngine(this, source, config, policy, parts.recordHits);
        CacheEngine won = byName.putIfAbsent(made.reference(), made);
        if (won != null) {
            source.close(); // another caller created it first
            return won;
        }
        if (closed) { // closed meanwhile: do not leave an open source behind
            byName.remove(made.reference(), made);
            made.close();
            ensureOpen();
        }
        return made;
    }

    /** The settings of a key built around a given source (no provider). */
    public CoreConfig configFor(KeyRef ref) {
        SettingsSource s = new SettingsSource(parts.settingsFor(ref.scheme()), ref, props, env);
        return intern(CoreConfig.resolve(parts.code, s, List.of()));
    }

    /** Equal settings (the common case: no per-reference options) share one object. */
    private CoreConfig intern(CoreConfig c) {
        if (configs == null) {
            return c;
        }
        String k = ResilientFetcher.Policy.keyOf(c) + "|" + c.ttl + "|" + c.refreshAhead + "|" + c.jitter + "|"
                + c.staleGrace + "|" + c.expirySkew + "|" + c.origins();
        CoreConfig prev = configs.putIfAbsent(k, c);
        return prev != null ? prev : c;
    }

    /** Canonical references of the keys of this client. */
    public Set<String> references() {
        Set<String> refs = new TreeSet<>();
        for (CacheEngine e : byName.values()) {
            refs.add(e.reference());
        }
        return refs;
    }

    // ------------------------------------------------------------------------------------------- shared parts

    Cache<String, CacheEngine.Entry> cache() {
        return cache;
    }

    public Ticker ticker() {
        return ticker;
    }

    public Clock clock() {
        return clock;
    }

    public Executor executor() {
        return executor;
    }

    public ScheduledExecutorService scheduler() {
        return scheduler;
    }

    KeyListener[] listeners() {
        return listeners;
    }

    /** Adds a listener of every key's events. */
    public synchronized void addListener(KeyListener l) {
        KeyListener[] ls = Arrays.copyOf(listeners, listeners.length + 1);
        ls[ls.length - 1] = l;
        listeners = ls;
    }

    /** Values cached now (for tests and diagnostics). */
    public long cachedValues() {
        cache.cleanUp();
        return cache.estimatedSize();
    }

    public boolean isClosed() {
        return closed;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("keysource: this Keys client is closed; build a new one");
        }
    }

    /**
     * Closes every key (and so its source: a backend closes what it shares when the last of its sources
     * closes, e.g. Vault revokes the token it logged in for) and then the threads this client created;
     * an executor or scheduler that was given is left running.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        RuntimeException first = null;
        for (CacheEngine e : new java.util.LinkedHashSet<>(byName.values())) {
            try {
                e.close();
            } catch (RuntimeException ex) {
                if (first == null) {
                    first = ex;
                } else {
                    first.addSuppressed(ex);
                }
            }
        }
        byName.clear();
        cache.invalidateAll();
        owned.forEach(ExecutorService::shutdownNow);
        if (first != null) {
            throw first;
        }
    }

    // ------------------------------------------------------------------------------------------- events

    /**
     * Delivers an event to a listener. A listener that throws (even an {@link Error} such as an
     * {@link AssertionError} or a {@link StackOverflowError}) is logged and ignored, as
     * {@link KeyListener} says; only {@link OutOfMemoryError} and the other truly fatal
     * {@link VirtualMachineError}s (internal and unknown errors) are rethrown.
     */
    static void deliver(KeyListener l, KeyEvent ev) {
        try {
            l.onEvent(ev);
        } catch (VirtualMachineError fatal) {
            if (!(fatal instanceof StackOverflowError)) {
                throw fatal;
            }
            LOG.warn("keysource: a KeyListener threw {} on {} of {}; ignored", fatal.getClass().getName(), ev.type(),
                    ev.reference());
        } catch (Throwable t) {
            LOG.warn("keysource: a KeyListener threw {} on {} of {}; ignored", t.getClass().getName(), ev.type(),
                    ev.reference());
        }
    }

    // ------------------------------------------------------------------------------------------- threads

    /**
     * A bounded pool that makes a thread only when none is idle (up to {@code max}), queues beyond that,
     * and lets idle threads end after {@code keepAlive}: twenty keys loaded one after the other use one
     * thread, not twenty.
     */
    static FetchPool fetchPool(String prefix, int max, Duration keepAlive) {
        IdleFirstQueue queue = new IdleFirstQueue();
        FetchPool pool = new FetchPool(max, keepAlive, queue, daemon(prefix));
        queue.pool = pool;
        return pool;
    }

    /**
     * The client's fetch pool. It counts its outstanding tasks (submitted and not yet handing over their
     * result): a task goes to the queue only when a thread is free for it, and otherwise starts a thread
     * (up to the maximum), so a fetch that submits helper tasks (a backend draining a pipe) never finds
     * them queued behind itself while the pool could still grow.
     */
    static final class FetchPool extends ThreadPoolExecutor {
        private static final ThreadLocal<boolean[]> RUNNING = ThreadLocal.withInitial(() -> new boolean[1]);
        final AtomicInteger pending = new AtomicInteger();

        FetchPool(int max, Duration keepAlive, IdleFirstQueue queue, ThreadFactory threads) {
            super(0, max, keepAlive.toNanos(), TimeUnit.NANOSECONDS, queue, threads, (r, p) -> {
                if (p.isShutdown()) {
                    throw new RejectedExecutionException("keysource: the client's fetch executor is shut down");
                }
                queue.force(r);
            });
        }

        @Override
        public void execute(Runnable command) {
            pending.incrementAndGet();
            try {
                super.execute(command);
            } catch (RuntimeException e) {
                pending.decrementAndGet();
                throw e;
            }
        }

        @Override
        protected void beforeExecute(Thread t, Runnable r) {
            RUNNING.get()[0] = true;
        }

        @Override
        protected void afterExecute(Runnable r, Throwable t) {
            ending();
        }

        /**
         * Called by a task on this pool's thread when its result is about to be handed over: from then on
         * the thread counts as free, so the caller's next fetch reuses it instead of starting another.
         */
        void ending() {
            boolean[] running = RUNNING.get();
            if (running[0]) {
                running[0] = false;
                pending.decrementAndGet();
            }
        }
    }

    /** Queues a fetch task only when a thread is free for it; refuses it (so the pool adds a thread) otherwise. */
    private static final class IdleFirstQueue extends LinkedBlockingQueue<Runnable> {
        private static final long serialVersionUID = 1L;
        transient volatile FetchPool pool;

        @Override
        public boolean offer(Runnable r) {
            FetchPool p = pool;
            if (p != null && p.getPoolSize() < p.getMaximumPoolSize() && p.pending.get() > p.getPoolSize()) {
                return false;
            }
            return super.offer(r);
        }

        void force(Runnable r) {
            super.offer(r);
        }
    }

    /** Tells the client's fetch pool, if {@code executor} is one, that the current task is handing over its result. */
    static void ending(Executor executor) {
        if (executor instanceof FetchPool fetchPool) {
            fetchPool.ending();
        }
    }

    static ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
