package dev.keysource.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The core cache-and-resilience settings, resolved once at build time. Each is settable in code,
 * as a reference option, as a system property {@code keysource.<name>} and as an environment
 * variable ({@code KEYSOURCE_<NAME>_MS} for durations, {@code KEYSOURCE_<NAME>} otherwise).
 */
public final class CoreConfig {

    public static final Duration DEFAULT_TTL = Duration.ofMinutes(5);
    public static final double DEFAULT_REFRESH_AHEAD = 0.8;
    public static final double DEFAULT_JITTER = 0.1;
    public static final Duration DEFAULT_STALE_GRACE = Duration.ofMinutes(5);
    public static final Duration DEFAULT_EXPIRY_SKEW = Duration.ofSeconds(30);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    public static final int DEFAULT_ATTEMPTS = 3;
    public static final Duration DEFAULT_BACKOFF = Duration.ofMillis(200);
    public static final Duration DEFAULT_SLOW_THRESHOLD = Duration.ofSeconds(10);

    /** Names of the core settings; every provider accepts them as reference options too. */
    public static final Set<String> NAMES = Set.of("ttl", "refresh-ahead", "jitter", "stale-grace", "expiry-skew",
            "timeout", "attempts", "backoff", "slow-threshold");

    public final Duration ttl;
    public final double refreshAhead;
    public final double jitter;
    public final Duration staleGrace;
    public final Duration expirySkew;
    public final Duration timeout;
    public final int attempts;
    public final Duration backoff;
    public final Duration slowThreshold;
    private final List<String> origins;

    private CoreConfig(Values v, List<String> origins) {
        this.ttl = v.ttl;
        this.refreshAhead = v.refreshAhead;
        this.jitter = v.jitter;
        this.staleGrace = v.staleGrace;
        this.expirySkew = v.expirySkew;
        this.timeout = v.timeout;
        this.attempts = v.attempts;
        this.backoff = v.backoff;
        this.slowThreshold = v.slowThreshold;
        this.origins = List.copyOf(origins);
    }

    /** Values set in code (null = not set). */
    public static final class Values {
        public Duration ttl;
        public Double refreshAheadBoxed;
        public Double jitterBoxed;
        public Duration staleGrace;
        public Duration expirySkew;
        public Duration timeout;
        public Integer attemptsBoxed;
        public Duration backoff;
        public Duration slowThreshold;
        double refreshAhead;
        double jitter;
        int attempts;
    }

    /** "ttl=PT1M (environment variable KEYSOURCE_TTL_MS)" lines for diagnostics. */
    public List<String> origins() {
        return origins;
    }

    /**
     * Resolves each setting: code, then reference option, then system property, then environment,
     * then the default.
     *
     * @param ttlEnv extra environment variables for the TTL after {@code KEYSOURCE_TTL_MS}
     */
    public static CoreConfig resolve(Values code, SettingsSource settings, List<String> ttlEnv) {
        Values v = new Values();
        List<String> origins = new ArrayList<>();
        List<String> ttlVars = new ArrayList<>();
        ttlVars.add("KEYSOURCE_TTL_MS");
        ttlVars.addAll(ttlEnv);
        v.ttl = duration("ttl", code.ttl, settings, ttlVars, DEFAULT_TTL, false, origins);
        v.refreshAhead = fraction("refresh-ahead", code.refreshAheadBoxed, settings, DEFAULT_REFRESH_AHEAD, 0.1, 1.0, origins);
        v.jitter = fraction("jitter", code.jitterBoxed, settings, DEFAULT_JITTER, 0.0, 0.5, origins);
        v.staleGrace = duration("stale-grace", code.staleGrace, settings, List.of("KEYSOURCE_STALE_GRACE_MS"),
                DEFAULT_STALE_GRACE, true, origins);
        v.expirySkew = duration("expiry-skew", code.expirySkew, settings, List.of("KEYSOURCE_EXPIRY_SKEW_MS"),
                DEFAULT_EXPIRY_SKEW, true, origins);
        v.timeout = duration("timeout", code.timeout, settings, List.of("KEYSOURCE_TIMEOUT_MS"), DEFAULT_TIMEOUT,
                false, origins);
        v.backoff = duration("backoff", code.backoff, settings, List.of("KEYSOURCE_BACKOFF_MS"), DEFAULT_BACKOFF,
                false, origins);
        v.slowThreshold = duration("slow-threshold", code.slowThreshold, settings,
                List.of("KEYSOURCE_SLOW_THRESHOLD_MS"), DEFAULT_SLOW_THRESHOLD, false, origins);
        if (code.attemptsBoxed != null) {
            v.attempts = code.attemptsBoxed;
            origins.add("attempts=" + v.attempts + " (code)");
        } else {
            Optional<SettingsSource.Found> f = settings.find("attempts", "keysource.attempts", List.of("KEYSOURCE_ATTEMPTS"));
            v.attempts = f.map(x -> Durations.integer("attempts", x.origin, x.value, 1, 20)).orElse(DEFAULT_ATTEMPTS);
            f.ifPresent(x -> origins.add("attempts=" + v.attempts + " (" + x.origin + ")"));
        }
        return new CoreConfig(v, origins);
    }

    private static Duration duration(String name, Duration code, SettingsSource s, List<String> env, Duration def,
                                     boolean allowZero, List<String> origins) {
        if (code != null) {
            origins.add(name + "=" + code + " (code)");
            return code;
        }
        Optional<SettingsSource.Found> f = s.find(name, "keysource." + name, env);
        if (f.isEmpty()) {
            return def;
        }
        Duration d = Durations.parse(name, f.get().origin, f.get().value, allowZero);
        origins.add(name + "=" + d + " (" + f.get().origin + ")");
        return d;
    }

    private static double fraction(String name, Double code, SettingsSource s, double def, double min, double max,
                                   List<String> origins) {
        if (code != null) {
            origins.add(name + "=" + code + " (code)");
            return code;
        }
        Optional<SettingsSource.Found> f = s.find(name, "keysource." + name,
                List.of(SettingsSource.envName("KEYSOURCE_" + name)));
        if (f.isEmpty()) {
            return def;
        }
        double d = Durations.fraction(name, f.get().origin, f.get().value, min, max);
        origins.add(name + "=" + d + " (" + f.get().origin + ")");
        return d;
    }
}
