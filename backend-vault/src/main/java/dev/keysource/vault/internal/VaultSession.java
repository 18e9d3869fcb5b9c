package dev.keysource.vault.internal;

import dev.keysource.KeySourceException;
import dev.keysource.spi.ProviderContext;
import io.github.jopenlibs.vault.Vault;
import io.github.jopenlibs.vault.VaultConfig;
import io.github.jopenlibs.vault.VaultException;
import io.github.jopenlibs.vault.response.AuthResponse;
import io.github.jopenlibs.vault.response.LookupResponse;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.ArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the sources of one Vault identity share: the configured HTTP client, the token and its
 * lifecycle, and the mounts found so far. One per (address, namespace, TLS, auth) and client threads
 * inside a provider instance: the token upkeep is the session's, run on the scheduler and executor of
 * the client that opened it (every source of the session comes from that client), whichever source
 * came first or closes first.
 *
 * <p>Token lifecycle: a login method logs in on first use; a given token is looked up (lookup-self)
 * shortly after first use to learn its TTL. A renewable token is renewed at two thirds of its lease
 * (renew-self, using the lease Vault returns, which may be capped by the token's max TTL; when the cap
 * bites, a login method logs in afresh instead). All of it is scheduled on the context's scheduler and
 * run on its executor: no threads of our own. When Vault refuses a token that looks expired or revoked
 * (its TTL has passed, or lookup-self is refused too), the token is re-acquired once: a login method
 * logs in again, a token file is re-read.
 */
public final class VaultSession {

    private static final Logger LOG = LoggerFactory.getLogger(VaultSession.class);

    /** A given token is looked up this long after first use (a one-shot CLI run never pays for it). */
    static final Duration LOOKUP_DELAY = Duration.ofSeconds(1);
    /** A failed lookup or renewal is tried again after at most this long. */
    static final Duration RETRY_DELAY = Duration.ofSeconds(30);
    /** Renew (or log in again) when this fraction of the lease has passed. */
    static final double RENEW_AT = 2.0 / 3.0;
    /** A token this close to its expiry counts as expired (capped at a tenth of its lease). */
    static final Duration EXPIRY_MARGIN = Duration.ofSeconds(5);

    private final String address;
    private final String namespace;
    private final HttpClient http;
    private final Duration timeout;
    private final TokenProvider tokens;
    private final Clock clock;
    private final String reference;
    private final Object lock = new Object();
    private final AtomicReference<TokenState> state = new AtomicReference<>();
    private final Map<String, MountInfo> mounts = new ConcurrentHashMap<>();
    /**
     * The threads of the session's users (one entry per distinct scheduler and executor, counted): token
     * upkeep is the session's, hosted by one of them, and moved to another when that one leaves.
     */
    private final List<Threads> threads = new ArrayList<>(); // guarded by lock
    private Threads host; // guarded by lock: where the pending upkeep is scheduled
    private Runnable pendingWork; // guarded by lock
    private Instant pendingDue; // guarded by lock, on the session's clock
    private final Map<String, Boolean> noticed = new ConcurrentHashMap<>();
    private ScheduledFuture<?> pending; // guarded by lock
    private volatile boolean closed;

    /**
     * @param reference the first reference served, for messages of background work
     */
    VaultSession(String address, String namespace, HttpClient http, Duration timeout, TokenProvider tokens,
                 Clock clock, String reference) {
        this.address = address;
        this.namespace = namespace;
        this.http = http;
        this.timeout = timeout;
        this.tokens = tokens;
        this.clock = clock;
        this.reference = reference;
    }

    /** A token and the driver client that sends it. Never shows the token. */
    static final class TokenState {
        final String token;
        final Vault vault;
        final long generation;
        /** The lease Vault last reported; null while unknown. */
        final Duration lease;
        final Instant expiresAt;
        final boolean renewable;

        TokenState(String token, Vault vault, long generation, Duration lease, Instant expiresAt, boolean renewable) {
            this.token = token;
            this.vault = vault;
            this.generation = generation;
            this.lease = lease;
            this.expiresAt = expiresAt;
            this.renewable = renewable;
        }

        TokenState withLease(Duration newLease, Instant newExpiry, boolean nowRenewable) {
            return new TokenState(token, vault, generation, newLease, newExpiry, nowRenewable);
        }

        boolean expired(Instant now) {
            if (expiresAt == null) {
                return false;
            }
            Duration margin = lease != null && lease.dividedBy(10).compareTo(EXPIRY_MARGIN) < 0
                    ? lease.dividedBy(10) : EXPIRY_MARGIN;
            return !now.isBefore(expiresAt.minus(margin));
        }

        @Override
        public String toString() {
            return "TokenState[****, generation=" + generation + ", lease=" + lease + ", expires=" + expiresAt + "]";
        }
    }

