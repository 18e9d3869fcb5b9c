package dev.keysource.aws.internal;

import dev.keysource.KeyRef;
import dev.keysource.spi.ProviderContext;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

/** A {@link ProviderContext} for unit tests: settings from the reference options, an injected environment. */
final class TestContext implements ProviderContext {

    private final KeyRef ref;
    private final Map<String, String> env;
    private final ScheduledExecutorService scheduler;
    private final Duration attemptTimeout;
    private final List<String> consulted = new ArrayList<>();

    TestContext(KeyRef ref, Map<String, String> env, ScheduledExecutorService scheduler, Duration attemptTimeout) {
        this.ref = ref;
        this.env = env;
        this.scheduler = scheduler;
        this.attemptTimeout = attemptTimeout;
    }

    @Override
    public Optional<String> setting(String name) {
        return ref.option(name);
    }

    @Override
    public Optional<String> settingOrigin(String name) {
        return ref.option(name).map(v -> "reference option '" + name + "'");
    }

    @Override
    public Optional<String> env(String name) {
        consulted.add(name);
        return Optional.ofNullable(env.get(name));
    }

    @Override
    public Map<String, String> environment() {
        return env;
    }

    @Override
    public String userHome() {
        return env.get("HOME");
    }

    @Override
    public Clock clock() {
        return Clock.systemUTC();
    }

    @Override
    public Executor executor() {
        return Runnable::run;
    }

    @Override
    public ScheduledExecutorService scheduler() {
        return scheduler;
    }

    @Override
    public Duration attemptTimeout() {
        return attemptTimeout;
    }

    @Override
    public List<String> consulted() {
        return List.copyOf(consulted);
    }
}
