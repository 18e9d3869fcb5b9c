package dev.keysource.script.internal;

import dev.keysource.spi.ProviderContext;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/** A provider context for tests that drive a source directly. */
class TestContext implements ProviderContext, AutoCloseable {

    final Map<String, String> settings = new HashMap<>();
    final Map<String, String> env = Helpers.env();
    Duration attemptTimeout = Duration.ofSeconds(30);
    Clock clock = Clock.systemUTC();
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

    TestContext set(String name, String value) {
        settings.put(name, value);
        return this;
    }

    @Override
    public Optional<String> setting(String name) {
        return Optional.ofNullable(settings.get(name));
    }

    @Override
    public Optional<String> settingOrigin(String name) {
        return settings.containsKey(name) ? Optional.of("code setting '" + name + "'") : Optional.empty();
    }

    @Override
    public Optional<String> env(String name) {
        return Optional.ofNullable(env.get(name));
    }

    @Override
    public Map<String, String> environment() {
        return env;
    }

    @Override
    public String userHome() {
        return env.getOrDefault("HOME", System.getProperty("user.home"));
    }

    @Override
    public Clock clock() {
        return clock;
    }

    @Override
    public Executor executor() {
        return pool;
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
        return List.of();
    }

    @Override
    public void close() {
        pool.shutdownNow();
        scheduler.shutdownNow();
    }
}
