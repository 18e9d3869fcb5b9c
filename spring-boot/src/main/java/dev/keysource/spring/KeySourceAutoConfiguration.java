package dev.keysource.spring;

import dev.keysource.Keys;
import dev.keysource.spring.internal.ImportedKeys;
import dev.keysource.spring.internal.KeySourceBeans;
import dev.keysource.spring.internal.KeySourceHikariPostProcessor;
import dev.keysource.spring.internal.KeySourceMeterBinder;
import dev.keysource.spring.internal.KeySourceStartupCheck;
import dev.keysource.spring.internal.KeysFactory;
import dev.keysource.spring.internal.NamedKeysRegistrar;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Auto-configuration of keysource for Spring Boot 4: the {@link Keys} client (closed with the context), a
 * {@code CachedKey} bean per {@code keysource.keys.<name>}, start-up checks, application events, the
 * {@code keysource} health indicator (with spring-boot-health), meters (with Micrometer and
 * keysource-micrometer) and a Hikari DataSource password that follows a secret. When
 * {@code spring.config.import=keysource:...} is used, the client built for the import is the bean.
 */
@AutoConfiguration
@EnableConfigurationProperties(KeySourceProperties.class)
public class KeySourceAutoConfiguration {

    /** The states of the client's keys, read by the health indicator. */
    @Bean(name = KeySourceBeans.STATES)
    @ConditionalOnMissingBean
    public KeyStates keysourceKeyStates() {
        return new KeyStates();
    }

    /** The properties imported with spring.config.import (none without an import). */
    @Bean(name = KeySourceBeans.IMPORTED)
    @ConditionalOnMissingBean
    public ImportedKeys keysourceImportedKeys() {
        return new ImportedKeys();
    }

    /**
     * The application's client, closed with the context.
     *
     * @param properties keysource.*
     * @param states the key states to attach
     * @return the application's client
     */
    @Bean(name = KeySourceBeans.KEYS, destroyMethod = "close")
    @ConditionalOnMissingBean
    public Keys keysourceKeys(KeySourceProperties properties, KeyStates states) {
        return KeysFactory.create(properties, states);
    }

    /**
     * Registers a {@code CachedKey} bean per {@code keysource.keys.<name>}.
     *
     * @param environment the application's environment
     * @return registers a {@code CachedKey} bean per keysource.keys.&lt;name&gt;
     */
    @Bean
    public static NamedKeysRegistrar keysourceNamedKeysRegistrar(Environment environment) {
        return new NamedKeysRegistrar(environment);
    }

    /**
     * The start-up check: fetches every named key and the DataSource password once all singletons exist.
     *
     * @param properties keysource.*
     * @param keys the client
     * @param states the key states, attached to the client if it is a bean of your own
     * @param imported the imported properties
     * @param environment the application's environment
     * @return fetches every named key and the DataSource password once all singletons exist
     */
    @Bean
    public KeySourceStartupCheck keysourceStartupCheck(KeySourceProperties properties, Keys keys, KeyStates states,
                                                       ImportedKeys imported, Environment environment) {
        states.attach(keys);
        return new KeySourceStartupCheck(properties, keys, imported, environment);
    }

    /**
     * Publishes the client's key events as Spring {@link KeySourceEvent}s.
     *
     * @param keys the client
     * @param publisher the context
     * @return the listener publishing {@link KeySourceEvent}s
     */
    @Bean
    @ConditionalOnProperty(prefix = KeySourceProperties.PREFIX, name = "publish-events", matchIfMissing = true)
    public KeySourceEventPublisher keysourceEventPublisher(Keys keys, ApplicationEventPublisher publisher) {
        KeySourceEventPublisher listener = new KeySourceEventPublisher(keys, publisher);
        keys.addListener(listener);
        return listener;
    }

    /** Meters of every named, imported and DataSource key, when Micrometer and keysource-micrometer are present. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = {"io.micrometer.core.instrument.binder.MeterBinder",
            "dev.keysource.micrometer.KeySourceMetrics"})
    static class Metrics {
        @Bean
        @ConditionalOnMissingBean
        KeySourceMeterBinder keysourceMeterBinder(Keys keys, ImportedKeys imported, Environment environment) {
            return new KeySourceMeterBinder(keys, imported, environment);
        }
    }

    /** The Hikari pool's password follows keysource.datasource.password-reference. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "com.zaxxer.hikari.HikariDataSource")
    static class Hikari {
        @Bean
        static KeySourceHikariPostProcessor keysourceHikariPostProcessor(ObjectProvider<Keys> keys,
                                                                         ObjectProvider<ImportedKeys> imported,
                                                                         Environment environment) {
            return new KeySourceHikariPostProcessor(keys, imported, environment);
        }
    }
}
