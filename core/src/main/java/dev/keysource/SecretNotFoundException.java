package dev.keysource;

import org.jspecify.annotations.Nullable;

/**
 * The backend answered that the secret (or the requested version or stage) does not exist, or that its
 * value is empty: an empty value is never handed out. Not retried.
 *
 * <p>A {@code #field} that an existing secret does not have is not this type but
 * {@link SourceMisconfiguredException}: the secret is there, the reference asks for something it does not
 * hold (docs/errors.md).
 */
public class SecretNotFoundException extends KeySourceException {

    private static final long serialVersionUID = 1L;

    public SecretNotFoundException(@Nullable String reference, String detail) {
        super(reference, detail);
    }

    public SecretNotFoundException(@Nullable String reference, String detail, @Nullable Throwable cause) {
        super(reference, detail, cause);
    }

    /** A copy recording the attempts made (see {@link KeySourceException#withAttempts(int)}). */
    SecretNotFoundException(KeySourceException original, int attempts) {
        super(original, attempts);
    }
}
