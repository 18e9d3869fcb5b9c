package dev.keysource.spring.internal;

import dev.keysource.Keys;
import dev.keysource.spring.KeySourceProperties;
import dev.keysource.spring.KeySourceStartupException;
import dev.keysource.spring.KeyStates;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/** Builds the application's {@link Keys} client from {@code keysource.*}; each refused value names its property. */
public final class KeysFactory {

    /** Settings whose values are credentials: never repeated in a message. */
    private static final Set<String> CREDENTIALS = Set.of("token", "secret-id", "role-id");

    private KeysFactory() {
    }

    /**
     * Builds the client from {@code keysource.*}.
     *
     * @param p the bound properties
     * @param states follows every key's events from the first fetch on (the health state)
     * @return the client; no I/O has happened
     */
    public static Keys create(KeySourceProperties p, KeyStates states) {
        Keys.Builder b = Keys.builder();
        set("ttl", p.getTtl(), v -> b.ttl(v));
        set("refresh-ahead", p.getRefreshAhead(), v -> b.refreshAhead(v));
        set("jitter", p.getJitter(), v -> b.jitter(v));
        set("stale-grace", p.getStaleGrace(), v -> b.staleGrace(v));
        set("expiry-skew", p.getExpirySkew(), v -> b.expirySkew(v));
        set("timeout", p.getTimeout(), v -> b.timeout(v));
        set("max-attempts", p.getMaxAttempts(), v -> b.maxAttempts(v));
        set("backoff", p.getBackoff(), v -> b.backoff(v));
        set("slow-threshold", p.getSlowThreshold(), v -> b.slowThreshold(v));
        if (p.getMaximumSize() != null) {
            set("maximum-size", p.getMaximumSize(), v -> b.maximumSize(v));
        }
        b.recordStats(p.isRecordStats());
        for (Map.Entry<String, Map<String, String>> scheme : p.backendSettings().entrySet()) {
            for (Map.Entry<String, String> s : scheme.getValue().entrySet()) {
                String property = property(scheme.getKey(), s.getKey());
                try {
                    b.setting(scheme.getKey(), s.getKey(), s.getValue());
                } catch (RuntimeException e) {
                    throw refused(property, CREDENTIALS.contains(s.getKey()) ? null : s.getValue(), e);
                }
            }
        }
        Keys keys;
        try {
            keys = b.build();
        } catch (RuntimeException e) {
            throw new KeySourceStartupException(KeySourceProperties.PREFIX, null,
                    "keysource refused its settings (keysource.*): " + e.getMessage(), e);
        }
        if (states != null) {
            states.attach(keys); // build() does no I/O: no event can have been missed
        }
        return keys;
    }

    /** The property a backend setting comes from, e.g. keysource.vault.role-id or keysource.settings.script.timeout. */
    static String property(String scheme, String setting) {
        if (scheme.equals("vault")) {
            return "keysource.vault." + setting;
        }
        if (scheme.equals("aws-sm") && Set.of("region", "profile", "endpoint").contains(setting)) {
            return "keysource.aws." + setting;
        }
        return "keysource.settings." + scheme + "." + setting;
    }

    private static <T> void set(String name, T value, Consumer<T> setter) {
        try {
            setter.accept(value);
        } catch (RuntimeException e) {
            throw refused("keysource." + name, value, e);
        }
    }

    private static KeySourceStartupException refused(String property, Object shownValue, RuntimeException e) {
        String value = shownValue == null ? "" : " '" + shownValue + "'";
        return new KeySourceStartupException(property, null,
                "Invalid value" + value + " for " + property + ": " + e.getMessage(), e);
    }
}
