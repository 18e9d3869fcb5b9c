package dev.keysource;

/**
 * The calling thread was interrupted while waiting for a secret. The thread's interrupt flag is set again before this is thrown; never retried.
 */
public class SourceInterruptedException extends KeySourceException {

    private static final long serialVersionUID = 1L;

    public SourceInterruptedException(String reference, String message) {
        super(reference, message);
    }

    public SourceInterruptedException(String reference, String message, Throwable cause) {
        super(reference, message, cause);
    }
}
