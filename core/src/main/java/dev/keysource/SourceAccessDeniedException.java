package dev.keysource;

import org.jspecify.annotations.Nullable;

/**
 * The backend refused the request: bad or expired credentials, or no permission to read the secret. Not retried. CLI exit code 4.
 */
public class SourceAccessDeniedException extends KeySourceException {

    private static final long serialVersionUID = 1L;

    public SourceAccessDeniedException(@Nullable String reference, String detail) {
        super(reference, detail);
    }

    public SourceAccessDeniedException(@Nullable String reference, String detail, @Nullable Throwable cause) {
        super(reference, detail, cause);
    }

    /** A copy recording the attempts made (see {@link KeySourceException#withAttempts(int)}). */
    SourceAccessDeniedException(KeySourceException original, int attempts) {
        super(original, attempts);
    }
}
