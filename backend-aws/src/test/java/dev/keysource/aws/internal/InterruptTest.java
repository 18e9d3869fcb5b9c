package dev.keysource.aws.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.keysource.KeyRef;
import dev.keysource.SourceInterruptedException;
import dev.keysource.aws.SecretsManagerKeySourceProvider;
import dev.keysource.spi.KeySource;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InterruptTest {

    @TempDir
    Path home;

    @Test
    void fetch_onAnInterruptedThread_throwsInterruptedAndKeepsTheFlag() throws IOException {
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            KeyRef ref = KeyRef.parse("aws-sm:prod/claude?endpoint=http://127.0.0.1:" + silent.getLocalPort());
            Map<String, String> env = Map.of("HOME", home.toString(), "AWS_REGION", "us-east-1",
                    "AWS_ACCESS_KEY_ID", "AKIAINTERRUPT0000001", "AWS_SECRET_ACCESS_KEY", "s");
            try (KeySource source = new SecretsManagerKeySourceProvider()
                    .create(ref, new TestContext(ref, env, scheduler, Duration.ofSeconds(5)))) {
                Thread.currentThread().interrupt();
                Throwable t = catchThrowable(source::fetch);
                boolean flag = Thread.interrupted();

                assertThat(t).isInstanceOf(SourceInterruptedException.class).hasMessageContaining("'prod/claude'");
                assertThat(flag).as("interrupt flag restored").isTrue();
            }
        } finally {
            Thread.interrupted();
            scheduler.shutdownNow();
        }
    }
}
