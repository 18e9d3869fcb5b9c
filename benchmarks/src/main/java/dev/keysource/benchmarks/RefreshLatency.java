package dev.keysource.benchmarks;

import com.amazonaws.secretsmanager.caching.SecretCache;
import com.amazonaws.secretsmanager.caching.SecretCacheConfiguration;
import dev.keysource.CachedKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;

/**
 * Read latency through refreshes. One secret behind a backend that takes {@code --backend-ms} (50)
 * per call, a TTL of {@code --ttl-ms} (500) so a refresh runs every few hundred milliseconds, and
 * {@code --readers} (2) threads that each read it every {@code --interval-us} (200) microseconds for
 * {@code --seconds} after {@code --warmup} seconds.
 *
 * <p>Every read is recorded in an HdrHistogram (JMH's SampleTime would sample only some calls, and
 * cannot say when in the run a slow one happened): its <em>service time</em> (the {@code get()} call
 * alone) and its <em>response time</em> for a perfectly paced caller: each read starts when it is due
 * or when the previous read ends, whichever is later, and takes its measured service time, so a read
 * queued behind a slow one counts its wait (no coordinated omission), while a late wake-up of this
 * harness's own pacing is not charged to the client. Per {@code --bucket-ms} (10)
 * window the slowest read is kept for the latency-over-time chart.
 *
 * <p>Run one client per JVM: {@code --client keysource}, {@code --client caching-client}, or
 * {@code --client volatile-read}, the same loop around a plain volatile read with no backend: what the
 * machine itself (the OS scheduler, the JIT, safepoints, other processes) adds to any read.
 */
public final class RefreshLatency {

    static final String SECRET_ID = "prod/claude";
    static final String VALUE = "sk-bench-0123456789abcdefghijklmnopqrstuvwxyz";
    private static final long MAX_TRACKABLE = TimeUnit.SECONDS.toNanos(60);

    private RefreshLatency() {
    }

    /** What one reader thread saw. */
    static final class ReaderLog {
        final Histogram service = new Histogram(MAX_TRACKABLE, 3);
        final Histogram response = new Histogram(MAX_TRACKABLE, 3);
        final long[] maxService;
        final long[] maxResponse;
        final long[] count;
        /** Times this reader blocked on a monitor, and for how long, in the measured window. */
        long blockedCount;
        long blockedMillis;

