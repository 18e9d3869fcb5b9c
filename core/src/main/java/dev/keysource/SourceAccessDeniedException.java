package dev.keysource;

/**
 * The backend refused the request: bad or expired credentials, or no permission to read the secret. Not retried. CLI exit code 4.
 */
public class SourceAccessDeniedException extends KeySourceException {

    private static final long serialVersionUID = 1L;

    public SourceAccessDeniedException(String reference, String message) {
        super(reference, message);
    }

    public SourceAccessDeniedException(String reference, String message, Throwable cause) {
        super(reference, message, cause);
    }
}
