package dev.keysource.vault.internal;

import dev.keysource.SourceMisconfiguredException;
import dev.keysource.vault.internal.VaultErrors.Call;
import io.github.jopenlibs.vault.Vault;
import io.github.jopenlibs.vault.VaultConfig;
import io.github.jopenlibs.vault.VaultException;
import io.github.jopenlibs.vault.response.AuthResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * Where a session's Vault token comes from: given (code, {@code VAULT_TOKEN}), a token file
 * ({@code ~/.vault-token}, re-read when Vault refuses the token), a login method (AppRole, Kubernetes),
 * or a user's own {@link VaultConfig}.
 */
abstract class TokenProvider {

    /** Obtains a token. Throws classified keysource exceptions. */
    abstract Login obtain(VaultSession session, String reference);

    /** Whether {@link #obtain} can give a different token after the current one was refused. */
    abstract boolean canReacquire();

    /** Whether {@link #obtain} logs in (so an expired token is replaced before it is used). */
    boolean logsIn() {
        return false;
    }

    /** Whether the session may renew the token and look it up (not for a user's own config). */
    boolean managesLifecycle() {
        return true;
    }

    /** For messages: "the token from environment variable VAULT_TOKEN", "AppRole login at auth/approle". */
    abstract String describe();

    /** What to do when the token is expired or revoked. */
    abstract String renewAdvice();

    static TokenProvider of(VaultOptions o) {
        return switch (o.auth) {
            case APPROLE -> new AppRole(o);
            case KUBERNETES -> new Kubernetes(o);
            case NONE -> new ProxyToken(o.address());
            default -> o.tokenFile != null ? new TokenFile(o.tokenFile) : new Given(o.token, o.tokenOrigin);
        };
    }

    /** A token given in code or the environment. */
    static final class Given extends TokenProvider {
        private final String token;
        private final String origin;

        Given(String token, String origin) {
            this.token = token;
            this.origin = origin;
        }

        @Override
        Login obtain(VaultSession session, String reference) {
            return new Login(token, null, false);
        }

        @Override
        boolean canReacquire() {
            return false;
        }

        @Override
        String describe() {
            return "the token from " + origin;
        }

        @Override
        String renewAdvice() {
            return "set a fresh token (" + origin + "), or log in with auth=approle or auth=kubernetes so keysource"
                    + " can log in again by itself";
        }
    }

    /** {@code ~/.vault-token}: re-read on every (re)acquisition, so 'vault login' or a Vault Agent sink refreshes it. */
    static final class TokenFile extends TokenProvider {
        private final Path file;

        TokenFile(Path file) {
            this.file = file;
        }

        @Override
        Login obtain(VaultSession session, String reference) {
            return new Login(VaultOptions.readSmallFile(reference, "token file", file), null, false);
        }

        @Override
        boolean canReacquire() {
            return true;
        }

        @Override
        String describe() {
            return "the token from " + file;
        }

        @Override
        String renewAdvice() {
            return "run 'vault login' to write a fresh token to " + file + ", or set VAULT_TOKEN";
        }
    }

    /** A user's own configuration: its token is read on each (re)acquisition; renewal is the user's business. */
    static final class FromConfig extends TokenProvider {
        private final Supplier<String> token;

        FromConfig(Supplier<String> token) {
            this.token = token;
        }

        @Override
        Login obtain(VaultSession session, String reference) {
            String t = token.get();
            if (t == null || t.isBlank()) {
                throw new SourceMisconfiguredException(reference, "the VaultConfig passed to"
                        + " VaultKeySources has no token; set one with VaultConfig.token(..)");
            }
            return new Login(t, null, false);
        }

        @Override
        boolean canReacquire() {
            return true;
        }

        @Override
        boolean managesLifecycle() {
            return false;
        }

        @Override
        String describe() {
            return "the token of the VaultConfig given to VaultKeySources";
        }

        @Override
        String renewAdvice() {
            return "give the VaultConfig a fresh token (VaultConfig.token(..))";
        }
    }

    /** Logs in and reads the auth block of the answer. */
    abstract static class LoginMethod extends TokenProvider {
        final VaultOptions o;

        LoginMethod(VaultOptions o) {
            this.o = o;
        }

        /** Both login methods post to {@code auth/<mount>/login}. */
        final String loginPath() {
            return "auth/" + o.authMount + "/login";
        }

        abstract String name();

        abstract AuthResponse login(Vault unauthenticated, String reference) throws VaultException;

