package dev.keysource.spi;

/**
 * Makes text from outside (a helper's stderr, a server's error message) safe to put on one line of a
 * terminal or a log: nothing in it can end the line, move the cursor, change colours or reorder what
 * follows.
 */
public final class SafeText {

    private SafeText() {
    }

    /**
     * {@code s} on one line: line feed, carriage return and tab as {@code \n}, {@code \r}, {@code \t};
     * every other control character (C0, DEL, C1 such as the 8-bit CSI), the line and paragraph
     * separators U+2028/U+2029, and the bidirectional overrides and isolates (U+202A to U+202E, U+2066 to
     * U+2069) as {@code U+XXXX}. Everything else is kept as it is; null becomes the empty string.
     */
    public static String oneLine(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String replacement = replacement(c);
            if (replacement != null && sb == null) {
                sb = new StringBuilder(s.length() + 16).append(s, 0, i);
            }
            if (sb != null) {
                if (replacement != null) {
                    sb.append(replacement);
                } else {
                    sb.append(c);
                }
            }
        }
        return sb == null ? s : sb.toString();
    }

    private static String replacement(char c) {
        switch (c) {
            case '\n':
                return "\\n";
            case '\r':
                return "\\r";
            case '\t':
                return "\\t";
            default:
                if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x2028 || c == 0x2029
                        || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)) {
                    return String.format("U+%04X", (int) c);
                }
                return null;
        }
    }
}
