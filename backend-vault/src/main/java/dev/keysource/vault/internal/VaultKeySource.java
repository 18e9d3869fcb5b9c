package dev.keysource.vault.internal;

import dev.keysource.KeyRef;
import dev.keysource.KeySourceException;
import dev.keysource.Secret;
import dev.keysource.SecretNotFoundException;
import dev.keysource.SourceAccessDeniedException;
import dev.keysource.SourceMisconfiguredException;
import dev.keysource.spi.Json;
import dev.keysource.spi.KeySource;
import dev.keysource.spi.Printable;
import dev.keysource.vault.internal.VaultErrors.Call;
import dev.keysource.vault.internal.VaultSession.TokenState;
import io.github.jopenlibs.vault.VaultException;
import io.github.jopenlibs.vault.json.JsonObject;
import io.github.jopenlibs.vault.json.JsonValue;
import io.github.jopenlibs.vault.response.LogicalResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one {@code vault:} reference: finds the mount of the path ({@code GET
 * /v1/sys/internal/ui/mounts/<path>}, cached per mount, as {@code vault kv get} does), reads the secret
 * through the driver ({@code <mount>/data/<rest>} on KV v2, the path itself on KV v1 and other
 * engines), and picks the field. One round trip per fetch once the mount is known; no cache, no retries.
 */
public final class VaultKeySource implements KeySource {

    private static final Logger LOG = LoggerFactory.getLogger(VaultKeySource.class);

    private final KeyRef ref;
    private final String reference;
    private final String path;
    private final Integer kv;
    private final String kvOrigin;
    private final Integer version;
    private final VaultSession session;
    private final Clock clock;
    private final Consumer<VaultSession> onClose;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final boolean allFields;
    private final String auth;

    /**
     * @param onClose called once by {@link #close()} (the provider releases the shared session)
     */
    public VaultKeySource(KeyRef ref, Integer kv, String kvOrigin, Integer version, VaultSession session, Clock clock,
                          Consumer<VaultSession> onClose) {
        this(ref, kv, kvOrigin, version, session, clock, onClose, false, null);
    }

    /**
     * @param allFields the value is every field as one JSON object ({@code fields=all})
     * @param auth how the token is obtained, for {@link #describe()}; null if unknown
     */
    public VaultKeySource(KeyRef ref, Integer kv, String kvOrigin, Integer version, VaultSession session, Clock clock,
                          Consumer<VaultSession> onClose, boolean allFields, String auth) {
        this.allFields = allFields;
        this.auth = auth;
        this.ref = ref;
        this.reference = ref.toString();
        this.path = VaultOptions.trimSlashes(ref.location()).replaceAll("/+", "/");
        this.kv = kv;
        this.kvOrigin = kvOrigin;
        this.version = version;
        this.session = session;
        this.clock = clock;
        this.onClose = onClose;
    }

    @Override
    public KeyRef ref() {
        return ref;
    }

    /** Address, namespace, auth method, the token's TTL and renewability (a lookup-self; never the token), mount. */
    @Override
    public Map<String, String> describe() {
        Map<String, String> d = new java.util.LinkedHashMap<>();
        d.put("address", session.address());
        d.put("namespace", session.namespace() != null ? session.namespace() : "(none: the root namespace)");
        if (auth != null) {
            d.put("auth", auth);
        }
        try {
            TokenState st = session.current(reference);
            io.github.jopenlibs.vault.response.LookupResponse r = st.vault.auth().withNameSpace(session.namespace())
                    .lookupSelf();
            int status = r.getRestResponse().getStatus();
            if (status != 200) {
                d.put("token", "Vault answered " + status + " to a lookup of the token (auth/token/lookup-self)");
            } else {
                long ttl = r.getTTL();
                d.put("token", (ttl == 0 ? "no expiry (TTL 0)" : "TTL " + ttl + " s") + ", "
                        + (r.isRenewable() ? "renewable" : "not renewable") + ", policies "
                        + String.join(", ", r.getPolicies()) + (r.getPath() != null && !r.getPath().isEmpty()
                        ? ", created by " + r.getPath() : ""));
            }
        } catch (io.github.jopenlibs.vault.VaultException | RuntimeException e) {
            d.put("token", "could not be looked up (" + e.getClass().getSimpleName() + ")");
        }
        MountInfo m = session.cachedMount(path);
        if (m != null) {
            d.put("mount", m.path + " (" + (m.kv > 0 ? "KV v" + m.kv : "engine '" + m.type + "'") + ")");
        }
        return d;
    }

