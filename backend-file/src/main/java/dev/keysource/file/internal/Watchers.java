package dev.keysource.file.internal;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The directory watches of one provider instance: one {@link WatchService} per scheduler, shared by the
 * sources on it, drained by one task on that scheduler every {@value #TICK_MS} ms (a non-blocking queue
 * poll; no thread of our own). A registration whose directory cannot be watched, or that asks for
 * {@code watch=poll}, has its file's attributes polled by the same task instead.
 */
public final class Watchers {

    private static final Logger LOG = LoggerFactory.getLogger("dev.keysource");
    /** How often the watch queue is drained and polling registrations are considered. */
    static final long TICK_MS = 100;

    /** One watcher per scheduler instance (executors have no value equality). */
    private final IdentityHashMap<ScheduledExecutorService, Watcher> byScheduler = new IdentityHashMap<>();

    /** One source's interest in its file; closing it ends the watch. */
    public interface Handle extends AutoCloseable {
        /** "watching /dir for changes (quiet period 500 ms)" or "polling ... every 5000 ms". */
        String describe();

        @Override
        void close();
    }

    synchronized Handle register(String reference, ScheduledExecutorService scheduler, Path file, boolean poll,
                                 Duration quiet, Duration pollInterval, Runnable changed) {
        Watcher w = byScheduler.computeIfAbsent(scheduler, Watcher::new);
        return w.add(new Registration(w, reference, file, poll, quiet, pollInterval, changed));
    }

    private synchronized void release(Watcher w) {
        if (w.isEmpty()) {
            byScheduler.remove(w.scheduler, w);
            w.shutdown();
        }
    }

    private final class Registration implements Handle {
        final Watcher watcher;
        final String reference;
        final Path file;
        final Path dir;
        final long quietNanos;
        final long pollNanos;
        final Runnable changed;
        volatile boolean polling;
        volatile boolean dirty;
        volatile long lastEventNanos;
        long nextPollNanos;
        Fingerprint last;

        Registration(Watcher watcher, String reference, Path file, boolean poll, Duration quiet, Duration pollInterval,
                     Runnable changed) {
            this.watcher = watcher;
            this.reference = reference;
            this.file = file;
            this.dir = file.getParent();
            this.polling = poll;
            this.quietNanos = quiet.toNanos();
            this.pollNanos = pollInterval.toNanos();
            this.changed = changed;
            this.last = Fingerprint.of(file);
            this.nextPollNanos = System.nanoTime() + pollNanos;
        }

        @Override
        public String describe() {
            return polling ? "polling " + file + " every " + pollNanos / 1_000_000 + " ms"
                    : "watching " + dir + " for changes (quiet period " + quietNanos / 1_000_000 + " ms)";
        }

        @Override
        public void close() {
            watcher.remove(this);
            release(watcher);
        }

        /** Called on the scheduler: tell the cache when the file is another one than last seen. */
        void checkChanged() {
            Fingerprint now = Fingerprint.of(file);
            if (!now.equals(last)) {
                last = now;
                changed.run();
            }
        }
    }

    private static final class Watcher {
        final ScheduledExecutorService scheduler;
        final List<Registration> registrations = new ArrayList<>();
        final Map<Path, WatchKey> keys = new HashMap<>();
        final Map<WatchKey, List<Registration>> byKey = new HashMap<>();
        WatchService service;
        boolean serviceFailed;
        ScheduledFuture<?> tick;

        Watcher(ScheduledExecutorService scheduler) {
            this.scheduler = scheduler;
        }

        synchronized Handle add(Registration r) {
            if (r.dir == null) {
                r.polling = true; // the root directory's own entry: nothing to watch it in
            }
            if (!r.polling) {
                watchDirectory(r);
            }
            registrations.add(r);
            if (tick == null) {
                tick = scheduler.scheduleWithFixedDelay(this::tick, TICK_MS, TICK_MS, TimeUnit.MILLISECONDS);
            }
            return r;
        }

        private void watchDirectory(Registration r) {
            try {
                if (service == null && !serviceFailed) {
                    service = FileSystems.getDefault().newWatchService();
                }
                if (service == null) {
                    throw new IOException("no watch service");
                }
                WatchKey key = keys.get(r.dir);
                if (key == null || !key.isValid()) {
                    key = r.dir.register(service, StandardWatchEventKinds.ENTRY_CREATE,
                            StandardWatchEventKinds.ENTRY_DELETE, StandardWatchEventKinds.ENTRY_MODIFY);
                    keys.put(r.dir, key);
                }
                byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(r);
            } catch (IOException | UnsupportedOperationException | SecurityException e) {
                if (service == null) {
                    serviceFailed = true;
                }
                r.polling = true;
                LOG.info("keysource: {}: cannot watch the directory {} ({}); polling the file every {} ms instead",
                        r.reference, r.dir, e.getClass().getSimpleName(), r.pollNanos / 1_000_000);
            }
        }

        synchronized void remove(Registration r) {
            registrations.remove(r);
            for (var it = byKey.entrySet().iterator(); it.hasNext(); ) {
                var e = it.next();
                e.getValue().remove(r);
                if (e.getValue().isEmpty()) {
                    e.getKey().cancel();
                    keys.values().remove(e.getKey());
                    it.remove();
                }
            }
        }

        synchronized boolean isEmpty() {
            return registrations.isEmpty();
        }

        synchronized void shutdown() {
            if (tick != null) {
                tick.cancel(false);
            }
            if (service != null) {
                try {
                    service.close();
                } catch (IOException e) {
                    LOG.debug("keysource: closing the file watch service failed: {}", e.getClass().getSimpleName());
                }
            }
        }

        void tick() {
            try {
                List<Registration> regs;
                synchronized (this) {
                    drain();
                    regs = new ArrayList<>(registrations);
                }
                long now = System.nanoTime();
                for (Registration r : regs) {
                    if (r.polling && now - r.nextPollNanos >= 0) {
                        r.nextPollNanos = now + r.pollNanos;
                        r.checkChanged();
                    }
                    if (r.dirty && now - r.lastEventNanos >= r.quietNanos) {
                        r.dirty = false;
                        r.checkChanged();
                    }
                }
            } catch (RuntimeException e) {
                LOG.warn("keysource: checking watched files failed ({}); will try again", e.getClass().getName());
            }
        }

        private void drain() {
            if (service == null) {
                return;
            }
            WatchKey key;
            try {
                while ((key = service.poll()) != null) {
                    boolean any = !key.pollEvents().isEmpty();
                    List<Registration> regs = byKey.getOrDefault(key, List.of());
                    long now = System.nanoTime();
                    for (Registration r : regs) {
                        if (any) {
                            r.dirty = true;
                            r.lastEventNanos = now;
                        }
                    }
                    if (!key.reset()) { // the directory went away: poll its files from now on
                        byKey.remove(key);
                        keys.values().remove(key);
                        for (Registration r : regs) {
                            r.polling = true;
                            r.dirty = true;
                            r.lastEventNanos = now;
                            LOG.info("keysource: {}: the watched directory {} is gone; polling the file every {} ms",
                                    r.reference, r.dir, r.pollNanos / 1_000_000);
                        }
                    }
                }
            } catch (ClosedWatchServiceException e) {
                service = null;
            }
        }
    }
}
