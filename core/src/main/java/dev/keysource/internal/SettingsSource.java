package dev.keysource.internal;

import dev.keysource.KeyRef;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Resolves a named setting by the precedence of docs/design.md §8: code > reference option > system
 * property > environment. Records what it consulted (names and origins, never values).
 */
public final class SettingsSource {

    private final Map<String, String> code;
    private final KeyRef ref;
    private final Map<String, String> systemProperties;
    private final Map<String, String> environment;
    private final List<String> consulted = Collections.synchronizedList(new ArrayList<>());

    public SettingsSource(Map<String, String> code, KeyRef ref, Map<String, String> systemProperties,
                          Map<String, String> environment) {
        this.code = code;
        this.ref = ref;
        this.systemProperties = systemProperties;
        this.environment = environment;
    }

    /** A resolved value and where it came from. */
    public static final class Found {
        public final String value;
        public final String origin;

        Found(String value, String origin) {
            this.value = value;
            this.origin = origin;
        }
    }

    /**
     * Looks up a setting. {@code propertyName} is the system property, {@code envNames} the
     * environment variables in order.
     */
    public Optional<Found> find(String name, String propertyName, List<String> envNames) {
        String v = code.get(name);
        if (v != null) {
            return record(v, "code setting '" + name + "'");
        }
        if (ref != null) {
            Optional<String> opt = ref.option(name);
            if (opt.isPresent()) {
                return record(opt.get(), "reference option '" + name + "'");
            }
        }
        v = systemProperties.get(propertyName);
        if (v != null) {
            return record(v, "system property " + propertyName);
        }
        for (String env : envNames) {
            v = environment.get(env);
            if (v != null && !v.isEmpty()) {
                return record(v, "environment variable " + env);
            }
        }
        return Optional.empty();
    }

    /** A backend setting: property {@code keysource.<scheme>.<name>}, env {@code KEYSOURCE_<SCHEME>_<NAME>}. */
    public Optional<Found> backendSetting(String scheme, String name) {
        return find(name, "keysource." + scheme + "." + name, List.of(envName("KEYSOURCE_" + scheme + "_" + name)));
    }

    /** A raw environment variable, recorded as consulted when present. */
    public Optional<String> env(String name) {
        String v = environment.get(name);
        if (v == null) {
            return Optional.empty();
        }
        consulted.add(name + " (environment variable)");
        return Optional.of(v);
    }

    public Map<String, String> environment() {
        return environment;
    }

    /** A line of its own among the consulted ones (a backend's note for {@code keysource check}). */
    public void note(String line) {
        synchronized (consulted) {
            if (!consulted.contains(line)) {
                consulted.add(line);
            }
        }
    }

    public List<String> consulted() {
        synchronized (consulted) {
            return List.copyOf(consulted);
        }
    }

    /** {@code KEYSOURCE_aws-sm_region} → {@code KEYSOURCE_AWS_SM_REGION}. */
    public static String envName(String s) {
        return s.toUpperCase(Locale.ROOT).replace('-', '_').replace('.', '_');
    }

    private Optional<Found> record(String value, String origin) {
        consulted.add(origin);
        return Optional.of(new Found(value, origin));
    }
}
