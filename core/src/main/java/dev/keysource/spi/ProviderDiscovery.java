package dev.keysource.spi;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * The {@link KeySourceProvider}s that {@link ServiceLoader} finds, each loaded inside a catch of
 * {@link ServiceConfigurationError} (and {@link LinkageError}), so that a provider that fails to load is
 * reported and does not hide the others. The one discovery loop of keysource: the client's registry and the
 * {@code keysource --version} listing both use it.
 */
public final class ProviderDiscovery {

    private final List<KeySourceProvider> providers;
    private final List<String> failures;

    private ProviderDiscovery(List<KeySourceProvider> providers, List<String> failures) {
        this.providers = List.copyOf(providers);
        this.failures = List.copyOf(failures);
    }

    /**
     * Loads the providers visible to {@code loader}, or to the thread's context class loader when it is null.
     * Constructs each provider (providers do no I/O when constructed).
     */
    public static ProviderDiscovery load(ClassLoader loader) {
        ServiceLoader<KeySourceProvider> sl = loader == null
                ? ServiceLoader.load(KeySourceProvider.class)
                : ServiceLoader.load(KeySourceProvider.class, loader);
        List<KeySourceProvider> found = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        Iterator<KeySourceProvider> it = sl.iterator();
        while (true) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                found.add(it.next());
            } catch (ServiceConfigurationError | LinkageError e) {
                failures.add(describe(e));
            }
        }
        return new ProviderDiscovery(found, failures);
    }

    /** The providers that loaded, in the order {@link ServiceLoader} found them. */
    public List<KeySourceProvider> providers() {
        return providers;
    }

    /** One line per provider that failed to load: the error's message and its cause. */
    public List<String> failures() {
        return failures;
    }

    private static String describe(Throwable e) {
        String m = e.getMessage();
        Throwable c = e.getCause();
        return (m == null ? e.toString() : m) + (c != null ? " (caused by " + c + ")" : "");
    }
}
