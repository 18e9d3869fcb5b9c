package dev.keysource.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysource.KeyEvent;
import dev.keysource.SourceAccessDeniedException;
import dev.keysource.SourceUnavailableException;
import dev.keysource.testkit.FakeTime;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

/** Key states from events, and the health they give, without a client. */
class KeyStatesTest {

    static final String REF = "vault:secret/app#api_key";

    final FakeTime time = new FakeTime();
    final KeyStates states = new KeyStates(time.clock());
    final KeySourceHealthIndicator health = new KeySourceHealthIndicator(states);

    private KeyEvent event(KeyEvent.Type type, Instant servedUntil, dev.keysource.KeySourceException failure) {
        return new KeyEvent(type, REF, time.now(), null, null, servedUntil, failure);
    }

    @Test
    void fetchFailed_isDownWithFailureClass_thenRefreshedIsUpAgainKeepingLastFailure() {
        states.onEvent(event(KeyEvent.Type.FETCH_FAILED, null, new SourceAccessDeniedException(REF, "403")));
        Health down = health.health();
        assertThat(down.getStatus()).isEqualTo(Status.DOWN);
        assertThat(states.snapshot().get(REF).state()).isEqualTo(KeyStates.State.FAILING);
        assertThat(states.snapshot().get(REF).lastFailure()).hasValue("SourceAccessDeniedException");

        states.onEvent(event(KeyEvent.Type.FETCHED, null, null));
        assertThat(health.health().getStatus()).isEqualTo(Status.UP);
        assertThat(states.snapshot().get(REF).state()).isEqualTo(KeyStates.State.SERVING);
        assertThat(states.snapshot().get(REF).lastFailure()).hasValue("SourceAccessDeniedException");
    }

    @Test
    void stale_pastServedUntilWithoutExpiredEvent_countsAsExpired() {
        states.onEvent(event(KeyEvent.Type.FETCHED, null, null));
        Instant until = time.now().plus(Duration.ofMinutes(2));
        states.onEvent(event(KeyEvent.Type.REFRESH_FAILED, until, new SourceUnavailableException(REF, "503")));
        assertThat(health.health().getStatus()).isEqualTo(Status.UP);
        assertThat(states.snapshot().get(REF).servedUntil()).hasValue(until);

        time.advance(Duration.ofMinutes(2).plusSeconds(1));
        assertThat(health.health().getStatus()).isEqualTo(Status.DOWN);
        assertThat(states.snapshot().get(REF).state()).isEqualTo(KeyStates.State.EXPIRED);
    }

    @Test
    void noKeys_isUp() {
        assertThat(health.health().getStatus()).isEqualTo(Status.UP);
    }
}
