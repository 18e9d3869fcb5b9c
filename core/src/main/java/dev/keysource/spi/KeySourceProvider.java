package dev.keysource.spi;

import dev.keysource.KeyRef;
import java.util.Set;

/**
 * A backend, found through {@link java.util.ServiceLoader}: register the implementation in
 * {@code META-INF/services/dev.keysource.spi.KeySourceProvider} (and {@code provides} in
 * {@code module-info}).
 *
 * <p>Implementations have a public no-arg constructor, do no I/O when constructed and hold no
 * static state; one-time setup happens in {@link #create}.
 */
public interface KeySourceProvider {

    /** The scheme this provider serves: stable, lower-case ({@code vault}, {@code aws-sm}). */
    String scheme();

    /**
     * The reference options (and code/system-property/environment settings) this provider
     * accepts, besides the core ones such as {@code ttl}. An unknown option is an error that
     * lists these.
     */
    Set<String> options();

    /**
     * The options a reference may carry: {@link #options()} less those refused there (credentials, which
     * references must not hold since they appear in logs). Listed when a reference has an unknown option.
     */
    default Set<String> referenceOptions() {
        return options();
    }

    /**
     * Whether everything after {@code scheme:} is taken verbatim as the location (no options, no
     * field), as the {@code script} scheme does with a command line.
     */
    default boolean opaqueLocation() {
        return false;
    }

    /**
     * Environment variables, in order, that give this scheme's default TTL in milliseconds when
     * {@code KEYSOURCE_TTL_MS} is not set (the script backend names
     * {@code CLAUDE_CODE_API_KEY_HELPER_TTL_MS}).
     */
    default java.util.List<String> ttlEnvironmentVariables() {
        return java.util.List.of();
    }

    /**
     * Creates a source for one reference.
     *
     * @throws dev.keysource.SourceMisconfiguredException when settings are missing or invalid
     */
    KeySource create(KeyRef ref, ProviderContext context);
}
