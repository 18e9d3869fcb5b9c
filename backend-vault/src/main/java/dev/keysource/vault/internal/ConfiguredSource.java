package dev.keysource.vault.internal;

import dev.keysource.InvalidReferenceException;
import dev.keysource.KeyRef;
import dev.keysource.SourceMisconfiguredException;
import dev.keysource.spi.KeySource;
import io.github.jopenlibs.vault.SslConfig;
import io.github.jopenlibs.vault.VaultConfig;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import javax.net.ssl.SSLContext;

/** Builds the source of {@link dev.keysource.vault.VaultKeySources}: a session over a user's {@link VaultConfig}. */
public final class ConfiguredSource {

    /** The read time limit when the configuration sets none. */
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    /** Options that still apply with a ready configuration. */
    private static final Set<String> READ_OPTIONS = Set.of("kv", "version");

    private ConfiguredSource() {
    }

    public static KeySource create(KeyRef ref, VaultConfig config, Clock clock) {
        String reference = VaultOptions.redacted(ref);
        if (!ref.scheme().equals("vault")) {
            throw new InvalidReferenceException(reference, "VaultKeySources reads vault: references, not "
                    + ref.scheme() + ": ones");
        }
        for (String name : ref.options().keySet()) {
            if (VaultOptions.NAMES.contains(name) && !READ_OPTIONS.contains(name)) {
                throw new SourceMisconfiguredException(reference, "the option '" + name + "' does not"
                        + " apply with VaultKeySources: the VaultConfig you pass decides the address, token, TLS and"
                        + " namespace; remove the option, or set it on the VaultConfig");
            }
        }
        String address = config.getAddress();
        if (address == null || address.isBlank()) {
            throw new SourceMisconfiguredException(reference, "the VaultConfig has no address; set"
                    + " VaultConfig.address(..) (or call build() to read VAULT_ADDR)");
        }
        Integer kv = null;
        if (ref.option("kv").isPresent()) {
            String v = ref.option("kv").get().trim();
            if (!(v.equals("1") || v.equals("2"))) {
                throw new SourceMisconfiguredException(reference, "invalid option 'kv' = '" + v
                        + "'; write kv=1 or kv=2");
            }
            kv = Integer.valueOf(v);
        }
        Integer version = null;
        if (ref.option("version").isPresent()) {
            try {
                version = Integer.valueOf(ref.option("version").get().trim());
            } catch (NumberFormatException e) {
                version = -1;
            }
            if (version < 1) {
                throw new SourceMisconfiguredException(reference, "invalid option 'version' = '"
                        + ref.option("version").get() + "'; a KV v2 version is a whole number from 1");
            }
        }
        Duration timeout = config.getReadTimeout() != null && config.getReadTimeout() > 0
                ? Duration.ofSeconds(config.getReadTimeout()) : DEFAULT_TIMEOUT;
        HttpClient http = config.getHttpClient();
        if (http == null) {
            SslConfig ssl = config.getSslConfig();
            SSLContext tls = ssl == null ? null
                    : !ssl.isVerify() ? Tls.context(reference, null, null, true) : ssl.getSslContext();
            http = Sessions.httpClient(tls, config.getOpenTimeout() != null && config.getOpenTimeout() > 0
                    ? Duration.ofSeconds(config.getOpenTimeout()) : Sessions.MAX_CONNECT_TIMEOUT);
        }
        String ns = config.getNameSpace();
        VaultSession session = new VaultSession(address.endsWith("/") ? address.substring(0, address.length() - 1)
                : address, ns == null || ns.isEmpty() ? null : ns, http, timeout,
                new TokenProvider.FromConfig(config::getToken), clock, ref.toString());
        return new VaultKeySource(ref, kv, "reference option 'kv'", version, session, clock, VaultSession::close);
    }
}
