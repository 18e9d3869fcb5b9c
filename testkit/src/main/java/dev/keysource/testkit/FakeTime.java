package dev.keysource.testkit;

import dev.keysource.Ticker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Fake time for tests: one monotonic {@link Ticker}, a {@link Clock} that moves with it, and a
 * {@link ManualScheduler} whose tasks run when time is advanced past their due time. Nothing sleeps.
 *
 * <pre>{@code
 * FakeTime time = new FakeTime();
 * CachedKey key = CachedKey.builder(source).ticker(time.ticker()).clock(time.clock())
 *         .scheduler(time.scheduler()).executor(Runnable::run).build();
 * time.advance(Duration.ofMinutes(5)); // runs the refresh and expiry tasks due by then, in order
 * }</pre>
 */
public final class FakeTime {

    /** Where the fake wall clock starts. */
    public static final Instant DEFAULT_START = Instant.parse("2030-01-01T00:00:00Z");

    private final AtomicLong nanos = new AtomicLong();
    private final Instant start;
    private final ManualScheduler scheduler;

    public FakeTime() {
        this(DEFAULT_START);
    }

    public FakeTime(Instant start) {
        this.start = Objects.requireNonNull(start, "start");
        this.scheduler = new ManualScheduler(this);
    }

    /** The monotonic ticker. */
    public Ticker ticker() {
        return nanos::get;
    }

    /** Nanoseconds since this fake time started. */
    public long nanos() {
        return nanos.get();
    }

    /** The wall clock, {@link #DEFAULT_START} plus the time advanced. */
    public Clock clock() {
        return new FakeClock(ZoneOffset.UTC);
    }

    /** The current fake instant. */
    public Instant now() {
        return start.plusNanos(nanos.get());
    }

    /** The scheduler driven by this time. */
    public ManualScheduler scheduler() {
        return scheduler;
    }

    /**
     * Moves time forward, running each scheduled task when time reaches its due point (in due order;
     * tasks scheduled by tasks run too if due within the window).
     */
    public void advance(Duration d) {
        if (d.isNegative()) {
            throw new IllegalArgumentException("time only moves forward: " + d);
        }
        long target = nanos.get() + d.toNanos();
        scheduler.runUntil(target);
        nanos.set(Math.max(nanos.get(), target));
    }

    /** Sets the ticker to {@code to} without running tasks (used by the scheduler). */
    void moveTo(long to) {
        nanos.accumulateAndGet(to, Math::max);
    }

    private final class FakeClock extends Clock {
        private final ZoneId zone;

        FakeClock(ZoneId zone) {
            this.zone = zone;
        }

        @Override
        public ZoneId getZone() {
            return zone;
        }

        @Override
        public Clock withZone(ZoneId z) {
            return new FakeClock(z);
        }

        @Override
        public Instant instant() {
            return now();
        }
    }
}