    @Override
    public Secret fetch() {
        if (closed.get()) {
            throw new SourceMisconfiguredException(reference, "this source is closed");
        }
        TokenState st = session.current(reference);
        try {
            return read(st);
        } catch (Refused first) {
            if (!session.looksExpired(st)) {
                throw first.toException("the token (" + session.tokens().describe() + ") is valid, but "
                        + first.policyAdvice);
            }
            TokenState fresh = session.reacquire(st, reference);
            if (fresh == null) {
                throw first.toException(session.tokens().describe() + " is expired or revoked: "
                        + session.tokens().renewAdvice());
            }
            try {
                return read(fresh);
            } catch (Refused second) {
                throw second.toException("refused even with a fresh token (" + session.tokens().describe() + "): "
                        + second.policyAdvice);
            }
        }
    }

    private Secret read(TokenState st) {
        MountInfo mount = mount(st);
        String rest = path.length() >= mount.path.length() ? path.substring(mount.path.length()) : "";
        String apiPath;
        if (mount.kv == 2) {
            if (rest.isEmpty()) {
                throw new SourceMisconfiguredException(reference, "'" + path + "' names the KV mount "
                        + mount.path + " itself, not a secret in it; write vault:" + mount.path + "<name>");
            }
            apiPath = mount.path + "data/" + rest + (version != null ? "?version=" + version : "");
        } else {
            if (version != null) {
                throw new SourceMisconfiguredException(reference, "'version' pins a KV v2 version, but "
                        + mount.path + " is " + (mount.kv == 1 ? "a KV v1 mount" : "a '" + mount.type + "' mount")
                        + ", which has no versions; remove ?version");
            }
            apiPath = path;
        }
        Call call = new Call(reference, session.address(), session.namespace(), "GET", apiPath, "reading the secret");
        LogicalResponse r = get(st, call, encode(apiPath));
        int status = r.getRestResponse().getStatus();
        if (status == 401 || status == 403) {
            throw new Refused(call, status, r.getRestResponse().getBody(), "its policies do not allow 'read' on "
                    + policyPath(apiPath) + ": grant it, e.g. path \"" + policyPath(apiPath)
                    + "\" { capabilities = [\"read\"] }");
        }
        if (status == 404) {
            session.forgetMount(mount); // re-detect next time: the mount may have been moved or upgraded
            if (mount.kv == 2) {
                KeySourceException deleted = deletedVersion(call, r);
                if (deleted != null) {
                    throw deleted;
                }
                throw notFoundInKv2(call, mount, rest, r.getRestResponse().getBody());
            }
        }
        if (status != 200) {
            throw VaultErrors.forStatus(call, status, r.getRestResponse().getBody(), null);
        }
        JsonObject data = r.getDataObject();
        if (data == null) {
            throw VaultErrors.malformed(call, status);
        }
        Secret.Builder b;
        if (mount.kv == 2) {
            JsonValue inner = data.get("data");
            JsonValue meta = data.get("metadata");
            if (inner == null || inner.isNull()) {
                throw new SecretNotFoundException(reference, call.where() + " returned no data"
                        + (version != null ? " for version " + version : "") + "; the version may be deleted");
            }
            if (!inner.isObject()) {
                throw VaultErrors.malformed(call, status);
            }
            b = Secret.builder(pick(inner.asObject(), apiPath));
            if (meta != null && meta.isObject()) {
                JsonValue v = meta.asObject().get("version");
                if (v != null && !v.isNull()) {
                    String n = versionNumber(v);
                    if (n == null) {
                        throw VaultErrors.malformed(call, status); // 1e3, 1.5, > 2^63: not what Vault writes
                    }
                    b.version(n);
                }
                b.created(instant(meta.asObject().get("created_time")));
            }
        } else {
            b = Secret.builder(pick(data, apiPath));
            Long lease = r.getLeaseDuration();
            if (mount.kv == 0 && lease != null && lease > 0) {
                b.expiry(clock.instant().plusSeconds(lease)); // a dynamic secret's lease caps the TTL
            }
        }
        return b.build();
    }

