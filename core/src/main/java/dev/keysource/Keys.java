package dev.keysource;

import dev.keysource.internal.ClientCore;
import dev.keysource.internal.ClientParts;
import dev.keysource.spi.KeySourceProvider;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import org.jspecify.annotations.Nullable;

/**
 * The keysource client: one per application, serving every secret it holds.
 *
 * <pre>{@code
 * Keys keys = Keys.builder()
 *         .setting("vault", "auth", "approle")     // backend settings, given once
 *         .ttl(Duration.ofMinutes(10))             // defaults of every key
 *         .build();
 * String dbPassword = keys.get("vault:secret/app/db#password");   // cached: one map look-up
 * CachedKey apiKey = keys.key("aws-sm:prod/partner#api_key");     // a handle onto that entry
 * ...
 * keys.close();                                                  // on shutdown
 * }</pre>
 *
 * <p>What it owns, and shares between all its keys:
 * <ul>
 *   <li>one backend instance per scheme, created on first use of the scheme; a backend shares its
 *       expensive parts by identity: one Vault session (HTTP client, login, token renewal, mounts) per
 *       address, namespace and auth; one AWS SDK client per region, endpoint, profile and credentials;</li>
 *   <li>one bounded fetch executor ({@value ClientCore#DEFAULT_FETCH_THREADS} threads at most) and one
 *       scheduler thread, daemon threads that end after 30 s idle; unless you pass your own, which the
 *       client never shuts down;</li>
 *   <li>one Caffeine cache of every value, keyed by canonical reference, bounded by
 *       {@link Builder#maximumSize} (default {@value ClientCore#DEFAULT_MAXIMUM_SIZE} values), each value
 *       leaving it at its hard expiry.</li>
 * </ul>
 * Every key follows the rules of {@link CachedKey} (TTL, refresh ahead, stale on error, reject, single
 * flight). {@link #close()} closes every key and backend (Vault revokes the tokens it logged in for;
 * AWS SDK clients are closed) and stops the threads the client created.
 *
 * <p>{@link #shared()} is the client behind {@link CachedKey#of(String)}: created on first use with
 * the defaults, the system properties and the environment, its threads are daemons that end when idle.
 *
 * <p>Thread-safe.
 */
public final class Keys implements AutoCloseable {

    private static final Object SHARED_LOCK = new Object();
    private static volatile @Nullable Keys shared;

    private final ClientCore core;

    private Keys(ClientCore core) {
        this.core = core;
    }

