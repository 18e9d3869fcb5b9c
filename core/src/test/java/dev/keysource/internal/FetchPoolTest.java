package dev.keysource.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The client's fetch pool: one thread for fetches one after another, more only when every one is busy. */
class FetchPoolTest {

    @Test
    void sequentialTasks_reuseOneThread() throws Exception {
        ClientCore.FetchPool pool = ClientCore.fetchPool("keysource-test-fetch", 4, Duration.ofSeconds(30));
        try {
            Set<String> threads = ConcurrentHashMap.newKeySet();
            for (int i = 0; i < 20; i++) {
                CompletableFuture<Void> done = new CompletableFuture<>();
                pool.execute(() -> {
                    threads.add(Thread.currentThread().getName());
                    ClientCore.ending(pool); // as an attempt does before handing over its result
                    done.complete(null);
                });
                done.get(10, TimeUnit.SECONDS);
            }
            assertThat(threads).hasSize(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void taskWaitingForTasksItSubmitted_getsThreadsForThem() throws Exception {
        ClientCore.FetchPool pool = ClientCore.fetchPool("keysource-test-fetch", 4, Duration.ofSeconds(30));
        try {
            CompletableFuture<String> result = new CompletableFuture<>();
            pool.execute(() -> {
                // like a backend draining two pipes of a child process while it waits for the process
                CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> "out", pool);
                CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> "err", pool);
                result.complete(out.join() + err.join());
            });
            assertThat(result.get(10, TimeUnit.SECONDS)).isEqualTo("outerr");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void shutDown_rejectsNewTasks() {
        ClientCore.FetchPool pool = ClientCore.fetchPool("keysource-test-fetch", 4, Duration.ofSeconds(30));
        pool.shutdownNow();
        assertThatThrownBy(() -> pool.execute(() -> { })).isInstanceOf(RejectedExecutionException.class);
    }
}
