package dev.keysource.cli;

import dev.keysource.cli.internal.Cli;
import java.io.FileDescriptor;
import java.io.FileOutputStream;

/**
 * {@code keysource get REF}: prints a secret from any bundled backend, a drop-in {@code apiKeyHelper}.
 * Run {@code keysource --help} for the usage. Never reads stdin.
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        // slf4j-simple: warnings and errors only, on stderr, short (before any logger exists)
        String level = System.getenv("KEYSOURCE_LOG_LEVEL");
        defaultProperty("org.slf4j.simpleLogger.defaultLogLevel", level != null && !level.isEmpty() ? level : "warn");
        defaultProperty("org.slf4j.simpleLogger.logFile", "System.err");
        defaultProperty("org.slf4j.simpleLogger.showThreadName", "false");
        defaultProperty("org.slf4j.simpleLogger.showLogName", "false");
        defaultProperty("slf4j.provider", "org.slf4j.simple.SimpleServiceProvider"); // no ServiceLoader scan
        defaultProperty("slf4j.internal.verbosity", "WARN"); // and no note on stderr that it did so
        dev.keysource.cli.internal.LogCaps.apply(); // no credential in any log, at any KEYSOURCE_LOG_LEVEL
        int code = new Cli(System.getenv(), new FileOutputStream(FileDescriptor.out),
                new FileOutputStream(FileDescriptor.err)).run(args);
        System.exit(code);
    }

    private static void defaultProperty(String name, String value) {
        if (System.getProperty(name) == null) {
            System.setProperty(name, value);
        }
    }
}
