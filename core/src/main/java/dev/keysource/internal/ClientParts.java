package dev.keysource.internal;

import dev.keysource.InvalidReferenceException;
import dev.keysource.KeyListener;
import dev.keysource.KeyRef;
import dev.keysource.SourceMisconfiguredException;
import dev.keysource.Ticker;
import dev.keysource.spi.KeySource;
import dev.keysource.spi.KeySourceProvider;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** What a builder collects, and the assembly of a source with its settings, time and threads. */
public final class ClientParts {

    public String reference;
    public KeySource source;
    public final CoreConfig.Values code = new CoreConfig.Values();
    public final Map<String, String> settings = new LinkedHashMap<>();
    public Map<String, String> environment;
    public Map<String, String> systemProperties;
    public Ticker ticker;
    public Clock clock;
    public Executor executor;
    public ScheduledExecutorService scheduler;
    public final List<KeyListener> listeners = new ArrayList<>();
    public boolean recordHits;
    public List<KeySourceProvider> providers;
    public ClassLoader classLoader;
    /** Built for a one-shot fetch ({@code KeyFetcher}): the TTL variables cannot fail it (see CoreConfig). */
    public boolean oneShot;

    /** The assembled parts. */
    public static final class Built {
        public KeySource source;
        public KeyRef ref;
        public CoreConfig config;
        public Ticker ticker;
        public Clock clock;
        public Executor executor;
        public ScheduledExecutorService scheduler;
        public DefaultProviderContext context;
        public Runnable closer;
    }

    public Built build() {
        Map<String, String> env = environment != null ? environment : System.getenv();
        Map<String, String> props = systemProperties != null ? systemProperties : snapshot(System.getProperties());
        Built b = new Built();
        b.ticker = ticker != null ? ticker : Ticker.system();
        b.clock = clock != null ? clock : Clock.systemUTC();
        KeySourceProvider provider = null;
        if (source != null) {
            b.ref = source.ref();
        } else {
            String scheme = KeyRef.schemeOf(reference);
            ProviderRegistry registry = providers != null
                    ? ProviderRegistry.of(providers, new ArrayList<>())
                    : ProviderRegistry.load(classLoader);
            provider = registry.provider(scheme, reference);
            b.ref = provider.opaqueLocation() ? KeyRef.parseOpaque(reference) : KeyRef.parse(reference);
            checkOptions(provider, b.ref);
        }
        SettingsSource s = new SettingsSource(settings, b.ref, props, env);
        List<String> ttlEnv = provider != null ? provider.ttlEnvironmentVariables() : List.of();
        b.config = oneShot ? CoreConfig.resolveOneShot(code, s, ttlEnv) : CoreConfig.resolve(code, s, ttlEnv);
        String scheme = b.ref.scheme();
        List<ExecutorService> owned = new ArrayList<>();
        if (executor != null) {
            b.executor = executor;
        } else {
            ExecutorService pool = Executors.newCachedThreadPool(daemon("keysource-" + scheme + "-fetch"));
            owned.add(pool);
            b.executor = pool;
        }
        if (scheduler != null) {
            b.scheduler = scheduler;
        } else {
            ScheduledThreadPoolExecutor stpe = new ScheduledThreadPoolExecutor(1, daemon("keysource-" + scheme + "-scheduler"));
            stpe.setRemoveOnCancelPolicy(true);
            stpe.setKeepAliveTime(30, TimeUnit.SECONDS);
            stpe.allowCoreThreadTimeOut(true);
            owned.add(stpe);
            b.scheduler = stpe;
        }
        b.closer = () -> owned.forEach(ExecutorService::shutdownNow);
        b.context = new DefaultProviderContext(scheme, s, b.clock, b.executor, b.scheduler, b.config.timeout);
        if (source != null) {
            b.source = source;
        } else {
            try {
                b.source = provider.create(b.ref, b.context);
            } catch (RuntimeException e) {
                b.closer.run();
                throw e;
            }
            if (b.source == null) {
                b.closer.run();
                throw new SourceMisconfiguredException(b.ref.toString(), "provider " + provider.getClass().getName()
                        + " returned no source for " + b.ref + "; this is a bug in the provider");
            }
        }
        return b;
    }

    private void checkOptions(KeySourceProvider provider, KeyRef ref) {
        Set<String> accepted = new TreeSet<>(provider.options());
        Set<String> inReference = new TreeSet<>(provider.referenceOptions());
        for (String name : ref.options().keySet()) {
            if (!accepted.contains(name) && !CoreConfig.NAMES.contains(name)) {
                Set<String> all = new TreeSet<>(inReference);
                all.addAll(CoreConfig.NAMES);
                throw new InvalidReferenceException(ref.toString(), "unknown option '" + name + "' in reference '" + ref
                        + "'" + Suggest.nearest(name, all).map(n -> " (did you mean '" + n + "'?)").orElse("")
                        + ". Scheme '" + ref.scheme() + "' accepts: " + (inReference.isEmpty() ? "(none of its own)"
                        : String.join(", ", inReference)) + "; and the core options: "
                        + String.join(", ", new TreeSet<>(CoreConfig.NAMES)));
            }
        }
        for (String name : settings.keySet()) {
            if (!accepted.contains(name) && !CoreConfig.NAMES.contains(name)) {
                throw new SourceMisconfiguredException(ref.toString(), "unknown setting '" + name + "' for scheme '"
                        + ref.scheme() + "'. It accepts: " + (accepted.isEmpty() ? "(none of its own)"
                        : String.join(", ", accepted)) + "; and the core settings: "
                        + String.join(", ", new TreeSet<>(CoreConfig.NAMES)));
            }
        }
    }

    private static Map<String, String> snapshot(Properties p) {
        Map<String, String> m = new HashMap<>();
        for (String name : p.stringPropertyNames()) {
            if (name.startsWith("keysource.")) {
                m.put(name, p.getProperty(name));
            }
        }
        return m;
    }

    private static ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
