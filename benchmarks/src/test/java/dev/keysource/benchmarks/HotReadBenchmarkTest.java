package dev.keysource.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HotReadBenchmarkTest {

    @Test
    void benchmarks_afterSetUp_allReadTheSameValue() {
        HotReadBenchmark b = new HotReadBenchmark();
        b.setUp();
        try {
            assertThat(b.keysourceGet()).isEqualTo(HotReadBenchmark.VALUE);
            assertThat(b.keysGet()).isEqualTo(HotReadBenchmark.VALUE);
            assertThat(b.cachingClientGetSecretString()).isEqualTo(HotReadBenchmark.VALUE);
            assertThat(b.caffeineLoadingGet()).isEqualTo(HotReadBenchmark.VALUE);
            assertThat(b.caffeineGetIfPresent()).isEqualTo(HotReadBenchmark.VALUE);
        } finally {
            b.tearDown();
        }
    }
}
