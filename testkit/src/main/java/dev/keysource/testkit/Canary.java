package dev.keysource.testkit;

/**
 * A marker secret for tests. Use {@link #SECRET} (or a value containing it) as the secret in tests of
 * failure paths; {@link CanaryExtension} fails any test whose output, logs or exception messages
 * contain it.
 */
public final class Canary {

    /** The marker value. Shaped like an API key so validators accept it. */
    public static final String SECRET = "sk-canary-3f9a7c21d5e84b6a";

    private Canary() {
    }

    /** Fails (AssertionError) if {@code text} holds the canary; {@code where} names the text in the message. */
    public static void assertAbsent(String where, CharSequence text) {
        if (text != null && text.toString().contains(SECRET)) {
            throw new AssertionError("canary secret leaked in " + where + ": " + text.toString().replace(SECRET, "<CANARY>"));
        }
    }

    /** Fails if any message in the throwable's chain (causes and suppressed) holds the canary. */
    public static void assertAbsent(Throwable t) {
        scan(t, 0);
    }

    private static void scan(Throwable t, int depth) {
        if (t == null || depth > 20) {
            return;
        }
        assertAbsent("the message of " + t.getClass().getName(), String.valueOf(t.getMessage()));
        assertAbsent("the toString of " + t.getClass().getName(), t.toString());
        scan(t.getCause(), depth + 1);
        for (Throwable s : t.getSuppressed()) {
            scan(s, depth + 1);
        }
    }
}
