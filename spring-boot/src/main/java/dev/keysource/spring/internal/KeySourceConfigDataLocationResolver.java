package dev.keysource.spring.internal;

import dev.keysource.KeyRef;
import dev.keysource.KeySourceException;
import dev.keysource.Keys;
import dev.keysource.spring.KeySourceProperties;
import dev.keysource.spring.KeySourceStartupException;
import dev.keysource.spring.KeyStates;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.logging.Log;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.bootstrap.BootstrapRegistry.InstanceSupplier;
import org.springframework.boot.bootstrap.ConfigurableBootstrapContext;
import org.springframework.boot.context.config.ConfigDataLocation;
import org.springframework.boot.context.config.ConfigDataLocationNotFoundException;
import org.springframework.boot.context.config.ConfigDataLocationResolver;
import org.springframework.boot.context.config.ConfigDataLocationResolverContext;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.logging.DeferredLogFactory;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.Ordered;

/**
 * Resolves {@code spring.config.import=[optional:]keysource:<reference>[?prefix=..&fields=a|b&property=..]}.
 * The first import builds the application's {@link Keys} client in the bootstrap context from the
 * {@code keysource.*} properties known so far; when the application context is prepared, that client (and
 * its {@link KeyStates}) become beans, so the imports and the beans share one cache and the client is
 * closed with the context. Logs go through Boot's deferred log: logging is not set up yet at this stage.
 */
public final class KeySourceConfigDataLocationResolver implements ConfigDataLocationResolver<KeySourceConfigDataResource>,
        Ordered {

    static final String PREFIX = "keysource:";
    /** Options of an import that the starter reads itself and removes from the reference. */
    static final List<String> IMPORT_OPTIONS = List.of("prefix", "fields", "property");

    private final Log log;

    /** @param logs Boot's deferred logs */
    public KeySourceConfigDataLocationResolver(DeferredLogFactory logs) {
        this.log = logs.getLog(KeySourceConfigDataLocationResolver.class);
    }

    /** Before Boot's standard resolver, which takes any location. */
    @Override
    public int getOrder() {
        return -1;
    }

    @Override
    public boolean isResolvable(ConfigDataLocationResolverContext context, ConfigDataLocation location) {
        return location.hasPrefix(PREFIX);
    }

    @Override
    public List<KeySourceConfigDataResource> resolve(ConfigDataLocationResolverContext context,
                                                     ConfigDataLocation location)
            throws ConfigDataLocationNotFoundException {
        String text = location.getNonPrefixedValue(PREFIX);
        KeySourceConfigDataResource resource = parse(text, location.isOptional());
        register(context.getBootstrapContext(), context.getBinder(), log);
        return List.of(resource);
    }

    static KeySourceConfigDataResource parse(String text, boolean optional) {
        String where = "spring.config.import=" + (optional ? "optional:" : "") + PREFIX + text;
        if (text.isBlank()) {
            throw new KeySourceStartupException("spring.config.import", null, where + " names no reference; write "
                    + "keysource:vault:secret/app#password, or keysource:vault:secret/app?fields=user|password", null);
        }
        String scheme = KeyRef.schemeOf(text);
        if ("script".equals(scheme)) {
            // script: references are opaque (the whole rest is the command line): no import options
            return new KeySourceConfigDataResource(text, text, "", List.of(), null, optional);
        }
        KeyRef ref;
        try {
            ref = KeyRef.parse(text);
        } catch (KeySourceException | IllegalArgumentException e) {
            throw new KeySourceStartupException("spring.config.import", text, where + " is not a valid reference: "
                    + e.getMessage(), e);
        }
        Map<String, String> options = new LinkedHashMap<>(ref.options());
        String prefix = options.remove("prefix");
        String fieldList = options.remove("fields");
        String property = options.remove("property");
        List<String> fields = fieldList == null ? List.of()
                : Arrays.stream(fieldList.split("\\|")).map(String::trim).filter(f -> !f.isEmpty()).toList();
        if (!fields.isEmpty() && ref.field().isPresent()) {
            throw new KeySourceStartupException("spring.config.import", text, where + " has both a #field and "
                    + "?fields=; use one of them", null);
        }
        if (property != null && !fields.isEmpty()) {
            throw new KeySourceStartupException("spring.config.import", text, where + " has both ?property= and "
                    + "?fields=; ?property= names a single value, ?prefix= the properties of several", null);
        }
        String canonical = KeyRef.of(ref.scheme(), ref.location(), options, ref.field().orElse(null)).toString();
        return new KeySourceConfigDataResource(text, canonical, prefix == null ? "" : prefix, fields, property, optional);
    }

    /** Registers the client, its states and the import registry in the bootstrap context, once. */
    static void register(ConfigurableBootstrapContext bootstrap, Binder binder, Log log) {
        if (bootstrap.isRegistered(ImportedKeys.class)) {
            return;
        }
        bootstrap.register(KeySourceProperties.class, InstanceSupplier.from(
                () -> binder.bind(KeySourceProperties.PREFIX, KeySourceProperties.class).orElseGet(KeySourceProperties::new)));
        bootstrap.register(KeyStates.class, InstanceSupplier.of(new KeyStates()));
        bootstrap.register(ImportedKeys.class, InstanceSupplier.of(new ImportedKeys()));
        bootstrap.register(KeysHolder.class, InstanceSupplier.of(new KeysHolder()));
        bootstrap.addCloseListener(event -> {
            KeysHolder holder = event.getBootstrapContext().get(KeysHolder.class);
            ConfigurableApplicationContext app = event.getApplicationContext();
            if (!(app.getBeanFactory() instanceof BeanDefinitionRegistry registry)) {
                return;
            }
            Keys keys = holder.peek();
            if (keys != null) {
                RootBeanDefinition def = new RootBeanDefinition(Keys.class, () -> keys);
                def.setDestroyMethodName("close");
                registry.registerBeanDefinition(KeySourceBeans.KEYS, def);
            }
            KeyStates states = event.getBootstrapContext().get(KeyStates.class);
            registry.registerBeanDefinition(KeySourceBeans.STATES, new RootBeanDefinition(KeyStates.class, () -> states));
            ImportedKeys imported = event.getBootstrapContext().get(ImportedKeys.class);
            registry.registerBeanDefinition(KeySourceBeans.IMPORTED, new RootBeanDefinition(ImportedKeys.class, () -> imported));
        });
    }

    /** The bootstrap client, built on first use by a loader. */
    static final class KeysHolder {
        private Keys keys;

        synchronized Keys get(KeySourceProperties properties, KeyStates states) {
            if (keys == null) {
                keys = KeysFactory.create(properties, states);
            }
            return keys;
        }

        synchronized Keys peek() {
            return keys;
        }
    }
}
