package dev.keysource.spi;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * What a provider instance shares between the sources it creates: one value per key (one HTTP client and
 * login per Vault identity, one SDK client per region and credentials), opened by the first
 * {@link #acquire acquire} of its key, counted by reference, and closed when the last {@link Lease} is released.
 * A later {@code acquire} of the key opens a new value. Instance state only: one pool per provider instance.
 *
 * <p>Thread-safe. {@code open} runs under the pool's lock, so two sources asking for a new key at once get
 * the same value: it must do no network I/O (build clients, read local files; log in later). {@code close}
 * runs outside the lock, on the thread that released the last lease, and may do I/O (revoke a token).
 *
 * @param <K> the key: equal keys share a value (it must have {@code equals} and {@code hashCode}, and should
 *            hold credentials only as digests, or show none in {@code toString})
 * @param <V> the shared value
 */
public final class SharedPool<K, V> {

    private final Consumer<? super V> close;
    private final Map<K, Entry<V>> entries = new HashMap<>();

    /**
     * @param close closes a value whose last lease was released; an exception it throws reaches the caller of
     *              {@link Lease#release}, and the value is gone from the pool all the same
     */
    public SharedPool(Consumer<? super V> close) {
        this.close = Objects.requireNonNull(close, "close");
    }

    /**
     * The value of {@code key}; release the lease when the source closes.
     *
     * @param open opens the value when the key is not in the pool (with what the caller knows: its settings
     *             and context); an exception it throws reaches the caller, and nothing is kept
     */
    public Lease<V> acquire(K key, Function<? super K, ? extends V> open) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(open, "open");
        synchronized (entries) {
            Entry<V> e = entries.get(key);
            if (e == null) {
                e = new Entry<>(Objects.requireNonNull(open.apply(key), "open returned null"));
                entries.put(key, e);
            }
            e.refs++;
            return new Lease<>(this, key, e);
        }
    }

    /** How many values are open now. */
    public int size() {
        synchronized (entries) {
            return entries.size();
        }
    }

    private void release(Object key, Entry<V> e) {
        synchronized (entries) {
            if (--e.refs > 0 || !entries.remove(key, e)) {
                return;
            }
        }
        close.accept(e.value);
    }

    private static final class Entry<V> {
        final V value;
        int refs; // guarded by the pool's map

        Entry(V value) {
            this.value = value;
        }
    }

    /** One source's hold on a shared value. */
    public static final class Lease<V> {
        private final SharedPool<?, V> pool;
        private final Object key;
        private final Entry<V> entry;
        private final AtomicBoolean released = new AtomicBoolean();

        private Lease(SharedPool<?, V> pool, Object key, Entry<V> entry) {
            this.pool = pool;
            this.key = key;
            this.entry = entry;
        }

        /** The shared value. */
        public V value() {
            return entry.value;
        }

        /** Gives the value back; the last release of its key closes it. Idempotent. */
        public void release() {
            if (released.compareAndSet(false, true)) {
                pool.release(key, entry);
            }
        }
    }
}
