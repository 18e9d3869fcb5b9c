package dev.keysource.script.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Reads one pipe of a helper to its end on an executor thread, keeping at most {@code keep} bytes.
 * With {@code stopAfterKeep} it stops at the first byte past {@code keep} and calls {@code onOverflow}
 * (stdout: a helper that prints too much is stopped); otherwise it reads on and discards the excess
 * (stderr: the helper must never block on a full pipe). It closes its stream itself when done; nobody
 * else does, because closing a pipe that another thread is blocked reading is unsafe.
 */
final class Drain implements Runnable {

    private final InputStream in;
    private final int keep;
    private final boolean stopAfterKeep;
    private final Runnable onOverflow;
    private final CountDownLatch done = new CountDownLatch(1);
    private byte[] buf = new byte[1024];
    private int len;
    private long total;
    private volatile boolean overflow;
    private volatile boolean started;

    Drain(InputStream in, int keep, boolean stopAfterKeep, Runnable onOverflow) {
        this.in = in;
        this.keep = keep;
        this.stopAfterKeep = stopAfterKeep;
        this.onOverflow = onOverflow;
    }

    @Override
    public void run() {
        started = true;
        byte[] chunk = new byte[8192];
        try {
            int n;
            while ((n = in.read(chunk)) >= 0) {
                if (n == 0) {
                    continue;
                }
                if (!append(chunk, n)) {
                    overflow = true;
                    onOverflow.run();
                    break;
                }
            }
        } catch (IOException e) {
            // the pipe broke or was closed: what was read so far is the output
        } finally {
            try {
                in.close();
            } catch (IOException e) {
                // nothing more to do
            }
            done.countDown();
        }
    }

    /** Appends; returns false when stdout overflowed. */
    private synchronized boolean append(byte[] chunk, int n) {
        total += n;
        int room = keep - len;
        int take = Math.min(room, n);
        if (take > 0) {
            if (len + take > buf.length) {
                buf = Arrays.copyOf(buf, Math.min(keep, Math.max(buf.length * 2, len + take)));
            }
            System.arraycopy(chunk, 0, buf, len, take);
            len += take;
        }
        return !(stopAfterKeep && total > keep);
    }

    /** Waits for the end of the stream. */
    boolean await(long nanos) throws InterruptedException {
        return done.await(nanos, TimeUnit.NANOSECONDS);
    }

    boolean finished() {
        return done.getCount() == 0;
    }

    boolean started() {
        return started;
    }

    boolean overflowed() {
        return overflow;
    }

    /** The bytes kept so far (a copy). */
    synchronized byte[] bytes() {
        return Arrays.copyOf(buf, len);
    }

    /** How many bytes the helper wrote, kept or not. */
    synchronized long total() {
        return total;
    }
}
