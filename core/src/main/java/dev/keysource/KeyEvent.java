package dev.keysource;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Something that happened to a cached key. Holds the reference, timings, the version and the
 * failure, never the secret value.
 */
public final class KeyEvent {

    /** What happened. */
    public enum Type {
        /** A load (first load, or a load after expiry/rejection/invalidation) fetched a value. */
        FETCHED,
        /** A load failed; the caller got the exception. */
        FETCH_FAILED,
        /** A background refresh fetched a value, which is now served. */
        REFRESHED,
        /** A background refresh failed; the previous value keeps being served until it expires. */
        REFRESH_FAILED,
        /** The value's version (or the value) changed from the one served before. */
        ROTATED,
        /** {@code reject(value)} dropped the served value. */
        REJECTED,
        /** A fetch ran longer than the slow-fetch threshold (still running). */
        SLOW_FETCH,
        /** A value reached its hard expiry without being replaced and was dropped. */
        EXPIRED
    }

    private final Type type;
    private final String reference;
    private final Instant time;
    private final Duration latency;
    private final String version;
    private final Instant servedUntil;
    private final KeySourceException failure;

    /** For keysource and for tests of listeners. */
    public KeyEvent(Type type, String reference, Instant time, Duration latency, String version,
                    Instant servedUntil, KeySourceException failure) {
        this.type = type;
        this.reference = reference;
        this.time = time;
        this.latency = latency;
        this.version = version;
        this.servedUntil = servedUntil;
        this.failure = failure;
    }

    public Type type() {
        return type;
    }

    /** The canonical reference. */
    public String reference() {
        return reference;
    }

    /** The scheme of the reference. */
    public String scheme() {
        int colon = reference.indexOf(':');
        return colon > 0 ? reference.substring(0, colon) : reference;
    }

    /** Wall-clock time of the event. */
    public Instant time() {
        return time;
    }

    /** How long the fetch took (fetched, refreshed, failures, slow). */
    public Optional<Duration> latency() {
        return Optional.ofNullable(latency);
    }

    /** The backend version of the value concerned, if known. */
    public Optional<String> version() {
        return Optional.ofNullable(version);
    }

    /** For {@link Type#REFRESH_FAILED}: until when the previous value is served. */
    public Optional<Instant> servedUntil() {
        return Optional.ofNullable(servedUntil);
    }

    /** The failure, for failure events. */
    public Optional<KeySourceException> failure() {
        return Optional.ofNullable(failure);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("KeyEvent[").append(type).append(' ').append(reference);
        if (latency != null) {
            sb.append(", latency=").append(latency.toMillis()).append("ms");
        }
        if (version != null) {
            sb.append(", version=").append(version);
        }
        if (servedUntil != null) {
            sb.append(", servedUntil=").append(servedUntil);
        }
        if (failure != null) {
            sb.append(", failure=").append(failure.getClass().getSimpleName()).append(": ").append(failure.getMessage());
        }
        return sb.append(']').toString();
    }
}
