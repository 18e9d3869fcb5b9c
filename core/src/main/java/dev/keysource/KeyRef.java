package dev.keysource;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A reference naming one secret: {@code scheme:location[?option=value&...][#field]}.
 *
 * <p>Examples: {@code vault:secret/claude-code#api_key},
 * {@code aws-sm:prod/claude#api_key?region=eu-west-1}, {@code script:~/.claude/get-api-key.sh}.
 * The {@code #field} part may also come before the options, as people type it; {@link #toString()}
 * gives the canonical form (options, then field). A literal {@code ?}, {@code #}, {@code %} or
 * {@code &} in a location, field or option is percent-encoded ({@code %3F}, {@code %23}, {@code %25},
 * {@code %26}).
 *
 * <p>A provider may declare its location <em>opaque</em> (the {@code script} scheme does): then
 * everything after {@code scheme:} is the location, verbatim, with no options and no field. Use
 * {@link #parseOpaque(String)} for those; {@link dev.keysource.CachedKey} and
 * {@link dev.keysource.KeyFetcher} pick the right parser from the provider.
 *
 * <p>Instances are immutable; equality is by canonical form.
 */
public final class KeyRef {

    private static final Pattern SCHEME = Pattern.compile("[a-z][a-z0-9+.\\-]*");

    private final String scheme;
    private final String location;
    private final Map<String, String> options;
    private final @Nullable String field;
    private final boolean opaque;
    private final String canonical;

    private KeyRef(String scheme, String location, Map<String, String> options, @Nullable String field,
                   boolean opaque) {
        this.scheme = scheme;
        this.location = location;
        this.options = options;
        this.field = field;
        this.opaque = opaque;
        this.canonical = opaque ? scheme + ':' + location : format(scheme, location, options, field);
    }

    /**
     * Parses a reference with a structured location (options and field allowed).
     *
     * @throws InvalidReferenceException with a message that says what is wrong and where
     */
    public static KeyRef parse(String text) {
        Objects.requireNonNull(text, "reference");
        String scheme = scheme(text);
        String rest = text.substring(scheme.length() + 1);
        int n = rest.length();
        int locEnd = indexOfAny(rest, 0, '?', '#');
        String location = decode(text, rest.substring(0, locEnd), scheme.length() + 1);
        if (location.isEmpty()) {
            throw invalid(text, "the location after '" + scheme + ":' is empty");
        }
        Map<String, String> options = new LinkedHashMap<>();
        String field = null;
        int i = locEnd;
        while (i < n) {
            char c = rest.charAt(i);
            int start = i + 1;
            if (c == '#') {
                if (field != null) {
                    throw invalid(text, "it has two '#field' parts; a reference names one field");
                }
                int end = indexOfAny(rest, start, '?', '#');
                field = decode(text, rest.substring(start, end), scheme.length() + 1 + start);
                if (field.isEmpty()) {
                    throw invalid(text, "the field after '#' is empty");
                }
                i = end;
            } else { // '?'
                if (!options.isEmpty()) {
                    throw invalid(text, "it has two '?options' parts; join options with '&'");
                }
                int end = rest.indexOf('#', start);
                end = end < 0 ? n : end;
                parseOptions(text, rest.substring(start, end), scheme.length() + 1 + start, options);
                i = end;
            }
        }
        return new KeyRef(scheme, location, Collections.unmodifiableMap(options), field, false);
    }

    /**
     * Parses a reference whose location is opaque: everything after {@code scheme:} is kept verbatim.
     *
     * @throws InvalidReferenceException if the scheme or the location is missing
     */
    public static KeyRef parseOpaque(String text) {
        Objects.requireNonNull(text, "reference");
        String scheme = scheme(text);
        String location = text.substring(scheme.length() + 1);
        if (location.isBlank()) {
            throw invalid(text, "the location after '" + scheme + ":' is empty");
        }
        return new KeyRef(scheme, location, Map.of(), null, true);
    }

    /**
     * The scheme of a reference string (lower-cased), without parsing the rest.
     *
     * @throws InvalidReferenceException if there is no scheme
     */
    public static String schemeOf(String text) {
        Objects.requireNonNull(text, "reference");
        return scheme(text);
    }

    /** A structured reference from its parts; {@code field} may be null. */
    public static KeyRef of(String scheme, String location, Map<String, String> options, @Nullable String field) {
        Objects.requireNonNull(scheme, "scheme");
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(options, "options");
        if (!SCHEME.matcher(scheme).matches()) {
            throw new IllegalArgumentException("scheme must match [a-z][a-z0-9+.-]*: " + scheme);
        }
        if (location.isEmpty()) {
            throw new IllegalArgumentException("location must not be empty");
        }
        if (field != null && field.isEmpty()) {
            throw new IllegalArgumentException("field must be null or non-empty");
        }
        Map<String, String> copy = new LinkedHashMap<>();
        options.forEach((k, v) -> {
            if (k == null || k.isEmpty() || v == null) {
                throw new IllegalArgumentException("option names must be non-empty and values non-null: " + k);
            }
            copy.put(k, v);
        });
        return new KeyRef(scheme, location, Collections.unmodifiableMap(copy), field, false);
    }

    /** The scheme, lower-case: {@code vault}, {@code aws-sm}, {@code script}. */
    public String scheme() {
        return scheme;
    }

    /** The location, decoded: a path, a secret name, or (opaque) a command line. */
    public String location() {
        return location;
    }

    /** The options in the order written; unmodifiable. */
    public Map<String, String> options() {
        return options;
    }

    /** One option's value. */
    public Optional<String> option(String name) {
        return Optional.ofNullable(options.get(name));
    }

    /** The {@code #field}, if any. */
    public Optional<String> field() {
        return Optional.ofNullable(field);
    }

    /** Whether the location was taken verbatim (see {@link #parseOpaque(String)}). */
    public boolean opaque() {
        return opaque;
    }

    /** A copy with one option set (replacing any earlier value). */
    public KeyRef withOption(String name, String value) {
        Map<String, String> copy = new LinkedHashMap<>(options);
        copy.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
        return of(scheme, location, copy, field);
    }

    /** The canonical form: {@code scheme:location?options#field}, percent-encoded where needed. */
    @Override
    public String toString() {
        return canonical;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeyRef keyRef && keyRef.canonical.equals(canonical) && keyRef.opaque == opaque;
    }

    @Override
    public int hashCode() {
        return canonical.hashCode();
    }

    // ---------------------------------------------------------------------------------------------

    private static String scheme(String text) {
        int colon = text.indexOf(':');
        if (colon < 0) {
            throw invalid(text, "it has no scheme; write scheme:location, e.g. vault:secret/app#api_key, "
                    + "aws-sm:prod/app#api_key or script:~/bin/get-key.sh");
        }
        if (colon == 0) {
            throw invalid(text, "the scheme before ':' is empty; write scheme:location, e.g. vault:secret/app#api_key");
        }
        String scheme = text.substring(0, colon).toLowerCase(Locale.ROOT);
        if (!SCHEME.matcher(scheme).matches()) {
            throw invalid(text, "the scheme '" + text.substring(0, colon)
                    + "' is not valid; a scheme is a letter followed by letters, digits, '+', '-' or '.'");
        }
        return scheme;
    }

    private static void parseOptions(String text, String part, int offset, Map<String, String> into) {
        if (part.isEmpty()) {
            throw invalid(text, "there is a '?' with no options after it");
        }
        int pos = 0;
        for (String pair : part.split("&", -1)) {
            int eq = pair.indexOf('=');
            if (pair.isEmpty() || eq == 0) {
                throw invalid(text, "an option has no name at position " + (offset + pos) + "; write ?name=value&name2=value2");
            }
            if (eq < 0) {
                throw invalid(text, "the option '" + pair + "' has no value; write " + pair + "=value");
            }
            String name = decode(text, pair.substring(0, eq), offset + pos);
            String value = decode(text, pair.substring(eq + 1), offset + pos + eq + 1);
            if (into.putIfAbsent(name, value) != null) {
                throw invalid(text, "the option '" + name + "' is given twice; give each option once");
            }
            pos += pair.length() + 1;
        }
    }

    private static int indexOfAny(String s, int from, char a, char b) {
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == a || c == b) {
                return i;
            }
        }
        return s.length();
    }

    private static String decode(String text, String part, int offset) {
        if (part.indexOf('%') < 0) {
            return part;
        }
        StringBuilder sb = new StringBuilder(part.length());
        int n = part.length();
        int i = 0;
        while (i < n) {
            char c = part.charAt(i);
            if (c != '%') {
                sb.append(c); // chars as they are: a surrogate pair stays a pair
                i++;
                continue;
            }
            // a run of escapes is one UTF-8 byte sequence, decoded strictly
            int start = i;
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            while (i < n && part.charAt(i) == '%') {
                if (i + 2 >= n) {
                    throw invalid(text, "a '%' at position " + (offset + i)
                            + " is not followed by two hex digits; write a literal '%' as %25");
                }
                int hi = Character.digit(part.charAt(i + 1), 16);
                int lo = Character.digit(part.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    throw invalid(text, "the escape '" + part.substring(i, i + 3) + "' at position " + (offset + i)
                            + " is not two hex digits; write a literal '%' as %25");
                }
                bytes.write(hi * 16 + lo);
                i += 3;
            }
            try {
                sb.append(java.nio.charset.StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                        .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                        .decode(java.nio.ByteBuffer.wrap(bytes.toByteArray())));
            } catch (java.nio.charset.CharacterCodingException e) {
                throw invalid(text, "the escape '" + part.substring(start, i) + "' at position " + (offset + start)
                        + " is not UTF-8; percent-encode the UTF-8 bytes of a character (\u00e9 is %C3%A9), or write "
                        + "the character itself");
            }
        }
        return sb.toString();
    }

    private static String format(String scheme, String location, Map<String, String> options, @Nullable String field) {
        StringBuilder sb = new StringBuilder(scheme).append(':').append(encode(location, "%?#"));
        if (!options.isEmpty()) {
            char sep = '?';
            for (Map.Entry<String, String> e : options.entrySet()) {
                sb.append(sep).append(encode(e.getKey(), "%?#&=")).append('=').append(encode(e.getValue(), "%?#&"));
                sep = '&';
            }
        }
        if (field != null) {
            sb.append('#').append(encode(field, "%?#"));
        }
        return sb.toString();
    }

    private static String encode(String s, String reserved) {
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (reserved.indexOf(c) >= 0) {
                if (sb == null) {
                    sb = new StringBuilder(s.length() + 8).append(s, 0, i);
                }
                sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
            } else if (sb != null) {
                sb.append(c);
            }
        }
        return sb == null ? s : sb.toString();
    }

    private static InvalidReferenceException invalid(String text, String why) {
        // no reference: text that does not parse has no canonical form, so the detail quotes it
        return new InvalidReferenceException(null, "invalid reference '" + text + "': " + why);
    }
}
