package dev.keysource.script.internal;

import dev.keysource.script.ScriptSettings;
import dev.keysource.spi.Json;
import dev.keysource.spi.Printable;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Quotes a helper's stderr for a one-line message. */
final class Stderr {

    private Stderr() {
    }

    /** The shortest piece of stdout that is masked: shorter ones ("ok", "true") would mask ordinary words. */
    static final int MASK_MIN_LENGTH = 6;

    /**
     * The first 500 characters of the trimmed stderr, on one line (line breaks as {@code \\n}, other
     * control characters as {@code U+XXXX} escapes), cut with {@code ...} when longer. Every occurrence of
     * anything the helper printed on stdout is replaced by {@code ****} before that, wherever it stands in
     * stderr: the whole output, each line, each whitespace-separated word, and each string value of a
     * JSON object or array (decoded, at any depth), each of {@value #MASK_MIN_LENGTH} characters or more,
     * so a helper that echoes its key on stderr does not leak it into a log.
     */
    static String quote(byte[] stderr, String stdoutText) {
        String s = new String(stderr, StandardCharsets.UTF_8).strip();
        for (String piece : pieces(stdoutText)) {
            s = s.replace(piece, "****");
        }
        boolean cut = s.length() > ScriptSettings.STDERR_QUOTE_LENGTH;
        if (cut) {
            s = s.substring(0, ScriptSettings.STDERR_QUOTE_LENGTH);
        }
        // quotes and backslashes escaped for the "..." around it, then every control character (shared rule)
        String quoted = Printable.escape(s.replace("\\", "\\\\").replace("\"", "\\\""));
        return cut ? quoted + "..." : quoted;
    }

    /** What to mask, longest first (so that a value is masked whole before any word inside it). */
    static Set<String> pieces(String stdoutText) {
        Set<String> pieces = new TreeSet<>(Comparator.comparingInt(String::length).reversed()
                .thenComparing(Comparator.naturalOrder()));
        add(pieces, stdoutText.strip());
        for (String line : stdoutText.split("\\R", -1)) {
            add(pieces, line.strip());
            for (String word : line.strip().split("\\s+", -1)) {
                add(pieces, word);
            }
        }
        String t = stdoutText.strip();
        if (!t.isEmpty() && (t.charAt(0) == '{' || t.charAt(0) == '[')) {
            try {
                strings(Json.parse(t), pieces, 0);
            } catch (RuntimeException e) {
                // not JSON: the lines and words above are what there is to mask
            }
        }
        return pieces;
    }

    private static void strings(Object v, Set<String> into, int depth) {
        if (depth > 64) {
            return;
        }
        if (v instanceof String str) {

            add(into, str);
            add(into, str.strip());
        } else if (v instanceof Map) {
            for (Object e : ((Map<?, ?>) v).values()) {
                strings(e, into, depth + 1);
            }
        } else if (v instanceof List) {
            for (Object e : (List<?>) v) {
                strings(e, into, depth + 1);
            }
        }
    }

    private static void add(Set<String> into, String piece) {
        if (piece.length() >= MASK_MIN_LENGTH) {
            into.add(piece);
        }
    }
}
