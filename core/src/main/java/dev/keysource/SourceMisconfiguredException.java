package dev.keysource;

import org.jspecify.annotations.Nullable;

/**
 * The request cannot succeed as configured: a missing address, region or credential, an invalid setting, a reference that names a field the secret does not have. Not retried. CLI exit code 6.
 */
public class SourceMisconfiguredException extends KeySourceException {

    private static final long serialVersionUID = 1L;

    public SourceMisconfiguredException(@Nullable String reference, String detail) {
        super(reference, detail);
    }

    public SourceMisconfiguredException(@Nullable String reference, String detail, @Nullable Throwable cause) {
        super(reference, detail, cause);
    }

    /** A copy recording the attempts made (see {@link KeySourceException#withAttempts(int)}). */
    SourceMisconfiguredException(KeySourceException original, int attempts) {
        super(original, attempts);
    }
}
