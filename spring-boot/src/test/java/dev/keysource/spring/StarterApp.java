package dev.keysource.spring;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;

/** A minimal Boot application for the starter's tests. */
@SpringBootConfiguration
@EnableAutoConfiguration(excludeName = "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration")
class StarterApp {

    /** A bean whose password comes from an imported property, through {@code @Value}. */
    static class Consumer {
        final String password;

        Consumer(@Value("${db.password:none}") String password) {
            this.password = password;
        }
    }

    @Bean
    Consumer consumer(@Value("${db.password:none}") String password) {
        return new Consumer(password);
    }
}
