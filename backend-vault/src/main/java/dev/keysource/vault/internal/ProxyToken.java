package dev.keysource.vault.internal;

/**
 * {@code auth=none}: no token at all, for a Vault Agent or Vault Proxy listener with
 * {@code use_auto_auth_token}, which adds the token it logged in with. The token is the proxy's: it is
 * never looked up, renewed or revoked from here, and a refusal is not retried with another.
 */
final class ProxyToken extends TokenProvider {

    private final String address;

    ProxyToken(String address) {
        this.address = address;
    }

    @Override
    Login obtain(VaultSession session, String reference) {
        return new Login("", null, false); // the driver sends no X-Vault-Token for an empty token
    }

    @Override
    boolean canReacquire() {
        return false;
    }

    @Override
    boolean managesLifecycle() {
        return false;
    }

    @Override
    String describe() {
        return "no token (auth=none): the token the Vault Agent or Proxy at " + address + " adds";
    }

    @Override
    String renewAdvice() {
        return "check that the Vault Agent or Proxy's listener has use_auto_auth_token = true (or \"force\") and "
                + "that its auto_auth has logged in (see its log)";
    }
}
