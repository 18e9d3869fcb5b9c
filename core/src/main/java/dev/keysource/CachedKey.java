package dev.keysource;

import dev.keysource.internal.CacheEngine;
import dev.keysource.internal.ClientCore;
import dev.keysource.internal.ClientParts;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * One secret, cached, refreshed ahead of expiry, and served through backend outages: a handle onto one
 * entry of a {@link Keys} client.
 *
 * <pre>{@code
 * CachedKey apiKey = CachedKey.of("vault:secret/claude-code#api_key");   // from the shared client
 * String key = apiKey.get();                       // cached: no lock, no I/O
 * HttpResponse<String> r = apiKey.send(http, k -> request(k), ofString());  // on 401/403: reject, fetch, send again
 * }</pre>
 *
 * <p>Rules (docs/design.md §5): the value is reused for the TTL (default 5 minutes, capped by the backend's
 * expiry or a JWT's {@code exp} minus the expiry skew); a refresh starts in the background after a
 * fraction of the TTL (default 0.8, spread by ±10% jitter) and readers never wait for it; if it fails,
 * the last good value is served until its hard expiry (plus the stale grace for values without a
 * backend expiry) and the failure is reported as an event and a log line. Only the first load, or a
 * load after expiry, rejection or invalidation, can throw. Concurrent loads make one backend call.
 *
 * <p>Where it comes from: {@link #of} (the {@linkplain Keys#shared() shared client}), {@link Keys#key}
 * (a client of yours), or {@link #builder} (a key built alone: a client of one, with its own backend
 * instance and threads, closed with it). Closing a handle of a client releases the handle only.
 *
 * <p>Thread-safe. {@link #get()} is a volatile read when the value is cached: no lock, no clock.
 */
public final class CachedKey implements Supplier<String>, AutoCloseable {

    private final CacheEngine engine;
    /** The client this handle owns (a key built alone with {@link #builder}), or null (a client's handle). */
    private final @Nullable ClientCore owned;
    private volatile boolean closed;
    private @Nullable List<KeyListener> added; // guarded by this

    CachedKey(CacheEngine engine, @Nullable ClientCore owned) {
        this.engine = engine;
        this.owned = owned;
    }

    /**
     * The key of {@code reference} in the {@linkplain Keys#shared() shared client}: every
     * {@code CachedKey.of(..)} of the process shares its backends (one Vault login per identity, one AWS
     * SDK client), its cache and its two daemon threads, which end when idle. The same as
     * {@code Keys.shared().key(reference)}. Closing the handle releases it only.
     */
    public static CachedKey of(String reference) {
        return Keys.shared().key(reference);
    }

    /** A builder for a reference such as {@code vault:secret/app#api_key}; the backend is discovered. */
    public static Builder builder(String reference) {
        return new Builder(Objects.requireNonNull(reference, "reference"), null);
    }

    /** A builder around a source you built yourself; discovery is skipped. */
    public static Builder builder(dev.keysource.spi.KeySource source) {
        return new Builder(null, Objects.requireNonNull(source, "source"));
    }

    /** The current value. Blocks only when there is none (first load, or after expiry/reject). */
    @Override
    public String get() {
        if (closed) {
            throw closed();
        }
        return engine.secret().value();
    }

    /** The current value with its metadata. */
    public Secret secret() {
        if (closed) {
            throw closed();
        }
        return engine.secret();
    }

    /**
     * Says that the API refused {@code value} (an HTTP 401 or 403). If it is still the cached value it is
     * dropped and the next {@link #get()} fetches anew; if it was already replaced nothing happens.
     *
     * @return whether the value was dropped
     */
    public boolean reject(String value) {
        Objects.requireNonNull(value, "value");
        if (closed) {
            throw closed();
        }
        return engine.reject(value);
    }

    /** Drops the cached value unconditionally; the next read fetches. A refresh in flight does not bring it back. */
    public void invalidate() {
        engine.invalidate();
    }

    /** Starts a background refresh (or joins the running one); the cached value is served meanwhile. */
    public CompletableFuture<Secret> refresh() {
        if (closed) {
            throw closed();
        }
        return engine.refresh();
    }

    /**
     * A call made with a key, which may throw a checked exception ({@code IOException},
     * {@code InterruptedException}, ...), as {@code HttpClient.send} does.
     *
     * @param <T> what the call returns
     * @param <E> what it may throw
     */
    @FunctionalInterface
    public interface KeyCall<T, E extends Exception> {
        T call(String key) throws E;
    }

    /**
     * The 401 loop: runs {@code call} with the current key; if {@code rejected} says the result was a
     * rejection (a 401 or 403), rejects that key and runs {@code call} once more with a fresh one. What
     * {@code call} throws is thrown as is (a call that throws several checked exceptions throws their
     * common supertype: for {@code HttpClient.send} use {@link #send}, which keeps {@code IOException} and
     * {@code InterruptedException} apart).
     *
     * <pre>{@code
     * HttpResponse<String> r = apiKey.withKey(k -> http.send(request(k), ofString()),
     *         resp -> resp.statusCode() == 401 || resp.statusCode() == 403);
     * }</pre>
     */
    public <T, E extends Exception> T withKey(KeyCall<T, E> call, Predicate<? super T> rejected) throws E {
        Objects.requireNonNull(call, "call");
        Objects.requireNonNull(rejected, "rejected");
        String key = get();
        T result = call.call(key);
        if (!rejected.test(result)) {
            return result;
        }
        reject(key);
        return call.call(get());
    }

    /**
     * Sends a request built from the key with {@link java.net.http.HttpClient}; on a 401 or 403 answer
     * rejects the key and sends once more with a fresh one (whose answer is returned, whatever it is).
     *
     * <pre>{@code
     * HttpResponse<String> r = apiKey.send(http, k -> HttpRequest.newBuilder(uri)
     *         .header("Authorization", "Bearer " + k).build(), HttpResponse.BodyHandlers.ofString());
     * }</pre>
     */
    public <T> java.net.http.HttpResponse<T> send(java.net.http.HttpClient client,
            Function<String, java.net.http.HttpRequest> request, java.net.http.HttpResponse.BodyHandler<T> handler)
            throws java.io.IOException, InterruptedException {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(handler, "handler");
        String key = get();
        java.net.http.HttpResponse<T> r = client.send(request.apply(key), handler);
        if (r.statusCode() != 401 && r.statusCode() != 403) {
            return r;
        }
        reject(key);
        return client.send(request.apply(get()), handler);
    }

    /** A snapshot of the counters of this key. */
    public KeyStats stats() {
        return engine.stats();
    }

    /** Adds a listener for this key's events from now on; removed when this handle closes. */
    public void addListener(KeyListener listener) {
        Objects.requireNonNull(listener, "listener");
        synchronized (this) {
            if (added == null) {
                added = new ArrayList<>(1);
            }
            added.add(listener);
        }
        engine.addListener(listener);
    }

    /** The canonical reference. */
    public String reference() {
        return engine.reference();
    }

    /**
     * Releases this handle: reads through it throw {@link IllegalStateException} and its listeners are
     * removed. A key built alone ({@link #builder}) also closes its source and the threads it created; a
     * key taken from a {@link Keys} client (or {@link #of}) stays in that client, which closes it.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        synchronized (this) {
            if (added != null) {
                added.forEach(engine::removeListener);
                added = null;
            }
        }
        if (owned != null) {
            owned.close();
        }
    }

    private IllegalStateException closed() {
        return new IllegalStateException("this CachedKey for " + engine.reference() + " is closed");
    }

    @Override
    public String toString() {
        return "CachedKey[" + engine.reference() + "]";
    }

    /**
     * Builds a {@link CachedKey} (or a one-shot {@link KeyFetcher}). Every setting has a default and can
     * also come from a reference option, a system property {@code keysource.<name>} or an environment
     * variable ({@code KEYSOURCE_TTL_MS}, ...); a value set here wins over all of them.
     */
    public static final class Builder {
        private final ClientParts parts = new ClientParts();

        private Builder(@Nullable String reference, dev.keysource.spi.@Nullable KeySource source) {
            parts.reference = reference;
            parts.source = source;
        }

        /** How long a value is reused. Default 5 minutes ({@code KEYSOURCE_TTL_MS}). */
        public Builder ttl(Duration ttl) {
            parts.code.ttl = positive(ttl, "ttl");
            return this;
        }

        /** Fraction of the TTL after which a background refresh starts, 0.1 to 1. Default 0.8. */
        public Builder refreshAhead(double fraction) {
            if (!(fraction >= 0.1 && fraction <= 1.0)) {
                throw new IllegalArgumentException("refreshAhead must be from 0.1 to 1.0: " + fraction);
            }
            parts.code.refreshAheadBoxed = fraction;
            return this;
        }

        /** Random spread of refresh times, 0 to 0.5 (±). Default 0.1. */
        public Builder jitter(double fraction) {
            if (!(fraction >= 0 && fraction <= 0.5)) {
                throw new IllegalArgumentException("jitter must be from 0 to 0.5: " + fraction);
            }
            parts.code.jitterBoxed = fraction;
            return this;
        }

        /**
         * How long past its TTL a value without a backend expiry keeps being served while refreshes
         * fail. Default 5 minutes. Values with a backend expiry are never served past it.
         */
        public Builder staleGrace(Duration grace) {
            parts.code.staleGrace = nonNegative(grace, "staleGrace");
            return this;
        }

        /** How long before a backend expiry (or JWT exp) a value counts as expired. Default 30 s. */
        public Builder expirySkew(Duration skew) {
            parts.code.expirySkew = nonNegative(skew, "expirySkew");
            return this;
        }

        /** Time limit of each attempt. Default 30 s ({@code KEYSOURCE_TIMEOUT_MS}). */
        public Builder timeout(Duration timeout) {
            parts.code.timeout = positive(timeout, "timeout");
            return this;
        }

        /** Attempts per fetch, including the first, 1 to 20. Default 3. */
        public Builder maxAttempts(int attempts) {
            if (attempts < 1 || attempts > 20) {
                throw new IllegalArgumentException("maxAttempts must be from 1 to 20: " + attempts);
            }
            parts.code.attemptsBoxed = attempts;
            return this;
        }

        /** First retry delay; doubles each retry, ±50% jitter. Default 200 ms. */
        public Builder backoff(Duration backoff) {
            parts.code.backoff = positive(backoff, "backoff");
            return this;
        }

        /** A fetch still running after this logs one warning. Default 10 s. */
        public Builder slowThreshold(Duration threshold) {
            parts.code.slowThreshold = positive(threshold, "slowThreshold");
            return this;
        }

        /** A backend setting or reference option in code (wins over the reference, properties, environment). */
        public Builder setting(String name, String value) {
            Objects.requireNonNull(name, "name");
            parts.settings.put(name, requireValue(name, value));
            return this;
        }

        static String requireValue(String name, String value) {
            if (value == null) {
                throw new NullPointerException("setting '" + name + "' has no value (null): pass a value, or leave"
                        + " the setting out to use its default");
            }
            return value;
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

        /** Where fetches run. Default: a daemon pool created for this key and shut down on close. */
        public Builder executor(Executor executor) {
            parts.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /** Where delays, refreshes and expiries are scheduled. Default: one daemon thread created for this key. */
        public Builder scheduler(ScheduledExecutorService scheduler) {
            parts.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /** Receives events (fetched, refreshed, refresh failed, rejected, rotated, slow, expired). */
        public Builder listener(KeyListener listener) {
            parts.listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /** Counts cache hits in {@link KeyStats#hits()} (a striped counter on the read path). Default off. */
        public Builder recordStats(boolean record) {
            parts.recordHits = record;
            return this;
        }

        /**
         * Adds these providers to those found through {@link java.util.ServiceLoader}: each serves its
         * scheme, overriding a discovered provider of the same scheme; the other schemes stay discovered.
         */
        public Builder providers(List<? extends dev.keysource.spi.KeySourceProvider> providers) {
            Objects.requireNonNull(providers, "providers");
            if (parts.providers == null) {
                parts.providers = new ArrayList<>();
            }
            for (dev.keysource.spi.KeySourceProvider p : providers) {
                parts.providers.add(Objects.requireNonNull(p, "providers contains null"));
            }
            return this;
        }

        /** Adds or overrides the provider of its scheme; discovery of the other schemes stays on. */
        public Builder provider(dev.keysource.spi.KeySourceProvider provider) {
            return providers(List.of(Objects.requireNonNull(provider, "provider")));
        }

        /** The class loader for provider discovery. Default: the thread's context class loader. */
        public Builder classLoader(ClassLoader loader) {
            parts.classLoader = Objects.requireNonNull(loader, "loader");
            return this;
        }

        /**
         * Builds the cached key: discovers the backend, validates every setting, creates the source.
         * Nothing is fetched until the first read.
         *
         * @throws InvalidReferenceException for a reference that does not parse or names an unknown scheme
         * @throws SourceMisconfiguredException for an invalid setting (the message names it)
         */
        public CachedKey build() {
            ClientParts p = parts.copy();
            p.singleKey = true;
            String scheme = p.source != null ? p.source.ref().scheme() : KeyRef.schemeOf(p.reference);
            ClientCore core = new ClientCore(p, scheme);
            try {
                CacheEngine engine = p.source != null ? core.adopt(p.source, core.configFor(p.source.ref()))
                        : core.engine(p.reference);
                return new CachedKey(engine, core);
            } catch (RuntimeException e) {
                core.close();
                throw e;
            }
        }

        /** Builds a one-shot fetcher (time limit and retries, no cache), as the command line uses. */
        public KeyFetcher buildFetcher() {
            parts.oneShot = true;
            return new KeyFetcher(parts.build());
        }

        static double checkRefreshAhead(double fraction) {
            if (!(fraction >= 0.1 && fraction <= 1.0)) {
                throw new IllegalArgumentException("refreshAhead must be from 0.1 to 1.0: " + fraction);
            }
            return fraction;
        }

        static double checkJitter(double fraction) {
            if (!(fraction >= 0 && fraction <= 0.5)) {
                throw new IllegalArgumentException("jitter must be from 0 to 0.5: " + fraction);
            }
            return fraction;
        }

        static int checkAttempts(int attempts) {
            if (attempts < 1 || attempts > 20) {
                throw new IllegalArgumentException("maxAttempts must be from 1 to 20: " + attempts);
            }
            return attempts;
        }

        static Duration positive(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive: " + d);
            }
            return d;
        }

        static Duration nonNegative(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.isNegative()) {
                throw new IllegalArgumentException(name + " must not be negative: " + d);
            }
            return d;
        }
    }
}
