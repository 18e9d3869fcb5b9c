package dev.keysource.spring;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Health of the application's keys, read from {@link KeyStates}, never from a backend: a probe costs a few
 * map reads however often it runs.
 *
 * <ul>
 *   <li><b>UP</b> while every key serves a value; a key whose refreshes fail and which serves its previous
 *       value shows {@code state=STALE} and {@code servedUntil} (the service still works until then), and the
 *       indicator adds {@code stale=true}.</li>
 *   <li><b>DOWN</b> once a key has no value to serve: its hard expiry passed ({@code EXPIRED}) or a load
 *       failed ({@code FAILING}).</li>
 * </ul>
 *
 * <p>Details per key, by reference: {@code state}, {@code since}, {@code servedUntil} and {@code lastFailure}
 * (the failure's class name only; the message is in the log). No value, token or message appears.
 */
public class KeySourceHealthIndicator extends AbstractHealthIndicator {

    private final KeyStates states;

    /** @param states the client's key states */
    public KeySourceHealthIndicator(KeyStates states) {
        super("keysource health check failed");
        this.states = Objects.requireNonNull(states, "states");
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        boolean down = false;
        boolean stale = false;
        Map<String, Object> keys = new LinkedHashMap<>();
        for (KeyStates.KeyState s : states.snapshot().values()) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("state", s.state().name());
            d.put("since", s.since().toString());
            s.servedUntil().ifPresent(t -> d.put("servedUntil", t.toString()));
            s.lastFailure().ifPresent(f -> d.put("lastFailure", f));
            keys.put(s.reference(), d);
            down |= s.state() == KeyStates.State.EXPIRED || s.state() == KeyStates.State.FAILING;
            stale |= s.state() == KeyStates.State.STALE;
        }
        if (down) {
            builder.down();
        } else {
            builder.up();
        }
        if (stale) {
            builder.withDetail("stale", true);
        }
        builder.withDetail("keys", keys);
    }
}
