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

    private Durations() {
    }

    /** Parses a duration; plain numbers are milliseconds. */
    public static Duration parse(String name, String origin, String text, boolean allowZero) {
        String s = text.trim().toLowerCase(Locale.ROOT);
        Duration d = null;
        try {
            if (s.matches("\\d+")) {
                d = Duration.ofMillis(Long.parseLong(s));
            } else {
                Matcher m = WITH_UNIT.matcher(s);
                if (m.matches()) {
                    long n = Long.parseLong(m.group(1));
                    switch (m.group(2)) {
                        case "ms": d = Duration.ofMillis(n); break;
                        case "s": d = Duration.ofSeconds(n); break;
                        case "m": d = Duration.ofMinutes(n); break;
                        case "h": d = Duration.ofHours(n); break;
                        default: d = Duration.ofDays(n); break;
                    }
                } else if (s.startsWith("pt") || s.startsWith("p")) {
                    d = Duration.parse(s.toUpperCase(Locale.ROOT));
                }
            }
        } catch (NumberFormatException | DateTimeParseException | ArithmeticException e) {
            d = null;
        }
        if (d == null || d.isNegative() || (!allowZero && d.isZero())) {
            throw new SourceMisconfiguredException(null, "setting '" + name + "' from " + origin + " must be a "
                    + (allowZero ? "non-negative" : "positive") + " duration: " + DURATION_FORMS + "; got '" + text + "'");
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
