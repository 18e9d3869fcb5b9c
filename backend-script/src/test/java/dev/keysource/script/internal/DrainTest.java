package dev.keysource.script.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DrainTest {

    /** An endless stream of 'a', counting what was read from it. */
    private static final class Endless extends InputStream {
        long served;

        @Override
        public int read() {
            served++;
            return 'a';
        }

        @Override
        public int read(byte[] b, int off, int len) {
            java.util.Arrays.fill(b, off, off + len, (byte) 'a');
            served += len;
            return len;
        }
    }

    @Test
    void run_stdoutPastTheCap_keepsTheCapStopsAndReports() {
        Endless in = new Endless();
        AtomicInteger overflows = new AtomicInteger();
        Drain d = new Drain(in, 65536, true, overflows::incrementAndGet);
        d.run();
        assertThat(d.overflowed()).isTrue();
        assertThat(overflows).hasValue(1);
        assertThat(d.bytes()).hasSize(65536);
        assertThat(in.served).isLessThan(65536 + 16384); // stopped at once, not read to the end
        assertThat(d.finished()).isTrue();
    }

    @Test
    void run_stderrFlood_keepsTheHeadAndDrainsTheRest() {
        InputStream tenMegabytes = new java.io.ByteArrayInputStream(new byte[10 * 1024 * 1024]);
        Drain d = new Drain(tenMegabytes, 16 * 1024, false, () -> {
            throw new AssertionError("stderr never overflows");
        });
        d.run();
        assertThat(d.overflowed()).isFalse();
        assertThat(d.bytes()).hasSize(16 * 1024);
        assertThat(d.total()).isEqualTo(10L * 1024 * 1024);
    }
}
