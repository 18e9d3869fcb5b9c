package dev.keysource;

import dev.keysource.internal.CacheEngine;
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

/**
 * One secret, cached, refreshed ahead of expiry, and served through backend outages.
 *
 * <pre>{@code
 * CachedKey apiKey = CachedKey.of("vault:secret/claude-code#api_key");
 * String key = apiKey.get();                       // cached: no lock, no I/O
 * HttpResponse<String> r = apiKey.withKey(
 *         k -> client.send(request(k), ofString()),
 *         resp -> resp.statusCode() == 401);       // on 401: reject, fetch anew, call once more
 * }</pre>
 *
 * <p>Rules (DESIGN §5): the value is reused for the TTL (default 5 minutes, capped by the backend's
 * expiry or a JWT's {@code exp} minus the expiry skew); a refresh starts in the background after a
 * fraction of the TTL (default 0.8, spread by ±10% jitter) and readers never wait for it; if it fails,
 * the last good value is served until its hard expiry (plus the stale grace for values without a
 * backend expiry) and the failure is reported as an event and a log line. Only the first load, or a
 * load after expiry, rejection or invalidation, can throw. Concurrent loads make one backend call.
 *
 * <p>Thread-safe. Close it to stop its background work; it closes the executors it created and the
 * {@link dev.keysource.spi.KeySource}, never executors you passed in.
 */
public final class CachedKey implements Supplier<String>, AutoCloseable {

    private final CacheEngine engine;

    private CachedKey(CacheEngine engine) {
        this.engine = engine;
    }

    /** A cached key with every setting at its default (or from system properties and environment). */
    public static CachedKey of(String reference) {
        return builder(reference).build();
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
        return engine.secret().value();
    }

    /** The current value with its metadata. */
    public Secret secret() {
        return engine.secret();
    }

    /**
     * Says that the API refused {@code value} (an HTTP 401 or 403). If it is still the cached value it is
     * dropped and the next {@link #get()} fetches anew; if it was already replaced nothing happens.
     *
     * @return whether the value was dropped
     */
    public boolean reject(String value) {
        return engine.reject(Objects.requireNonNull(value, "value"));
    }

    /** Drops the cached value unconditionally; the next read fetches. */
    public void invalidate() {
        engine.invalidate();
    }

    /** Starts a background refresh (or joins the running one); the cached value is served meanwhile. */
    public CompletableFuture<Secret> refresh() {
        return engine.refresh();
    }

    /**
     * The 401 loop: runs {@code call} with the current key; if {@code rejected} says the result was a
     * rejection (a 401 or 403), rejects that key and runs {@code call} once more with a fresh one.
     */
    public <T> T withKey(Function<String, T> call, Predicate<? super T> rejected) {
        String key = get();
        T result = call.apply(key);
        if (!rejected.test(result)) {
            return result;
        }
        reject(key);
        return call.apply(get());
    }

    /** A snapshot of the counters. */
    public KeyStats stats() {
        return engine.stats();
    }

    /** Adds a listener for events from now on. */
    public void addListener(KeyListener listener) {
        engine.addListener(Objects.requireNonNull(listener, "listener"));
    }

    /** The canonical reference. */
    public String reference() {
        return engine.reference();
    }

    @Override
    public void close() {
        engine.close();
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

        private Builder(String reference, dev.keysource.spi.KeySource source) {
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
            parts.settings.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
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

        /** Use these providers instead of discovering them through {@link java.util.ServiceLoader}. */
        public Builder providers(List<? extends dev.keysource.spi.KeySourceProvider> providers) {
            parts.providers = new ArrayList<>(Objects.requireNonNull(providers, "providers"));
            return this;
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
            ClientParts.Built b = parts.build();
            return new CachedKey(new CacheEngine(b.source, b.config, b.ticker, b.clock, b.executor, b.scheduler,
                    List.copyOf(parts.listeners), parts.recordHits, b.closer));
        }

        /** Builds a one-shot fetcher (time limit and retries, no cache), as the command line uses. */
        public KeyFetcher buildFetcher() {
            parts.oneShot = true;
            return new KeyFetcher(parts.build());
        }

        private static Duration positive(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive: " + d);
            }
            return d;
        }

        private static Duration nonNegative(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.isNegative()) {
                throw new IllegalArgumentException(name + " must not be negative: " + d);
            }
            return d;
        }
    }
}
