package dev.keysource.script.internal;

import dev.keysource.Secret;
import dev.keysource.SecretNotFoundException;
import dev.keysource.SourceMisconfiguredException;
import dev.keysource.SourceUnavailableException;
import dev.keysource.script.ScriptSettings;
import dev.keysource.spi.Json;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads a helper's stdout into a {@link Secret}: a plain token, validated as tools that run helpers
 * validate it, or a JSON object of a known shape whose expiry becomes the secret's. Messages never
 * quote the output: they say what is wrong at which position.
 */
public final class HelperOutput {

    private final String reference;
    private final Optional<String> jsonField;
    private final Clock clock;

    public HelperOutput(String reference, Optional<String> jsonField, Clock clock) {
        this.reference = reference;
        this.jsonField = jsonField;
        this.clock = clock;
    }

    /**
     * The secret in {@code stdout}.
     *
     * @throws SecretNotFoundException when the helper printed nothing: an empty value is never a secret, the same
     *     rule as an empty Vault field or AWS {@code SecretString} (docs/errors.md)
     * @throws SourceMisconfiguredException when the output is not a valid key or JSON shape
     */
    public Secret parse(byte[] stdout) {
        String text = decode(stdout).strip();
        if (text.isEmpty()) {
            throw new SecretNotFoundException(reference, "the helper exited with code 0 but printed "
                    + "nothing on stdout, and an empty value is not a secret; run it by hand to see why (it may hide a "
                    + "failed backend call)");
        }
        Map<String, Object> json = null;
        if (text.charAt(0) == '{' && text.charAt(text.length() - 1) == '}') {
            try {
                Object v = Json.parse(text);
                if (v instanceof Map) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> m = (Map<String, Object>) v;
                    json = m;
                }
            } catch (Json.Malformed e) {
                if (jsonField.isPresent()) {
                    throw misconfigured("setting 'json-field' is set but stdout is not valid JSON: " + e.getMessage());
                }
                // not JSON after all: a plain token that happens to start with '{'
            }
        }
        if (json == null) {
            if (jsonField.isPresent()) {
                throw misconfigured("setting 'json-field' is set but stdout is not a JSON object; unset it for a "
                        + "helper that prints the key alone");
            }
            return Secret.of(token(text, "stdout", null));
        }
        return structured(json, text);
    }

    private Secret structured(Map<String, Object> json, String text) {
        if ("ExecCredential".equals(json.get("kind")) && json.get("status") instanceof Map) {
            Map<?, ?> status = (Map<?, ?>) json.get("status");
            Instant expiry = expiry(status.get("expirationTimestamp"), "status.expirationTimestamp");
            String value = jsonField.isPresent() ? field(json, jsonField.get())
                    : stringField(status, "token", "status.token", "a Kubernetes ExecCredential without "
                    + "status.token (client certificates are not supported)");
            return Secret.builder(value).expiry(expiry).build();
        }
        if (json.get("Credentials") instanceof Map && ((Map<?, ?>) json.get("Credentials")).containsKey("AccessKeyId")) {
            Map<?, ?> c = (Map<?, ?>) json.get("Credentials");
            Instant expiry = expiry(c.get("Expiration"), "Credentials.Expiration");
            String value = jsonField.isPresent() ? field(json, jsonField.get()) : text;
            return Secret.builder(value).expiry(expiry).build();
        }
        if (json.containsKey("Version") && json.containsKey("AccessKeyId")) {
            Instant expiry = expiry(json.get("Expiration"), "Expiration");
            String value = jsonField.isPresent() ? field(json, jsonField.get()) : text;
            return Secret.builder(value).expiry(expiry).build();
        }
        if (json.get("key") instanceof String || (jsonField.isEmpty() && json.containsKey("key"))) {
            Instant expiry = expiry(json.get("expires_at"), "expires_at");
            if (expiry == null && json.get("expires_in") != null) {
                Object in = json.get("expires_in");
                BigDecimal seconds = number(in);
                if (seconds == null || seconds.signum() < 0) {
                    throw misconfigured("the field expires_in must be a number of seconds");
                }
                if (seconds.compareTo(BigDecimal.valueOf(MAX_AHEAD_SECONDS)) > 0) {
                    throw misconfigured("the field expires_in is more than 100 years; it is the number of seconds the "
                            + "key is valid from now (3600 for an hour)");
                }
                // at most 100 years: the milliseconds fit a long, whatever the exponent was
                expiry = clock.instant().plusMillis(wholeMillis(seconds.movePointRight(3)));
            }
            String value = jsonField.isPresent() ? field(json, jsonField.get())
                    : stringField(json, "key", "key", "a JSON object whose 'key' is not a string");
            return Secret.builder(value).expiry(expiry).build();
        }
        if (jsonField.isPresent()) {
            return Secret.of(field(json, jsonField.get()));
        }
        // a JSON object of no known shape: the whole text is the key, if it is a valid one
        return Secret.of(token(text, "stdout", "stdout is a JSON object of no known shape (credential_process, "
                + "aws sts, ExecCredential, {\"key\": ...}); set 'json-field' to pick the field that holds the key"));
    }

    private String field(Map<String, Object> json, String path) {
        Object v = json;
        for (String name : path.split("\\.", -1)) {
            if (!(v instanceof Map) || !((Map<?, ?>) v).containsKey(name)) {
                throw misconfigured("stdout is a JSON object without the field '" + path + "' named by setting "
                        + "'json-field'; fields at the top level: " + String.join(", ", json.keySet()));
            }
            v = ((Map<?, ?>) v).get(name);
        }
        if (!(v instanceof String)) {
            throw misconfigured("the JSON field '" + path + "' named by setting 'json-field' is not a string");
        }
        return token((String) v, "the JSON field '" + path + "'", null);
    }

    private String stringField(Map<?, ?> m, String name, String path, String problem) {
        Object v = m.get(name);
        if (!(v instanceof String string)) {
            throw misconfigured("stdout is " + problem);
        }
        return token(string, "the JSON field '" + path + "'", null);
    }

    /** The latest expiry a helper may give: 100 years ahead (in seconds, 100 Julian years). */
    static final long MAX_AHEAD_SECONDS = 3_155_760_000L;
    private static final String EXPIRY_FORMS = "write the expiry as epoch seconds (1893456000) or an ISO-8601 "
            + "date-time such as 2030-01-01T00:00:00Z";

    private Instant expiry(Object v, String path) {
        if (v == null || v == Json.NULL) {
            return null;
        }
        Instant latest = clock.instant().plusSeconds(MAX_AHEAD_SECONDS);
        BigDecimal n = number(v);
        if (n != null) {
            if (n.signum() < 0) {
                throw misconfigured("the JSON field " + path + " is negative; " + EXPIRY_FORMS);
            }
            // epoch seconds; a value past the year 5138 in seconds is taken as milliseconds
            BigDecimal millis = n.compareTo(BigDecimal.valueOf(100_000_000_000L)) > 0 ? n : n.movePointRight(3);
            if (millis.compareTo(BigDecimal.valueOf(latest.toEpochMilli())) > 0) {
                throw misconfigured("the JSON field " + path + " is more than 100 years from now; " + EXPIRY_FORMS);
            }
            return Instant.ofEpochMilli(wholeMillis(millis));
        }
        if (v instanceof String string) {
            String s = string.trim();
            Instant at = null;
            try {
                at = Instant.parse(s);
            } catch (DateTimeParseException e) {
                try {
                    at = OffsetDateTime.parse(s).toInstant();
                } catch (DateTimeParseException e2) {
                    // fall through
                }
            }
            if (at != null) {
                if (at.isAfter(latest)) {
                    throw misconfigured("the JSON field " + path + " is more than 100 years from now; " + EXPIRY_FORMS);
                }
                return at;
            }
            throw misconfigured("the JSON field " + path + " is not an ISO-8601 date-time such as "
                    + "2030-01-01T00:00:00Z" + (Pattern.matches("[0-9TtZz:+\\-. ]{1,40}", s) ? ": '" + s + "'" : ""));
        }
        throw misconfigured("the JSON field " + path + " is not an ISO-8601 date-time string");
    }

    /**
     * Checks that {@code text} is one printable-ASCII token of at most 16 KiB (the key a tool would
     * accept); returns it.
     */
    String token(String text, String what, String hint) {
        if (text.isEmpty()) {
            throw misconfigured(what + " is empty");
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c > 0x20 && c < 0x7f) {
                continue;
            }
            String problem;
            int cp = text.codePointAt(i);
            if (c == '\n' || c == '\r') {
                problem = "character " + (i + 1) + " is a line break (" + u(cp) + "): the helper printed more than "
                        + "one line; print the key alone on one line";
            } else if (c == ' ') {
                problem = "character " + (i + 1) + " is a space (U+0020); a key is one token without spaces";
            } else if (c < 0x20 || c == 0x7f) {
                problem = "character " + (i + 1) + " is the control character " + u(cp);
            } else {
                problem = "character " + (i + 1) + " is " + u(cp) + ", which is not printable ASCII";
            }
            throw misconfigured(what + " is not one printable-ASCII token: " + problem
                    + (hint != null ? "; " + hint : "") + " (the output is not shown)");
        }
        if (text.length() > ScriptSettings.MAX_KEY_LENGTH) {
            throw misconfigured(what + " is " + text.length() + " characters long; a key is at most "
                    + ScriptSettings.MAX_KEY_LENGTH + (hint != null ? "; " + hint : ""));
        }
        return text;
    }

    private String decode(byte[] bytes) {
        CharsetDecoder d = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        try {
            CharBuffer out = d.decode(in);
            return out.toString();
        } catch (MalformedInputException e) {
            int at = findMalformed(bytes);
            throw misconfigured("stdout is not valid UTF-8: byte " + (at + 1) + " (0x"
                    + String.format("%02X", bytes[at] & 0xff) + ") does not start or continue a character; "
                    + "a key is printable ASCII");
        } catch (CharacterCodingException e) {
            throw misconfigured("stdout is not valid UTF-8; a key is printable ASCII");
        }
    }

    private static int findMalformed(byte[] bytes) {
        CharsetDecoder d = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length + 1);
        d.decode(in, out, true);
        return Math.min(in.position(), bytes.length - 1);
    }

    /** A non-negative number of milliseconds known to fit a long, rounded down (1e-2147483647 is 0). */
    private static long wholeMillis(BigDecimal millis) {
        return millis.compareTo(BigDecimal.ONE) < 0 ? 0 : millis.setScale(0, java.math.RoundingMode.DOWN).longValueExact();
    }

    private static BigDecimal number(Object v) {
        if (!(v instanceof Json.Num num)) {
            return null;
        }
        try {
            return new BigDecimal(num.text());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String u(int cp) {
        return String.format("U+%04X", cp);
    }

    private SourceMisconfiguredException misconfigured(String what) {
        return new SourceMisconfiguredException(reference, what);
    }
}
