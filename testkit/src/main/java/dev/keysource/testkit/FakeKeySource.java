package dev.keysource.testkit;

import dev.keysource.KeyRef;
import dev.keysource.KeySourceException;
import dev.keysource.Secret;
import dev.keysource.SourceInterruptedException;
import dev.keysource.spi.KeySource;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * A scripted {@link KeySource}: queue values and failures, hold calls on a gate to prove single
 * flight, add latency, count calls. When the script runs out, the last step repeats.
 *
 * <pre>{@code
 * FakeKeySource source = FakeKeySource.of("fake:api-key").thenReturn("v1").thenFail(unavailable()).thenReturn("v2");
 * }</pre>
 */
public final class FakeKeySource implements KeySource {

    private final KeyRef ref;
    private final Deque<Supplier<Secret>> script = new ArrayDeque<>();
    private Supplier<Secret> last;
    private final AtomicInteger calls = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();
    private volatile CountDownLatch gate;
    private volatile CountDownLatch entered = new CountDownLatch(0);
    private volatile Duration latency = Duration.ZERO;
    private volatile boolean closed;

    private FakeKeySource(KeyRef ref) {
        this.ref = ref;
    }

    /** A source for a reference such as {@code fake:api-key}. */
    public static FakeKeySource of(String reference) {
        return new FakeKeySource(KeyRef.parse(reference));
    }

    /** Next call(s) return these text values, one per call. */
    public synchronized FakeKeySource thenReturn(String... values) {
        for (String v : values) {
            Secret s = Secret.of(v);
            add(() -> s);
        }
        return this;
    }

    /** Next call returns this secret (with its version, expiry...). */
    public synchronized FakeKeySource thenReturn(Secret secret) {
        Objects.requireNonNull(secret, "secret");
        add(() -> secret);
        return this;
    }

    /** Next call throws this failure. */
    public synchronized FakeKeySource thenFail(KeySourceException failure) {
        Objects.requireNonNull(failure, "failure");
        add(() -> {
            throw failure;
        });
        return this;
    }

    /** Next call runs {@code step} (return a secret or throw). */
    public synchronized FakeKeySource then(Supplier<Secret> step) {
        add(Objects.requireNonNull(step, "step"));
        return this;
    }

    /** Each call blocks (on a real thread, without sleep) for this long before answering. */
    public FakeKeySource latency(Duration d) {
        this.latency = Objects.requireNonNull(d, "latency");
        return this;
    }

    /**
     * From now on calls wait at a gate until {@link #open()}; {@link #awaitEntered} waits until
     * {@code n} calls have reached it.
     */
    public FakeKeySource hold(int expectedCallers) {
        entered = new CountDownLatch(expectedCallers);
        gate = new CountDownLatch(1);
        return this;
    }

    /** Lets held calls (and later ones) through. */
    public void open() {
        CountDownLatch g = gate;
        gate = null;
        if (g != null) {
            g.countDown();
        }
    }

    /** Waits until the expected number of calls are held at the gate. */
    public boolean awaitEntered(Duration timeout) throws InterruptedException {
        return entered.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Calls made so far. */
    public int calls() {
        return calls.get();
    }

    /** The largest number of calls that were running at once. */
    public int maxConcurrentCalls() {
        return maxInFlight.get();
    }

    public boolean isClosed() {
        return closed;
    }

    @Override
    public KeyRef ref() {
        return ref;
    }

    @Override
    public Secret fetch() {
        calls.incrementAndGet();
        maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        try {
            CountDownLatch g = gate;
            if (g != null) {
                entered.countDown();
                try {
                    g.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new SourceInterruptedException(ref.toString(), "interrupted at the gate", e);
                }
            }
            long nanos = latency.toNanos();
            if (nanos > 0) {
                long end = System.nanoTime() + nanos;
                for (long left = nanos; left > 0; left = end - System.nanoTime()) {
                    LockSupport.parkNanos(left);
                    if (Thread.interrupted()) {
                        Thread.currentThread().interrupt();
                        throw new SourceInterruptedException(ref.toString(), "interrupted", null);
                    }
                }
            }
            return next().get();
        } finally {
            inFlight.decrementAndGet();
        }
    }

    @Override
    public void close() {
        closed = true;
    }

    private synchronized Supplier<Secret> next() {
        Supplier<Secret> s = script.poll();
        if (s != null) {
            last = s;
            return s;
        }
        if (last == null) {
            throw new IllegalStateException("FakeKeySource " + ref + " has no scripted answer: call thenReturn(...) first");
        }
        return last;
    }

    private void add(Supplier<Secret> step) {
        script.add(step);
    }
}