    String address() {
        return address;
    }

    String namespace() {
        return namespace;
    }

    TokenProvider tokens() {
        return tokens;
    }

    Clock clock() {
        return clock;
    }

    /** A driver client sending {@code token} (none if null), over the shared HTTP client, with retries off. */
    Vault vault(String token) {
        try {
            VaultConfig config = TokenProvider.config(address, token, BoundedBody.client(http, BoundedBody.MAX_BYTES),
                    timeout); // every answer is read whole: capped, so an endless body cannot exhaust the heap
            return Vault.create(config); // retries stay at the default 0: our resilience layer retries
        } catch (VaultException e) {
            throw new IllegalStateException("cannot configure the Vault driver", e);
        }
    }

    /** The token to use now: logs in (or re-reads a token file) when there is none or it has expired. */
    TokenState current(String ref) {
        TokenState st = state.get();
        if (st != null && !(st.expired(clock.instant()) && tokens.canReacquire())) {
            return st;
        }
        synchronized (lock) {
            st = state.get();
            if (st == null) {
                return install(tokens.obtain(this, ref), 1);
            }
            if (!(st.expired(clock.instant()) && tokens.canReacquire())) {
                return st;
            }
            Login l = tokens.obtain(this, ref);
            if (!tokens.logsIn() && l.token.equals(st.token)) {
                return st; // the token file still holds the expired token: use it, and let Vault say so
            }
            LOG.debug("keysource: vault: the token for {} expired; obtained a new one from {}", address,
                    tokens.describe());
            return install(l, st.generation + 1);
        }
    }

    /**
     * After Vault refused {@code stale}: a different token if one can be had (a new login, a changed token
     * file), or null. Concurrent callers with the same stale token share one re-acquisition.
     */
    TokenState reacquire(TokenState stale, String ref) {
        synchronized (lock) {
            TokenState st = state.get();
            if (st != null && st.generation != stale.generation) {
                return st.token.equals(stale.token) ? null : st;
            }
            if (!tokens.canReacquire()) {
                return null;
            }
            Login l = tokens.obtain(this, ref);
            if (l.token.equals(stale.token)) {
                return null;
            }
            LOG.info("keysource: vault: Vault at {} refused an expired or revoked token; obtained a new one from {}",
                    address, tokens.describe());
            return install(l, stale.generation + 1);
        }
    }

