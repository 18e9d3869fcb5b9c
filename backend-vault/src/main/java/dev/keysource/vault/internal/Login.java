package dev.keysource.vault.internal;

import java.time.Duration;

/** A token just obtained, and what Vault said of its lease. Never shows the token. */
final class Login {

    final String token;
    /** The token's lease as Vault reported it; null when unknown (a token given as such, before lookup-self). */
    final Duration lease;
    final boolean renewable;

    Login(String token, Duration lease, boolean renewable) {
        this.token = token;
        this.lease = lease;
        this.renewable = renewable;
    }

    @Override
    public String toString() {
        return "Login[****, lease=" + lease + ", renewable=" + renewable + "]";
    }
}
