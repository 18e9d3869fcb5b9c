package dev.keysource;

/**
 * The backend answered that the secret (or the requested field or version) does not exist. Not retried.
 */
public class SecretNotFoundException extends KeySourceException {

    private static final long serialVersionUID = 1L;

    public SecretNotFoundException(String reference, String message) {
        super(reference, message);
    }

    public SecretNotFoundException(String reference, String message, Throwable cause) {
        super(reference, message, cause);
    }
}
