package dev.keysource.micrometer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysource.KeyEvent;
import dev.keysource.SourceTimeoutException;
import dev.keysource.SourceUnavailableException;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class MetricsListenerTest {

    private static final String REF = "fake:app";

    @Test
    void simpleName_ofAnonymousSubclass_isNearestNamedSuperclass() {
        SourceUnavailableException anonymous = new SourceUnavailableException(REF, "down") { };
        assertThat(MetricsListener.simpleName(anonymous.getClass())).isEqualTo("SourceUnavailableException");
        assertThat(MetricsListener.simpleName(SourceTimeoutException.class)).isEqualTo("SourceTimeoutException");
    }

    @Test
    void onEvent_refreshFailedWithoutServedValue_isNotAStaleServe() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        MetricsListener l = new MetricsListener(registry, Tags.of("name", "a", "scheme", "fake"));

        l.onEvent(new KeyEvent(KeyEvent.Type.REFRESH_FAILED, REF, Instant.EPOCH, Duration.ofMillis(5), null, null,
                new SourceTimeoutException(REF, "slow")));

        assertThat(l.stale()).isZero();
        assertThat(registry.get("keysource.stale.serves").counter().count()).isZero();
        assertThat(registry.get("keysource.fetch").tags("exception", "SourceTimeoutException").timer().count())
                .isEqualTo(1);
    }

    @Test
    void onEvent_failureWithoutException_isTimedAsUnknown() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        MetricsListener l = new MetricsListener(registry, Tags.of("name", "a", "scheme", "fake"));

        l.onEvent(new KeyEvent(KeyEvent.Type.FETCH_FAILED, REF, Instant.EPOCH, Duration.ofMillis(5), null, null, null));

        assertThat(registry.get("keysource.fetch").tags("kind", "load", "exception", "unknown").timer().count())
                .isEqualTo(1);
    }
}