    /** The mount of {@link #path}: cached, else asked of Vault. */
    private MountInfo mount(TokenState st) {
        MountInfo cached = session.cachedMount(path);
        if (cached != null) {
            return cached;
        }
        String apiPath = "sys/internal/ui/mounts/" + path;
        Call call = new Call(reference, session.address(), session.namespace(), "GET", apiPath,
                "finding the mount of " + path);
        LogicalResponse r = get(st, call, encode(apiPath));
        int status = r.getRestResponse().getStatus();
        String first = path.contains("/") ? path.substring(0, path.indexOf('/') + 1) : path + "/";
        if (status == 401 || status == 403) {
            if (kv != null) {
                MountInfo m = new MountInfo(first, "kv", kv);
                session.noticeOnce("forbidden:" + first, "keysource: vault: the token may not look up the mount of {}"
                        + " (GET /v1/{} answered {}); using kv={} from {} with mount {}", path, apiPath, status, kv,
                        kvOrigin, first);
                session.cacheMount(m);
                return m;
            }
            throw new Refused(call, status, r.getRestResponse().getBody(), "Vault did not say which mount holds "
                    + path + ": the token has no capability on it, or there is no mount at that path. Check the path,"
                    + " grant the token 'read' on it, or, if the token may read the secret but not look up its mount,"
                    + " set kv=1 or kv=2 (?kv=2 in the reference, or KEYSOURCE_VAULT_KV)");
        }
        if (status == 404) {
            // a Vault older than 0.10 has no such endpoint, and no KV v2: read the path as given, as 'vault kv' does
            int v = kv != null ? kv : 1;
            session.noticeOnce("nomounts", "keysource: vault: Vault at {} has no mounts endpoint (GET /v1/{} answered"
                    + " 404); reading {} as KV v{}", session.address(), apiPath, path, v);
            MountInfo m = new MountInfo(first, "kv", v);
            session.cacheMount(m);
            return m;
        }
        if (status != 200) {
            throw VaultErrors.forStatus(call, status, r.getRestResponse().getBody(), null);
        }
        JsonObject d = r.getDataObject();
        String mountPath = d == null ? null : d.getString("path", null);
        if (mountPath == null || mountPath.isEmpty() || !(path + "/").startsWith(mountPath.endsWith("/") ? mountPath
                : mountPath + "/")) {
            throw VaultErrors.malformed(call, status);
        }
        String type = Printable.escape(d.getString("type", "")); // quoted in messages; the path is a prefix of ours
        int detected = 0;
        if (type.equals("kv") || type.equals("generic")) {
            JsonValue options = d.get("options");
            JsonValue v = options != null && options.isObject() ? options.asObject().get("version") : null;
            detected = v != null && v.isString() && v.asString().equals("2") ? 2 : 1;
        }
        if (kv != null && kv != detected) {
            session.noticeOnce("override:" + mountPath, "keysource: vault: mount {} is {}; reading it as KV v{} as"
                    + " {} says", mountPath, detected == 0 ? "'" + type + "'" : "KV v" + detected, kv, kvOrigin);
            detected = kv;
        }
        MountInfo m = new MountInfo(mountPath, type, detected);
        session.cacheMount(m);
        LOG.debug("keysource: vault: {} is in mount {} ({}) at {}", path, mountPath,
                detected == 0 ? "type " + type : "KV v" + detected, session.address());
        return m;
    }

    private LogicalResponse get(TokenState st, Call call, String encodedPath) {
        try {
            return st.vault.logical().withNameSpace(session.namespace()).read(encodedPath);
        } catch (VaultException | RuntimeException e) {
            throw VaultErrors.forException(call, e, null);
        }
    }

    /** The field named by {@code #field}, or the only field. Names fields in errors, never values. */
    private String pick(JsonObject fields, String apiPath) {
        Map<String, String> values = new TreeMap<>();
        for (JsonObject.Member m : fields) {
            JsonValue v = m.getValue();
            if (v != null && !v.isNull()) {
                values.put(m.getName(), v.isString() ? v.asString() : v.toString());
            }
        }
        if (allFields) {
            return fields.toString(); // every field, as Vault sent them: one JSON object
        }
        if (ref.field().isPresent()) {
            String value = values.get(ref.field().get());
            if (value == null) {
                throw new SourceMisconfiguredException(reference, "the secret at " + apiPath
                        + " has no field '" + ref.field().get() + "'; its fields are: " + names(values)
                        + "; name one with #field");
            }
            return nonEmpty(value, ref.field().get(), apiPath);
        }
        if (values.size() == 1) {
            Map.Entry<String, String> only = values.entrySet().iterator().next();
            return nonEmpty(only.getValue(), only.getKey(), apiPath);
        }
        if (values.isEmpty()) {
            throw new SourceMisconfiguredException(reference, "the secret at " + apiPath
                    + " has no fields");
        }
        String example = values.keySet().iterator().next();
        throw new SourceMisconfiguredException(reference, "the secret at " + apiPath + " has "
                + values.size() + " fields (" + names(values) + "); name the one you want with #field, e.g. vault:"
                + path + "#" + Printable.escape(example));
    }

    /** An empty value is an error on every backend (docs/errors.md): never handed out as a secret. */
    private String nonEmpty(String value, String field, String apiPath) {
        if (value.isEmpty()) {
            throw new SecretNotFoundException(reference, "the field '" + Printable.escape(field)
                    + "' of the secret at " + apiPath + " is empty; write a value to it (e.g. 'vault kv patch "
                    + path + " " + Printable.escape(field) + "=...' on KV v2), or name another field with #field");
        }
        return value;
    }

    /** Field names, for messages, listed as every backend lists them (quoted, escaped, at most 20: Json.names). */
    private static String names(Map<String, String> values) {
        return Json.names(values.keySet());
    }

