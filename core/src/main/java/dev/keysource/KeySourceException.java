package dev.keysource;

/**
 * The root of every failure keysource reports. Unchecked.
 *
 * <p>Each failure is classified once, at the backend boundary, into one of the subtypes; retry
 * decisions are made by type ({@link SourceUnavailableException} and its subtype
 * {@link SourceTimeoutException} are retried, nothing else is), never by parsing messages.
 *
 * <p>Messages name the component and reference, say what failed and what to do next. They never
 * contain a secret value, a token or a credential.
 */
public class KeySourceException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String reference;
    private volatile int attempts = 1;

    /**
     * @param reference the canonical reference, or null where the failure concerns no single reference
     * @param message what failed, where, and what to do; never a secret
     */
    public KeySourceException(String reference, String message) {
        this(reference, message, null);
    }

    public KeySourceException(String reference, String message, Throwable cause) {
        super(message, cause);
        this.reference = reference;
    }

    /** The reference this failure concerns, in canonical form, or null. */
    public String reference() {
        return reference;
    }

    /** The scheme of {@link #reference()}, or null. */
    public String scheme() {
        if (reference == null) {
            return null;
        }
        int colon = reference.indexOf(':');
        return colon > 0 ? reference.substring(0, colon) : null;
    }

    /** How many attempts were made before this failure surfaced (1 unless retried). */
    public int attempts() {
        return attempts;
    }

    /**
     * Records how many attempts the resilience layer made; the message then says so. Called by
     * keysource itself when retries run out.
     */
    public KeySourceException withAttempts(int attempts) {
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts must be >= 1: " + attempts);
        }
        this.attempts = attempts;
        return this;
    }

    /** Whether the resilience layer retries this failure. */
    public boolean isTransient() {
        return false;
    }

    @Override
    public String getMessage() {
        String m = super.getMessage();
        return attempts > 1 ? m + " (gave up after " + attempts + " attempts)" : m;
    }
}
