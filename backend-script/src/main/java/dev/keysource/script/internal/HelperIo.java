package dev.keysource.script.internal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The script backend's own threads, and the helpers running now.
 *
 * <p>A helper's stdout and stderr are read on threads of this backend, never on the key's fetch executor:
 * a fetch blocks its own thread waiting for the helper, so draining on that executor deadlocks one of size
 * one ({@code Executors.newFixedThreadPool(1)}) and starves any bounded one. The threads are daemons named
 * {@code keysource-script-io-N} (a counter, never a reference or a value), created when a helper starts and
 * ended after {@link #IDLE_SECONDS} without work; two per running helper, none when no helper has run for that long.
 *
 * <p>Every running helper is registered here until its run ends, and a JVM shutdown hook (installed with
 * the first run) kills each one's process tree and session: a {@code SIGTERM}, {@code SIGHUP} or
 * {@code SIGINT} to the JVM (a {@code keysource get} stopped by its caller) leaves no helper running.
 */
final class HelperIo {

    /** How long an I/O thread waits for work before it ends: 10 s. */
    static final long IDLE_SECONDS = 10;

    private static final AtomicInteger THREADS = new AtomicInteger();
    private static final ThreadPoolExecutor POOL = new ThreadPoolExecutor(0, Integer.MAX_VALUE, IDLE_SECONDS,
            TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
                Thread t = new Thread(r, "keysource-script-io-" + THREADS.incrementAndGet());
                t.setDaemon(true);
                return t;
            });

    private static final Set<Runnable> RUNNING = ConcurrentHashMap.newKeySet();
    private static volatile boolean hookInstalled;

    private HelperIo() {
    }

    /** Where the drains run. */
    static Executor executor() {
        return POOL;
    }

    /** Registers the killer of a running helper; returns it, to pass to {@link #finished}. */
    static Runnable started(Runnable kill) {
        installHook();
        RUNNING.add(kill);
        return kill;
    }

    static void finished(Runnable kill) {
        RUNNING.remove(kill);
    }

    /** How many helpers run now (tests). */
    static int running() {
        return RUNNING.size();
    }

    /** Kills every running helper, as the shutdown hook does. */
    static void killAll() {
        for (Runnable kill : RUNNING.toArray(new Runnable[0])) {
            try {
                kill.run();
            } catch (RuntimeException e) {
                // the JVM is going down: kill what can be killed
            }
        }
    }

    private static void installHook() {
        if (hookInstalled) {
            return;
        }
        synchronized (HelperIo.class) {
            if (hookInstalled) {
                return;
            }
            try {
                Runtime.getRuntime().addShutdownHook(new Thread(HelperIo::killAll, "keysource-script-shutdown"));
            } catch (IllegalStateException e) {
                // already shutting down: nothing will wait for the helper
            }
            hookInstalled = true;
        }
    }
}
