package dev.keysource;

/**
 * An attempt ran past its time limit. Transient: retried like other unavailability; CLI exit code 5.
 */
public class SourceTimeoutException extends SourceUnavailableException {

    private static final long serialVersionUID = 1L;

    public SourceTimeoutException(String reference, String message) {
        super(reference, message);
    }

    public SourceTimeoutException(String reference, String message, Throwable cause) {
        super(reference, message, cause);
    }
}
