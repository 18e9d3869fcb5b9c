package dev.keysource.cli.internal;

/** Writes JSON fields for the CLI's output, with the SPI's one JSON string writer. */
final class Json {

    private Json() {
    }

    static StringBuilder field(StringBuilder sb, String name, String value) {
        string(sb, name).append(':');
        return string(sb, value);
    }

    static StringBuilder string(StringBuilder sb, String s) {
        return dev.keysource.spi.Json.string(sb, s);
    }
}
