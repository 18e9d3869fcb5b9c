package dev.keysource.cli.internal;

import java.util.List;

/**
 * The loggers of bundled libraries that write credentials at DEBUG or TRACE, capped at WARN whatever
 * {@code KEYSOURCE_LOG_LEVEL} says: the AWS SDK logs each request's canonical form (with the
 * {@code x-amz-security-token} header of session credentials) and its HTTP wire and header loggers show
 * signed headers. Debug output is what docs/errors.md asks users to share, so no credential may reach it.
 * The caps are slf4j-simple settings and are set unconditionally, before any logger exists.
 *
 * <p>vault-java-driver logs through {@code java.util.logging}, not SLF4J, and only at INFO (the namespace a
 * client is bound to, the default engine version): nothing secret, and not affected by these caps.
 */
public final class LogCaps {

    /** Logger name prefixes held at WARN: the AWS SDK, and the HTTP wire and header loggers. */
    static final List<String> CAPPED = List.of("software.amazon.awssdk", "org.apache.http.wire",
            "org.apache.http.headers", "org.apache.hc.client5.http.wire", "org.apache.hc.client5.http.headers",
            "io.netty.handler.logging");

    private LogCaps() {
    }

    /** Sets the caps as system properties read by slf4j-simple. */
    public static void apply() {
        for (String name : CAPPED) {
            System.setProperty("org.slf4j.simpleLogger.log." + name, "warn");
        }
    }
}
