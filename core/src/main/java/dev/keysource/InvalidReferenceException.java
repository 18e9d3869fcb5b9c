package dev.keysource;

import org.jspecify.annotations.Nullable;

/**
 * A reference string could not be parsed, names an unknown scheme, or uses an option its scheme does not accept. CLI exit code 2 (usage).
 *
 * <p>When the text does not parse at all, it has no canonical form: {@link #reference()} is null and the detail
 * quotes the text ("invalid reference 'vault:': the location after 'vault:' is empty").
 */
public class InvalidReferenceException extends KeySourceException {

    private static final long serialVersionUID = 1L;

    public InvalidReferenceException(@Nullable String reference, String detail) {
        super(reference, detail);
    }

    public InvalidReferenceException(@Nullable String reference, String detail, @Nullable Throwable cause) {
        super(reference, detail, cause);
    }

    /** A copy recording the attempts made (see {@link KeySourceException#withAttempts(int)}). */
    InvalidReferenceException(KeySourceException original, int attempts) {
        super(original, attempts);
    }
}