    /** A client with every setting at its default, or from system properties and the environment. */
    public static Keys create() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The process-wide client behind {@link CachedKey#of(String)}, created on first use: defaults, system
     * properties and environment, backends found through {@link java.util.ServiceLoader}, daemon threads
     * ({@code keysource-shared-fetch-N}, {@code keysource-shared-scheduler-N}) that end after 30 s idle. So
     * {@code CachedKey.of(ref)} in twenty places costs one backend login per identity and a constant
     * number of threads. Closing it closes every key taken from it; the next call creates a new one.
     */
    public static Keys shared() {
        Keys k = shared;
        if (k != null && !k.core.isClosed()) {
            return k;
        }
        synchronized (SHARED_LOCK) {
            k = shared;
            if (k == null || k.core.isClosed()) {
                k = builder().build("shared");
                shared = k;
            }
            return k;
        }
    }

    /**
     * Test seam: closes the current shared client (if any) and makes {@code builder}'s client the one
     * {@link #shared()} and {@link CachedKey#of(String)} use, e.g. with an injected environment; a null
     * builder only closes it (the next {@code shared()} creates the default one again). For tests in
     * package {@code dev.keysource}; not API.
     */
    static @Nullable Keys installShared(@Nullable Builder builder) {
        synchronized (SHARED_LOCK) {
            Keys old = shared;
            shared = null;
            if (old != null) {
                old.close();
            }
            if (builder != null) {
                shared = builder.build("shared");
            }
            return shared;
        }
    }

    /**
     * The handle onto the one entry of {@code reference} (a new handle per call, onto the same entry).
     * Closing the handle releases it only; the client owns the entry.
     *
     * @throws InvalidReferenceException for a reference that does not parse or names an unknown scheme
     * @throws SourceMisconfiguredException for an invalid setting of this reference
     */
    public CachedKey key(String reference) {
        return new CachedKey(core.engine(Objects.requireNonNull(reference, "reference")), null);
    }

    /**
     * The value of {@code reference}: cached, one map look-up and a volatile read; blocks only when there
     * is no value (first read, or after expiry, rejection or invalidation).
     */
    public String get(String reference) {
        return core.engine(Objects.requireNonNull(reference, "reference")).secret().value();
    }

    /** The value of {@code reference} with its metadata. */
    public Secret secret(String reference) {
        return core.engine(Objects.requireNonNull(reference, "reference")).secret();
    }

    /**
     * Compare-and-reject, as {@link CachedKey#reject(String)}: drops the value of {@code reference} if it is
     * still {@code value}. False when it was replaced already, or the reference has no key here.
     */
    public boolean reject(String reference, String value) {
        Objects.requireNonNull(value, "value");
        dev.keysource.internal.CacheEngine e = core.existing(Objects.requireNonNull(reference, "reference"));
        return e != null && e.reject(value);
    }

    /** Drops the value of {@code reference}; the next read fetches it. */
    public void invalidate(String reference) {
        dev.keysource.internal.CacheEngine e = core.existing(Objects.requireNonNull(reference, "reference"));
        if (e != null) {
            e.invalidate();
        }
    }

    /** Receives the events of every key of this client ({@link KeyEvent#reference()} says which). */
    public void addListener(KeyListener listener) {
        core.addListener(Objects.requireNonNull(listener, "listener"));
    }

    /** The canonical references of the keys this client holds (each read at least once or taken as a handle). */
    public Set<String> references() {
        return core.references();
    }

    /**
     * Closes every key, then every backend through its sources (Vault revokes the tokens it logged in for,
     * never one you gave it; AWS SDK clients are closed), and shuts down the threads this client created.
     * An executor or scheduler you passed in keeps running. Reads afterwards throw
     * {@link IllegalStateException}. Idempotent.
     */
    @Override
    public void close() {
        core.close();
    }

    @Override
    public String toString() {
        return "Keys[" + core.references().size() + " keys]";
    }

    /**
     * Builds a {@link Keys} client. A key setting given here is the default of every key; for one key it
     * is overridden by a reference option ({@code ?ttl=1m}), and it wins over the system property
     * {@code keysource.<name>}, the environment ({@code KEYSOURCE_TTL_MS}, ...) and the built-in default.
     */
    public static final class Builder {
        private final ClientParts parts = new ClientParts();

        private Builder() {
            parts.referenceOptionsWin = true;
        }

        /** How long a value is reused. Default 5 minutes ({@code KEYSOURCE_TTL_MS}). */
        public Builder ttl(Duration ttl) {
            parts.code.ttl = CachedKey.Builder.positive(ttl, "ttl");
            return this;
        }

        /** Fraction of the TTL after which a background refresh starts, 0.1 to 1. Default 0.8. */
        public Builder refreshAhead(double fraction) {
            parts.code.refreshAheadBoxed = CachedKey.Builder.checkRefreshAhead(fraction);
            return this;
        }

        /** Random spread of refresh times, 0 to 0.5 (±). Default 0.1. */
        public Builder jitter(double fraction) {
            parts.code.jitterBoxed = CachedKey.Builder.checkJitter(fraction);
            return this;
        }

        /** How long past its TTL a value without a backend expiry is served while refreshes fail. Default 5 minutes. */
        public Builder staleGrace(Duration grace) {
            parts.code.staleGrace = CachedKey.Builder.nonNegative(grace, "staleGrace");
            return this;
        }

        /** How long before a backend expiry (or JWT exp) a value counts as expired. Default 30 s. */
        public Builder expirySkew(Duration skew) {
            parts.code.expirySkew = CachedKey.Builder.nonNegative(skew, "expirySkew");
            return this;
        }

        /** Time limit of each attempt. Default 30 s ({@code KEYSOURCE_TIMEOUT_MS}). */
        public Builder timeout(Duration timeout) {
            parts.code.timeout = CachedKey.Builder.positive(timeout, "timeout");
            return this;
        }

        /** Attempts per fetch, including the first, 1 to 20. Default 3. */
        public Builder maxAttempts(int attempts) {
            parts.code.attemptsBoxed = CachedKey.Builder.checkAttempts(attempts);
            return this;
        }

        /** First retry delay; doubles each retry, ±50% jitter. Default 200 ms. */
        public Builder backoff(Duration backoff) {
            parts.code.backoff = CachedKey.Builder.positive(backoff, "backoff");
            return this;
        }

        /** A fetch still running after this logs one warning. Default 10 s. */
        public Builder slowThreshold(Duration threshold) {
            parts.code.slowThreshold = CachedKey.Builder.positive(threshold, "slowThreshold");
            return this;
        }

        /**
         * The most values the cache holds; beyond it Caffeine evicts the least useful, whose next read
         * loads again. Default {@value ClientCore#DEFAULT_MAXIMUM_SIZE}.
         */
        public Builder maximumSize(long entries) {
            if (entries < 1) {
                throw new IllegalArgumentException("maximumSize must be at least 1: " + entries);
            }
            parts.maximumSize = entries;
            return this;
        }

        /**
         * A backend setting given once for every key of {@code scheme}, e.g. {@code setting("vault", "auth",
         * "approle")}; it wins over system properties and the environment, and a reference option wins
         * over it. Unknown names are refused by {@link #build()}.
         */
        public Builder setting(String scheme, String name, String value) {
            Objects.requireNonNull(scheme, "scheme");
            Objects.requireNonNull(name, "name");
            CachedKey.Builder.requireValue(name, value);
            parts.settingsByScheme.computeIfAbsent(scheme, k -> new LinkedHashMap<>()).put(name, value);
            return this;
        }

        /** The environment to read instead of {@link System#getenv()} (tests, sandboxes). */
        public Builder environment(Map<String, String> environment) {
            parts.environment = Map.copyOf(Objects.requireNonNull(environment, "environment"));
            return this;
        }

        /** The system properties to read instead of {@link System#getProperties()}. */
        public Builder systemProperties(Map<String, String> properties) {
            parts.systemProperties = Map.copyOf(Objects.requireNonNull(properties, "properties"));
            return this;
        }

        /** The monotonic time source. Default {@link Ticker#system()}. */
        public Builder ticker(Ticker ticker) {
            parts.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /** Wall-clock time, for expiry instants. Default {@link Clock#systemUTC()}. */
        public Builder clock(Clock clock) {
            parts.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Where fetches run; never shut down by the client. Default: a pool of at most
         * {@value ClientCore#DEFAULT_FETCH_THREADS} daemon threads created by the client.
         */
        public Builder executor(Executor executor) {
            parts.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /** Where delays, refreshes and expiries are scheduled; never shut down by the client. Default: one daemon thread. */
        public Builder scheduler(ScheduledExecutorService scheduler) {
            parts.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /** Receives the events of every key. */
        public Builder listener(KeyListener listener) {
            parts.listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /** Counts cache hits in {@link KeyStats#hits()} (a striped counter on the read path). Default off. */
        public Builder recordStats(boolean record) {
            parts.recordHits = record;
            return this;
        }

        /** Adds or overrides the provider of its scheme; discovery of the other schemes stays on. */
        public Builder provider(KeySourceProvider provider) {
            if (parts.providers == null) {
                parts.providers = new ArrayList<>();
            }
            parts.providers.add(Objects.requireNonNull(provider, "provider"));
            return this;
        }

        /** The class loader for provider discovery. Default: the thread's context class loader. */
        public Builder classLoader(ClassLoader loader) {
            parts.classLoader = Objects.requireNonNull(loader, "loader");
            return this;
        }

        /** How long an idle thread the client created lives (tests). */
        Builder threadKeepAlive(Duration keepAlive) {
            parts.keepAlive = CachedKey.Builder.positive(keepAlive, "threadKeepAlive");
            return this;
        }

        /**
         * Builds the client: discovers the backends, validates every setting (the defaults, the system
         * properties and environment variables of the core settings, and the names of backend settings),
         * creates no backend and does no I/O; threads start on first use.
         *
         * @throws SourceMisconfiguredException for an invalid setting (the message names it)
         */
        public Keys build() {
            return build("client");
        }

        Keys build(String threadPrefix) {
            ClientCore core = new ClientCore(parts.copy(), threadPrefix);
            try {
                core.validate();
            } catch (RuntimeException e) {
                core.close();
                throw e;
            }
            return new Keys(core);
        }
    }

    ClientCore core() {
        return core;
    }
}
