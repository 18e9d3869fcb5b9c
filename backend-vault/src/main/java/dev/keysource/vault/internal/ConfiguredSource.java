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

    /** Where {@code kv} comes from here: the reference (there are no settings with a ready configuration). */
    private static final String KV_ORIGIN = "reference option 'kv'";

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
        // the same parser and messages as the provider's settings (VaultOptions)
        Integer kv = ref.option("kv").isPresent()
                ? Integer.valueOf(VaultOptions.kv(reference, ref.option("kv").get(), KV_ORIGIN)) : null;
        Integer version = ref.option("version").isPresent()
                ? Integer.valueOf(VaultOptions.version(reference, ref.option("version").get(),
                        "reference option 'version'", kv)) : null;
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
        return new VaultKeySource(ref, kv, KV_ORIGIN, version, session, clock, VaultSession::close);
    }
}