        abstract String loginAdvice();

        @Override
        Login obtain(VaultSession session, String reference) {
            Call call = new Call(reference, session.address(), session.namespace(), "POST", loginPath(),
                    "logging in with " + name());
            AuthResponse r;
            try {
                r = login(session.vault(null), reference);
            } catch (VaultException | RuntimeException e) {
                if (e instanceof VaultException vaultException && vaultException.getHttpStatusCode() == 404) {
                    throw new SourceMisconfiguredException(reference, "logging in with " + name()
                            + " failed: Vault answered 404 to " + call.where() + "; no " + name() + " auth method is"
                            + " mounted at auth/" + o.authMount + ": set 'auth-mount' to where it is mounted");
                }
                if (e instanceof VaultException vaultException && vaultException.getHttpStatusCode() == 400) {
                    // Vault answers 400 to bad login credentials ("invalid role or secret ID")
                    throw VaultErrors.rejected(call, 400, VaultErrors.bodyOf(vaultException), loginAdvice());
                }
                throw VaultErrors.forException(call, e, loginAdvice());
            }
            String token = r.getAuthClientToken();
            if (token == null || token.isEmpty()) {
                throw VaultErrors.malformed(call, r.getRestResponse().getStatus());
            }
            return new Login(token, Duration.ofSeconds(Math.max(0, r.getAuthLeaseDuration())), r.isAuthRenewable());
        }

        @Override
        boolean canReacquire() {
            return true;
        }

        @Override
        boolean logsIn() {
            return true;
        }

        @Override
        String describe() {
            return "the token from the " + name() + " login at auth/" + o.authMount;
        }

        @Override
        String renewAdvice() {
            return "keysource logged in again and Vault still refused: " + loginAdvice();
        }
    }

    static final class AppRole extends LoginMethod {
        AppRole(VaultOptions o) {
            super(o);
        }

        @Override
        String name() {
            return "AppRole";
        }

        @Override
        AuthResponse login(Vault v, String reference) throws VaultException {
            String secretId = o.secretId;
            if (secretId == null && o.secretIdFile != null) {
                secretId = VaultOptions.readSmallFile(reference, "secret-id-file", o.secretIdFile);
            }
            return v.auth().withNameSpace(o.namespace).loginByAppRole(o.authMount, o.roleId, secretId);
        }

        @Override
        String loginAdvice() {
            return "check the role ID (" + o.roleIdOrigin + ") and the secret ID (VAULT_SECRET_ID, 'secret-id' or"
                    + " 'secret-id-file'): a secret ID may have expired or run out of uses";
        }
    }

    static final class Kubernetes extends LoginMethod {
        Kubernetes(VaultOptions o) {
            super(o);
        }

        @Override
        String name() {
            return "Kubernetes";
        }

        @Override
        AuthResponse login(Vault v, String reference) throws VaultException {
            // read on every login: projected service-account tokens rotate
            String jwt = VaultOptions.readSmallFile(reference, "jwt-file", o.jwtFile);
            return v.auth().withNameSpace(o.namespace).loginByKubernetes(o.role, jwt, "auth/" + o.authMount);
        }

        @Override
        String loginAdvice() {
            return "check that Vault role '" + o.role + "' exists at auth/" + o.authMount + " and is bound to this"
                    + " pod's service account and namespace, and that " + o.jwtFile + " holds a current token";
        }
    }

    /** Builds a driver configuration without consulting the process environment. */
    static VaultConfig config(String address, String token, java.net.http.HttpClient http, Duration timeout)
            throws VaultException {
        int seconds = (int) Math.max(1, Math.min(Integer.MAX_VALUE, (timeout.toMillis() + 999) / 1000));
        return new VaultConfig()
                .environmentLoader(NoEnvironment.INSTANCE)
                .address(address)
                .token(token)
                .engineVersion(1) // paths are passed through as given: we resolve KV v2 paths ourselves
                .openTimeout(seconds)
                .readTimeout(seconds)
                .httpClient(http)
                .build();
    }

    /** The driver reads VAULT_* from System.getenv() unless told otherwise: we resolve settings ourselves. */
    static final class NoEnvironment extends io.github.jopenlibs.vault.EnvironmentLoader {
        private static final long serialVersionUID = 1L;
        static final NoEnvironment INSTANCE = new NoEnvironment();

        @Override
        public String loadVariable(String name) {
            return null;
        }
    }
}
