package dev.keysource.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RefreshLatencyTest {

    @Test
    void read_pacedWindow_issuesEveryDueReadAndRecordsOnlyTheMeasuredOnes() {
        AtomicInteger reads = new AtomicInteger();
        RefreshLatency.ReaderLog log = new RefreshLatency.ReaderLog(100);
        long ms = TimeUnit.MILLISECONDS.toNanos(1);
        long first = System.nanoTime();

        // due at first + 0..9 ms; the first 4 are warm-up: a late read is issued at once, never skipped
        RefreshLatency.read(() -> "v" + reads.incrementAndGet(), log, first, first + 4 * ms, first + 10 * ms, ms,
                ms / 10, ms);

        assertThat(reads.get()).isEqualTo(10);
        assertThat(log.service.getTotalCount()).isEqualTo(6);
        assertThat(log.response.getTotalCount()).isEqualTo(6);
        long bucketed = 0;
        for (long c : log.count) {
            bucketed += c;
        }
        assertThat(bucketed).isEqualTo(6);
    }

    @Test
    void read_supplierReturnsNull_fails() {
        RefreshLatency.ReaderLog log = new RefreshLatency.ReaderLog(10);
        long now = System.nanoTime();

        assertThatThrownBy(() -> RefreshLatency.read(() -> null, log, now, now, now + 1_000_000, 1_000, 100, 1_000_000))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void micros_nanos_formatsThreeDecimals() {
        assertThat(RefreshLatency.micros(1_234_567)).isEqualTo("1234.567");
        assertThat(RefreshLatency.micros(30)).isEqualTo("0.030");
    }
}
