package dev.keysource.spi;

/**
 * Makes text that came from outside (a server's error message, a helper's stderr, a field name) safe to
 * put into an exception message, a log line or a terminal: nothing in the result can move the cursor,
 * change colours, ring a bell, start a new line or reorder the text around it.
 *
 * <p>Line breaks and tabs become {@code \n}, {@code \r}, {@code \t}; every other
 * control character (C0, DEL, C1 such as the 8-bit CSI {@code U+009B}), line and paragraph separator
 * ({@code U+2028}, {@code U+2029}), format character (bidirectional overrides, zero-width characters, a byte
 * order mark) and unpaired surrogate becomes {@code U+XXXX}. Everything else, including letters of any
 * script and emoji, and a backslash, is kept. Escaping is idempotent: text escaped by a backend can be escaped
 * again by the command line without changing.
 */
public final class Printable {

    private Printable() {
    }

    /** {@code text} with control, separator and format characters escaped; "" for null. */
    public static String escape(CharSequence text) {
        if (text == null) {
            return "";
        }
        int n = text.length();
        int i = 0;
        while (i < n && !special(text, i)) {
            i++;
        }
        if (i == n) {
            return text.toString();
        }
        StringBuilder sb = new StringBuilder(n + 16).append(text, 0, i);
        for (; i < n; i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, text.charAt(i + 1));
                if (Character.getType(cp) == Character.FORMAT) { // e.g. U+E0001 LANGUAGE TAG
                    sb.append(String.format("U+%04X", cp));
                } else {
                    sb.append(c).append(text.charAt(i + 1));
                }
                i++;
            } else if (c == '\n') {
                sb.append("\\n");
            } else if (c == '\r') {
                sb.append("\\r");
            } else if (c == '\t') {
                sb.append("\\t");
            } else if (special(text, i)) {
                sb.append(String.format("U+%04X", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private static boolean special(CharSequence text, int i) {
        char c = text.charAt(i);
        if (c >= 0x20 && c < 0x7f) {
            return false;
        }
        if (Character.isSurrogate(c)) {
            return true; // checked pairwise by escape()
        }
        return switch (Character.getType(c)) {
            case Character.CONTROL, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR, Character.FORMAT -> true;
            default -> false;
        };
    }
}
