package dev.keysource.testkit;

import dev.keysource.KeySourceException;

/**
 * Assertions of keysource's error contract (docs/errors.md, "The error contract"), for the tests that assert
 * failures: the fault matrix, the backends' failure tests, the command line's. Call {@link #assertHolds} on
 * every {@link KeySourceException} a failure test gets, and {@link #assertReferenceOnce} on a text (a CLI error
 * line) built from one, so that a message repeating its reference fails the build.
 */
public final class ErrorContract {

    private ErrorContract() {
    }

    /**
     * Fails (AssertionError) unless {@code e}'s message is {@code reference + ": " + detail} (the detail alone
     * without a reference, then " (gave up after N attempts)" when retried), the reference appears in it once,
     * and every keysource exception in its cause chain holds too.
     *
     * @return {@code e}, for chaining
     */
    public static <T extends KeySourceException> T assertHolds(T e) {
        check(e, 0);
        return e;
    }

    /** As {@link #assertHolds}, for every keysource exception in {@code t}'s chain (causes and suppressed). */
    public static void assertHoldsInChain(Throwable t) {
        check(t, 0);
    }

    private static void check(Throwable t, int depth) {
        if (t == null || depth > 20) {
            return;
        }
        if (t instanceof KeySourceException e) {

            String reference = e.reference();
            String detail = e.detail();
            String expected = reference == null || reference.isEmpty() ? detail : reference + ": " + detail;
            if (e.attempts() > 1) {
                expected += " (gave up after " + e.attempts() + " attempts)";
            }
            if (!expected.equals(e.getMessage())) {
                throw new AssertionError(e.getClass().getName() + "'s message is not 'reference: detail': "
                        + redacted(e.getMessage()) + "; expected " + redacted(expected));
            }
            if (reference != null && !reference.isEmpty()) {
                assertReferenceOnce("the message of " + e.getClass().getName(), reference, e.getMessage());
            }
        }
        check(t.getCause(), depth + 1);
        for (Throwable s : t.getSuppressed()) {
            check(s, depth + 1);
        }
    }

    /**
     * Fails (AssertionError) if {@code text} (a message, a CLI error line) contains {@code reference} more than
     * once: the exception puts the reference in front of the detail, so a throw site that repeats it says it
     * twice.
     */
    public static void assertReferenceOnce(String where, String reference, String text) {
        if (reference == null || reference.isEmpty() || text == null) {
            return;
        }
        int count = 0;
        for (int i = text.indexOf(reference); i >= 0; i = text.indexOf(reference, i + 1)) {
            if (standsAlone(text, i, i + reference.length())) {
                count++;
            }
        }
        if (count > 1) {
            throw new AssertionError("the reference " + redacted(reference) + " appears more than once in " + where
                    + ": " + redacted(text));
        }
    }

    /**
     * Whether {@code text[start, end)} is the reference itself, not part of a longer one: an example such as
     * {@code vault:secret/db#password} or {@code vault:secret/<name>} in the detail of {@code vault:secret/db}
     * names another reference.
     */
    private static boolean standsAlone(String text, int start, int end) {
        if (start > 0 && continues(text.charAt(start - 1))) {
            return false;
        }
        if (end == text.length()) {
            return true;
        }
        char next = text.charAt(end);
        if (next == ':' || next == '.') { // "ref: detail", "read ref." end the reference; "ref:x", "ref.x" continue it
            return end + 1 == text.length() || Character.isWhitespace(text.charAt(end + 1));
        }
        return !continues(next) && next != '<';
    }

    private static boolean continues(char c) {
        return Character.isLetterOrDigit(c) || "/#?&=%._~-+@$:".indexOf(c) >= 0;
    }

    private static String redacted(String s) {
        return s == null ? null : s.replace(Canary.SECRET, "<CANARY>");
    }
}
