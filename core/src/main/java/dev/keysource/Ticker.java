package dev.keysource;

/**
 * A monotonic source of nanoseconds for durations (TTL, refresh, timeouts). Tests replace it
 * with a fake one (see {@code keysource-testkit}); production uses {@link #system()}.
 */
@FunctionalInterface
public interface Ticker {

    /** Nanoseconds from an arbitrary origin; only differences are meaningful. */
    long read();

    /** {@link System#nanoTime()}. */
    static Ticker system() {
        return System::nanoTime;
    }
}
