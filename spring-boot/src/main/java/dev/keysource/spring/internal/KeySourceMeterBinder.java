package dev.keysource.spring.internal;

import dev.keysource.Keys;
import dev.keysource.micrometer.KeySourceMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.springframework.core.env.Environment;

/**
 * Binds {@link KeySourceMetrics} for every named key (tag {@code name=<name>}), the DataSource password
 * ({@code name=datasource}) and each imported reference ({@code name=<property>}, the first property read
 * from it). Spring Boot binds {@code MeterBinder} beans to its registry when Actuator is present.
 */
public final class KeySourceMeterBinder implements MeterBinder {

    private final Keys keys;
    private final ImportedKeys imported;
    private final Environment environment;

    /**
     * @param keys the client
     * @param imported the imported properties
     * @param environment the application's environment
     */
    public KeySourceMeterBinder(Keys keys, ImportedKeys imported, Environment environment) {
        this.keys = keys;
        this.imported = imported;
        this.environment = environment;
    }

    /** Name to reference of every key bound. */
    Map<String, String> named() {
        Map<String, String> byName = new LinkedHashMap<>(NamedKeysRegistrar.namedKeys(environment));
        String ds = KeySourceHikariPostProcessor.passwordReference(environment, imported);
        if (ds != null) {
            byName.putIfAbsent("datasource", ds);
        }
        Set<String> seen = new HashSet<>(byName.values());
        imported.referenceByProperty().forEach((property, ref) -> {
            if (seen.add(ref)) {
                byName.putIfAbsent(property, ref);
            }
        });
        return byName;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Set<String> bound = new HashSet<>();
        named().forEach((name, ref) -> {
            if (bound.add(ref)) {
                KeySourceMetrics.bind(keys.key(ref), name, registry);
            }
        });
    }
}
