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
 *
 * <p>A provider instance serves every key of one client (a {@code Keys} client holds one instance per
 * scheme), so it should share what is expensive by backend identity (a session per address and auth, an
 * SDK client per region and credentials) and release it when the last source using it closes. The
 * executor and scheduler are the client's, shared by all its keys and backends; the rules for using them
 * are on {@link #executor()} and {@link #scheduler()}.
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

    /**
     * The client's fetch executor: where blocking work of the backend's own may run (a token renewal, a
     * login ahead of expiry), one task at a time per piece of work.
     *
     * <p>It may be a user's pool of any size, even one thread, and {@link KeySource#fetch()} itself
     * normally runs on it. So a backend must never block waiting for a task it queued to this executor
     * (reading a child process's output, completing an HTTP exchange, a nested fetch): with one thread the
     * fetch holding it would wait for a task queued behind it. I/O that needs threads of its own (pipe
     * drainers, an HTTP client's selector) uses threads the backend owns and ends when the source closes,
     * or a client library's own (the JDK {@code HttpClient} with a direct executor runs its dependent
     * tasks on its selector thread).
     */
    Executor executor();

    /**
     * The client's scheduler, for delays and periodic work (token renewal). Tasks must be short and never
     * block: the default is one thread shared by every key's refresh and expiry; hand blocking work to
     * {@link #executor()}. It may be shut down when the client closes: a {@code RejectedExecutionException}
     * from it means "stop", not an error to report.
     */
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

    /**
     * A duration setting of the backend, read by core's own duration parser: a number with a unit
     * ({@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}, {@code 1d}) or ISO-8601 ({@code PT5M}), at most
     * 365 days; a number without a unit is refused, showing the units (except {@code 0}). Empty when the
     * setting is unset or blank.
     *
     * @param allowZero whether {@code 0} is a valid value
     * @throws dev.keysource.SourceMisconfiguredException naming the setting, where it came from and the
     *         accepted forms; the message does not name the reference, which the backend adds
     */
    default Optional<Duration> durationSetting(String name, boolean allowZero) {
        Optional<String> text = setting(name).filter(t -> !t.isBlank());
        return text.map(t -> dev.keysource.internal.Durations.parse(name, settingOrigin(name).orElse("a setting"), t,
                allowZero, false));
    }
}
