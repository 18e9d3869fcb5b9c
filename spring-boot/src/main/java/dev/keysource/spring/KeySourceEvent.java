package dev.keysource.spring;

import dev.keysource.KeyEvent;
import java.util.Objects;
import org.springframework.context.ApplicationEvent;

/**
 * A keysource {@link KeyEvent} published as a Spring application event. Every event of the client's keys
 * is published as a {@code KeySourceEvent}; three have their own types to listen for:
 * {@link Rotated} (a new value is served), {@link RefreshFailed} (the previous value is served until
 * {@code servedUntil}) and {@link Expired} (no value any more). The event carries the reference, times, the
 * version and the failure, never the value.
 *
 * <pre>{@code
 * @EventListener
 * void onRotation(KeySourceEvent.Rotated e) {
 *     if (e.reference().equals(apiKey.reference())) client.reconnect();
 * }
 * }</pre>
 *
 * <p>Listeners run on keysource's thread that saw the change (a refresh thread, or the caller's for a load),
 * after the new value is published; keep them short, or make them {@code @Async}.
 */
public class KeySourceEvent extends ApplicationEvent {

    private static final long serialVersionUID = 1L;

    private final transient KeyEvent event;

    /**
     * @param source the client that emitted the event
     * @param event keysource's event
     */
    public KeySourceEvent(Object source, KeyEvent event) {
        super(source);
        this.event = Objects.requireNonNull(event, "event");
    }

    /** The wrapped event, with its type, times, version and failure. */
    public KeyEvent keyEvent() {
        return event;
    }

    /** The canonical reference of the key. */
    public String reference() {
        return event.reference();
    }

    /** What happened. */
    public KeyEvent.Type type() {
        return event.type();
    }

    /** The right event class for {@code event}: one of the subtypes, or this class. */
    public static KeySourceEvent of(Object source, KeyEvent event) {
        return switch (event.type()) {
            case ROTATED -> new Rotated(source, event);
            case REFRESH_FAILED -> new RefreshFailed(source, event);
            case EXPIRED -> new Expired(source, event);
            default -> new KeySourceEvent(source, event);
        };
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + event + "]";
    }

    /** A fetch returned a new version or value; the new value is already served. */
    public static class Rotated extends KeySourceEvent {
        private static final long serialVersionUID = 1L;

        /**
         * @param source the client
         * @param event a ROTATED event
         */
        public Rotated(Object source, KeyEvent event) {
            super(source, event);
        }
    }

    /** A background refresh failed; {@code keyEvent().servedUntil()} says until when the old value is served. */
    public static class RefreshFailed extends KeySourceEvent {
        private static final long serialVersionUID = 1L;

        /**
         * @param source the client
         * @param event a REFRESH_FAILED event
         */
        public RefreshFailed(Object source, KeyEvent event) {
            super(source, event);
        }
    }

    /** A value reached its hard expiry without being replaced: reads now load, and fail while the backend does. */
    public static class Expired extends KeySourceEvent {
        private static final long serialVersionUID = 1L;

        /**
         * @param source the client
         * @param event an EXPIRED event
         */
        public Expired(Object source, KeyEvent event) {
            super(source, event);
        }
    }
}
