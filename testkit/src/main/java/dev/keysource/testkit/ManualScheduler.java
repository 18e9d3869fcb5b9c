package dev.keysource.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A {@link ScheduledExecutorService} on {@link FakeTime}: tasks run, on the thread that advances
 * time, when time reaches their due point. {@link #execute} queues a task due now; run it with
 * {@link #runDue()} or any {@link FakeTime#advance}. Records every requested delay so tests can
 * assert backoff.
 */
public final class ManualScheduler extends AbstractExecutorService implements ScheduledExecutorService {

    private final FakeTime time;
    private final PriorityQueue<Task<?>> queue = new PriorityQueue<>();
    private final List<Duration> delays = new ArrayList<>();
    private long seq;
    private volatile boolean shutdown;

    ManualScheduler(FakeTime time) {
        this.time = time;
    }

    /** Every delay requested through {@code schedule*}, in order. */
    public synchronized List<Duration> delays() {
        return List.copyOf(delays);
    }

    /** Tasks scheduled and neither run (for one-shot tasks) nor cancelled. */
    public synchronized int pending() {
        queue.removeIf(Task::isCancelled);
        return queue.size();
    }

    /** Runs every task due at the current time. */
    public void runDue() {
        runUntil(time.nanos());
    }

    void runUntil(long target) {
        while (true) {
            Task<?> t;
            synchronized (this) {
                t = queue.peek();
                if (t == null || t.due > target) {
                    return;
                }
                queue.poll();
            }
            if (t.isCancelled()) {
                continue;
            }
            time.moveTo(t.due);
            t.runOnce();
        }
    }

    private synchronized <V> Task<V> enqueue(Task<V> t, long delayNanos, boolean record) {
        if (shutdown) {
            throw new RejectedExecutionException("scheduler is shut down");
        }
        if (record) {
            delays.add(Duration.ofNanos(delayNanos));
        }
        t.due = time.nanos() + Math.max(0, delayNanos);
        t.seq = seq++;
        queue.add(t);
        return t;
    }

    private synchronized void requeue(Task<?> t, long due) {
        if (!shutdown) {
            t.due = due;
            t.seq = seq++;
            queue.add(t);
        }
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        return enqueue(new Task<>(() -> {
            command.run();
            return null;
        }, 0, false), unit.toNanos(delay), true);
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        return enqueue(new Task<>(callable, 0, false), unit.toNanos(delay), true);
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        return enqueue(new Task<>(() -> {
            command.run();
            return null;
        }, unit.toNanos(period), true), unit.toNanos(initialDelay), true);
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
        return scheduleAtFixedRate(command, initialDelay, delay, unit);
    }

    @Override
    public void execute(Runnable command) {
        Task<?> unused = enqueue(new Task<>(() -> { // execute() has no future to hand back
            command.run();
            return null;
        }, 0, false), 0, false);
    }

    @Override
    public void shutdown() {
        shutdown = true;
    }

    @Override
    public synchronized List<Runnable> shutdownNow() {
        shutdown = true;
        List<Runnable> left = new ArrayList<>(queue);
        queue.clear();
        return left;
    }

    @Override
    public boolean isShutdown() {
        return shutdown;
    }

    @Override
    public boolean isTerminated() {
        return shutdown;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        return shutdown;
    }

    private final class Task<V> implements ScheduledFuture<V>, Runnable {
        private final Callable<V> body;
        private final long period;
        private final boolean periodic;
        long due;
        long seq;
        private volatile int state; // 0 pending, 1 done, 2 cancelled, 3 failed
        private V result;
        private Throwable failure;

        Task(Callable<V> body, long period, boolean periodic) {
            this.body = body;
            this.period = period;
            this.periodic = periodic;
        }

        void runOnce() {
            if (state != 0) {
                return;
            }
            try {
                V v = body.call();
                if (periodic) {
                    requeue(this, due + Math.max(1, period));
                } else {
                    result = v;
                    state = 1;
                }
            } catch (Throwable e) {
                failure = e;
                state = 3;
            }
        }

        @Override
        public void run() {
            runOnce();
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(due - time.nanos(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed o) {
            Task<?> t = (Task<?>) o;
            int c = Long.compare(due, t.due);
            return c != 0 ? c : Long.compare(seq, t.seq);
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            if (state != 0) {
                return false;
            }
            state = 2;
            return true;
        }

        @Override
        public boolean isCancelled() {
            return state == 2;
        }

        @Override
        public boolean isDone() {
            return state != 0;
        }

        @Override
        public V get() throws ExecutionException {
            return report();
        }

        @Override
        public V get(long timeout, TimeUnit unit) throws ExecutionException, TimeoutException {
            if (state == 0) {
                throw new TimeoutException("task not run yet: advance the FakeTime");
            }
            return report();
        }

        private V report() throws ExecutionException {
            return switch (state) {
                case 1 -> result;
                case 2 -> throw new CancellationException();
                case 3 -> throw new ExecutionException(failure);
                default -> throw new IllegalStateException("task not run yet: advance the FakeTime");
            };
        }
    }
}
