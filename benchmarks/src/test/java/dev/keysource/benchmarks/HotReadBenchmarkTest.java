package dev.keysource.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
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

    /** JMH finds benchmarks through the list its annotation processor writes at compile time: no list, no run. */
    @Test
    void compile_generatesTheBenchmarkList() throws IOException {
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("META-INF/BenchmarkList")) {
            assertThat(in).as("META-INF/BenchmarkList (JMH's annotation processor)").isNotNull();
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8))
                    .contains("dev.keysource.benchmarks.jmh_generated.HotReadBenchmark_keysourceGet_jmhTest")
                    .contains("dev.keysource.benchmarks.jmh_generated.HotReadBenchmark_caffeineGetIfPresent_jmhTest");
        }
    }
}
