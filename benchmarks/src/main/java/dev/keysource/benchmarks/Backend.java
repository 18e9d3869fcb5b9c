package dev.keysource.benchmarks;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * A simulated backend round trip shared by the keysource source and the Secrets Manager stub: it
 * blocks the calling thread for a fixed latency (parking, never {@code Thread.sleep}), counts calls
 * and remembers when each started, so both clients are measured against exactly the same backend.
 */
public final class Backend {

    private static final int MAX_RECORDED = 1 << 16;

    private final long latencyNanos;
    private final AtomicInteger calls = new AtomicInteger();
    private final AtomicLongArray starts = new AtomicLongArray(MAX_RECORDED);

    public Backend(long latencyNanos) {
        if (latencyNanos < 0) {
            throw new IllegalArgumentException("latencyNanos must not be negative: " + latencyNanos);
        }
        this.latencyNanos = latencyNanos;
    }

    /**
     * One round trip: counts it, then blocks for the latency.
     *
     * @return the call's number, from 1
     * @throws Interrupted if the thread is interrupted while blocked (its flag stays set)
     */
    public int call() {
        int n = calls.incrementAndGet();
        if (n <= MAX_RECORDED) {
            starts.set(n - 1, System.nanoTime());
        }
        if (latencyNanos > 0) {
            long deadline = System.nanoTime() + latencyNanos;
            long left;
            while ((left = deadline - System.nanoTime()) > 0) {
                LockSupport.parkNanos(left);
                if (Thread.currentThread().isInterrupted()) {
                    throw new Interrupted();
                }
            }
        }
        return n;
    }

    /** Calls made so far. */
    public int calls() {
        return calls.get();
    }

    /** {@link System#nanoTime()} at the start of each call so far (the first 65,536). */
    public long[] callStarts() {
        int n = Math.min(calls.get(), MAX_RECORDED);
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = starts.get(i);
        }
        Arrays.sort(out);
        return out;
    }

    /** The calling thread was interrupted while the backend call was blocked; its flag is still set. */
    public static final class Interrupted extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Interrupted() {
            super("interrupted during a simulated backend call", null, false, false);
        }
    }
}
