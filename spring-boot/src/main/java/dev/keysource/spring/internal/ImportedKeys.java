package dev.keysource.spring.internal;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The properties imported with {@code spring.config.import=keysource:...}, by property name, with the
 * reference each reads. Registered as a bean so that fail-fast checks, meters and the DataSource can find
 * the key behind a property.
 */
public final class ImportedKeys {

    private final Map<String, String> referenceByProperty = Collections.synchronizedMap(new LinkedHashMap<>());

    void add(String property, String reference) {
        referenceByProperty.put(property, reference);
    }

    /** Property name to canonical reference, in import order. */
    public Map<String, String> referenceByProperty() {
        synchronized (referenceByProperty) {
            return Map.copyOf(referenceByProperty);
        }
    }

    /** The reference behind an imported property, or {@code null}. */
    public String referenceOf(String property) {
        return referenceByProperty.get(property);
    }
}
