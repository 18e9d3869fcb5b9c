package dev.keysource.spi;

import dev.keysource.KeyRef;
import dev.keysource.Secret;

/**
 * One uncached round trip to a backend for one secret.
 *
 * <p>Implementations are thread-safe and blocking; they do not cache and do not retry (the
 * cache-and-resilience layer does both). They throw only {@link dev.keysource.KeySourceException}
 * subtypes, already classified: transient failures as
 * {@link dev.keysource.SourceUnavailableException}, refusals as
 * {@link dev.keysource.SourceAccessDeniedException}, and so on. On interrupt they restore the
 * thread's flag and throw {@link dev.keysource.SourceInterruptedException}.
 */
public interface KeySource extends AutoCloseable {

    /** The reference this source reads. */
    KeyRef ref();

    /** Fetches the secret once. */
    Secret fetch();

    /**
     * What this source knows about where and how it reads, for diagnostics such as {@code keysource check}:
     * ordered name and text pairs (a Vault address, namespace, auth method and token TTL; an AWS region and
     * its origin, endpoint and credentials provider). Never a secret value, token or key. May make a
     * round trip (a token lookup); failures are described in the text, not thrown. Default: nothing.
     */
    default java.util.Map<String, String> describe() {
        return java.util.Map.of();
    }

    /** Releases what this source holds (clients, connections). Idempotent. */
    @Override
    default void close() {
    }
}