        ReaderLog(int buckets) {
            maxService = new long[buckets];
            maxResponse = new long[buckets];
            count = new long[buckets];
        }
    }

    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv);
        String client = args.string("client", "keysource");
        int seconds = args.integer("seconds", 10);
        int warmup = args.integer("warmup", 2);
        long ttlMs = args.longValue("ttl-ms", 500);
        long backendMs = args.longValue("backend-ms", 50);
        int readers = args.integer("readers", 2);
        long intervalUs = args.longValue("interval-us", 200);
        long spinUs = args.longValue("spin-us", 100);
        long bucketMs = args.longValue("bucket-ms", 10);
        Path out = args.path("out", "results/raw");

        Backend backend = new Backend(TimeUnit.MILLISECONDS.toNanos(backendMs));
        Supplier<String> read;
        AutoCloseable closer;
        switch (client) {
            case "keysource" -> {
                CachedKey key = CachedKey.builder(BenchKeySource.constant("bench:" + SECRET_ID, backend, VALUE))
                        .ttl(Duration.ofMillis(ttlMs))
                        .build();
                read = key;
                closer = key;
            }
            case "caching-client" -> {
                SecretCache cache = new SecretCache(new SecretCacheConfiguration()
                        .withClient(new StubSecretsManagerClient(backend, id -> VALUE))
                        .withCacheItemTTL(ttlMs));
                read = () -> cache.getSecretString(SECRET_ID);
                closer = cache;
            }
            case "volatile-read" -> {
                // the noise floor: the same loop around a plain volatile field read, no refresh at all
                AtomicReference<String> holder = new AtomicReference<>(VALUE);
                read = holder::get;
                closer = () -> { };
            }
            default -> throw new IllegalArgumentException(
                    "--client must be keysource, caching-client or volatile-read: " + client);
        }
        if (!VALUE.equals(read.get())) {
            throw new IllegalStateException(client + " did not return the benchmark value");
        }

        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        if (mx.isThreadContentionMonitoringSupported()) {
            mx.setThreadContentionMonitoringEnabled(true);
        }
        long bucketNanos = TimeUnit.MILLISECONDS.toNanos(bucketMs);
        long intervalNanos = TimeUnit.MICROSECONDS.toNanos(intervalUs);
        long spinNanos = TimeUnit.MICROSECONDS.toNanos(spinUs);
        long warmupNanos = TimeUnit.SECONDS.toNanos(warmup);
        long windowNanos = TimeUnit.SECONDS.toNanos(seconds);
        int buckets = (int) (windowNanos / bucketNanos) + 1;
        List<ReaderLog> logs = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        CountDownLatch ready = new CountDownLatch(readers);
        CountDownLatch go = new CountDownLatch(1);
        long[] startHolder = new long[1];
        for (int r = 0; r < readers; r++) {
            ReaderLog log = new ReaderLog(buckets);
            logs.add(log);
            long offset = intervalNanos * r / readers;
            Thread t = new Thread(() -> {
                ready.countDown();
                awaitUninterruptibly(go);
                long start = startHolder[0];
                read(read, log, start + offset, start + warmupNanos, start + warmupNanos + windowNanos,
                        intervalNanos, spinNanos, bucketNanos);
            }, "reader-" + r);
            threads.add(t);
            t.start();
        }
        ready.await();
        int callsBefore = backend.calls();
        startHolder[0] = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(5);
        go.countDown();
        for (Thread t : threads) {
            t.join();
        }
        closer.close();

        long measureStart = startHolder[0] + warmupNanos;
        long measureEnd = measureStart + windowNanos;
        ReaderLog all = new ReaderLog(buckets);
        for (ReaderLog log : logs) {
            all.service.add(log.service);
            all.response.add(log.response);
            all.blockedCount += log.blockedCount;
            all.blockedMillis += log.blockedMillis;
            for (int b = 0; b < buckets; b++) {
                all.maxService[b] = Math.max(all.maxService[b], log.maxService[b]);
                all.maxResponse[b] = Math.max(all.maxResponse[b], log.maxResponse[b]);
                all.count[b] += log.count[b];
            }
        }
        List<Long> backendCalls = new ArrayList<>();
        for (long s : backend.callStarts()) {
            if (s >= measureStart && s < measureEnd) {
                backendCalls.add(s - measureStart);
            }
        }

        Results res = new Results()
                .put("client", client)
                .put("seconds", seconds)
                .put("warmupSeconds", warmup)
                .put("ttlMs", ttlMs)
                .put("backendMs", backendMs)
                .put("readers", readers)
                .put("intervalUs", intervalUs)
                .put("spinUs", spinUs)
                .put("bucketMs", bucketMs)
                .put("reads", all.service.getTotalCount())
                .put("backendCalls", backendCalls.size())
                .put("backendCallsTotal", backend.calls() - callsBefore)
                .put("readersBlockedCount", all.blockedCount)
                .put("readersBlockedMs", all.blockedMillis)
                .put("slowReadsOver1ms", all.service.getCountBetweenValues(TimeUnit.MILLISECONDS.toNanos(1),
                        MAX_TRACKABLE));
        percentiles(res, "service", all.service);
        percentiles(res, "response", all.response);
        res.write(out.resolve("latency-" + client + ".properties"));
        writeSeries(out.resolve("latency-" + client + "-series.csv"), all, bucketMs);
        writeCalls(out.resolve("latency-" + client + "-backend.csv"), backendCalls);
        System.out.printf(Locale.ROOT, "%s: %d reads, %d backend calls in %d s; service p50 %s p99 %s p99.9 %s max %s µs;"
                        + " response p99.9 %s max %s µs; readers blocked on a monitor %d times (%d ms)%n", client, all.service.getTotalCount(), backendCalls.size(),
                seconds, res.values().get("service.p50"), res.values().get("service.p99"),
                res.values().get("service.p99.9"), res.values().get("service.max"),
                res.values().get("response.p99.9"), res.values().get("response.max"), all.blockedCount,
                all.blockedMillis);
    }

    /**
     * One reader's paced loop: parks until {@code spin} before a read is due, then spins, so the readers
     * leave CPU for the rest of the process (refreshes, the JIT, GC) instead of competing with it for
     * two cores. A read that is late (behind a stalled one) is issued at once.
     */
    static void read(Supplier<String> read, ReaderLog log, long first, long measureFrom, long end, long interval,
                     long spin, long bucketNanos) {
        long due = first;
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long self = Thread.currentThread().getId();
        ThreadInfo atStart = null;
        long idealEnd = Long.MIN_VALUE;
        while (due < end) {
            if (atStart == null && due >= measureFrom) {
                atStart = mx.getThreadInfo(self);
            }
            long ahead = due - System.nanoTime();
            if (ahead > spin) {
                LockSupport.parkNanos(ahead - spin);
            }
            long t0;
            while ((t0 = System.nanoTime()) < due) {
                Thread.onSpinWait();
            }
            String v = read.get();
            long t1 = System.nanoTime();
            if (v == null) {
                throw new IllegalStateException("a read returned null");
            }
            if (due >= measureFrom) {
                long service = t1 - t0;
                // as if issued by a perfectly paced caller: a read starts when it is due or when the
                // previous one ends, whichever is later, and takes its measured service time. A read
                // queued behind a slow one counts its wait (no coordinated omission); a late wake-up
                // of this harness's own park is not charged to the read path.
                idealEnd = Math.max(due, idealEnd) + service;
                long response = idealEnd - due;
                log.service.recordValue(Math.min(service, MAX_TRACKABLE));
                log.response.recordValue(Math.min(response, MAX_TRACKABLE));
                int b = (int) Math.min((t0 - measureFrom) / bucketNanos, log.count.length - 1);
                if (b >= 0) {
                    log.maxService[b] = Math.max(log.maxService[b], service);
                    log.maxResponse[b] = Math.max(log.maxResponse[b], response);
                    log.count[b]++;
                }
            }
            due += interval;
        }
        ThreadInfo atEnd = mx.getThreadInfo(self);
        if (atStart != null && atEnd != null) {
            log.blockedCount = atEnd.getBlockedCount() - atStart.getBlockedCount();
            if (atStart.getBlockedTime() >= 0) { // -1 where contention monitoring is unsupported
                log.blockedMillis = atEnd.getBlockedTime() - atStart.getBlockedTime();
            }
        }
    }

    private static void percentiles(Results res, String prefix, Histogram h) {
        res.put(prefix + ".p50", micros(h.getValueAtPercentile(50)));
        res.put(prefix + ".p99", micros(h.getValueAtPercentile(99)));
        res.put(prefix + ".p99.9", micros(h.getValueAtPercentile(99.9)));
        res.put(prefix + ".p99.99", micros(h.getValueAtPercentile(99.99)));
        res.put(prefix + ".max", micros(h.getMaxValue()));
        res.put(prefix + ".mean", micros((long) h.getMean()));
    }

    static String micros(long nanos) {
        return String.format(Locale.ROOT, "%.3f", nanos / 1000.0);
    }

    private static void writeSeries(Path file, ReaderLog all, long bucketMs) throws IOException {
        Files.createDirectories(file.getParent());
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write("t_ms,max_service_ns,max_response_ns,reads\n");
            for (int b = 0; b < all.count.length; b++) {
                if (all.count[b] > 0) {
                    w.write(b * bucketMs + "," + all.maxService[b] + "," + all.maxResponse[b] + "," + all.count[b] + "\n");
                }
            }
        }
    }

    private static void writeCalls(Path file, List<Long> calls) throws IOException {
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write("t_ms\n");
            for (long c : calls) {
                w.write(String.format(Locale.ROOT, "%.3f%n", c / 1e6));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
