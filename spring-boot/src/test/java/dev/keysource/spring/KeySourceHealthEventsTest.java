package dev.keysource.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysource.KeyEvent;
import dev.keysource.Keys;
import dev.keysource.testkit.Canary;
import dev.keysource.testkit.FakeTime;
import dev.keysource.vault.FakeVault;
import dev.keysource.vault.VaultKeySourceProvider;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The health indicator and the application events, on fake time: a key fetched from the Vault fake is UP,
 * serves stale (with the time) while refreshes fail, and is DOWN after its hard expiry; probes never call
 * Vault; rotated / refresh-failed / expired events reach Spring listeners and hold no value.
 */
class KeySourceHealthEventsTest {

    static final String REF = "vault:secret/app#api_key?kv=2";

    FakeVault vault;
    FakeTime time;

    @BeforeEach
    void start() {
        vault = FakeVault.start();
        vault.mountKv2("secret");
        vault.putKv("secret/app", Map.of("api_key", Canary.SECRET + "-1"));
        time = new FakeTime();
    }

    @AfterEach
    void stop() {
        vault.close();
    }

    /** A client on fake time, as an application would declare its own Keys bean. */
    @Configuration(proxyBeanMethods = false)
    static class FakeTimeClient {
        @Bean
        KeyStates keyStates(FakeTime time) {
            return new KeyStates(time.clock());
        }

        @Bean(destroyMethod = "close")
        Keys keys(FakeVault vault, FakeTime time) {
            return Keys.builder()
                    .provider(new VaultKeySourceProvider())
                    .environment(Map.of("VAULT_ADDR", vault.address(), "VAULT_TOKEN", vault.createToken(Duration.ZERO, false)))
                    .systemProperties(Map.of())
                    .ticker(time.ticker()).clock(time.clock()).scheduler(time.scheduler()).executor(Runnable::run)
                    .ttl(Duration.ofMinutes(1)).refreshAhead(0.5).jitter(0).staleGrace(Duration.ofMinutes(2))
                    .maxAttempts(1).backoff(Duration.ofMillis(1))
                    .build();
        }

        @Bean
        Recorder recorder() {
            return new Recorder();
        }
    }

    static class Recorder implements ApplicationListener<KeySourceEvent> {
        final List<KeySourceEvent> events = new CopyOnWriteArrayList<>();

        @Override
        public void onApplicationEvent(KeySourceEvent event) {
            events.add(event);
        }
    }

    ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(KeySourceAutoConfiguration.class,
                        KeySourceHealthAutoConfiguration.class))
                .withBean(FakeVault.class, () -> vault)
                .withBean(FakeTime.class, () -> time)
                .withUserConfiguration(FakeTimeClient.class)
                .withPropertyValues("keysource.keys.api=" + REF);
    }

    @Test
    void health_upThenStaleWithTimeThenDownAfterExpiry_noBackendCallPerProbe() {
        runner().run(ctx -> {
            assertThat(ctx).hasNotFailed();
            KeySourceHealthIndicator health = ctx.getBean(KeySourceHealthIndicator.class);
            Keys keys = ctx.getBean(Keys.class);
            String ref = ctx.getBean("api", dev.keysource.CachedKey.class).reference();

            Health up = probe(health, 50);
            assertThat(up.getStatus()).isEqualTo(Status.UP);
            assertThat(details(up, ref)).containsEntry("state", "SERVING").doesNotContainKey("lastFailure");

            vault.sealed(true); // every request answers 503 from now on
            time.advance(Duration.ofSeconds(31)); // past the refresh point (half of the 1 min TTL)
            Health stale = probe(health, 50);
            assertThat(stale.getStatus()).isEqualTo(Status.UP);
            assertThat(stale.getDetails()).containsEntry("stale", true);
            assertThat(details(stale, ref))
                    .containsEntry("state", "STALE")
                    .containsEntry("servedUntil", time.now().minusSeconds(31).plus(Duration.ofMinutes(3)).toString())
                    .containsEntry("lastFailure", "SourceUnavailableException");
            assertThat(keys.get(ref)).isEqualTo(Canary.SECRET + "-1");

            time.advance(Duration.ofMinutes(3));
            Health down = probe(health, 50);
            assertThat(down.getStatus()).isEqualTo(Status.DOWN);
            assertThat(details(down, ref)).containsEntry("state", "EXPIRED")
                    .containsEntry("lastFailure", "SourceUnavailableException");
            Canary.assertAbsent("health", String.valueOf(down.getDetails()));
        });
    }

    /** Probes {@code n} times and checks Vault saw no request meanwhile. */
    private Health probe(KeySourceHealthIndicator health, int n) {
        int before = vault.requests().size();
        Health h = null;
        for (int i = 0; i < n; i++) {
            h = health.health();
        }
        assertThat(vault.requests()).as("health probes never call the backend").hasSize(before);
        return h;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> details(Health h, String reference) {
        return (Map<String, Object>) ((Map<String, Object>) h.getDetails().get("keys")).get(reference);
    }

    @Test
    void events_rotatedRefreshFailedExpired_arePublishedWithoutValue() {
        runner().run(ctx -> {
            assertThat(ctx).hasNotFailed();
            Recorder recorder = ctx.getBean(Recorder.class);
            String ref = ctx.getBean("api", dev.keysource.CachedKey.class).reference();

            vault.putKv("secret/app", Map.of("api_key", Canary.SECRET + "-2"));
            time.advance(Duration.ofSeconds(31)); // refresh: a new version
            assertThat(recorder.events).filteredOn(e -> e instanceof KeySourceEvent.Rotated).singleElement()
                    .satisfies(e -> assertThat(e.reference()).isEqualTo(ref));
            assertThat(ctx.getEnvironment()).isNotNull();

            vault.sealed(true);
            time.advance(Duration.ofSeconds(31));
            assertThat(recorder.events).filteredOn(e -> e instanceof KeySourceEvent.RefreshFailed).isNotEmpty()
                    .allSatisfy(e -> assertThat(e.keyEvent().servedUntil()).isPresent());
            time.advance(Duration.ofMinutes(3));
            assertThat(recorder.events).filteredOn(e -> e instanceof KeySourceEvent.Expired).singleElement()
                    .satisfies(e -> assertThat(e.type()).isEqualTo(KeyEvent.Type.EXPIRED));
            recorder.events.forEach(e -> Canary.assertAbsent("event", e.toString() + e.keyEvent()));
        });
    }

    @Test
    void events_publishEventsOff_noneReachSpring() {
        runner().withPropertyValues("keysource.publish-events=false").run(ctx -> {
            vault.putKv("secret/app", Map.of("api_key", Canary.SECRET + "-2"));
            time.advance(Duration.ofSeconds(31));
            assertThat(ctx.getBean(Recorder.class).events).isEmpty();
            assertThat(ctx).doesNotHaveBean(KeySourceEventPublisher.class);
        });
    }
}
