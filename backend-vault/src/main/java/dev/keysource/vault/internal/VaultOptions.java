package dev.keysource.vault.internal;

import dev.keysource.KeyRef;
import dev.keysource.SourceMisconfiguredException;
import dev.keysource.spi.ProviderContext;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The settings of one {@code vault:} reference, resolved once when the source is created: each from
 * a code setting, a reference option, a system property {@code keysource.vault.<name>} or an
 * environment variable {@code KEYSOURCE_VAULT_<NAME>} (see {@link ProviderContext#setting}), then from
 * the variable the {@code vault} command line reads ({@code VAULT_ADDR}, ...).
 *
 * <p>Holds credentials: deliberately not a record, and {@link #toString()} shows none.
 */
public final class VaultOptions {

    /** Where Kubernetes mounts the pod's service-account token. */
    public static final String DEFAULT_JWT_FILE = "/var/run/secrets/kubernetes.io/serviceaccount/token";

    /** The setting names the {@code vault} scheme accepts. */
    public static final Set<String> NAMES = Set.of("address", "token", "namespace", "cacert", "capath",
            "skip-verify", "auth", "role-id", "role-id-file", "secret-id", "secret-id-file", "role", "jwt-file",
            "auth-mount", "kv", "version", "fields");

    /** The setting names a reference may carry as options: all but the credentials. */
    public static final Set<String> REFERENCE_NAMES = NAMES.stream().filter(n -> !n.equals("token")
            && !n.equals("secret-id")).collect(java.util.stream.Collectors.toUnmodifiableSet());

    /** Settings that hold credentials: refused as reference options, since references show up in logs. */
    static final Set<String> CREDENTIALS = Set.of("token", "secret-id");

    /** How the backend obtains its Vault token. */
    public enum AuthMethod {
        TOKEN("token"), APPROLE("approle"), KUBERNETES("kubernetes"),
        /** No token: a Vault Agent or Vault Proxy at the address adds its auto-auth token ({@code use_auto_auth_token}). */
        NONE("none");

        final String name;

        AuthMethod(String name) {
            this.name = name;
        }
    }

    final String reference;
    final String address;
    final String namespace;
    final Path cacert;
    final Path capath;
    final boolean skipVerify;
    final String skipVerifyOrigin;
    final AuthMethod auth;
    final String authMount;
    /** Token auth: the token given in code or the environment; null when read from {@link #tokenFile}. */
    final String token;
    final String tokenOrigin;
    final Path tokenFile;
    final String roleId;
    final String roleIdOrigin;
    final String secretId;
    final Path secretIdFile;
    final String role;
    final Path jwtFile;
    final Integer kv;
    final String kvOrigin;
    final Integer version;
    /** {@code fields=all}: the value is every field of the secret as one JSON object (no #field). */
    final boolean allFields;

    private VaultOptions(Builder b) {
        this.reference = b.reference;
        this.address = b.address;
        this.namespace = b.namespace;
        this.cacert = b.cacert;
        this.capath = b.capath;
        this.skipVerify = b.skipVerify;
        this.skipVerifyOrigin = b.skipVerifyOrigin;
        this.auth = b.auth;
        this.authMount = b.authMount;
        this.token = b.token;
        this.tokenOrigin = b.tokenOrigin;
        this.tokenFile = b.tokenFile;
        this.roleId = b.roleId;
        this.roleIdOrigin = b.roleIdOrigin;
        this.secretId = b.secretId;
        this.secretIdFile = b.secretIdFile;
        this.role = b.role;
        this.jwtFile = b.jwtFile;
        this.kv = b.kv;
        this.kvOrigin = b.kvOrigin;
        this.version = b.version;
        this.allFields = b.allFields;
    }

    /** How the token is obtained, for {@code keysource check}: method, mount and where its inputs come from. */
    String authDescription() {
        return switch (auth) {
            case APPROLE -> "approle at auth/" + authMount + " (role ID from " + roleIdOrigin + ")";
            case KUBERNETES -> "kubernetes at auth/" + authMount + ", role " + role + " (service-account token "
                    + jwtFile + ")";
            default -> "token (" + (tokenOrigin != null ? tokenOrigin : tokenFile) + ")";
        };
    }

    /** The Vault address, without a trailing slash. */
    public String address() {
        return address;
    }

    /**
     * Resolves every setting for {@code ref}.
     *
     * @throws SourceMisconfiguredException naming the setting and the variables to set
     */
    public static VaultOptions resolve(KeyRef ref, ProviderContext ctx) {
        String reference = ref.toString();
        for (String name : CREDENTIALS) {
            if (ref.option(name).isPresent()) {
                // the reference holds a credential: never echo it; name the reference without its options
                throw new SourceMisconfiguredException(redacted(ref), "the reference carries the"
                        + " credential option '" + name + "'; references appear in logs and error messages, so"
                        + " credentials are not accepted there. Set it in code (setting(\"" + name + "\", ...)) or"
                        + " in the environment (" + (name.equals("token") ? "VAULT_TOKEN" : "VAULT_SECRET_ID or secret-id-file")
                        + ")");
            }
        }
        Builder b = new Builder();
        b.reference = reference;
        b.address = address(reference, ctx);
        b.namespace = setting(ctx, "namespace", "VAULT_NAMESPACE").map(VaultOptions::trimSlashes)
                .filter(s -> !s.isEmpty()).orElse(null);
        b.cacert = setting(ctx, "cacert", "VAULT_CACERT").filter(s -> !s.isBlank()).map(Paths::get).orElse(null);
        b.capath = setting(ctx, "capath", "VAULT_CAPATH").filter(s -> !s.isBlank()).map(Paths::get).orElse(null);
        Optional<String> skip = setting(ctx, "skip-verify", "VAULT_SKIP_VERIFY");
        if (skip.isPresent()) {
            b.skipVerify = parseBool(reference, "skip-verify", origin(ctx, "skip-verify", "VAULT_SKIP_VERIFY"), skip.get());
            b.skipVerifyOrigin = origin(ctx, "skip-verify", "VAULT_SKIP_VERIFY");
        }
        String auth = ctx.setting("auth").orElse("token").trim().toLowerCase(Locale.ROOT);
        b.auth = switch (auth) {
            case "token" -> AuthMethod.TOKEN;
            case "approle" -> AuthMethod.APPROLE;
            case "kubernetes", "k8s" -> AuthMethod.KUBERNETES;
            case "none" -> AuthMethod.NONE;
            default -> throw new SourceMisconfiguredException(
                    reference,
                    "invalid setting 'auth' = '" + auth
                            + "' (" + ctx.settingOrigin("auth").orElse("") + "); accepted: token, approle, kubernetes, "
                            + "none (a Vault Agent or Proxy adds its own token)");
        };
        b.authMount = ctx.setting("auth-mount").map(VaultOptions::trimSlashes)
                .map(m -> m.startsWith("auth/") ? m.substring(5) : m)
                .filter(s -> !s.isEmpty()).orElse(b.auth.name);
        switch (b.auth) {
            case TOKEN -> token(b, ctx);
            case NONE -> ctx.note("auth: none: no Vault token is sent; the Vault Agent or Proxy at " + b.address
                    + " must add its auto-auth token (use_auto_auth_token)");
            case APPROLE -> approle(b, ctx);
            case KUBERNETES -> kubernetes(b, ctx);
        }
        Optional<String> kv = ctx.setting("kv");
        if (kv.isPresent()) {
            b.kv = kv(reference, kv.get(), ctx.settingOrigin("kv").orElse(""));
            b.kvOrigin = ctx.settingOrigin("kv").orElse("setting 'kv'");
        }
        Optional<String> version = ctx.setting("version");
        if (version.isPresent()) {
            b.version = version(reference, version.get(), ctx.settingOrigin("version").orElse(""), b.kv);
        }
        Optional<String> fields = ctx.setting("fields").map(String::trim);
        if (fields.isPresent()) {
            if (!fields.get().equals("all")) {
                throw new SourceMisconfiguredException(reference, "invalid setting 'fields' = '"
                        + fields.get() + "' (" + ctx.settingOrigin("fields").orElse("") + "); the one value is 'all'"
                        + " (every field of the secret as one JSON object)");
            }
            if (ref.field().isPresent()) {
                throw new SourceMisconfiguredException(reference, "fields=all reads every field, but the"
                        + " reference names one (#" + ref.field().get() + "); remove one of them");
            }
            b.allFields = true;
        }
        checkLocation(ref);
        return new VaultOptions(b);
    }

    /**
     * The {@code kv} setting: {@code 1}, {@code 2}, {@code v1} or {@code v2} (any case, surrounding blanks
     * ignored). The one parser of it, for settings and for {@link ConfiguredSource}'s reference options.
     *
     * @param origin where the value came from ("reference option 'kv'"), for the message
     * @throws SourceMisconfiguredException for anything else
     */
    static int kv(String reference, String value, String origin) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        if (v.equals("1") || v.equals("v1")) {
            return 1;
        } else if (v.equals("2") || v.equals("v2")) {
            return 2;
        } else {
            throw new SourceMisconfiguredException(reference, "invalid setting 'kv' = '" + value
                    + "' (" + origin + "); write kv=1 or kv=2 (the KV version of"
                    + " the mount), or leave it unset to detect it");
        }
    }

    /**
     * The {@code version} setting: a KV v2 version, a whole number from 1 (surrounding blanks ignored), which
     * cannot go with {@code kv=1}. The one parser of it, for settings and for {@link ConfiguredSource}.
     *
     * @param kv the parsed {@code kv} setting, or null when it is not set
     * @throws SourceMisconfiguredException naming the value and where it came from
     */
    static int version(String reference, String value, String origin, Integer kv) {
        int version;
        try {
            version = Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            version = -1;
        }
        if (version < 1) {
            throw new SourceMisconfiguredException(reference, "invalid setting 'version' = '"
                    + value + "' (" + origin + "); a KV v2 version is"
                    + " a whole number from 1 (leave it unset for the latest version)");
        }
        if (kv != null && kv == 1) {
            throw new SourceMisconfiguredException(reference, "'version' pins a KV v2 version,"
                    + " but kv=1 was set; remove one of them");
        }
        return version;
    }

    private static void checkLocation(KeyRef ref) {
        String p = trimSlashes(ref.location());
        if (p.isEmpty()) {
            throw new SourceMisconfiguredException(ref.toString(), "the path is empty; write vault:<mount>/<path>,"
                    + " e.g. vault:secret/app#api_key");
        }
        for (String seg : p.split("/+", -1)) {
            if (seg.equals("..") || seg.equals(".")) {
                throw new SourceMisconfiguredException(ref.toString(), "the path may not contain '.' or '..'"
                        + " segments");
            }
        }
    }

    /** Whether the address is on this machine, where a Vault Agent or Proxy listens. */
    static boolean isLocal(String address) {
        try {
            String host = java.net.URI.create(address).getHost();
            return host != null && (host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]")
                    || host.equals("::1"));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String address(String reference, ProviderContext ctx) {
        Optional<String> a = setting(ctx, "address", "VAULT_ADDR").map(String::trim).filter(s -> !s.isEmpty());
        if (a.isEmpty()) {
            throw new SourceMisconfiguredException(reference, "no Vault address: set VAULT_ADDR (e.g."
                    + " VAULT_ADDR=https://vault.example.com:8200), or the setting 'address' (KEYSOURCE_VAULT_ADDRESS,"
                    + " system property keysource.vault.address)");
        }
        String addr = a.get();
        while (addr.endsWith("/")) {
            addr = addr.substring(0, addr.length() - 1);
        }
        String origin = origin(ctx, "address", "VAULT_ADDR");
        URI uri;
        try {
            uri = new URI(addr);
        } catch (URISyntaxException e) {
            throw new SourceMisconfiguredException(reference, "the Vault address '" + addr + "' (" + origin
                    + ") is not a URL; write it as https://host:8200");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
            throw new SourceMisconfiguredException(reference, "the Vault address '" + addr + "' (" + origin
                    + ") must be an http or https URL with a host, e.g. https://vault.example.com:8200");
        }
        if (uri.getPort() == 0 || uri.getPort() > 65535 || uri.getPort() < -1 || (uri.getPort() == -1
                && uri.getRawAuthority() != null && uri.getRawAuthority().endsWith(":"))) {
            throw new SourceMisconfiguredException(reference, "the Vault address '" + addr + "' (" + origin
                    + ") has no valid port (1 to 65535); Vault listens on 8200 by default: https://host:8200");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getUserInfo() != null) {
            throw new SourceMisconfiguredException(reference, "the Vault address (" + origin
                    + ") must not carry a query, fragment or user info; write it as https://host:8200");
        }
        return addr;
    }

    private static void token(Builder b, ProviderContext ctx) {
        Optional<String> t = ctx.setting("token").filter(s -> !s.isBlank());
        if (t.isPresent()) {
            b.token = t.get().trim();
            b.tokenOrigin = ctx.settingOrigin("token").orElse("setting 'token'");
            checkCredentialText(b.reference, b.tokenOrigin, b.token);
            return;
        }
        Optional<String> env = ctx.env("VAULT_TOKEN").filter(s -> !s.isBlank());
        if (env.isPresent()) {
            b.token = env.get().trim();
            b.tokenOrigin = "environment variable VAULT_TOKEN";
            checkCredentialText(b.reference, b.tokenOrigin, b.token);
            return;
        }
        Path file = Paths.get(ctx.userHome(), ".vault-token");
        if (Files.isRegularFile(file)) {
            b.tokenFile = file;
            b.tokenOrigin = "token file " + file;
            return;
        }
        throw new SourceMisconfiguredException(b.reference, "no Vault token: set VAULT_TOKEN, or run"
                + " 'vault login' (which writes " + file + "), or the setting 'token' in code; or log in with"
                + " auth=approle (role-id, secret-id) or auth=kubernetes (role)" + (isLocal(b.address)
                ? "; if " + b.address + " is a Vault Agent or Vault Proxy that adds its auto-auth token, set auth=none"
                : ""));
    }

    private static void approle(Builder b, ProviderContext ctx) {
        Optional<String> roleId = setting(ctx, "role-id", "VAULT_ROLE_ID").filter(s -> !s.isBlank());
        if (roleId.isPresent()) {
            b.roleId = roleId.get().trim();
            b.roleIdOrigin = origin(ctx, "role-id", "VAULT_ROLE_ID");
        } else {
            Optional<String> file = ctx.setting("role-id-file").filter(s -> !s.isBlank());
            if (file.isEmpty()) {
                throw new SourceMisconfiguredException(b.reference, "AppRole login (auth=approle) needs"
                        + " a role ID: set VAULT_ROLE_ID, or the setting 'role-id' or 'role-id-file'");
            }
            b.roleId = readSmallFile(b.reference, "role-id-file", Paths.get(file.get())).trim();
            b.roleIdOrigin = "role-id-file " + file.get();
        }
        Optional<String> secretId = setting(ctx, "secret-id", "VAULT_SECRET_ID").filter(s -> !s.isBlank());
        if (secretId.isPresent()) {
            b.secretId = secretId.get().trim();
        } else {
            Optional<String> file = ctx.setting("secret-id-file").filter(s -> !s.isBlank());
            if (file.isPresent()) {
                b.secretIdFile = Paths.get(file.get());
                if (!Files.isReadable(b.secretIdFile)) {
                    throw new SourceMisconfiguredException(b.reference, "secret-id-file "
                            + b.secretIdFile + " (" + ctx.settingOrigin("secret-id-file").orElse("") + ") is not a"
                            + " readable file");
                }
            }
            // no secret ID at all: a role with bind_secret_id=false logs in with its role ID alone
        }
    }

    private static void kubernetes(Builder b, ProviderContext ctx) {
        Optional<String> role = ctx.setting("role").filter(s -> !s.isBlank());
        if (role.isEmpty()) {
            throw new SourceMisconfiguredException(b.reference, "Kubernetes login (auth=kubernetes)"
                    + " needs the Vault role to log in as: set the setting 'role' (KEYSOURCE_VAULT_ROLE, or"
                    + " ?role=... in the reference)");
        }
        b.role = role.get().trim();
        b.jwtFile = Paths.get(ctx.setting("jwt-file").filter(s -> !s.isBlank()).orElse(DEFAULT_JWT_FILE));
        if (!Files.isReadable(b.jwtFile)) {
            throw new SourceMisconfiguredException(b.reference, "Kubernetes login needs the pod's"
                    + " service-account token, but " + b.jwtFile + " is not a readable file; run in a pod with a"
                    + " mounted service account, or set 'jwt-file' (KEYSOURCE_VAULT_JWT_FILE)");
        }
    }

    /** A setting by its keysource name, then the {@code vault} CLI's environment variable. */
    static Optional<String> setting(ProviderContext ctx, String name, String vaultEnv) {
        Optional<String> v = ctx.setting(name);
        return v.isPresent() ? v : ctx.env(vaultEnv).filter(s -> !s.isEmpty());
    }

    static String origin(ProviderContext ctx, String name, String vaultEnv) {
        return ctx.settingOrigin(name).orElse("environment variable " + vaultEnv);
    }

    static boolean parseBool(String reference, String name, String origin, String value) {
        return switch (value.trim()) {
            case "1", "t", "T", "true", "TRUE", "True", "yes" -> true;
            case "", "0", "f", "F", "false", "FALSE", "False", "no" -> false;
            default -> throw new SourceMisconfiguredException(
                    reference,
                    "invalid setting '" + name + "' = '" + value + "' (" + origin + "); write true or false");
        };
    }

    /** Reads a credential file (at most 64 KiB), for messages naming the setting. Never quotes the content. */
    static String readSmallFile(String reference, String setting, Path file) {
        try {
            if (Files.size(file) > 65536) {
                throw new SourceMisconfiguredException(reference, setting + " " + file
                        + " is larger than 64 KiB; it should hold one credential");
            }
            String s = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
            if (s.startsWith("\uFEFF")) {
                s = s.substring(1); // a byte order mark (Windows editors write one) is never part of a credential
            }
            s = s.trim();
            if (s.isEmpty()) {
                throw new SourceMisconfiguredException(reference, setting + " " + file + " is empty");
            }
            checkCredentialText(reference, setting + " " + file, s);
            return s;
        } catch (IOException e) {
            throw new SourceMisconfiguredException(reference, "cannot read " + setting + " " + file
                    + " (" + e.getClass().getSimpleName() + "); check that it exists and is readable");
        }
    }

    /**
     * A credential (token, role or secret ID, JWT) is visible ASCII: anything else is a broken file or
     * variable, refused at once rather than sent (a token goes into an HTTP header, which the JDK refuses).
     * Names the position and the character, never the credential.
     */
    static void checkCredentialText(String reference, String origin, String credential) {
        for (int i = 0; i < credential.length(); i++) {
            char c = credential.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                throw new SourceMisconfiguredException(reference, "the credential in " + origin
                        + " holds a character no Vault credential has (" + String.format("U+%04X", (int) c)
                        + " at position " + (i + 1) + " of " + credential.length() + "); write it again with"
                        + " 'vault login', or without the stray character");
            }
        }
    }

    static String trimSlashes(String s) {
        String t = s.trim();
        int from = 0;
        int to = t.length();
        while (from < to && t.charAt(from) == '/') {
            from++;
        }
        while (to > from && t.charAt(to - 1) == '/') {
            to--;
        }
        return t.substring(from, to);
    }

    /** The reference with the values of credential options masked. */
    static String redacted(KeyRef ref) {
        KeyRef r = ref;
        for (String name : CREDENTIALS) {
            if (r.option(name).isPresent()) {
                r = r.withOption(name, "****");
            }
        }
        return r.toString();
    }

    /**
     * What identifies one shared client: address, namespace, TLS and the auth identity. Credentials enter
     * only as a SHA-256 digest.
     */
    String sessionKey() {
        return String.join("\u0000", address, String.valueOf(namespace), String.valueOf(cacert),
                String.valueOf(capath), String.valueOf(skipVerify), auth.name, authMount,
                digest(token), String.valueOf(tokenFile), digest(roleId), digest(secretId), String.valueOf(secretIdFile),
                String.valueOf(role), String.valueOf(jwtFile));
    }

    private static String digest(String s) {
        if (s == null) {
            return "-";
        }
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Shows where things are, never a credential. */
    @Override
    public String toString() {
        return "VaultOptions[address=" + address + (namespace != null ? ", namespace=" + namespace : "")
                + ", auth=" + auth.name + ", auth-mount=" + authMount + "]";
    }

    private static final class Builder {
        String reference;
        String address;
        String namespace;
        Path cacert;
        Path capath;
        boolean skipVerify;
        String skipVerifyOrigin;
        AuthMethod auth;
        String authMount;
        String token;
        String tokenOrigin;
        Path tokenFile;
        String roleId;
        String roleIdOrigin;
        String secretId;
        Path secretIdFile;
        String role;
        Path jwtFile;
        Integer kv;
        String kvOrigin;
        Integer version;
        boolean allFields;
    }
}
