package dev.keysource;

import org.jspecify.annotations.Nullable;

/**
 * The calling thread was interrupted while waiting for a secret. The thread's interrupt flag is set again before this is thrown; never retried.
 */
public class SourceInterruptedException extends KeySourceException {

    private static final long serialVersionUID = 1L;

    public SourceInterruptedException(@Nullable String reference, String detail) {
        super(reference, detail);
    }

    public SourceInterruptedException(@Nullable String reference, String detail, @Nullable Throwable cause) {
        super(reference, detail, cause);
    }

    /** A copy recording the attempts made (see {@link KeySourceException#withAttempts(int)}). */
    SourceInterruptedException(KeySourceException original, int attempts) {
        super(original, attempts);
    }
}
