package dev.keysource.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import org.junit.jupiter.api.Test;

class MemoryFootprintTest {

    @Test
    void load_everyImpl_loadsEachKeyOnceAndCloses() {
        ExecutorService pool = Executors.newCachedThreadPool();
        ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);
        try {
            for (String impl : new String[] {"map", "keysource", "keysource-standalone", "keysource-default",
                "caching-client"}) {
                try (MemoryFootprint.Held held = MemoryFootprint.load(impl, 20, pool, scheduler)) {
                    assertThat(held).as(impl).isNotNull();
                }
            }
        } finally {
            pool.shutdownNow();
            scheduler.shutdownNow();
        }
    }
}
