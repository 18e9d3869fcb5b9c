package dev.keysource.internal;

import dev.keysource.InternalKeySourceException;
import dev.keysource.KeySourceException;
import dev.keysource.Secret;
import dev.keysource.SourceInterruptedException;
import dev.keysource.SourceTimeoutException;
import dev.keysource.SourceUnavailableException;
import dev.keysource.Ticker;
import dev.keysource.spi.KeySource;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.timelimiter.TimeLimiter;
import io.github.resilience4j.timelimiter.TimeLimiterConfig;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One resilient fetch: each attempt runs {@link KeySource#fetch()} on the executor under a
 * resilience4j {@link TimeLimiter}; transient failures ({@link KeySourceException#isTransient()}, the one
 * retry rule: {@link SourceUnavailableException}, including timeouts) are retried by a resilience4j
 * {@link Retry} with exponential backoff and jitter, delays on the scheduler. A fetch still running after the
 * slow threshold logs one warning.
 */
public final class ResilientFetcher {

    private static final Logger LOG = LoggerFactory.getLogger("dev.keysource");

    private static final java.lang.invoke.VarHandle ATTEMPTS;

    static {
        try {
            ATTEMPTS = java.lang.invoke.MethodHandles.lookup().findVarHandle(ResilientFetcher.class, "attemptsMade",
                    long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    // per key: kept small, a client of many keys holds one of these per key
    private final KeySource source;
    private final String reference;
    private final Executor executor;
    private final ScheduledExecutorService scheduler;
    private final Ticker ticker;
    private final Policy policy;
    @SuppressWarnings("unused") // through ATTEMPTS
    private volatile long attemptsMade;

    public ResilientFetcher(KeySource source, CoreConfig config, Executor executor, ScheduledExecutorService scheduler,
                            Ticker ticker) {
        this(source, Policy.of(config), executor, scheduler, ticker);
    }

    /** A fetcher with a policy shared by the keys of a client that have the same settings. */
    public ResilientFetcher(KeySource source, Policy policy, Executor executor, ScheduledExecutorService scheduler,
                            Ticker ticker) {
        this.source = source;
        this.reference = source.ref().toString();
        this.executor = executor;
        this.scheduler = scheduler;
        this.ticker = ticker;
        this.policy = policy;
    }

    /**
     * The resilience4j configuration of a fetch (retry and time limit), immutable and shared by every key
     * of a client with the same attempts, backoff, timeout and slow threshold: a client of many keys
     * holds one, not one per key.
     */
    public static final class Policy {
        final Duration timeout;
        final Duration slowThreshold;
        final RetryConfig retryConfig;
        final TimeLimiter timeLimiter;

        private Policy(CoreConfig config) {
            this.timeout = config.timeout;
            this.slowThreshold = config.slowThreshold;
            this.retryConfig = RetryConfig.custom()
                    .maxAttempts(config.attempts)
                    .intervalFunction(IntervalFunction.ofExponentialRandomBackoff(config.backoff, 2.0, 0.5))
                    .retryOnException(ResilientFetcher::retried)
                    .failAfterMaxAttempts(false)
                    .build();
            this.timeLimiter = TimeLimiter.of("keysource", TimeLimiterConfig.custom()
                    .timeoutDuration(config.timeout)
                    .cancelRunningFuture(true)
                    .build());
        }

        public static Policy of(CoreConfig config) {
            return new Policy(config);
        }

        /** The key under which equal policies are shared. */
        public static String keyOf(CoreConfig c) {
            return c.attempts + "|" + c.backoff + "|" + c.timeout + "|" + c.slowThreshold;
        }
    }

    /** The retry predicate: the one rule, {@link KeySourceException#isTransient()} of the classified failure. */
    static boolean retried(Throwable failure) {
        Throwable c = unwrap(failure);
        return c instanceof KeySourceException kse && kse.isTransient();
    }

    /** Backend calls made so far, counting each attempt. */
    public long attempts() {
        return attemptsMade;
    }

    /**
     * Starts a fetch. The future completes with the secret, or exceptionally with a classified
     * {@link KeySourceException} (the last failure, with the number of attempts).
     *
     * @param onSlow called once, with the elapsed time, if the fetch outlives the slow threshold
     */
    public CompletableFuture<Secret> fetchAsync(Consumer<Duration> onSlow) {
        try {
            return startFetch(onSlow);
        } catch (RejectedExecutionException e) {
            // the scheduler or executor was shut down (the client is closing): a typed failure, never the raw one
            return CompletableFuture.failedFuture(rejected(e));
        }
    }

    private SourceUnavailableException rejected(RejectedExecutionException e) {
        return new SourceUnavailableException(reference,
                "cannot run the fetch: the executor or scheduler rejected it (is the client closed?)", e);
    }

    private CompletableFuture<Secret> startFetch(Consumer<Duration> onSlow) {
        long start = ticker.read();
        AtomicInteger attempt = new AtomicInteger();
        Retry retry = Retry.of(reference, policy.retryConfig);
        CompletableFuture<Secret> result = retry.executeCompletionStage(scheduler, () -> {
            attempt.incrementAndGet();
            ATTEMPTS.getAndAdd(this, 1L);
            return policy.timeLimiter.executeCompletionStage(scheduler, this::attempt)
                    .handle((secret, failure) -> {
                        if (failure != null) {
                            throw new CompletionException(classify(failure));
                        }
                        return secret;
                    });
        }).toCompletableFuture().handle((secret, failure) -> {
            if (failure != null) {
                KeySourceException e = classify(failure);
                throw new CompletionException(attempt.get() > 1 ? e.withAttempts(attempt.get()) : e);
            }
            return secret;
        });
        ScheduledFuture<?> slow;
        try {
            slow = scheduler.schedule(() -> {
            if (!result.isDone()) {
                Duration elapsed = Duration.ofNanos(ticker.read() - start);
                LOG.warn("keysource: fetching {} has taken {} ms and is still running (attempt {}; slow-fetch "
                        + "threshold {} ms)", reference, elapsed.toMillis(), attempt.get(), policy.slowThreshold.toMillis());
                onSlow.accept(elapsed);
            }
            }, policy.slowThreshold.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            return result; // no slow-fetch warning for a fetch of a closing client
        }
        CompletableFuture<Secret> unused = result.whenComplete((s, t) -> slow.cancel(false));
        return result;
    }

    /**
     * Fetches and waits. Restores the interrupt flag and throws {@link SourceInterruptedException}
     * when the caller is interrupted.
     */
    public Secret fetch(Consumer<Duration> onSlow) {
        CompletableFuture<Secret> f = fetchAsync(onSlow);
        return await(f, reference);
    }

    /** Waits for a fetch future, translating failures and interrupts. */
    public static Secret await(CompletableFuture<Secret> f, String reference) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SourceInterruptedException(reference,
                    "interrupted while waiting for the secret; the fetch was abandoned", e);
        } catch (ExecutionException e) {
            throw classifyStatic(e.getCause(), reference);
        }
    }

    private CompletableFuture<Secret> attempt() {
        CompletableFuture<Secret> cf = new CompletableFuture<>();
        FutureTask<Secret> task = new FutureTask<>(source::fetch) {
            @Override
            protected void done() {
                if (isCancelled()) {
                    return;
                }
                ClientCore.ending(executor); // this thread is free for the caller's next fetch
                try {
                    cf.complete(get());
                } catch (ExecutionException e) {
                    cf.completeExceptionally(e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    cf.completeExceptionally(e);
                }
            }
        };
        // a time-out (or cancel) completes cf from outside: interrupt the attempt so it stops
        CompletableFuture<Secret> unused = cf.whenComplete((s, t) -> {
            if (t != null) {
                task.cancel(true);
            }
        });
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            cf.completeExceptionally(new SourceUnavailableException(reference,
                    "cannot run the fetch: the executor rejected it (is the client closed?)", e));
        }
        return cf;
    }

    private KeySourceException classify(Throwable t) {
        return classifyStatic(t, reference, policy.timeout);
    }

    private static KeySourceException classifyStatic(Throwable t, String reference) {
        return classifyStatic(t, reference, null);
    }

    private static KeySourceException classifyStatic(Throwable t, String reference, Duration timeout) {
        Throwable c = unwrap(t);
        if (c instanceof KeySourceException kse) {
            return kse;
        }
        if (c instanceof TimeoutException) {
            return new SourceTimeoutException(reference, "the backend did not answer within the time limit"
                    + (timeout != null ? " of " + timeout.toMillis() + " ms" : "")
                    + "; check the backend's health and network, or raise 'timeout' (KEYSOURCE_TIMEOUT_MS)", null);
        }
        if (c instanceof InterruptedException) {
            Thread.currentThread().interrupt();
            return new SourceInterruptedException(reference, "interrupted while fetching", c);
        }
        if (c instanceof RejectedExecutionException) {
            return new SourceUnavailableException(reference, "cannot run the fetch: the executor or"
                    + " scheduler rejected it (is the client closed?)", c);
        }
        if (c instanceof java.util.concurrent.CancellationException) {
            return new SourceInterruptedException(reference, "the fetch was cancelled", null);
        }
        // a backend broke its contract (threw something unclassified): an internal error, without its message
        return InternalKeySourceException.unexpected(reference, "the backend", c);
    }

    static Throwable unwrap(Throwable t) {
        Throwable c = t;
        while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
            c = c.getCause();
        }
        return c;
    }
}
