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
    /** Providers that add to or override discovery, by scheme. */
    public List<KeySourceProvider> providers;
    public ClassLoader classLoader;
    /** Backend settings given for one scheme (a client's {@code setting(scheme, name, value)}). */
    public final Map<String, Map<String, String>> settingsByScheme = new LinkedHashMap<>();
    public Long maximumSize;
    /** How long idle threads the client created live (null: the default). */
    public java.time.Duration keepAlive;

    /** The code settings of a key of {@code scheme}: the scheme's own, then those given for every scheme. */
    public Map<String, String> settingsFor(String scheme) {
        Map<String, String> forScheme = settingsByScheme.get(scheme);
        if (forScheme == null || forScheme.isEmpty()) {
            return settings;
        }
        if (settings.isEmpty()) {
            return forScheme;
        }
        Map<String, String> m = new LinkedHashMap<>(settings);
        m.putAll(forScheme);
        return m;
    }

    /** A key built alone ({@code CachedKey.builder(..).build()}): a client of one, with a minimal cache. */
    public boolean singleKey;

    /** Whether a reference option beats the code settings (a client's settings are defaults of every key). */
    public boolean referenceOptionsWin;

    /** {@code code} without the settings that {@code options} name (so the reference option applies). */
    public static CoreConfig.Values withoutOptions(CoreConfig.Values code, java.util.Set<String> options) {
        CoreConfig.Values v = new CoreConfig.Values();
        v.ttl = options.contains("ttl") ? null : code.ttl;
        v.refreshAheadBoxed = options.contains("refresh-ahead") ? null : code.refreshAheadBoxed;
        v.jitterBoxed = options.contains("jitter") ? null : code.jitterBoxed;
        v.staleGrace = options.contains("stale-grace") ? null : code.staleGrace;
        v.expirySkew = options.contains("expiry-skew") ? null : code.expirySkew;
        v.timeout = options.contains("timeout") ? null : code.timeout;
        v.attemptsBoxed = options.contains("attempts") ? null : code.attemptsBoxed;
        v.backoff = options.contains("backoff") ? null : code.backoff;
        v.slowThreshold = options.contains("slow-threshold") ? null : code.slowThreshold;
        return v;
    }

    /** A copy, so a builder used again does not change what was built. */
    public ClientParts copy() {
        ClientParts c = new ClientParts();
        c.reference = reference;
        c.source = source;
        CoreConfig.Values v = c.code;
        v.ttl = code.ttl;
        v.refreshAheadBoxed = code.refreshAheadBoxed;
        v.jitterBoxed = code.jitterBoxed;
        v.staleGrace = code.staleGrace;
        v.expirySkew = code.expirySkew;
        v.timeout = code.timeout;
        v.attemptsBoxed = code.attemptsBoxed;
        v.backoff = code.backoff;
        v.slowThreshold = code.slowThreshold;
        c.settings.putAll(settings);
        c.environment = environment;
        c.systemProperties = systemProperties;
        c.ticker = ticker;
        c.clock = clock;
        c.executor = executor;
        c.scheduler = scheduler;
        c.listeners.addAll(listeners);
        c.recordHits = recordHits;
        c.providers = providers == null ? null : new ArrayList<>(providers);
        c.classLoader = classLoader;
        settingsByScheme.forEach((k, m) -> c.settingsByScheme.put(k, new LinkedHashMap<>(m)));
        c.maximumSize = maximumSize;
        c.keepAlive = keepAlive;
        c.referenceOptionsWin = referenceOptionsWin;
        c.singleKey = singleKey;
        c.oneShot = oneShot;
        return c;
    }

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
            ProviderRegistry registry = ProviderRegistry.load(classLoader)
                    .withOverrides(providers != null ? providers : List.of());
            provider = registry.provider(scheme, reference);
            b.ref = provider.opaqueLocation() ? KeyRef.parseOpaque(reference) : KeyRef.parse(reference);
            checkOptions(provider, b.ref, settingsFor(b.ref.scheme()));
        }
        SettingsSource s = new SettingsSource(settingsFor(b.ref.scheme()), b.ref, props, env);
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
                throw noSource(b.ref.toString(), provider);
            }
        }
        return b;
    }

    /** A provider broke its contract by returning no source: an internal error, not a configuration one. */
    static dev.keysource.InternalKeySourceException noSource(String reference, KeySourceProvider provider) {
        return new dev.keysource.InternalKeySourceException(reference, "internal error: provider "
                + provider.getClass().getName() + " returned no source (a bug in the provider, not in your "
                + "configuration); please report it at " + dev.keysource.InternalKeySourceException.REPORT_URL);
    }

    /** Refuses a reference option or a code setting the scheme does not accept, listing those it does. */
    public static void checkOptions(KeySourceProvider provider, KeyRef ref, Map<String, String> settings) {
        Set<String> accepted = new TreeSet<>(provider.options());
        Set<String> inReference = new TreeSet<>(provider.referenceOptions());
        // no keySet() of an empty map: its view would be kept with every key of a client
        for (String name : ref.options().isEmpty() ? Set.<String>of() : ref.options().keySet()) {
            if (!accepted.contains(name) && !CoreConfig.NAMES.contains(name)) {
                Set<String> all = new TreeSet<>(inReference);
                all.addAll(CoreConfig.NAMES);
                throw new InvalidReferenceException(ref.toString(), "unknown option '" + name + "'"
                        + Suggest.nearest(name, all).map(n -> " (did you mean '" + n + "'?)").orElse("")
                        + ". Scheme '" + ref.scheme() + "' accepts: " + (inReference.isEmpty() ? "(none of its own)"
                        : String.join(", ", inReference)) + "; and the core options: "
                        + String.join(", ", new TreeSet<>(CoreConfig.NAMES)));
            }
        }
        checkSettings(provider, ref.scheme(), ref.toString(), settings);
    }

    /** Refuses a code setting the scheme does not accept; {@code reference} is null for a client's settings. */
    static void checkSettings(KeySourceProvider provider, String scheme, String reference,
                              Map<String, String> settings) {
        Set<String> accepted = new TreeSet<>(provider.options());
        for (String name : settings.keySet()) {
            if (!accepted.contains(name) && !CoreConfig.NAMES.contains(name)) {
                throw new SourceMisconfiguredException(reference, "unknown setting '" + name + "' for scheme '"
                        + scheme + "'. It accepts: " + (accepted.isEmpty() ? "(none of its own)"
                        : String.join(", ", accepted)) + "; and the core settings: "
                        + String.join(", ", new TreeSet<>(CoreConfig.NAMES)));
            }
        }
    }

    static Map<String, String> snapshot(Properties p) {
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
