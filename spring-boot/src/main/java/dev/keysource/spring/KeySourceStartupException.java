package dev.keysource.spring;

/**
 * Start-up of a Spring application failed because of keysource: a {@code keysource.*} property keysource
 * refuses, or a key that could not be fetched while {@code keysource.fail-fast} is on. The starter's
 * failure analyzer turns it into a description of what failed and an action saying what to fix. The
 * message names the property (or the {@code spring.config.import} location) and the reference, never a
 * value; the cause is keysource's own exception.
 */
public class KeySourceStartupException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String property;
    private final String reference;

    /**
     * @param property the property or import location at fault, e.g. {@code keysource.keys.anthropic}
     * @param reference the keysource reference concerned, or {@code null} for a plain setting
     * @param message what failed, naming the property; never a secret value
     * @param cause keysource's exception, or the validation error
     */
    public KeySourceStartupException(String property, String reference, String message, Throwable cause) {
        super(message, cause);
        this.property = property;
        this.reference = reference;
    }

    /** The property (or {@code spring.config.import} location) at fault. */
    public String property() {
        return property;
    }

    /** The reference concerned, or {@code null} for a plain setting. */
    public String reference() {
        return reference;
    }
}
