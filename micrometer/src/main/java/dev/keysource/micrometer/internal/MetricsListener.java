package dev.keysource.micrometer.internal;

import dev.keysource.KeyEvent;
import dev.keysource.KeyListener;
import dev.keysource.KeySourceException;
import dev.keysource.micrometer.KeySourceMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Turns {@link KeyEvent}s into meters: the fetch timer, the stale-serve counter and gauge, the slow-fetch
 * counter. Runs on keysource's threads (or the caller's, for loads), so it does nothing but record.
 * Reads only the event's type, latency, failure class and served-until: never the reference or a message.
 */
public final class MetricsListener implements KeyListener {

    private static final String NONE = "none";

    private final MeterRegistry registry;
    private final Tags tags;
    private final Timer loadSuccess;
    private final Timer refreshSuccess;
    private final Counter staleServes;
    private final Counter slowFetches;
    private final ConcurrentMap<String, Timer> failureTimers = new ConcurrentHashMap<>();
    private volatile boolean stale;

    /**
     * Registers the event-driven meters.
     *
     * @param registry where the meters go
     * @param tags the tags of every meter
     */
    public MetricsListener(MeterRegistry registry, Tags tags) {
        this.registry = registry;
        this.tags = tags;
        this.loadSuccess = timer("load", "success", NONE);
        this.refreshSuccess = timer("refresh", "success", NONE);
        this.staleServes = Counter.builder(KeySourceMetrics.STALE_SERVES)
                .description("Refresh failures after which the previous value kept being served")
                .tags(tags)
                .register(registry);
        this.slowFetches = Counter.builder(KeySourceMetrics.SLOW_FETCHES)
                .description("Fetches still running after the slow-fetch threshold")
                .tags(tags)
                .register(registry);
    }

    /**
     * Whether the served value is stale, for the gauge.
     *
     * @return 1 while a stale value is served, else 0
     */
    public double stale() {
        return stale ? 1 : 0;
    }

    @Override
    public void onEvent(KeyEvent event) {
        switch (event.type()) {
            case FETCHED -> {
                stale = false;
                record(loadSuccess, event);
            }
            case REFRESHED -> {
                stale = false;
                record(refreshSuccess, event);
            }
            case FETCH_FAILED -> record(failureTimer("load", event.failure()), event);
            case REFRESH_FAILED -> {
                record(failureTimer("refresh", event.failure()), event);
                if (event.servedUntil().isPresent()) {
                    stale = true;
                    staleServes.increment();
                } else {
                    stale = false;
                }
            }
            case REJECTED, EXPIRED -> stale = false;
                // the value is gone; the next read loads
            case SLOW_FETCH -> slowFetches.increment();
            default -> {
                // ROTATED and future types: counted from stats(), or not at all
            }
        }
    }

    private static void record(Timer timer, KeyEvent event) {
        event.latency().ifPresent(timer::record);
    }

    private Timer failureTimer(String kind, Optional<KeySourceException> failure) {
        String exception = failure.<Class<?>>map(Object::getClass).map(MetricsListener::simpleName).orElse("unknown");
        return failureTimers.computeIfAbsent(kind + '/' + exception, k -> timer(kind, "failure", exception));
    }

    /** The class's simple name, or for an anonymous or local class the nearest named superclass. */
    static String simpleName(Class<?> c) {
        Class<?> k = c;
        while (k.getSimpleName().isEmpty() && k.getSuperclass() != null) {
            k = k.getSuperclass();
        }
        return k.getSimpleName();
    }

    private Timer timer(String kind, String outcome, String exception) {
        return Timer.builder(KeySourceMetrics.FETCH)
                .description("Time to fetch the secret from its backend, retries included")
                .tags(tags)
                .tag("kind", kind)
                .tag("outcome", outcome)
                .tag("exception", exception)
                .register(registry);
    }

    @Override
    public String toString() {
        return "MetricsListener" + tags;
    }
}
