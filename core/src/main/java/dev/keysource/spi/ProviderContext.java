package dev.keysource.spi;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What a provider receives to build a source: settings, the environment, time and threads.
 * A backend makes no threads or clocks of its own.
 */
public interface ProviderContext {

    /**
     * A setting by name, resolved by precedence: code (builder) > reference option >
     * system property {@code keysource.<scheme>.<name>} > environment variable
     * {@code KEYSOURCE_<SCHEME>_<NAME>} (upper case, {@code -} and {@code .} as {@code _}).
     */
    Optional<String> setting(String name);

    /** Where {@link #setting} found the value ("reference option 'region'"), or empty. */
    Optional<String> settingOrigin(String name);

    /** An environment variable of the process (or the one injected for tests). Recorded for diagnostics. */
    Optional<String> env(String name);

    /** The whole environment (as injected); for backends that pass it on, e.g. to a child process. */
    Map<String, String> environment();

    /** The user's home directory, for files such as {@code ~/.vault-token}. */
    String userHome();

    /** Wall-clock time, for expiry instants. */
    Clock clock();

    /** Where blocking work may run. */
    Executor executor();

    /** For delays and periodic work (token renewal). */
    ScheduledExecutorService scheduler();

    /** The per-attempt time limit the resilience layer applies; backends set client timeouts below it. */
    Duration attemptTimeout();

    /**
     * The settings and environment variables read so far, as "name (origin)" lines without values,
     * for {@code keysource check}.
     */
    List<String> consulted();

    /**
     * Adds a line to what {@link #consulted()} returns, for {@code keysource check}: how the source will
     * authenticate or watch, what it fell back to ("no Vault token: the Vault Agent or Proxy adds its
     * auto-auth token"). Never a value. The default drops it.
     */
    default void note(String line) {
    }
}
