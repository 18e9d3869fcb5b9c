package dev.keysource.testkit;

import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Deliberately leaking tests, run only through the JUnit engine test kit by {@link CanaryExtensionTest}
 * (the name does not match Surefire's patterns, so the build does not run them directly).
 */
public class LeakingFixtures {

    @Test
    void leaksInLog() {
        LoggerFactory.getLogger("leaky").warn("token is {}", Canary.SECRET);
    }

    @Test
    void leaksInExceptionMessage() {
        throw new IllegalStateException("bad key " + Canary.SECRET);
    }

    @Test
    void leaksOnStdout() {
        System.out.println("key=" + Canary.SECRET);
    }

    @Test
    void clean() {
        LoggerFactory.getLogger("clean").warn("fetch failed for vault:secret/app (status 503)");
    }
}
