package dev.keysource.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The core cache-and-resilience settings, resolved once at build time. Each is settable in code,
 * as a reference option, as a system property {@code keysource.<name>} and as an environment
 * variable ({@code KEYSOURCE_<NAME>_MS} for durations, {@code KEYSOURCE_<NAME>} otherwise).
 */
public final class CoreConfig {

    private static final Logger LOG = LoggerFactory.getLogger("dev.keysource");
    private static final String KEYSOURCE_TTL = "KEYSOURCE_TTL_MS";

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
    private final List<String> warnings;

    private CoreConfig(Values v, List<String> origins, List<String> warnings) {
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
        this.warnings = List.copyOf(warnings);
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

    /** The warnings logged when the settings were resolved (a TTL or time limit below 1 s, an ignored variable). */
    public List<String> warnings() {
        return warnings;
    }

    /**
     * Resolves each setting for a cached key: code, then reference option, then system property, then
     * environment, then the default. Every value is checked against its range (durations at most
     * {@link Durations#MAX}); a TTL or time limit below {@link Durations#FLOOR} is logged as a warning.
     *
     * <p>{@code ttlEnv} are the variables of the tool that runs the helper (Claude Code's
     * {@code CLAUDE_CODE_API_KEY_HELPER_TTL_MS}): they are read after {@code KEYSOURCE_TTL_MS}, as
     * milliseconds in that tool's own forms ({@code 900000}, {@code 900000.0}, {@code 9e5}), and a value
     * keysource cannot use is logged and ignored, never a failure: the variable is not keysource's.
     *
     * @param ttlEnv extra environment variables for the TTL after {@code KEYSOURCE_TTL_MS}
     * @throws dev.keysource.SourceMisconfiguredException for an invalid text value, naming the setting and its origin
     * @throws IllegalArgumentException for a duration set in code beyond {@link Durations#MAX}
     */
    public static CoreConfig resolve(Values code, SettingsSource settings, List<String> ttlEnv) {
        return resolve(code, settings, ttlEnv, false);
    }

    /**
     * As {@link #resolve}, for a one-shot fetch ({@code KeyFetcher}), on which the TTL has no effect: the
     * TTL environment variables ({@code KEYSOURCE_TTL_MS} and {@code ttlEnv}) are read only to be listed
     * in {@link #origins()}, and an invalid one is ignored without a warning. A TTL given in code, as a
     * reference option or as a system property is still checked.
     */
    public static CoreConfig resolveOneShot(Values code, SettingsSource settings, List<String> ttlEnv) {
        return resolve(code, settings, ttlEnv, true);
    }

    private static CoreConfig resolve(Values code, SettingsSource settings, List<String> ttlEnv, boolean oneShot) {
        Values v = new Values();
        List<String> origins = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        v.ttl = ttl(code.ttl, settings, ttlEnv, oneShot, origins, warnings);
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
        if (!oneShot) {
            floor("ttl", v.ttl, code.ttl != null, settings, ttlVars(ttlEnv), warnings,
                    "the value is fetched again every " + v.ttl.toMillis() + " ms",
                    "write " + v.ttl.toMillis() + "s if seconds were meant");
        }
        floor("timeout", v.timeout, code.timeout != null, settings, List.of("KEYSOURCE_TIMEOUT_MS"), warnings,
                "an attempt that takes longer fails", "write " + v.timeout.toMillis() + "s if seconds were meant");
        for (String w : warnings) {
            LOG.warn("keysource: {}", w);
        }
        return new CoreConfig(v, origins, warnings);
    }

    private static List<String> ttlVars(List<String> ttlEnv) {
        List<String> vars = new ArrayList<>();
        vars.add(KEYSOURCE_TTL);
        vars.addAll(ttlEnv);
        return vars;
    }

    private static Duration ttl(Duration code, SettingsSource s, List<String> ttlEnv, boolean oneShot,
                                List<String> origins, List<String> warnings) {
        if (code != null) {
            return duration("ttl", code, s, List.of(), DEFAULT_TTL, false, origins);
        }
        // code, option and system property first: these are checked on every path
        Optional<SettingsSource.Found> f = s.find("ttl", "keysource.ttl", List.of());
        if (f.isPresent()) {
            return duration("ttl", null, s, List.of(), DEFAULT_TTL, false, origins);
        }
        for (String var : ttlVars(ttlEnv)) {
            Optional<SettingsSource.Found> e = s.find("ttl", "keysource.ttl", List.of(var));
            if (e.isEmpty()) {
                continue;
            }
            boolean ours = var.equals(KEYSOURCE_TTL);
            Optional<Duration> d = ours && !oneShot
                    ? Optional.of(Durations.parse("ttl", e.get().origin, e.get().value, false, true))
                    : ours ? parseQuietly(e.get()) : callerToolMillis(e.get().value);
            if (d.isPresent()) {
                origins.add("ttl=" + d.get() + " (" + e.get().origin + ")");
                return d.get();
            }
            if (!oneShot) {
                warnings.add(e.get().origin + " is '" + e.get().value + "', not a positive number of milliseconds; it "
                        + "is ignored and the TTL is 5 minutes (set " + KEYSOURCE_TTL + " to choose keysource's TTL)");
            }
            return DEFAULT_TTL;
        }
        return DEFAULT_TTL;
    }

    private static Optional<Duration> parseQuietly(SettingsSource.Found f) {
        try {
            return Optional.of(Durations.parse("ttl", f.origin, f.value, false, true));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** A caller tool's millisecond variable, in the forms a JavaScript {@code Number} takes: 900000, 900000.0, 9e5. */
    private static Optional<Duration> callerToolMillis(String text) {
        try {
            java.math.BigDecimal ms = new java.math.BigDecimal(text.trim());
            if (ms.signum() <= 0 || ms.compareTo(java.math.BigDecimal.valueOf(Durations.MAX.toMillis())) > 0) {
                return Optional.empty();
            }
            return Optional.of(Duration.ofMillis(Math.max(1, ms.longValue())));
        } catch (NumberFormatException | ArithmeticException e) {
            return Optional.empty();
        }
    }

    private static void floor(String name, Duration d, boolean inCode, SettingsSource s, List<String> env,
                              List<String> warnings, String effect, String fix) {
        if (d.compareTo(Durations.FLOOR) >= 0) {
            return;
        }
        String origin = inCode ? "code" : s.find(name, "keysource." + name, env).map(f -> f.origin).orElse("code");
        boolean msVariable = origin.startsWith("environment variable ") && origin.endsWith("_MS");
        warnings.add("setting '" + name + "' from " + origin + " is " + d.toMillis() + " ms, below 1 s: " + effect
                + "; " + (msVariable ? "the variable is in milliseconds (" + origin.substring("environment variable ".length())
                + "=5000 is 5 s)" : fix));
    }

    private static Duration duration(String name, Duration code, SettingsSource s, List<String> env, Duration def,
                                     boolean allowZero, List<String> origins) {
        if (code != null) {
            Durations.inRange(CODE_NAMES.getOrDefault(name, name), code);
            origins.add(name + "=" + code + " (code)");
            return code;
        }
        Optional<SettingsSource.Found> f = s.find(name, "keysource." + name, env);
        if (f.isEmpty()) {
            return def;
        }
        boolean msVariable = f.get().origin.startsWith("environment variable ") && f.get().origin.endsWith("_MS");
        Duration d = Durations.parse(name, f.get().origin, f.get().value, allowZero, msVariable);
        origins.add(name + "=" + d + " (" + f.get().origin + ")");
        return d;
    }

    /** The builder method of each duration setting, for messages about values set in code. */
    private static final java.util.Map<String, String> CODE_NAMES = java.util.Map.of("stale-grace", "staleGrace",
            "expiry-skew", "expirySkew", "slow-threshold", "slowThreshold");

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
