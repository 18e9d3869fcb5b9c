package dev.keysource.spring.internal;

import dev.keysource.CachedKey;
import dev.keysource.Keys;
import dev.keysource.spring.KeySourceStartupException;
import java.util.Map;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.BeanDefinitionRegistryPostProcessor;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;

/**
 * Registers a {@link CachedKey} bean named {@code <name>} for each {@code keysource.keys.<name>=<reference>}:
 * a handle onto the client's entry, so {@code @Qualifier("anthropic") CachedKey key} (or a parameter named
 * {@code anthropic}) is injected. Destroying the bean releases the handle; the client closes the entry.
 */
public final class NamedKeysRegistrar implements BeanDefinitionRegistryPostProcessor {

    static final String PREFIX = "keysource.keys";

    private final Environment environment;

    /** @param environment where keysource.keys.* are read */
    public NamedKeysRegistrar(Environment environment) {
        this.environment = environment;
    }

    /** The named keys: name to reference. */
    static Map<String, String> namedKeys(Environment environment) {
        return Binder.get(environment).bind(PREFIX, Bindable.mapOf(String.class, String.class)).orElseGet(Map::of);
    }

    @Override
    public void postProcessBeanDefinitionRegistry(BeanDefinitionRegistry registry) {
        BeanFactory factory = (BeanFactory) registry;
        namedKeys(environment).forEach((name, reference) -> {
            String property = PREFIX + "." + name;
            RootBeanDefinition def = new RootBeanDefinition(CachedKey.class, () -> {
                try {
                    return factory.getBean(Keys.class).key(reference);
                } catch (RuntimeException e) {
                    throw new KeySourceStartupException(property, reference, "keysource cannot make the key " + name
                            + " (" + property + "=" + reference + "): " + Messages.after(reference, e), e);
                }
            });
            def.setDestroyMethodName("close");
            registry.registerBeanDefinition(name, def);
        });
    }

    @Override
    public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) {
        // definitions only
    }
}
