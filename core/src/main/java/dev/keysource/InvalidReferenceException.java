package dev.keysource;

/**
 * A reference string could not be parsed, names an unknown scheme, or uses an option its scheme does not accept. CLI exit code 2 (usage).
 */
public class InvalidReferenceException extends KeySourceException {

    private static final long serialVersionUID = 1L;

    public InvalidReferenceException(String reference, String message) {
        super(reference, message);
    }

    public InvalidReferenceException(String reference, String message, Throwable cause) {
        super(reference, message, cause);
    }
}
