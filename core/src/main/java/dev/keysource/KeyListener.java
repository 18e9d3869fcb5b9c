package dev.keysource;

/**
 * Receives a {@link KeyEvent} for everything that happens to a cached key. Called on keysource's
 * threads (or the caller's, for loads): return quickly. An exception thrown here is logged and
 * ignored.
 */
@FunctionalInterface
public interface KeyListener {

    void onEvent(KeyEvent event);
}
