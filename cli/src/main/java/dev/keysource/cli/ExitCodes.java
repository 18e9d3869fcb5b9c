package dev.keysource.cli;

import dev.keysource.InternalKeySourceException;
import dev.keysource.InvalidReferenceException;
import dev.keysource.SecretNotFoundException;
import dev.keysource.SourceAccessDeniedException;
import dev.keysource.SourceInterruptedException;
import dev.keysource.SourceMisconfiguredException;
import dev.keysource.SourceUnavailableException;

/**
 * The exit codes of the {@code keysource} command, decided by the TYPE of the failure, never by its
 * message. Tools that run {@code keysource get} as a helper may act on them (retry on 5, re-login on 4).
 *
 * <table>
 * <caption>Exit codes</caption>
 * <tr><th>code</th><th>meaning</th><th>failure</th></tr>
 * <tr><td>0</td><td>ok</td><td>-</td></tr>
 * <tr><td>1</td><td>internal error (a bug: please report it)</td><td>{@link InternalKeySourceException}, anything unclassified</td></tr>
 * <tr><td>2</td><td>usage: bad arguments or reference</td><td>{@link InvalidReferenceException}, {@link IllegalArgumentException}</td></tr>
 * <tr><td>3</td><td>not found</td><td>{@link SecretNotFoundException}</td></tr>
 * <tr><td>4</td><td>rejected: authentication or permission</td><td>{@link SourceAccessDeniedException}</td></tr>
 * <tr><td>5</td><td>backend unavailable, timed out or interrupted</td><td>{@link SourceUnavailableException} (and {@code SourceTimeoutException}), {@link SourceInterruptedException}</td></tr>
 * <tr><td>6</td><td>misconfigured</td><td>{@link SourceMisconfiguredException}</td></tr>
 * <tr><td>7</td><td>the key was fetched but could not be written to stdout (closed, full)</td><td>-</td></tr>
 * </table>
 */
public final class ExitCodes {

    public static final int OK = 0;
    public static final int INTERNAL_ERROR = 1;
    public static final int USAGE = 2;
    public static final int NOT_FOUND = 3;
    public static final int REJECTED = 4;
    public static final int UNAVAILABLE = 5;
    public static final int MISCONFIGURED = 6;
    /** The key was fetched but stdout did not take it (closed, a full disk, a gone pipe). */
    public static final int OUTPUT_FAILED = 7;

    private ExitCodes() {
    }

    /** The exit code for a failure. */
    public static int of(Throwable failure) {
        if (failure instanceof InternalKeySourceException) {
            return INTERNAL_ERROR; // before the others: never "misconfigured", whatever a subtype extends
        }
        if (failure instanceof InvalidReferenceException || failure instanceof IllegalArgumentException) {
            return USAGE;
        }
        if (failure instanceof SecretNotFoundException) {
            return NOT_FOUND;
        }
        if (failure instanceof SourceAccessDeniedException) {
            return REJECTED;
        }
        if (failure instanceof SourceUnavailableException || failure instanceof SourceInterruptedException) {
            return UNAVAILABLE;
        }
        if (failure instanceof SourceMisconfiguredException) {
            return MISCONFIGURED;
        }
        return INTERNAL_ERROR;
    }

    /** A short name for a code, as {@code keysource check} prints it. */
    public static String describe(int code) {
        return switch (code) {
            case OK -> "ok";
            case USAGE -> "usage error";
            case NOT_FOUND -> "not found";
            case REJECTED -> "rejected (authentication or permission)";
            case UNAVAILABLE -> "backend unavailable or timed out";
            case MISCONFIGURED -> "misconfigured";
            case OUTPUT_FAILED -> "could not write the output";
            default -> "internal error";
        };
    }
}
