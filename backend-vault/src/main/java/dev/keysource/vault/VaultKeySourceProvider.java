package dev.keysource.vault;

import dev.keysource.KeyRef;
import dev.keysource.spi.KeySource;
import dev.keysource.spi.KeySourceProvider;
import dev.keysource.spi.ProviderContext;
import dev.keysource.vault.internal.Sessions;
import dev.keysource.vault.internal.VaultOptions;
import java.util.Set;

/**
 * The {@code vault} scheme: HashiCorp Vault KV v1 and v2 (the version of the mount is detected) and
 * any other secrets engine readable with a plain read (database or AWS credentials, whose lease caps
 * the TTL), through {@code io.github.jopenlibs:vault-java-driver}.
 *
 * <p>{@code vault:secret/claude-code#api_key} reads what {@code vault kv get -field=api_key
 * secret/claude-code} reads, from the same environment: {@code VAULT_ADDR}, {@code VAULT_TOKEN} (then
 * {@code ~/.vault-token}), {@code VAULT_NAMESPACE}, {@code VAULT_CACERT}, {@code VAULT_CAPATH},
 * {@code VAULT_SKIP_VERIFY}. Settings (code, reference option, system property
 * {@code keysource.vault.<name>}, environment {@code KEYSOURCE_VAULT_<NAME>}): {@code address},
 * {@code token} (not as a reference option), {@code namespace}, {@code cacert}, {@code capath},
 * {@code skip-verify}, {@code auth} ({@code token}, {@code approle}, {@code kubernetes}, or {@code none} through a
 * Vault Agent or Vault Proxy listener that adds its auto-auth token),
 * {@code role-id}, {@code role-id-file}, {@code secret-id} (not as a reference option),
 * {@code secret-id-file}, {@code role}, {@code jwt-file}, {@code auth-mount}, {@code kv} ({@code 1}
 * or {@code 2}: skip detection), {@code version} (a KV v2 version).
 *
 * <p>Sources created by one provider instance for the same Vault identity (address, namespace, TLS,
 * auth) share one HTTP client, one token (renewed while renewable, re-acquired when Vault refuses it
 * as expired) and the mounts found so far. Found through {@link java.util.ServiceLoader}.
 */
public final class VaultKeySourceProvider implements KeySourceProvider {

    /** The scheme, {@code vault}. */
    public static final String SCHEME = "vault";

    private final Sessions sessions = new Sessions();

    /** For {@link java.util.ServiceLoader}; does no I/O. */
    public VaultKeySourceProvider() {
    }

    @Override
    public String scheme() {
        return SCHEME;
    }

    @Override
    public Set<String> options() {
        return VaultOptions.NAMES;
    }

    @Override
    public KeySource create(KeyRef ref, ProviderContext context) {
        return sessions.create(ref, context);
    }
}
