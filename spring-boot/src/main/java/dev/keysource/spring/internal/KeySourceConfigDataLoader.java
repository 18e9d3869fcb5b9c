package dev.keysource.spring.internal;

import dev.keysource.KeyRef;
import dev.keysource.KeySourceException;
import dev.keysource.Keys;
import dev.keysource.spring.KeySourceProperties;
import dev.keysource.spring.KeySourceStartupException;
import dev.keysource.spring.KeyStates;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.logging.Log;
import org.springframework.boot.bootstrap.BootstrapContext;
import org.springframework.boot.context.config.ConfigData;
import org.springframework.boot.context.config.ConfigDataLoader;
import org.springframework.boot.context.config.ConfigDataLoaderContext;
import org.springframework.boot.logging.DeferredLogFactory;

/**
 * Loads a {@code keysource:} import: fetches the reference now (so that a wrong path or a refused login
 * fails start-up, not the first request) and returns a property source that reads the cache on each access.
 * A failure fails start-up with {@link KeySourceStartupException}, unless the import is {@code optional:}
 * (then nothing is imported) or {@code keysource.fail-fast=false} (then the properties are registered and
 * read from the backend on first access); both log a warning.
 */
public final class KeySourceConfigDataLoader implements ConfigDataLoader<KeySourceConfigDataResource> {

    private final Log log;

    /** @param logs Boot's deferred logs */
    public KeySourceConfigDataLoader(DeferredLogFactory logs) {
        this.log = logs.getLog(KeySourceConfigDataLoader.class);
    }

    @Override
    public ConfigData load(ConfigDataLoaderContext context, KeySourceConfigDataResource r) {
        BootstrapContext bootstrap = context.getBootstrapContext();
        KeySourceProperties properties = bootstrap.get(KeySourceProperties.class);
        Keys keys = bootstrap.get(KeySourceConfigDataLocationResolver.KeysHolder.class)
                .get(properties, bootstrap.get(KeyStates.class));
        ImportedKeys imported = bootstrap.get(ImportedKeys.class);
        String where = "spring.config.import=" + (r.optional ? "optional:" : "") + "keysource:" + r.location;
        Map<String, KeySourcePropertySource.Entry> entries = new LinkedHashMap<>();
        try {
            read(keys, r, entries, where);
        } catch (KeySourceException e) {
            if (r.optional) {
                log.warn("keysource: skipped the optional import " + where + ": " + e.getMessage());
                return ConfigData.EMPTY;
            }
            if (!properties.isFailFast()) {
                log.warn("keysource: could not fetch " + r.reference + " for " + where + " (keysource.fail-fast=false, "
                        + "starting anyway; its properties are read on first access): " + e.getMessage());
            } else {
                throw new KeySourceStartupException(where, r.reference, "keysource could not fetch " + r.reference
                        + " for " + where + ": " + Messages.after(r.reference, e), e);
            }
        }
        entries.forEach((property, entry) -> imported.add(property, entry.reference()));
        return new ConfigData(List.of(new KeySourcePropertySource("keysource:" + r.location, keys, entries,
                !properties.isFailFast())));
    }

    /**
     * Fills {@code entries}, fetching every reference. Property names known without fetching (fields) are
     * added before the fetch, so that with fail-fast off they still resolve once the backend answers.
     */
    private static void read(Keys keys, KeySourceConfigDataResource r, Map<String, KeySourcePropertySource.Entry> entries,
                             String where) {
        if (!r.fields.isEmpty()) {
            KeyRef base = KeyRef.parse(r.reference);
            for (String f : r.fields) {
                String ref = KeyRef.of(base.scheme(), base.location(), base.options(), f).toString();
                entries.put(r.prefix + f, new KeySourcePropertySource.Entry(ref, null));
            }
            for (KeySourcePropertySource.Entry e : List.copyOf(entries.values())) {
                keys.get(e.reference());
            }
            return;
        }
        String field = "script".equals(KeyRef.schemeOf(r.reference)) ? null
                : KeyRef.parse(r.reference).field().orElse(null);
        if (r.property != null || field != null) {
            String name = r.property != null ? r.property : r.prefix + field;
            entries.put(name, new KeySourcePropertySource.Entry(r.reference, null));
            keys.get(r.reference);
            return;
        }
        String value = keys.get(r.reference);
        Map<String, String> members = KeySourcePropertySource.members(value);
        if (members == null) {
            throw new KeySourceStartupException(where, r.reference, where + ": the value of " + r.reference
                    + " is not a JSON object, so it has no members to import as properties; name the property "
                    + "for the whole value with ?property=<name>, or pick a field with #<field>", null);
        }
        members.keySet().forEach(m -> entries.put(r.prefix + m, new KeySourcePropertySource.Entry(r.reference, m)));
    }
}
