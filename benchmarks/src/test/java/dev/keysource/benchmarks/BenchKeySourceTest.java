package dev.keysource.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.keysource.Secret;
import dev.keysource.SourceInterruptedException;
import dev.keysource.testkit.Canary;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class BenchKeySourceTest {

    @Test
    void fetch_eachCall_returnsValueOfThatCallAndCountsIt() {
        Backend backend = new Backend(0);
        BenchKeySource source = new BenchKeySource("bench:prod/app", backend, n -> "value-" + n);

        Secret first = source.fetch();
        Secret second = source.fetch();

        assertThat(first.value()).isEqualTo("value-1");
        assertThat(second.value()).isEqualTo("value-2");
        assertThat(second.version()).contains("v2");
        assertThat(backend.calls()).isEqualTo(2);
        assertThat(backend.callStarts()).hasSize(2);
    }

    @Test
    void fetch_interruptedWhileBlocked_throwsSourceInterruptedWithoutTheValueAndKeepsFlag() {
        Backend backend = new Backend(TimeUnit.SECONDS.toNanos(30));
        BenchKeySource source = BenchKeySource.constant("bench:prod/app", backend, Canary.SECRET);
        Thread.currentThread().interrupt();
        try {
            SourceInterruptedException e = catchThrowableOfType(SourceInterruptedException.class, source::fetch);

            assertThat(e).hasMessageContaining("bench:prod/app");
            Canary.assertAbsent(e);
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
    }
}
