package dev.keysource.internal;

import dev.keysource.spi.ProviderContext;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

/** The {@link ProviderContext} handed to a provider for one reference. */
public final class DefaultProviderContext implements ProviderContext {

    private final String scheme;
    private final SettingsSource settings;
    private final Clock clock;
    private final Executor executor;
    private final ScheduledExecutorService scheduler;
    private final Duration attemptTimeout;

    public DefaultProviderContext(String scheme, SettingsSource settings, Clock clock, Executor executor,
                                  ScheduledExecutorService scheduler, Duration attemptTimeout) {
        this.scheme = scheme;
        this.settings = settings;
        this.clock = clock;
        this.executor = executor;
        this.scheduler = scheduler;
        this.attemptTimeout = attemptTimeout;
    }

    @Override
    public Optional<String> setting(String name) {
        return settings.backendSetting(scheme, name).map(f -> f.value);
    }

    @Override
    public Optional<String> settingOrigin(String name) {
        return settings.backendSetting(scheme, name).map(f -> f.origin);
    }

    @Override
    public Optional<String> env(String name) {
        return settings.env(name);
    }

    @Override
    public Map<String, String> environment() {
        return settings.environment();
    }

    @Override
    public String userHome() {
        String home = settings.environment().get("HOME");
        return home != null && !home.isEmpty() ? home : System.getProperty("user.home");
    }

    @Override
    public Clock clock() {
        return clock;
    }

    @Override
    public Executor executor() {
        return executor;
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
    public void note(String line) {
        settings.note(line);
    }

    @Override
    public List<String> consulted() {
        return settings.consulted();
    }
}