    /**
     * Whether Vault's refusal of {@code st} looks like an expired or revoked token rather than a missing
     * policy: its TTL has passed, or lookup-self is refused too.
     */
    boolean looksExpired(TokenState st) {
        if (st.expiresAt != null && !clock.instant().isBefore(st.expiresAt)) {
            return true;
        }
        try {
            st.vault.auth().withNameSpace(namespace).lookupSelf();
            return false;
        } catch (VaultException e) {
            return e.getHttpStatusCode() == 401 || e.getHttpStatusCode() == 403;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** The cached mount holding {@code path} (longest match), or null. */
    MountInfo cachedMount(String path) {
        MountInfo best = null;
        for (MountInfo m : mounts.values()) {
            if (m.contains(path) && (best == null || m.path.length() > best.path.length())) {
                best = m;
            }
        }
        return best;
    }

    void cacheMount(MountInfo m) {
        mounts.put(m.path, m);
    }

    void forgetMount(MountInfo m) {
        mounts.remove(m.path, m);
    }

    /** Logs {@code message} at INFO the first time {@code key} is seen in this session. */
    void noticeOnce(String key, String message, Object... args) {
        if (noticed.putIfAbsent(key, Boolean.TRUE) == null) {
            LOG.info(message, args);
        }
    }

    // ----------------------------------------------------------------------------------------- lifecycle

    /** A user's threads. */
    private static final class Threads {
        final ScheduledExecutorService scheduler;
        final Executor executor;
        int users;

        Threads(ScheduledExecutorService scheduler, Executor executor) {
            this.scheduler = scheduler;
            this.executor = executor;
        }
    }

    /** A source of {@code ctx} joins the session: its threads may host the token upkeep. */
    void retain(ProviderContext ctx) {
        if (ctx == null) {
            return;
        }
        synchronized (lock) {
            for (Threads t : threads) {
                if (t.scheduler == ctx.scheduler() && t.executor == ctx.executor()) {
                    t.users++;
                    return;
                }
            }
            Threads t = new Threads(ctx.scheduler(), ctx.executor());
            t.users = 1;
            threads.add(t);
        }
    }

    /**
     * A source of {@code ctx} leaves (the provider's pool counts the sources and closes the session after the
     * last). When the last user of the threads hosting the pending upkeep leaves (its client is closing, and its
     * scheduler may stop), the upkeep moves to another user's threads.
     */
    void leave(ProviderContext ctx) {
        if (ctx != null) {
            synchronized (lock) {
                for (java.util.Iterator<Threads> it = threads.iterator(); it.hasNext(); ) {
                    Threads t = it.next();
                    if (t.scheduler == ctx.scheduler() && t.executor == ctx.executor()) {
                        if (--t.users == 0) {
                            it.remove();
                            if (t == host) {
                                rehost();
                            }
                        }
                        break;
                    }
                }
            }
        }
    }

    /** Moves the pending upkeep to the first remaining user's threads, at the same due time. Holds lock. */
    private void rehost() {
        if (pending != null) {
            pending.cancel(false);
            pending = null;
        }
        host = null;
        if (pendingWork == null || closed || threads.isEmpty()) {
            return;
        }
        Duration left = Duration.between(clock.instant(), pendingDue);
        arm(left.isNegative() ? Duration.ZERO : left, pendingWork);
    }

    /**
     * Ends the session (its last source closed, or its client): stops token upkeep, revokes the token if
     * the session logged in for it (AppRole, Kubernetes: nobody else knows that token), and closes the
     * HTTP client. A token the user gave (code, {@code VAULT_TOKEN}, a token file, a VaultConfig) is never
     * revoked: it is the user's.
     */
    void close() {
        TokenState st;
        synchronized (lock) {
            closed = true;
            if (pending != null) {
                pending.cancel(false);
                pending = null;
            }
            st = state.getAndSet(null);
        }
        if (st != null && tokens.logsIn()) {
            revoke(st);
        }
        closeHttpClient(http);
    }

    private void revoke(TokenState st) {
        try {
            st.vault.auth().withNameSpace(namespace).revokeSelf();
            LOG.debug("keysource: vault: revoked the token of {} at {}", tokens.describe(), address);
        } catch (VaultException | RuntimeException e) {
            int status = e instanceof VaultException vaultException ? vaultException.getHttpStatusCode() : 0;
            LOG.info("keysource: vault: could not revoke {} at {} on close ({}); it expires by itself at the end of"
                    + " its TTL", tokens.describe(), address, status > 0 ? "status " + status
                    : e.getClass().getSimpleName());
        }
    }

    /**
     * On Java 21+ {@code HttpClient} is {@code AutoCloseable}: closing it ends its selector thread, which a
     * JVM exit would otherwise wait up to 300 ms for (threads parked in native code); a no-op on Java 17.
     */
    @SuppressWarnings("ConstantConditions")
    static void closeHttpClient(Object client) {
        if (client instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                LOG.debug("keysource: vault: closing the HTTP client failed: {}", e.getClass().getName());
            }
        }
    }

    private TokenState install(Login l, long generation) {
        Instant now = clock.instant();
        Instant expiry = l.lease != null && !l.lease.isZero() ? now.plus(l.lease) : null;
        TokenState st = new TokenState(l.token, vault(l.token), generation, l.lease, expiry, l.renewable);
        state.set(st);
        planNext(st, null);
        return st;
    }

    /** Schedules what comes next for {@code st}: a lookup, a renewal, a new login, or nothing. */
    private void planNext(TokenState st, Duration previousLease) {
        if (!tokens.managesLifecycle()) {
            return;
        }
        if (st.lease == null) {
            schedule(LOOKUP_DELAY, st, () -> lookup(st));
            return;
        }
        if (st.lease.isZero()) {
            return; // a token that does not expire (root, or no TTL)
        }
        Duration at = fraction(st.lease);
        boolean capped = previousLease != null && st.lease.compareTo(previousLease) < 0;
        if (tokens.logsIn() && (capped || !st.renewable)) {
            schedule(at, st, () -> relogin(st));
        } else if (st.renewable) {
            schedule(at, st, () -> renew(st));
        }
    }

    private void lookup(TokenState st) {
        LookupResponse r;
        try {
            r = st.vault.auth().withNameSpace(namespace).lookupSelf();
        } catch (VaultException | RuntimeException e) {
            int status = e instanceof VaultException vaultException ? vaultException.getHttpStatusCode() : 0;
            if (status == 401 || status == 403) {
                LOG.warn("keysource: vault: Vault at {} refused to look up {} ({}): it is expired or revoked; {}",
                        address, tokens.describe(), status, tokens.renewAdvice());
                return;
            }
            LOG.debug("keysource: vault: looking up the token at {} failed ({}); trying again in {}", address,
                    status > 0 ? "status " + status : e.getClass().getSimpleName(), RETRY_DELAY);
            schedule(RETRY_DELAY, st, () -> lookup(st));
            return;
        }
        long ttl = Math.max(0, r.getTTL());
        TokenState known = st.withLease(Duration.ofSeconds(ttl), ttl > 0 ? clock.instant().plusSeconds(ttl) : null,
                r.isRenewable());
        if (state.compareAndSet(st, known)) {
            LOG.debug("keysource: vault: token at {}: ttl {} s, renewable {}", address, ttl, known.renewable);
            planNext(known, null);
        }
    }

    private void renew(TokenState st) {
        AuthResponse r;
        try {
            r = st.vault.auth().withNameSpace(namespace).renewSelf();
        } catch (VaultException | RuntimeException e) {
            int status = e instanceof VaultException vaultException ? vaultException.getHttpStatusCode() : 0;
            String what = status > 0 ? "status " + status : e.getClass().getSimpleName();
            if (status == 401 || status == 403) {
                LOG.warn("keysource: vault: Vault at {} refused to renew {} ({}); {}", address, tokens.describe(),
                        what, tokens.logsIn() ? "logging in again" : tokens.renewAdvice());
                if (tokens.logsIn()) {
                    relogin(st);
                }
                return;
            }
            Duration left = st.expiresAt == null ? Duration.ZERO : Duration.between(clock.instant(), st.expiresAt);
            Duration retry = left.dividedBy(2).compareTo(RETRY_DELAY) < 0 ? left.dividedBy(2) : RETRY_DELAY;
            LOG.warn(
                    "keysource: vault: renewing the token at {} failed ({}); {}",
                    address,
                    what,
                    retry.toSeconds() >= 1
                            ? "trying again in " + retry.toSeconds() + " s"
                            : tokens.logsIn() ? "will log in again when it expires" : "it will expire");
            if (retry.toSeconds() >= 1) {
                schedule(retry, st, () -> renew(st));
            }
            return;
        }
        long seconds = Math.max(0, r.getAuthLeaseDuration());
        String renewedToken = r.getAuthClientToken();
        if (renewedToken != null && !renewedToken.isEmpty() && !renewedToken.equals(st.token)) {
            LOG.warn("keysource: vault: renew-self at {} answered with a different token; ignoring it", address);
        }
        TokenState renewed = st.withLease(Duration.ofSeconds(seconds),
                seconds > 0 ? clock.instant().plusSeconds(seconds) : null, r.isAuthRenewable());
        if (state.compareAndSet(st, renewed)) {
            LOG.debug("keysource: vault: renewed the token at {} for {} s", address, seconds);
            if (seconds > 0) {
                planNext(renewed, st.lease);
            }
        }
    }

    private void relogin(TokenState st) {
        synchronized (lock) {
            TokenState now = state.get();
            if (closed || now == null || now.generation != st.generation) {
                return;
            }
            try {
                install(tokens.obtain(this, reference), st.generation + 1);
                LOG.debug("keysource: vault: logged in again at {} before the token's max TTL", address);
            } catch (KeySourceException e) {
                LOG.warn("keysource: vault: logging in again ahead of the token's expiry failed; will try when it is"
                        + " next needed: {}", e.getMessage());
            }
        }
    }

    private static Duration fraction(Duration lease) {
        Duration d = Duration.ofMillis((long) (lease.toMillis() * RENEW_AT));
        return d.compareTo(Duration.ofSeconds(1)) < 0 && lease.compareTo(Duration.ofSeconds(1)) >= 0
                ? Duration.ofSeconds(1) : d;
    }

    private void schedule(Duration delay, TokenState expected, Runnable work) {
        if (closed) {
            return;
        }
        Runnable guarded = () -> {
            if (!closed && state.get() == expected) {
                try {
                    work.run();
                } catch (RuntimeException e) {
                    LOG.warn("keysource: vault: token upkeep for {} failed: {}", address, e.toString());
                }
            }
        };
        synchronized (lock) {
            if (pending != null) {
                pending.cancel(false);
                pending = null;
            }
            pendingWork = guarded;
            pendingDue = clock.instant().plus(delay);
            arm(delay, guarded);
        }
    }

    /** Schedules {@code work} on the first user's threads that accept it. Holds lock. */
    private void arm(Duration delay, Runnable work) {
        for (Threads t : threads) {
            try {
                Executor executor = t.executor;
                pending = t.scheduler.schedule(() -> {
                    try {
                        executor.execute(() -> {
                            synchronized (lock) {
                                if (pendingWork == work) {
                                    pendingWork = null;
                                }
                            }
                            work.run();
                        });
                    } catch (RejectedExecutionException e) {
                        LOG.debug("keysource: vault: token upkeep for {} not run: the executor is shut down", address);
                    }
                }, Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
                host = t;
                return;
            } catch (RejectedExecutionException e) {
                LOG.debug("keysource: vault: token upkeep for {} not scheduled on a shut-down scheduler", address);
            }
        }
        pending = null;
        host = null;
    }

    @Override
    public String toString() {
        return "VaultSession[" + address + (namespace != null ? ", namespace " + namespace : "") + ", "
                + tokens.describe() + "]";
    }
}
