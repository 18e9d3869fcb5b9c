package dev.keysource.spring;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * The {@code keysource} health indicator, when spring-boot-health is present (Actuator brings it); off with
 * {@code management.health.keysource.enabled=false}.
 */
@AutoConfiguration(after = KeySourceAutoConfiguration.class)
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnEnabledHealthIndicator("keysource")
public class KeySourceHealthAutoConfiguration {

    /**
     * The {@code keysource} health indicator, fed by key events (no backend call per probe).
     *
     * @param states the client's key states
     * @return the indicator, reported as {@code keysource}
     */
    @Bean
    @ConditionalOnMissingBean(name = "keysourceHealthIndicator")
    public KeySourceHealthIndicator keysourceHealthIndicator(KeyStates states) {
        return new KeySourceHealthIndicator(states);
    }
}
