package dev.keysource;

/**
 * Receives a {@link KeyEvent} for everything that happens to a cached key. Called on keysource's
 * threads (or the caller's, for loads): return quickly. Called after the value is published and
 * outside any lock, so a listener may read the key ({@code get()}) and is served the new value.
 * Anything thrown here, an exception or an {@link Error} such as an {@link AssertionError} or a
 * {@link StackOverflowError}, is logged and ignored: the read that caused the event still returns its
 * value, which stays cached. Only {@link OutOfMemoryError} and the other fatal
 * {@link VirtualMachineError}s ({@link InternalError}, {@link UnknownError}) are rethrown to the caller.
 */
@FunctionalInterface
public interface KeyListener {

    void onEvent(KeyEvent event);
}
