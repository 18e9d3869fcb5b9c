package dev.keysource.aws.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysource.KeyRef;
import dev.keysource.spi.SharedPool;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The provider's pool of SDK clients: keyed by {@link ClientSpec} (region, endpoint, credentials). */
class ClientPoolTest {

    @TempDir
    Path home;

    private ScheduledExecutorService scheduler;
    private final AtomicInteger built = new AtomicInteger();
    private final AtomicInteger closed = new AtomicInteger();
    private SharedPool<ClientSpec, ClientSpec.Built> pool;

    @BeforeEach
    void setUp() {
        scheduler = Executors.newSingleThreadScheduledExecutor();
        pool = new SharedPool<>(ClientSpec.Built::close);
    }

    @AfterEach
    void tearDown() {
        scheduler.shutdownNow();
    }

    private Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put("HOME", home.toString());
        env.put("AWS_REGION", "us-east-1");
        env.put("AWS_ACCESS_KEY_ID", "AKIAPOOLTEST00000001");
        env.put("AWS_SECRET_ACCESS_KEY", "poolsecret");
        return env;
    }

    private SharedPool.Lease<ClientSpec.Built> acquire(ClientSpec spec) {
        return pool.acquire(spec, s -> {
            built.incrementAndGet();
            ClientSpec.Built real = s.build();
            return new ClientSpec.Built(real.client(), List.of(real::close, closed::incrementAndGet));
        });
    }

    private ClientSpec spec(String reference, Map<String, String> env) {
        KeyRef ref = KeyRef.parse(reference);
        return ClientSpec.resolve(ref, new TestContext(ref, env, scheduler, Duration.ofSeconds(5)));
    }

    @Test
    void acquire_sameRegionEndpointAndCredentials_sharesOneClientUntilTheLastRelease() {
        SharedPool.Lease<ClientSpec.Built> a = acquire(spec("aws-sm:prod/a#x", env()));
        SharedPool.Lease<ClientSpec.Built> b = acquire(spec("aws-sm:prod/b?stage=AWSPREVIOUS", env()));

        assertThat(b.value().client()).isSameAs(a.value().client());
        assertThat(built.get()).isEqualTo(1);

        a.release();
        a.release();
        assertThat(closed.get()).as("one source still holds it; a second release is a no-op").isZero();
        assertThat(pool.size()).isEqualTo(1);

        b.release();
        assertThat(closed.get()).isEqualTo(1);
        assertThat(pool.size()).isZero();
        assertThat(scheduler.isShutdown()).as("the context's scheduler is not the client's to close").isFalse();

        acquire(spec("aws-sm:prod/a", env())).release();
        assertThat(built.get()).as("a new client after the last one closed").isEqualTo(2);
    }

    @Test
    void acquire_differentRegionOrCredentials_buildsSeparateClients() {
        Map<String, String> otherKey = env();
        otherKey.put("AWS_SECRET_ACCESS_KEY", "othersecret");

        SharedPool.Lease<ClientSpec.Built> a = acquire(spec("aws-sm:prod/a", env()));
        SharedPool.Lease<ClientSpec.Built> b = acquire(spec("aws-sm:prod/a?region=eu-west-1", env()));
        SharedPool.Lease<ClientSpec.Built> c = acquire(spec("aws-sm:prod/a", otherKey));
        SharedPool.Lease<ClientSpec.Built> d = acquire(spec("aws-sm:prod/a?endpoint=http://127.0.0.1:4566", env()));

        assertThat(List.of(a.value().client(), b.value().client(), c.value().client(), d.value().client())).doesNotHaveDuplicates();
        assertThat(pool.size()).isEqualTo(4);
        List.of(a, b, c, d).forEach(SharedPool.Lease::release);
        assertThat(closed.get()).isEqualTo(4);
    }

    @Test
    void spec_toString_neverShowsTheCredentials() {
        ClientSpec s = spec("aws-sm:prod/a", env());

        assertThat(s.toString()).contains("us-east-1", "static credentials from AWS_ACCESS_KEY_ID")
                .doesNotContain("AKIAPOOLTEST00000001").doesNotContain("poolsecret");
    }
}
