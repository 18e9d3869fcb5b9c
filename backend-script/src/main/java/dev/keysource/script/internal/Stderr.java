package dev.keysource.script.internal;

import dev.keysource.script.ScriptSettings;
import dev.keysource.spi.SafeText;
import java.nio.charset.StandardCharsets;

/** Quotes a helper's stderr for a one-line message. */
final class Stderr {

    private Stderr() {
    }

    /**
     * The first 500 characters of the trimmed stderr, on one line (line breaks as {@code \\n}, other
     * control characters as {@code U+XXXX} escapes), cut with {@code ...} when longer; any copy of what the helper
     * printed on stdout (8 characters or more) is replaced by {@code ****}, so a helper that echoes its
     * key on stderr does not leak it into a log.
     */
    static String quote(byte[] stderr, String stdoutText) {
        String s = new String(stderr, StandardCharsets.UTF_8).strip();
        if (stdoutText.length() >= 8) {
            s = s.replace(stdoutText, "****");
            for (String line : stdoutText.split("\\R")) {
                if (line.strip().length() >= 8) {
                    s = s.replace(line.strip(), "****");
                }
            }
        }
        boolean cut = s.length() > ScriptSettings.STDERR_QUOTE_LENGTH;
        if (cut) {
            s = s.substring(0, ScriptSettings.STDERR_QUOTE_LENGTH);
        }
        // quotes and backslashes escaped for the "..." around it, then every control character (shared rule)
        String quoted = SafeText.oneLine(s.replace("\\", "\\\\").replace("\"", "\\\""));
        return cut ? quoted + "..." : quoted;
    }
}
