package dev.keysource;

import org.jspecify.annotations.Nullable;

/**
 * The root of every failure keysource reports. Unchecked.
 *
 * <p><b>The error contract</b> (docs/errors.md, "The error contract"):
 * <ul>
 * <li><b>Classified once, retried by type.</b> Each failure is classified once, at the backend boundary, into
 * one of the subtypes. The one retry rule is {@link #isTransient()}, which is final and defined by the type:
 * a {@link SourceUnavailableException} (and its subtype {@link SourceTimeoutException}) is transient and
 * retried, nothing else is. A subclass cannot change that; messages are never parsed.
 * <li><b>{@code reference: detail}.</b> A constructor takes the reference and the detail (what failed, where,
 * what to do); {@link #getMessage()} is {@code reference + ": " + detail} (the detail alone when there is no
 * reference), so no throw site repeats the reference. {@link #detail()} gives the detail alone.
 * <li><b>Immutable.</b> Every field is final. When retries run out, keysource does not change the failure
 * but throws a copy made by {@link #withAttempts(int)}.
 * <li><b>Unclassified means internal.</b> A failure no backend classified is an
 * {@link InternalKeySourceException} (CLI exit code 1, "please report it"), never a configuration error.
 * </ul>
 *
 * <p>Messages never contain a secret value, a token or a credential.
 */
public class KeySourceException extends RuntimeException {

    private static final long serialVersionUID = 2L;

    private final @Nullable String reference;
    private final String detail;
    private final int attempts;

    /**
     * @param reference the canonical reference, or null where the failure concerns no single reference
     * @param detail what failed, where, and what to do, without the reference (the message adds it); never a
     *               secret
     */
    public KeySourceException(@Nullable String reference, String detail) {
        this(reference, detail, null);
    }

    /**
     * @param reference the canonical reference, or null where the failure concerns no single reference
     * @param detail what failed, where, and what to do, without the reference (the message adds it); never a
     *               secret
     * @param cause the underlying failure, or null; its message must hold no secret either
     */
    public KeySourceException(@Nullable String reference, String detail, @Nullable Throwable cause) {
        super(compose(reference, detail, 1), cause);
        this.reference = reference;
        this.detail = detail;
        this.attempts = 1;
    }

    /**
     * A copy of {@code original} that records {@code attempts}: the same reference, detail, cause, stack
     * trace and suppressed exceptions. The original itself is not kept (it differs only in the count).
     */
    KeySourceException(KeySourceException original, int attempts) {
        super(compose(original.reference, original.detail, attempts), original.getCause());
        this.reference = original.reference;
        this.detail = original.detail;
        this.attempts = attempts;
        setStackTrace(original.getStackTrace());
        for (Throwable s : original.getSuppressed()) {
            addSuppressed(s);
        }
    }

    private static String compose(@Nullable String reference, String detail, int attempts) {
        String d = detail == null ? "failed without a detail" : detail;
        String m = reference == null || reference.isEmpty() ? d : reference + ": " + d;
        return attempts > 1 ? m + " (gave up after " + attempts + " attempts)" : m;
    }

    /** The reference this failure concerns, in canonical form, or null. */
    public @Nullable String reference() {
        return reference;
    }

    /** What failed, where, and what to do: the message without the reference and the attempt count. */
    public String detail() {
        return detail;
    }

    /** The scheme of {@link #reference()}, or null. */
    public @Nullable String scheme() {
        if (reference == null) {
            return null;
        }
        int colon = reference.indexOf(':');
        return colon > 0 ? reference.substring(0, colon) : null;
    }

    /** How many attempts were made before this failure surfaced (1 unless retried). */
    public int attempts() {
        return attempts;
    }

    /**
     * A NEW exception that records how many attempts the resilience layer made (its message then says so);
     * this one is unchanged. Called by keysource itself when retries run out.
     *
     * <p>The copy has the same concrete type when that is a keysource-core type (so
     * {@code catch (SourceTimeoutException e)} still catches it), and the same reference, detail, cause,
     * stack trace and suppressed exceptions. A subclass defined outside keysource-core is copied as its
     * nearest keysource-core supertype (a {@code MySealedException extends SourceUnavailableException}
     * becomes a {@link SourceUnavailableException}): keysource cannot construct a type it does not know, and
     * the type that decides the exit code and the retry rule is kept.
     *
     * @param attempts how many attempts were made, at least 1
     * @return this exception when it already records {@code attempts}, otherwise the copy
     */
    public final KeySourceException withAttempts(int attempts) {
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts must be >= 1: " + attempts);
        }
        if (attempts == this.attempts) {
            return this;
        }
        for (Class<?> c = getClass(); ; c = c.getSuperclass()) {
            if (c == SourceTimeoutException.class) {
                return new SourceTimeoutException(this, attempts);
            } else if (c == SourceUnavailableException.class) {
                return new SourceUnavailableException(this, attempts);
            } else if (c == SourceAccessDeniedException.class) {
                return new SourceAccessDeniedException(this, attempts);
            } else if (c == SecretNotFoundException.class) {
                return new SecretNotFoundException(this, attempts);
            } else if (c == SourceMisconfiguredException.class) {
                return new SourceMisconfiguredException(this, attempts);
            } else if (c == SourceInterruptedException.class) {
                return new SourceInterruptedException(this, attempts);
            } else if (c == InvalidReferenceException.class) {
                return new InvalidReferenceException(this, attempts);
            } else if (c == InternalKeySourceException.class) {
                return new InternalKeySourceException(this, attempts);
            } else if (c == KeySourceException.class) {
                return new KeySourceException(this, attempts);
            }
        }
    }

    /**
     * Whether the resilience layer retries this failure: true exactly for {@link SourceUnavailableException}
     * and its subtypes (including {@link SourceTimeoutException}). Final: the type decides, so a subclass
     * cannot make a non-transient type retried, or a transient one not retried.
     */
    public final boolean isTransient() {
        return this instanceof SourceUnavailableException;
    }

    /** {@code reference + ": " + detail}, the detail alone without a reference, then the attempts if retried. */
    @Override
    public final String getMessage() {
        return java.util.Objects.requireNonNull(super.getMessage()); // always built from the detail
    }
}
