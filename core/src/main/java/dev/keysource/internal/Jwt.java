package dev.keysource.internal;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the {@code exp} claim of a value that is a JWT (header.payload.signature, base64url). */
public final class Jwt {

    private static final Pattern SEGMENTS = Pattern.compile("[A-Za-z0-9_-]+\\.([A-Za-z0-9_-]+)\\.[A-Za-z0-9_-]*");
    private static final Pattern EXP = Pattern.compile("\"exp\"\\s*:\\s*(\\d{1,12})(?:\\.\\d+)?\\s*[,}]");

    private Jwt() {
    }

    /** The {@code exp} instant if {@code value} is a JWT carrying one; empty otherwise. Never throws. */
    public static Optional<Instant> expiry(String value) {
        if (value == null || value.length() < 10 || value.length() > 16384 || value.charAt(0) != 'e') {
            return Optional.empty(); // a JWT header is base64url of '{"...' and so starts with "ey"
        }
        Matcher m = SEGMENTS.matcher(value);
        if (!m.matches()) {
            return Optional.empty();
        }
        try {
            String header = new String(Base64.getUrlDecoder().decode(value.substring(0, value.indexOf('.'))),
                    StandardCharsets.UTF_8);
            if (!header.contains("\"alg\"")) {
                return Optional.empty();
            }
            String payload = new String(Base64.getUrlDecoder().decode(m.group(1)), StandardCharsets.UTF_8);
            Matcher e = EXP.matcher(payload);
            return e.find() ? Optional.of(Instant.ofEpochSecond(Long.parseLong(e.group(1)))) : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
