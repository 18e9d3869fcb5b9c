package dev.keysource.internal;

import dev.keysource.SourceMisconfiguredException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses setting values with messages that name the setting, its origin and the accepted form. */
public final class Durations {

    private static final Pattern WITH_UNIT = Pattern.compile("(\\d+)(ms|s|m|h|d)");
    static final String DURATION_FORMS =
            "milliseconds (300000), a number with a unit (500ms, 30s, 5m, 1h) or ISO-8601 (PT5M)";
    static final String UNIT_FORMS = "a number with a unit (500ms, 30s, 5m, 1h, 1d) or ISO-8601 (PT5M)";

    /**
     * The longest duration any setting takes: 365 days. Far below what {@link Duration#toNanos()} holds
     * (292 years), so that no sum of settings overflows.
     */
    public static final Duration MAX = Duration.ofDays(365);

    /** Below this a TTL or a time limit is almost certainly a mistake (a number meant as seconds): 1 s. */
    public static final Duration FLOOR = Duration.ofSeconds(1);

    private Durations() {
    }

    /**
     * Parses a duration of at most {@link #MAX}. A plain number is milliseconds where
     * {@code bareMillis} (the {@code _MS} environment variables); elsewhere it is refused, showing the
     * units, except {@code 0}.
     */
    public static Duration parse(String name, String origin, String text, boolean allowZero, boolean bareMillis) {
        String s = text.trim().toLowerCase(Locale.ROOT);
        Duration d = null;
        boolean tooLarge = false;
        try {
            if (!s.isEmpty() && s.chars().allMatch(c -> c >= '0' && c <= '9')) {
                if (!bareMillis && !s.chars().allMatch(c -> c == '0')) {
                    String n = s.replaceFirst("^0+(?=.)", "");
                    throw new SourceMisconfiguredException(null, "setting '" + name + "' from " + origin + " is a number "
                            + "without a unit: write " + n + "s, " + n + "m or " + n + "ms (a plain number means "
                            + "milliseconds only in the KEYSOURCE_*_MS environment variables); got '" + text + "'");
                }
                tooLarge = s.length() > 18;
                d = tooLarge ? null : Duration.ofMillis(Long.parseLong(s));
            } else {
                Matcher m = WITH_UNIT.matcher(s);
                if (m.matches()) {
                    long n = Long.parseLong(m.group(1));
                    d = switch (m.group(2)) {
                        case "ms" -> Duration.ofMillis(n);
                        case "s" -> Duration.ofSeconds(n);
                        case "m" -> Duration.ofMinutes(n);
                        case "h" -> Duration.ofHours(n);
                        default -> Duration.ofDays(n);
                    };
                } else if (s.startsWith("p")) {
                    d = Duration.parse(s.toUpperCase(Locale.ROOT));
                }
            }
        } catch (NumberFormatException | ArithmeticException e) {
            tooLarge = true; // digits only, so the number is what is too large
            d = null;
        } catch (DateTimeParseException e) {
            tooLarge = e.getCause() instanceof ArithmeticException;
            d = null;
        }
        if (tooLarge || (d != null && d.compareTo(MAX) > 0)) {
            throw new SourceMisconfiguredException(null, "setting '" + name + "' from " + origin + " must be at most "
                    + "365 days (365d); got '" + text + "'");
        }
        if (d == null || d.isNegative() || (!allowZero && d.isZero())) {
            throw new SourceMisconfiguredException(null, "setting '" + name + "' from " + origin + " must be a "
                    + (allowZero ? "non-negative" : "positive") + " duration: "
                    + (bareMillis ? DURATION_FORMS : UNIT_FORMS) + "; got '" + text + "'");
        }
        return d;
    }

    /** A duration set in code: at most {@link #MAX}, or an {@link IllegalArgumentException} naming the builder method. */
    public static Duration inRange(String method, Duration d) {
        if (d.compareTo(MAX) > 0) {
            throw new IllegalArgumentException(method + " must be at most 365 days (" + MAX + "): " + d);
        }
        return d;
    }

    /** Parses a fraction in [min, max]. */
    public static double fraction(String name, String origin, String text, double min, double max) {
        double v;
        try {
            v = Double.parseDouble(text.trim());
        } catch (NumberFormatException e) {
            v = Double.NaN;
        }
        if (Double.isNaN(v) || v < min || v > max) {
            throw new SourceMisconfiguredException(null, "setting '" + name + "' from " + origin
                    + " must be a number from " + min + " to " + max + "; got '" + text + "'");
        }
        return v;
    }

    /** Parses an integer in [min, max]. */
    public static int integer(String name, String origin, String text, int min, int max) {
        int v;
        try {
            v = Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            v = Integer.MIN_VALUE;
        }
        if (v < min || v > max) {
            throw new SourceMisconfiguredException(null, "setting '" + name + "' from " + origin
                    + " must be a whole number from " + min + " to " + max + "; got '" + text + "'");
        }
        return v;
    }
}
