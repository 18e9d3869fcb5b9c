package dev.keysource.spring.internal;

import dev.keysource.KeySourceException;
import dev.keysource.Keys;
import dev.keysource.spring.KeySourceProperties;
import dev.keysource.spring.KeySourceStartupException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.core.env.Environment;

/**
 * Fetches every named key and the DataSource password once all singletons exist, so that a wrong path,
 * a refused login or an unreachable backend fails start-up ({@code keysource.fail-fast=true}, the default)
 * instead of the first request; with fail-fast off it logs a warning per key and lets the application start.
 */
public final class KeySourceStartupCheck implements SmartInitializingSingleton {

    private static final Logger LOG = LoggerFactory.getLogger(KeySourceStartupCheck.class);

    private final KeySourceProperties properties;
    private final Keys keys;
    private final ImportedKeys imported;
    private final Environment environment;

    /**
     * @param properties keysource.*
     * @param keys the client
     * @param imported the imported properties
     * @param environment the application's environment
     */
    public KeySourceStartupCheck(KeySourceProperties properties, Keys keys, ImportedKeys imported,
                                 Environment environment) {
        this.properties = properties;
        this.keys = keys;
        this.imported = imported;
        this.environment = environment;
    }

    /** Property to reference of everything checked at start-up. */
    Map<String, String> checked() {
        Map<String, String> all = new LinkedHashMap<>();
        NamedKeysRegistrar.namedKeys(environment).forEach((name, ref) -> all.put(NamedKeysRegistrar.PREFIX + "." + name, ref));
        String ds = KeySourceHikariPostProcessor.passwordReference(environment, imported);
        if (ds != null) {
            all.put("keysource.datasource.password-reference", ds);
        }
        return all;
    }

    @Override
    public void afterSingletonsInstantiated() {
        for (Map.Entry<String, String> e : checked().entrySet()) {
            try {
                keys.get(e.getValue());
            } catch (KeySourceException failure) {
                if (!properties.isFailFast()) {
                    LOG.warn("keysource: could not fetch {} ({}) at start-up; keysource.fail-fast=false, so the "
                            + "application starts and the key is fetched on first use: {}", e.getValue(), e.getKey(),
                            failure.getMessage());
                    continue;
                }
                throw new KeySourceStartupException(e.getKey(), e.getValue(), "keysource could not fetch "
                        + e.getValue() + " (" + e.getKey() + ") at start-up: " + Messages.after(e.getValue(), failure),
                        failure);
            }
        }
    }
}
