package dev.keysource.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RejectStormTest {

    @Test
    void round_keysourceRejectBy16Threads_makesExactlyOneBackendCall() throws Exception {
        long[] elapsed = new long[1];
        for (int i = 0; i < 3; i++) {
            int calls = RejectStorm.round("keysource", 16, TimeUnit.MILLISECONDS.toNanos(5), elapsed);

            assertThat(calls).isEqualTo(1);
            assertThat(elapsed[0]).isPositive();
        }
    }

    @Test
    void storm_everyThread_returnsWhatItRead() throws Exception {
        long[] elapsed = new long[1];

        var seen = RejectStorm.storm(8, elapsed, () -> Thread.currentThread().getName());

        assertThat(seen).hasSize(8).allMatch(n -> n.startsWith("storm-"));
    }
}
