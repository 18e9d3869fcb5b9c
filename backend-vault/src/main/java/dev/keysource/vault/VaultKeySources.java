package dev.keysource.vault;

import dev.keysource.KeyRef;
import dev.keysource.spi.KeySource;
import dev.keysource.vault.internal.ConfiguredSource;
import io.github.jopenlibs.vault.VaultConfig;
import java.time.Clock;
import java.util.Objects;

/**
 * The escape hatch: a {@code vault:} source over a {@link VaultConfig} you configured yourself
 * (address, token, TLS, timeouts, namespace, your own {@code HttpClient}), for
 * {@code CachedKey.builder(source)}.
 *
 * <pre>{@code
 * VaultConfig config = new VaultConfig().address("https://vault:8200").token(token).build();
 * CachedKey key = CachedKey.builder(VaultKeySources.of(KeyRef.parse("vault:secret/app#api_key"), config)).build();
 * }</pre>
 *
 * <p>The token is read from the configuration on every fetch, so a token you replace with
 * {@link VaultConfig#token(String)} is picked up; keysource neither renews nor replaces it. The
 * reference's {@code kv} and {@code version} options apply; environment variables are not read. The
 * driver's own retries are not used (keysource retries transient failures itself).
 */
public final class VaultKeySources {

    private VaultKeySources() {
    }

    /** A source reading {@code ref} through {@code config}, with the system clock for lease expiries. */
    public static KeySource of(KeyRef ref, VaultConfig config) {
        return of(ref, config, Clock.systemUTC());
    }

    /**
     * A source reading {@code ref} through {@code config}.
     *
     * @param clock wall time, for the expiry of leased (dynamic) secrets
     * @throws dev.keysource.SourceMisconfiguredException for an invalid option or a config without an address
     */
    public static KeySource of(KeyRef ref, VaultConfig config, Clock clock) {
        Objects.requireNonNull(ref, "ref");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(clock, "clock");
        return ConfiguredSource.create(ref, config, clock);
    }
}
