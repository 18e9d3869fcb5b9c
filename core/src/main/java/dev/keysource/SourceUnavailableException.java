package dev.keysource;

import org.jspecify.annotations.Nullable;

/**
 * A transient failure: the backend is down, sealed, throttling, or the connection failed. Retried with backoff; CLI exit code 5.
 */
public class SourceUnavailableException extends KeySourceException {

    private static final long serialVersionUID = 1L;

    public SourceUnavailableException(@Nullable String reference, String detail) {
        super(reference, detail);
    }

    public SourceUnavailableException(@Nullable String reference, String detail, @Nullable Throwable cause) {
        super(reference, detail, cause);
    }

    /** A copy recording the attempts made (see {@link KeySourceException#withAttempts(int)}). */
    SourceUnavailableException(KeySourceException original, int attempts) {
        super(original, attempts);
    }
}
