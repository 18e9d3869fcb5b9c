package dev.keysource.aws.internal;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * The SDK clients of one provider instance: one per {@link ClientSpec}, shared by reference count and
 * closed (with the HTTP client and credentials provider it owns) when the last source releases it.
 */
public final class ClientPool {

    private final Function<ClientSpec, ClientSpec.Built> factory;
    private final Map<ClientSpec, Entry> entries = new HashMap<>();

    /** A pool that builds real SDK clients. */
    public ClientPool() {
        this(ClientSpec::build);
    }

    /** A pool with another factory (tests). */
    ClientPool(Function<ClientSpec, ClientSpec.Built> factory) {
        this.factory = factory;
    }

    /** Takes the client for {@code spec}, building it on first use. Release the lease when done. */
    public synchronized Lease acquire(ClientSpec spec) {
        Entry e = entries.get(spec);
        if (e == null) {
            e = new Entry(factory.apply(spec));
            entries.put(spec, e);
        }
        e.refs++;
        return new Lease(spec, e);
    }

    /** Clients currently open. */
    synchronized int size() {
        return entries.size();
    }

    private synchronized void release(ClientSpec spec, Entry e) {
        if (--e.refs == 0 && entries.remove(spec, e)) {
            e.built.close();
        }
    }

    private static final class Entry {
        final ClientSpec.Built built;
        int refs;

        Entry(ClientSpec.Built built) {
            this.built = built;
        }
    }

    /** One source's hold on a shared client. */
    public final class Lease {
        private final ClientSpec spec;
        private final Entry entry;
        private final AtomicBoolean released = new AtomicBoolean();

        private Lease(ClientSpec spec, Entry entry) {
            this.spec = spec;
            this.entry = entry;
        }

        public SecretsManagerClient client() {
            return entry.built.client();
        }

        /** Gives the client back; the last release closes it. Idempotent. */
        public void release() {
            if (released.compareAndSet(false, true)) {
                ClientPool.this.release(spec, entry);
            }
        }
    }
}
