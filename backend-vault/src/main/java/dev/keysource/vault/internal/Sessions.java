package dev.keysource.vault.internal;

import dev.keysource.KeyRef;
import dev.keysource.spi.KeySource;
import dev.keysource.spi.ProviderContext;
import dev.keysource.spi.SharedPool;
import java.net.http.HttpClient;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sessions of one provider instance, one per Vault identity (address, namespace, TLS, auth),
 * shared by the sources created for it and closed with the last of them. Instance state only.
 */
public final class Sessions {

    private static final Logger LOG = LoggerFactory.getLogger(Sessions.class);

    /** A client connects within this long at most, even when the attempt time limit is longer. */
    static final Duration MAX_CONNECT_TIMEOUT = Duration.ofSeconds(10);

    /**
     * One session per {@link VaultOptions#sessionKey()}. A session is opened without network I/O (the login comes with
     * the first fetch) and closed, revoking a token it logged in for, outside the pool's lock.
     */
    private final SharedPool<String, VaultSession> sessions = new SharedPool<>(VaultSession::close);

    /** Creates the source for {@code ref}: resolves its settings, then joins or opens its session. */
    public KeySource create(KeyRef ref, ProviderContext ctx) {
        VaultOptions o = VaultOptions.resolve(ref, ctx);
        SharedPool.Lease<VaultSession> lease = sessions.acquire(o.sessionKey(), k -> open(o, ctx));
        VaultSession session = lease.value();
        session.retain(ctx);
        return new VaultKeySource(ref, o.kv, o.kvOrigin, o.version, session, ctx.clock(), s -> {
            s.leave(ctx);
            lease.release();
        }, o.allFields, o.authDescription());
    }

    private static VaultSession open(VaultOptions o, ProviderContext ctx) {
        SSLContext tls = Tls.context(o.reference, o.cacert, o.capath, o.skipVerify);
        if (tls == null && o.address.regionMatches(true, 0, "http://", 0, 7)) {
            tls = Tls.lazyDefault(); // no trust store parsed unless a redirect leads to https://
        }
        if (o.skipVerify) {
            LOG.warn("keysource: vault: TLS VERIFICATION IS OFF for Vault at {} ({}): anyone on the network path can"
                    + " read the token and every secret. Set VAULT_CACERT to Vault's CA certificate instead.",
                    o.address, o.skipVerifyOrigin);
        }
        Duration timeout = ctx.attemptTimeout();
        HttpClient http = httpClient(tls, timeout);
        return new VaultSession(o.address, o.namespace, http, timeout, TokenProvider.of(o), ctx.clock(), o.reference);
    }

    /**
     * One HTTP/1.1 client per session, as Vault Agent needs; follows Vault's standby redirects (307). Its
     * dependent tasks run on its own selector thread (a direct executor): the JDK's default would add a
     * cached pool of worker threads per session, and the fetch executor must not be used for them (a
     * fetch blocked in {@code send} would wait on a task queued behind it: see
     * {@link dev.keysource.spi.ProviderContext#executor()}).
     */
    static HttpClient httpClient(SSLContext tls, Duration attemptTimeout) {
        Duration connect = attemptTimeout.compareTo(MAX_CONNECT_TIMEOUT) < 0 ? attemptTimeout : MAX_CONNECT_TIMEOUT;
        HttpClient.Builder b = HttpClient.newBuilder()
                .executor(Runnable::run)
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(connect.isZero() || connect.isNegative() ? MAX_CONNECT_TIMEOUT : connect);
        if (tls != null) {
            b.sslContext(tls);
        }
        return b.build();
    }
}
