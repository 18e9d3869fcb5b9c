package dev.keysource;

import dev.keysource.internal.ClientParts;
import dev.keysource.internal.ResilientFetcher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * One resilient fetch per call, with no cache: the per-attempt time limit and the retries of
 * transient failures, as {@link CachedKey} applies them. Built with
 * {@code CachedKey.builder(ref).buildFetcher()}; what the command line uses.
 */
public final class KeyFetcher implements AutoCloseable {

    private final ClientParts.Built parts;
    private final ResilientFetcher fetcher;

    KeyFetcher(ClientParts.Built parts) {
        this.parts = parts;
        this.fetcher = new ResilientFetcher(parts.source, parts.config, parts.executor, parts.scheduler, parts.ticker);
    }

    /** Fetches the secret: attempts under the time limit, transient failures retried with backoff. */
    public Secret fetch() {
        return fetch(elapsed -> { });
    }

    /** As {@link #fetch()}, calling {@code onSlow} once if the fetch outlives the slow threshold. */
    public Secret fetch(Consumer<Duration> onSlow) {
        return fetcher.fetch(onSlow);
    }

    /** The parsed reference. */
    public KeyRef ref() {
        return parts.ref;
    }

    /**
     * What the backend says about where and how it reads ({@link dev.keysource.spi.KeySource#describe()}),
     * never a secret; empty when it says nothing or its description fails.
     */
    public java.util.Map<String, String> describe() {
        try {
            return parts.source.describe();
        } catch (RuntimeException e) {
            return java.util.Map.of("backend", "could not describe itself (" + e.getClass().getSimpleName() + ")");
        }
    }

    /** Backend calls made so far, counting retries. */
    public long attempts() {
        return fetcher.attempts();
    }

    /**
     * The settings and environment variables consulted, as "name (origin)" lines, never values; and the
     * core settings that differ from their defaults.
     */
    public List<String> consulted() {
        List<String> all = new ArrayList<>(parts.config.origins());
        for (String c : parts.context.consulted()) {
            if (!all.contains(c)) {
                all.add(c);
            }
        }
        return all;
    }

    @Override
    public void close() {
        try {
            parts.source.close();
        } finally {
            parts.closer.run();
        }
    }

    @Override
    public String toString() {
        return "KeyFetcher[" + parts.ref + "]";
    }
}
