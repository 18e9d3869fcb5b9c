package dev.keysource.spring.internal;

import dev.keysource.KeySourceException;
import dev.keysource.Keys;
import dev.keysource.spi.Json;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.env.EnumerablePropertySource;

/**
 * The properties of one {@code keysource:} import. Each read asks the client for the current value (a cache
 * read, no backend call while the value is fresh), so {@code Environment.getProperty} sees a rotated value
 * as soon as keysource serves it; {@code @Value} fields and {@code @ConfigurationProperties} beans keep what
 * they were given when they were created.
 */
final class KeySourcePropertySource extends EnumerablePropertySource<Keys> {

    /** Where a property's value comes from: a reference, and a member of its JSON object or {@code null}. */
    record Entry(String reference, String member) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(KeySourcePropertySource.class);

    private final Map<String, Entry> entries;
    private final boolean lenient;

    /**
     * @param lenient with {@code keysource.fail-fast=false}: a value that cannot be fetched reads as absent
     *                (a placeholder's default applies), instead of throwing; the import logged a warning
     */
    KeySourcePropertySource(String name, Keys keys, Map<String, Entry> entries, boolean lenient) {
        super(name, keys);
        this.entries = new LinkedHashMap<>(entries);
        this.lenient = lenient;
    }

    @Override
    public String[] getPropertyNames() {
        return entries.keySet().toArray(String[]::new);
    }

    @Override
    public boolean containsProperty(String name) {
        return entries.containsKey(name);
    }

    @Override
    public Object getProperty(String name) {
        Entry e = entries.get(name);
        if (e == null) {
            return null;
        }
        String value;
        try {
            value = getSource().get(e.reference());
        } catch (KeySourceException failure) {
            if (!lenient) {
                throw failure;
            }
            LOG.debug("keysource: {} cannot be read yet ({}): {}", name, e.reference(), failure.getMessage());
            return null;
        }
        return e.member() == null ? value : member(value, e.member());
    }

    /** The member of a JSON object value as text, or {@code null} when it is absent (after a rotation). */
    static String member(String json, String member) {
        Map<String, String> members = members(json);
        return members == null ? null : members.get(member);
    }

    /** The top-level members of a JSON object (strings, numbers and booleans, as text), or {@code null}. */
    static Map<String, String> members(String value) {
        Object parsed;
        try {
            parsed = Json.parse(value);
        } catch (Json.Malformed e) {
            return null;
        }
        if (!(parsed instanceof Map<?, ?> map)) {
            return null;
        }
        Map<String, String> out = new LinkedHashMap<>();
        map.forEach((k, v) -> {
            if (v instanceof String || v instanceof Boolean) {
                out.put(String.valueOf(k), String.valueOf(v));
            } else if (v instanceof Json.Num n) {
                out.put(String.valueOf(k), n.text());
            }
        });
        return out;
    }
}
