package dev.keysource.spring;

import dev.keysource.KeyEvent;
import dev.keysource.KeyListener;
import dev.keysource.Keys;
import java.time.Clock;
import java.time.Instant;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The state of every key of the application's client, kept from its events: serving, serving a stale value
 * until a given time, or failing (a load failed, or the value reached its hard expiry), with the class of the
 * last failure. The health indicator reads this; reading it never calls a backend. Registered as a listener
 * of the client when the starter builds it.
 */
public final class KeyStates implements KeyListener {

    /** What a key is doing, as far as its events tell. */
    public enum State {
        /** A fresh value is served. */
        SERVING,
        /** Refreshes fail; the previous value is served until {@link KeyState#servedUntil()}. */
        STALE,
        /** A load failed: callers get an exception. */
        FAILING,
        /** The value reached its hard expiry without being replaced. */
        EXPIRED
    }

    /**
     * One key's state.
     *
     * @param reference the canonical reference
     * @param state what the key is doing
     * @param since when the state was entered
     * @param servedUntil for {@link State#STALE}: when the stale value expires
     * @param lastFailure simple class name of the last failure (e.g. {@code SourceUnavailableException}), if any
     */
    public record KeyState(String reference, State state, Instant since, Optional<Instant> servedUntil,
                           Optional<String> lastFailure) {
    }

    private final Map<String, KeyState> states = new ConcurrentHashMap<>();
    private final Set<Keys> attached = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Clock clock;

    /** States judged against the system clock. */
    public KeyStates() {
        this(Clock.systemUTC());
    }

    /** @param clock the clock against which a stale value's end is judged (the client's clock) */
    public KeyStates(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public void onEvent(KeyEvent e) {
        String failure = e.failure().map(f -> f.getClass().getSimpleName()).orElse(null);
        states.compute(e.reference(), (ref, old) -> {
            Optional<String> last =
                    failure != null ? Optional.of(failure) : old == null ? Optional.empty() : old.lastFailure();
            return switch (e.type()) {
                case FETCHED, REFRESHED, ROTATED -> old != null
                                && old.state() == State.SERVING
                                && e.type() == KeyEvent.Type.ROTATED
                        ? old
                        : new KeyState(ref, State.SERVING, e.time(), Optional.empty(), last);
                case REFRESH_FAILED -> new KeyState(
                        ref,
                        State.STALE,
                        old != null && old.state() == State.STALE ? old.since() : e.time(),
                        e.servedUntil(),
                        last);
                case FETCH_FAILED -> new KeyState(ref, State.FAILING, e.time(), Optional.empty(), last);
                case EXPIRED -> new KeyState(ref, State.EXPIRED, e.time(), Optional.empty(), last);
                default -> old;
            };
        });
    }

    /** The state of every key seen so far, by reference (sorted); a stale value past its end counts as expired. */
    public Map<String, KeyState> snapshot() {
        Instant now = clock.instant();
        Map<String, KeyState> out = new TreeMap<>();
        states.forEach((ref, s) -> {
            if (s.state() == State.STALE && s.servedUntil().filter(now::isAfter).isPresent()) {
                s = new KeyState(ref, State.EXPIRED, s.servedUntil().get(), Optional.empty(), s.lastFailure());
            }
            out.put(ref, s);
        });
        return out;
    }

    /**
     * Listens to {@code keys}, once however often it is called (the starter attaches its states to the client
     * it builds, and to a {@code Keys} bean of your own).
     *
     * @param keys the client to follow
     */
    public void attach(Keys keys) {
        synchronized (attached) {
            if (!attached.add(keys)) {
                return;
            }
        }
        keys.addListener(this);
    }
}
