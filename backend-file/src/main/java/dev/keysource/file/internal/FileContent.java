package dev.keysource.file.internal;

import dev.keysource.SecretNotFoundException;
import dev.keysource.SourceMisconfiguredException;
import dev.keysource.spi.Json;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/** The secret in a file's text: the whole text trimmed, or a field of JSON, .properties or KEY=VALUE lines. */
final class FileContent {

    private FileContent() {
    }

    static String extract(String reference, Path path, String text, FileOptions o) {
        if (!text.isEmpty() && text.charAt(0) == '\uFEFF') {
            text = text.substring(1);
        }
        String v = text.strip();
        if (v.isEmpty()) { // with or without #field: an empty value is never a secret (docs/errors.md)
            throw new SecretNotFoundException(reference, "the file " + path + " is empty (or "
                    + "only whitespace), and an empty value is not a secret; check what writes it");
        }
        if (o.field == null) {
            return v;
        }
        FileOptions.Format f = o.format;
        if (f == FileOptions.Format.AUTO) {
            String name = path.getFileName() == null ? "" : path.getFileName().toString().toLowerCase(Locale.ROOT);
            f = name.endsWith(".json") || text.stripLeading().startsWith("{") ? FileOptions.Format.JSON
                    : name.endsWith(".properties") ? FileOptions.Format.PROPERTIES : FileOptions.Format.ENV;
        }
        switch (f) {
            case JSON -> {
                try {
                    return Json.field(text, o.field);
                } catch (Json.FieldUnreadable e) {
                    throw new SourceMisconfiguredException(reference, "the file " + path + " "
                            + e.getMessage());
                }
            }
            case PROPERTIES -> {
                Properties p = new Properties();
                try {
                    p.load(new StringReader(text));
                } catch (IOException | IllegalArgumentException e) {
                    throw new SourceMisconfiguredException(reference, "the file " + path + " is not a "
                            + "valid .properties file (a malformed \\uXXXX escape); fix the file or set format");
                }
                Map<String, String> props = new LinkedHashMap<>();
                for (String k : p.stringPropertyNames()) {
                    props.put(k, p.getProperty(k));
                }
                return field(reference, path, props, o.field, "properties");
            }
            default -> {
                return field(reference, path, env(reference, path, text), o.field, "KEY=VALUE lines");
            }
        }
    }

    /** {@code KEY=VALUE} lines: blank lines and {@code #} comments skipped, {@code export } and quotes allowed. */
    static Map<String, String> env(String reference, Path path, String text) {
        Map<String, String> m = new LinkedHashMap<>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("export ")) {
                line = line.substring("export ".length()).stripLeading();
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw new SourceMisconfiguredException(reference, "line " + (i + 1) + " of the file "
                        + path + " is not KEY=VALUE (nor blank or a # comment); to read the whole file, remove the "
                        + "#field, or set format=json or format=properties if that is what it holds");
            }
            String key = line.substring(0, eq).strip();
            String value = line.substring(eq + 1).strip();
            if (value.length() >= 2 && (value.charAt(0) == '"' || value.charAt(0) == '\'')
                    && value.charAt(value.length() - 1) == value.charAt(0)) {
                value = value.substring(1, value.length() - 1);
            }
            m.put(key, value);
        }
        return m;
    }

    private static String field(String reference, Path path, Map<String, String> fields, String name, String kind) {
        String v = fields.get(name);
        if (v == null) {
            throw new SourceMisconfiguredException(reference, "the file " + path + " (read as " + kind
                    + ") has no field '" + name + "'; its fields are: " + Json.names(fields.keySet()));
        }
        return v;
    }
}
