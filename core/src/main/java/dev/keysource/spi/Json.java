package dev.keysource.spi;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small strict JSON reader for backends that parse secret-bearing text (an AWS {@code SecretString},
 * a helper's JSON output), and the one JSON string writer ({@link #quote}, {@link #string}). Its failures
 * never quote the input (which may be a secret): they say only what was expected and at which offset.
 *
 * <p>Values: {@code Map<String,Object>} (insertion-ordered), {@code List<Object>}, {@code String},
 * {@link Num} (the number's text as written), {@code Boolean}, and {@link #NULL}.
 */
public final class Json {

    /** JSON {@code null}. */
    public static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };

    /** A JSON number, kept as written. */
    public static final class Num {
        private final String text;

        Num(String text) {
            this.text = text;
        }

        /** The number exactly as written. */
        public String text() {
            return text;
        }

        @Override
        public String toString() {
            return text;
        }
    }

    /** The input is not JSON. The message holds an offset, never input. */
    public static final class Malformed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Malformed(String what, int offset) {
            super(what + " at offset " + offset, null, false, false);
        }
    }

    private static final int MAX_DEPTH = 64;

    private final String s;
    private int i;

    private Json(String s) {
        this.s = s;
    }

    /**
     * A field of a secret held as a JSON object ({@code #field} of a reference), as text: a string as is,
     * a number or boolean as written.
     *
     * @throws FieldUnreadable when the text is not a JSON object, has no such field, or the field is not
     *         a string, number or boolean; its message continues a sentence about the secret ("the secret
     *         " + message) and never quotes a value
     */
    public static String field(String json, String name) {
        String shown = Printable.escape(name); // typed by a user, but may hold anything: never raw in a message
        Object parsed;
        try {
            parsed = parse(json);
        } catch (Malformed e) {
            throw new FieldUnreadable("is not JSON (" + e.getMessage() + "), so the field '" + shown + "' cannot be "
                    + "read; remove '#" + shown + "' to read the whole value, or store it as JSON key/value pairs");
        }
        if (!(parsed instanceof Map)) {
            throw new FieldUnreadable("is JSON but not an object, so the field '" + shown + "' cannot be read; remove '#"
                    + shown + "' to read the whole value, or store it as JSON key/value pairs");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> fields = (Map<String, Object>) parsed;
        if (!fields.containsKey(name)) {
            throw new FieldUnreadable("has no field '" + shown + "'; its fields are: " + names(fields.keySet()));
        }
        Object v = fields.get(name);
        if (v instanceof String string) {
            return string;
        }
        if (v instanceof Num || v instanceof Boolean) {
            return v.toString();
        }
        String kind = v == NULL ? "null" : v instanceof Map ? "a JSON object" : "a JSON array";
        throw new FieldUnreadable("has the field '" + shown + "', but it is " + kind + ", not a string; point '#field' "
                + "at a string field");
    }

    /** How many field names {@link #names} lists before "and N more". */
    private static final int MAX_NAMES_LISTED = 20;

    /**
     * Field names for a message: quoted and escaped ({@link Printable#escape}: a name is the backend's text),
     * at most 20, then "and N more"; "(none: the object is empty)" for none. Names only, never values.
     */
    public static String names(java.util.Collection<String> names) {
        if (names.isEmpty()) {
            return "(none: the object is empty)";
        }
        StringBuilder sb = new StringBuilder();
        int n = 0;
        for (String name : names) {
            if (n == MAX_NAMES_LISTED) {
                break;
            }
            sb.append(n++ == 0 ? "" : ", ").append('\'').append(Printable.escape(name)).append('\'');
        }
        return names.size() > MAX_NAMES_LISTED ? sb + " and " + (names.size() - MAX_NAMES_LISTED) + " more"
                : sb.toString();
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    /** {@code s} as a JSON string literal, quotes included: see {@link #string}. */
    public static String quote(String s) {
        return string(new StringBuilder(s.length() + 2), s).toString();
    }

    /**
     * Appends {@code s} as a JSON string literal: {@code "} and {@code \} escaped, line breaks and tabs as
     * {@code \n}, {@code \r}, {@code \t}, every other control character, DEL and the line and paragraph
     * separators (U+2028, U+2029, which end a line in JavaScript) as a backslash, {@code u} and four hex digits;
     * everything else as is.
     */
    public static StringBuilder string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f || c == 0x2028 || c == 0x2029) {
                        sb.append("\\u").append(HEX[(c >> 12) & 0xF]).append(HEX[(c >> 8) & 0xF])
                                .append(HEX[(c >> 4) & 0xF]).append(HEX[c & 0xF]);
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"');
    }

    /** {@link #field} could not read the field; the message never quotes the input. */
    public static final class FieldUnreadable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        FieldUnreadable(String what) {
            super(what, null, false, false);
        }
    }

    public static Object parse(String text) {
        Json p = new Json(text);
        p.ws();
        Object v = p.value(0);
        p.ws();
        if (p.i != text.length()) {
            throw new Malformed("unexpected text after the JSON value", p.i);
        }
        return v;
    }

    private Object value(int depth) {
        if (depth > MAX_DEPTH) {
            throw new Malformed("nesting too deep", i);
        }
        if (i >= s.length()) {
            throw new Malformed("unexpected end of input", i);
        }
        char c = s.charAt(i);
        switch (c) {
            case '{' -> {
                return object(depth);
            }
            case '[' -> {
                return array(depth);
            }
            case '"' -> {
                return string();
            }
            case 't' -> {
                literal("true");
                return true;
            }
            case 'f' -> {
                literal("false");
                return false;
            }
            case 'n' -> {
                literal("null");
                return NULL;
            }
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) {
                    return number();
                }
                throw new Malformed("unexpected character", i);
            }
        }
    }

    private Map<String, Object> object(int depth) {
        Map<String, Object> m = new LinkedHashMap<>();
        i++;
        ws();
        if (peek() == '}') {
            i++;
            return m;
        }
        while (true) {
            ws();
            if (peek() != '"') {
                throw new Malformed("expected a field name", i);
            }
            String k = string();
            ws();
            expect(':');
            ws();
            m.put(k, value(depth + 1));
            ws();
            char c = next();
            if (c == '}') {
                return m;
            }
            if (c != ',') {
                throw new Malformed("expected ',' or '}'", i - 1);
            }
        }
    }

    private List<Object> array(int depth) {
        List<Object> l = new ArrayList<>();
        i++;
        ws();
        if (peek() == ']') {
            i++;
            return l;
        }
        while (true) {
            ws();
            l.add(value(depth + 1));
            ws();
            char c = next();
            if (c == ']') {
                return l;
            }
            if (c != ',') {
                throw new Malformed("expected ',' or ']'", i - 1);
            }
        }
    }

    private String string() {
        expect('"');
        StringBuilder b = new StringBuilder();
        while (true) {
            char c = next();
            if (c == '"') {
                return b.toString();
            }
            if (c < 0x20) {
                throw new Malformed("control character in a string", i - 1);
            }
            if (c != '\\') {
                b.append(c);
                continue;
            }
            char e = next();
            switch (e) {
                case '"' -> b.append('"');
                case '\\' -> b.append('\\');
                case '/' -> b.append('/');
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 't' -> b.append('\t');
                case 'u' -> {
                    if (i + 4 > s.length()) {
                        throw new Malformed("unexpected end of input", i);
                    }
                    int cp = 0;
                    for (int k = 0; k < 4; k++) {
                        int d = Character.digit(s.charAt(i + k), 16);
                        if (d < 0) {
                            throw new Malformed("bad \\u escape", i);
                        }
                        cp = cp * 16 + d;
                    }
                    i += 4;
                    b.append((char) cp);
                }
                default -> throw new Malformed("bad escape", i - 1);
            }
        }
    }

    private Num number() {
        int start = i;
        if (peek() == '-') {
            i++;
        }
        if (peek() == '0') {
            i++;
        } else if (isDigit(peek())) {
            while (isDigit(peek())) {
                i++;
            }
        } else {
            throw new Malformed("bad number", i);
        }
        if (peek() == '.') {
            i++;
            if (!isDigit(peek())) {
                throw new Malformed("bad number", i);
            }
            while (isDigit(peek())) {
                i++;
            }
        }
        if (peek() == 'e' || peek() == 'E') {
            i++;
            if (peek() == '+' || peek() == '-') {
                i++;
            }
            if (!isDigit(peek())) {
                throw new Malformed("bad number", i);
            }
            while (isDigit(peek())) {
                i++;
            }
        }
        return new Num(s.substring(start, i));
    }

    private void literal(String word) {
        if (!s.startsWith(word, i)) {
            throw new Malformed("unexpected character", i);
        }
        i += word.length();
    }

    private void ws() {
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            i++;
        }
    }

    private char peek() {
        return i < s.length() ? s.charAt(i) : '\0';
    }

    private char next() {
        if (i >= s.length()) {
            throw new Malformed("unexpected end of input", i);
        }
        return s.charAt(i++);
    }

    private void expect(char c) {
        if (next() != c) {
            throw new Malformed("expected '" + c + "'", i - 1);
        }
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
