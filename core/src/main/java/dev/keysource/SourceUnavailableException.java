package dev.keysource;

/**
 * A transient failure: the backend is down, sealed, throttling, or the connection failed. Retried with backoff; CLI exit code 5.
 */
public class SourceUnavailableException extends KeySourceException {

    private static final long serialVersionUID = 1L;

    public SourceUnavailableException(String reference, String message) {
        super(reference, message);
    }

    public SourceUnavailableException(String reference, String message, Throwable cause) {
        super(reference, message, cause);
    }

    @Override
    public boolean isTransient() {
        return true;
    }
}
