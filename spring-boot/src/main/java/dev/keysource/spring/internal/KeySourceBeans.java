package dev.keysource.spring.internal;

/** Names of the beans the starter registers. */
public final class KeySourceBeans {

    /** The {@code Keys} client. */
    public static final String KEYS = "keysourceKeys";
    /** The {@code KeyStates} of the client's keys. */
    public static final String STATES = "keysourceKeyStates";
    /** The {@code ImportedKeys} of {@code spring.config.import=keysource:...}. */
    public static final String IMPORTED = "keysourceImportedKeys";

    private KeySourceBeans() {
    }
}