    /**
     * A KV v2 404 without metadata: a pinned version that does not exist says so; a path that starts with
     * {@code data/} (as the HTTP API spells it) says to drop it; else the common not-found message.
     */
    private KeySourceException notFoundInKv2(Call call, MountInfo mount, String rest, byte[] body) {
        if (version != null) {
            return new SecretNotFoundException(reference, "there is no version " + version + " of "
                    + path + " (Vault answered 404 to " + call.where() + "; the secret may not exist at all): leave"
                    + " 'version' out for the latest, or list its versions with 'vault kv metadata get " + path + "'");
        }
        if (rest.startsWith("data/") && rest.length() > "data/".length()) {
            return new SecretNotFoundException(reference, "nothing is stored at " + path + " (Vault"
                    + " answered 404 to " + call.where() + "): " + mount.path + " is a KV v2 mount and keysource adds"
                    + " data/ itself, so drop 'data/' from the reference: vault:" + mount.path
                    + rest.substring("data/".length()));
        }
        return VaultErrors.forStatus(call, 404, body, null);
    }

    /** A KV v2 404 with metadata and no errors: the version exists but was deleted or destroyed. */
    private KeySourceException deletedVersion(Call call, LogicalResponse r) {
        JsonObject d = r.getDataObject();
        JsonValue meta = d == null ? null : d.get("metadata");
        if (meta == null || !meta.isObject()) {
            return null;
        }
        JsonObject m = meta.asObject();
        JsonValue v = m.get("version");
        String n = versionNumber(v);
        if (n == null) {
            n = version != null ? version.toString() : "?";
        }
        JsonValue destroyed = m.get("destroyed");
        String kvPath = path;
        if (destroyed != null && destroyed.isBoolean() && destroyed.asBoolean()) {
            return new SecretNotFoundException(reference, "version " + n + " of " + kvPath
                    + " was destroyed (Vault answered 404 to " + call.where() + "); write a new version, or pin"
                    + " another with ?version=N");
        }
        JsonValue deletion = m.get("deletion_time");
        String when = deletion != null && deletion.isString() && !deletion.asString().isEmpty()
                ? " at " + Printable.escape(deletion.asString()) : "";
        return new SecretNotFoundException(reference, "version " + n + " of " + kvPath + " was deleted"
                + when + " (Vault answered 404 to " + call.where() + "); undelete it ('vault kv undelete -versions="
                + n + " " + kvPath + "'), write a new version, or pin another with ?version=N");
    }

    /** A KV v2 version: a whole JSON number from 1 to 2^63-1 as Vault writes it, else null. */
    static String versionNumber(JsonValue v) {
        if (v == null || !v.isNumber()) {
            return null;
        }
        String text = v.toString();
        if (!text.matches("[1-9][0-9]{0,18}")) {
            return null;
        }
        try {
            return Long.toString(Long.parseLong(text));
        } catch (NumberFormatException e) {
            return null; // 19 digits past Long.MAX_VALUE
        }
    }

    private static Instant instant(JsonValue v) {
        if (v == null || !v.isString() || v.asString().isEmpty()) {
            return null;
        }
        try {
            return Instant.parse(v.asString());
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** The ACL path of a request path (without the query). */
    private static String policyPath(String apiPath) {
        int q = apiPath.indexOf('?');
        return q < 0 ? apiPath : apiPath.substring(0, q);
    }

    /** Percent-encodes what may not appear raw in a URL path; keeps '/' and an appended '?version=N'. */
    static String encode(String apiPath) {
        int q = apiPath.indexOf("?version=");
        String p = q < 0 ? apiPath : apiPath.substring(0, q);
        StringBuilder sb = new StringBuilder(p.length() + 8);
        for (byte x : p.getBytes(StandardCharsets.UTF_8)) {
            int c = x & 0xFF;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "-._~/!$&'()*+,;=:@".indexOf(c) >= 0) {
                sb.append((char) c);
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
            }
        }
        return q < 0 ? sb.toString() : sb.append(apiPath.substring(q)).toString();
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            onClose.accept(session);
        }
    }

    @Override
    public String toString() {
        return "VaultKeySource[" + reference + "]";
    }

    /** Vault refused a request: turned into {@link SourceAccessDeniedException} once we know why. */
    private static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient Call call;
        private final int status;
        private final transient byte[] body;
        private final String policyAdvice;

        Refused(Call call, int status, byte[] body, String policyAdvice) {
            super(null, null, false, false);
            this.call = call;
            this.status = status;
            this.body = body;
            this.policyAdvice = policyAdvice;
        }

        SourceAccessDeniedException toException(String advice) {
            return VaultErrors.rejected(call, status, body, advice);
        }
    }
}
