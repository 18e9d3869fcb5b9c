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
     * Told by the cache that the caller rejected {@code value}, a value this source returned (for
     * example the API answered 401/403), and that the cache dropped it: the next {@link #fetch()} follows
     * that rejection. A source that reads through a cache of its own (a node-local agent) bypasses that
     * cache on the next fetch; a source that reads a file reads it again (it does anyway). Called at most
     * once per dropped value, before the fetch that replaces it can start; must return promptly and not
     * throw. The default does nothing.
     *
     * @param value the rejected secret (never log its value)
     */
    default void rejected(Secret value) {
    }

    /**
     * For a source that notices changes itself (a watched file): the cache calls this once, when it is
     * built, with a callback that starts a background refresh of the cached value. The source calls
     * {@code changed} from any thread, as often as it sees a change; the callback never blocks or throws,
     * and does nothing while no value is cached (the next read fetches) or after close. The default does
     * nothing: the cache's TTL schedule alone decides when to fetch.
     *
     * @param changed starts (or queues behind a running one) a refresh
     */
    default void watch(Runnable changed) {
    }

    /** Releases what this source holds (clients, connections). Idempotent. */
    @Override
    default void close() {
    }
}
