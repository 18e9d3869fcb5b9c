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
                Backend backend = new Backend(0);
                try (MemoryFootprint.Held held = MemoryFootprint.load(impl, 20, backend, pool, scheduler)) {
                    assertThat(held).as(impl).isNotNull();
                }
                // the AWS caching client calls DescribeSecret and GetSecretValue for each new secret
                int perKey = impl.equals("caching-client") ? 2 : 1;
                assertThat(backend.calls()).as(impl + ": backend calls for 20 keys").isEqualTo(20 * perKey);
            }
        } finally {
            pool.shutdownNow();
            scheduler.shutdownNow();
        }
    }
}
