package dev.keysource.micrometer;

import dev.keysource.CachedKey;
import dev.keysource.KeyRef;
import dev.keysource.KeyStats;
import dev.keysource.micrometer.internal.MetricsListener;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Objects;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * Binds a {@link CachedKey}'s events and statistics to a Micrometer {@link MeterRegistry}.
 *
 * <pre>{@code
 * CachedKey apiKey = CachedKey.builder("vault:secret/claude-code#api_key").recordStats(true).build();
 * KeySourceMetrics.bind(apiKey, "anthropic", registry);
 * }</pre>
 *
 * <p>Every meter is tagged {@code name} (the name you give, e.g. {@code anthropic}) and {@code scheme}
 * ({@code vault}, {@code aws-sm}, {@code script}), plus any tags you add. The secret value never appears in
 * a meter name, tag or description; the reference (which for {@code script:} is a whole command line) is
 * added as a {@code reference} tag only when you ask for it with {@link Builder#referenceTag(boolean)}.
 *
 * <table>
 * <caption>Meters</caption>
 * <tr><th>meter</th><th>type</th><th>extra tags</th><th>what it measures</th></tr>
 * <tr><td>{@value #FETCH}</td><td>timer</td><td>{@code kind} = {@code load}|{@code refresh},
 *     {@code outcome} = {@code success}|{@code failure}, {@code exception} = {@code none} or the failure's
 *     simple class name</td><td>latency of each fetch, retries included (from events)</td></tr>
 * <tr><td>{@value #GETS}</td><td>function counter</td><td>{@code result} = {@code hit}|{@code miss}</td>
 *     <td>reads served from the cache (hits: only counted with {@code recordStats(true)}) and reads that
 *     had to load (misses)</td></tr>
 * <tr><td>{@value #LOAD_FAILURES}</td><td>function counter</td><td></td><td>loads that threw</td></tr>
 * <tr><td>{@value #REFRESHES}</td><td>function counter</td><td></td><td>successful background refreshes</td></tr>
 * <tr><td>{@value #REFRESH_FAILURES}</td><td>function counter</td><td></td><td>failed background refreshes</td></tr>
 * <tr><td>{@value #STALE_SERVES}</td><td>counter</td><td></td><td>refresh failures after which the previous
 *     value kept being served (from events)</td></tr>
 * <tr><td>{@value #STALE}</td><td>gauge</td><td></td><td>1 while the served value is stale (its last
 *     refresh failed), else 0</td></tr>
 * <tr><td>{@value #REJECTIONS}</td><td>function counter</td><td></td><td>values dropped by
 *     {@code reject(value)} (an API answered 401/403)</td></tr>
 * <tr><td>{@value #ROTATIONS}</td><td>function counter</td><td></td><td>fetches that returned a new
 *     version or value</td></tr>
 * <tr><td>{@value #EXPIRATIONS}</td><td>function counter</td><td></td><td>values that reached their hard
 *     expiry without being replaced</td></tr>
 * <tr><td>{@value #ATTEMPTS}</td><td>function counter</td><td></td><td>backend calls, each retry
 *     counted</td></tr>
 * <tr><td>{@value #SLOW_FETCHES}</td><td>counter</td><td></td><td>fetches that outlived the slow-fetch
 *     threshold (from events)</td></tr>
 * </table>
 *
 * <p>Function counters read {@link CachedKey#stats()} when the registry publishes, so they cover the key's
 * whole life; the event-driven meters count from the moment of binding. The registry holds the key
 * weakly: binding does not keep a key alive. Bind each key once per registry (a second
 * {@code bindTo} of the same binder to the same registry is ignored), and give each key bound to one
 * registry its own name: Micrometer keeps the first meter registered under a name and tags, so a second
 * key with the same tags would not be counted.
 */
public final class KeySourceMetrics implements MeterBinder {

    /** Timer: fetch latency. */
    public static final String FETCH = "keysource.fetch";
    /** Function counter: reads, {@code result=hit|miss}. */
    public static final String GETS = "keysource.gets";
    /** Function counter: loads that failed. */
    public static final String LOAD_FAILURES = "keysource.load.failures";
    /** Function counter: successful background refreshes. */
    public static final String REFRESHES = "keysource.refreshes";
    /** Function counter: failed background refreshes. */
    public static final String REFRESH_FAILURES = "keysource.refresh.failures";
    /** Counter: refresh failures during which the previous value kept being served. */
    public static final String STALE_SERVES = "keysource.stale.serves";
    /** Gauge: 1 while a stale value is being served, else 0. */
    public static final String STALE = "keysource.stale";
    /** Function counter: values dropped by {@code reject(value)}. */
    public static final String REJECTIONS = "keysource.rejections";
    /** Function counter: new versions or values seen. */
    public static final String ROTATIONS = "keysource.rotations";
    /** Function counter: values that reached hard expiry. */
    public static final String EXPIRATIONS = "keysource.expirations";
    /** Function counter: backend calls, retries included. */
    public static final String ATTEMPTS = "keysource.fetch.attempts";
    /** Counter: fetches slower than the slow-fetch threshold. */
    public static final String SLOW_FETCHES = "keysource.fetch.slow";

    /** Tag holding the user-given name. */
    public static final String TAG_NAME = "name";
    /** Tag holding the reference's scheme. */
    public static final String TAG_SCHEME = "scheme";
    /** Tag holding the full reference; only added with {@link Builder#referenceTag(boolean)}. */
    public static final String TAG_REFERENCE = "reference";

    private final CachedKey key;
    private final Tags tags;
    private final Set<MeterRegistry> boundTo = Collections.newSetFromMap(new IdentityHashMap<>());

    private KeySourceMetrics(CachedKey key, Tags tags) {
        this.key = key;
        this.tags = tags;
    }

    /**
     * Binds {@code key} to {@code registry} with the default tags ({@code name}, {@code scheme}).
     *
     * @param key the cached key to observe; build it with {@code recordStats(true)} to count hits
     * @param name a name for this key in your dashboards, e.g. {@code anthropic}; never the secret
     * @param registry where the meters go
     * @return the binder, already bound
     */
    public static KeySourceMetrics bind(CachedKey key, String name, MeterRegistry registry) {
        KeySourceMetrics metrics = builder(key, name).build();
        metrics.bindTo(Objects.requireNonNull(registry, "registry"));
        return metrics;
    }

    /**
     * A builder for a binder with extra tags or the reference tag.
     *
     * @param key the cached key to observe; build it with {@code recordStats(true)} to count hits
     * @param name a name for this key in your dashboards, e.g. {@code anthropic}; never the secret
     * @return a builder; call {@link Builder#build()} then {@link #bindTo(MeterRegistry)}
     */
    public static Builder builder(CachedKey key, String name) {
        return new Builder(key, name);
    }

    /**
     * The tags every meter of this binder carries.
     *
     * @return {@code name}, {@code scheme}, your extra tags and, if asked for, {@code reference}
     */
    public Tags tags() {
        return tags;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        synchronized (boundTo) {
            if (!boundTo.add(registry)) {
                return;
            }
        }
        functionCounter(registry, GETS, "Reads of the secret; hits are counted only with recordStats(true)",
                tags.and("result", "hit"), KeyStats::hits);
        functionCounter(registry, GETS, "Reads of the secret; hits are counted only with recordStats(true)",
                tags.and("result", "miss"), KeyStats::loads);
        functionCounter(registry, LOAD_FAILURES, "Loads of the secret that failed", tags, KeyStats::loadFailures);
        functionCounter(registry, REFRESHES, "Successful background refreshes", tags, KeyStats::refreshes);
        functionCounter(registry, REFRESH_FAILURES, "Failed background refreshes", tags, KeyStats::refreshFailures);
        functionCounter(registry, REJECTIONS, "Values dropped after an API refused them (401/403)", tags,
                KeyStats::rejections);
        functionCounter(registry, ROTATIONS, "Fetches that returned a new version or value", tags,
                KeyStats::rotations);
        functionCounter(registry, EXPIRATIONS, "Values that reached their hard expiry without being replaced", tags,
                KeyStats::expirations);
        functionCounter(registry, ATTEMPTS, "Calls to the backend, each retry counted", tags,
                KeyStats::fetchAttempts);

        MetricsListener listener = new MetricsListener(registry, tags);
        Gauge.builder(STALE, listener, MetricsListener::stale)
                .description("1 while the served value is stale because its refresh failed, else 0")
                .tags(tags)
                .register(registry);
        key.addListener(listener);
    }

    private void functionCounter(MeterRegistry registry, String name, String description, Tags meterTags,
                                 ToDoubleFunction<KeyStats> read) {
        FunctionCounter.builder(name, key, k -> read.applyAsDouble(k.stats()))
                .description(description)
                .tags(meterTags)
                .register(registry);
    }

    @Override
    public String toString() {
        return "KeySourceMetrics" + tags;
    }

    /** Builds a {@link KeySourceMetrics}. */
    public static final class Builder {
        private final CachedKey key;
        private final String name;
        private Tags extra = Tags.empty();
        private boolean referenceTag;

        private Builder(CachedKey key, String name) {
            this.key = Objects.requireNonNull(key, "key");
            Objects.requireNonNull(name, "name");
            if (name.isBlank()) {
                throw new IllegalArgumentException("name must not be blank; give the key a name for dashboards, "
                        + "e.g. \"anthropic\"");
            }
            this.name = name;
        }

        /**
         * Extra tags on every meter.
         *
         * @param tags tags whose keys are not {@code name}, {@code scheme} or {@code reference}
         * @return this builder
         */
        public Builder tags(Iterable<Tag> tags) {
            Objects.requireNonNull(tags, "tags");
            for (Tag t : tags) {
                if (t.getKey().equals(TAG_NAME) || t.getKey().equals(TAG_SCHEME) || t.getKey().equals(TAG_REFERENCE)) {
                    throw new IllegalArgumentException("tag key '" + t.getKey() + "' is reserved by keysource; "
                            + "use another key");
                }
            }
            this.extra = this.extra.and(tags);
            return this;
        }

        /**
         * One extra tag on every meter.
         *
         * @param key the tag key, not {@code name}, {@code scheme} or {@code reference}
         * @param value the tag value
         * @return this builder
         */
        public Builder tag(String key, String value) {
            return tags(Tags.of(key, value));
        }

        /**
         * Adds the full canonical reference as a {@code reference} tag. Off by default: a reference can
         * reveal infrastructure (paths, account ids, ARNs), and a {@code script:} reference is a whole
         * command line, which may hold anything the user typed into it. Turn it on only when you know
         * what your references contain.
         *
         * @param on whether to add the {@code reference} tag
         * @return this builder
         */
        public Builder referenceTag(boolean on) {
            this.referenceTag = on;
            return this;
        }

        /**
         * Builds the binder; nothing is registered until {@link KeySourceMetrics#bindTo(MeterRegistry)}.
         *
         * @return the binder
         */
        public KeySourceMetrics build() {
            String reference = key.reference();
            Tags t = Tags.of(TAG_NAME, name, TAG_SCHEME, KeyRef.schemeOf(reference)).and(extra);
            if (referenceTag) {
                t = t.and(TAG_REFERENCE, reference);
            }
            return new KeySourceMetrics(key, t);
        }
    }
}
