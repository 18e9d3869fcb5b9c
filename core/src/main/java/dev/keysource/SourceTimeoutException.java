package dev.keysource;

import org.jspecify.annotations.Nullable;

/**
 * An attempt ran past its time limit. Transient: retried like other unavailability; CLI exit code 5.
 */
public class SourceTimeoutException extends SourceUnavailableException {

    private static final long serialVersionUID = 1L;

    public SourceTimeoutException(@Nullable String reference, String detail) {
        super(reference, detail);
    }

    public SourceTimeoutException(@Nullable String reference, String detail, @Nullable Throwable cause) {
        super(reference, detail, cause);
    }

    /** A copy recording the attempts made (see {@link KeySourceException#withAttempts(int)}). */
    SourceTimeoutException(KeySourceException original, int attempts) {
        super(original, attempts);
    }
}
