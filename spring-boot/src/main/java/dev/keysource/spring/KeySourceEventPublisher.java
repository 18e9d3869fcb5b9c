package dev.keysource.spring;

import dev.keysource.KeyEvent;
import dev.keysource.KeyListener;
import dev.keysource.Keys;
import java.util.Objects;
import org.springframework.context.ApplicationEventPublisher;

/**
 * Publishes every event of the client's keys as a {@link KeySourceEvent} (or one of its subtypes) through
 * the application context. Off with {@code keysource.publish-events=false}.
 */
public final class KeySourceEventPublisher implements KeyListener {

    private final Keys keys;
    private final ApplicationEventPublisher publisher;

    /**
     * @param keys the client, the events' source
     * @param publisher where the events go
     */
    public KeySourceEventPublisher(Keys keys, ApplicationEventPublisher publisher) {
        this.keys = Objects.requireNonNull(keys, "keys");
        this.publisher = Objects.requireNonNull(publisher, "publisher");
    }

    @Override
    public void onEvent(KeyEvent event) {
        publisher.publishEvent(KeySourceEvent.of(keys, event));
    }
}
