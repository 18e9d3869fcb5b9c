package dev.keysource.script;

import dev.keysource.KeyRef;
import dev.keysource.script.internal.ScriptConfig;
import dev.keysource.script.internal.ScriptKeySource;
import dev.keysource.spi.KeySource;
import dev.keysource.spi.KeySourceProvider;
import dev.keysource.spi.ProviderContext;
import java.util.List;
import java.util.Set;

/**
 * The {@code script} backend: runs a helper command and reads the secret from its stdout, with the
 * semantics tools give an {@code apiKeyHelper} (see {@link ScriptSettings}). Found through
 * {@link java.util.ServiceLoader}; construct it yourself only to pass it to
 * {@code CachedKey.Builder#providers}.
 */
public final class ScriptProvider implements KeySourceProvider {

    /** Does nothing: no I/O, no state. */
    public ScriptProvider() {
    }

    @Override
    public String scheme() {
        return ScriptSettings.SCHEME;
    }

    @Override
    public Set<String> options() {
        return Set.of(ScriptSettings.ARGV, ScriptSettings.WORKING_DIR, ScriptSettings.MAX_OUTPUT,
                ScriptSettings.TIMEOUT, ScriptSettings.JSON_FIELD);
    }

    /** The whole rest of the reference is the command line, exactly as users write it in {@code apiKeyHelper}. */
    @Override
    public boolean opaqueLocation() {
        return true;
    }

    @Override
    public List<String> ttlEnvironmentVariables() {
        return List.of(ScriptSettings.TTL_ENVIRONMENT_VARIABLE);
    }

    @Override
    public KeySource create(KeyRef ref, ProviderContext context) {
        return new ScriptKeySource(ref, ScriptConfig.resolve(ref, context), context);
    }

    @Override
    public String toString() {
        return "ScriptProvider[script]";
    }
}
