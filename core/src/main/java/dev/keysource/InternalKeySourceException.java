package dev.keysource;

import org.jspecify.annotations.Nullable;

/**
 * A failure that no backend classified: a backend or provider broke its contract (threw an unexpected
 * exception, returned no source), or keysource itself has a bug. Neither transient nor a configuration
 * error: not retried, and nothing the user configured can fix it. CLI exit code 1. The message names the
 * unexpected exception's class, never its message (which may hold a secret), and asks for a report at
 * {@link #REPORT_URL}.
 */
public class InternalKeySourceException extends KeySourceException {

    private static final long serialVersionUID = 1L;

    /** Where internal errors are reported: the project's issue tracker. */
    public static final String REPORT_URL = "https://github.com/keysource-dev/keysource/issues";

    public InternalKeySourceException(@Nullable String reference, String detail) {
        super(reference, detail);
    }

    public InternalKeySourceException(@Nullable String reference, String detail, @Nullable Throwable cause) {
        super(reference, detail, cause);
    }

    /** A copy recording the attempts made (see {@link KeySourceException#withAttempts(int)}). */
    InternalKeySourceException(KeySourceException original, int attempts) {
        super(original, attempts);
    }

    /**
     * The internal error for an unexpected {@code failure} of {@code component} (e.g. "the backend"):
     * "internal error: the backend failed with an unexpected java.lang.NullPointerException; ...please report
     * it at ...". Only the class name of {@code failure} is used; it is not kept as the cause either, since its
     * message may hold a secret.
     */
    public static InternalKeySourceException unexpected(@Nullable String reference, String component, Throwable failure) {
        return new InternalKeySourceException(reference, "internal error: " + component + " failed with an unexpected "
                + failure.getClass().getName() + "; this is a bug in keysource or the backend, not in your "
                + "configuration: please report it at " + REPORT_URL, null);
    }
}
