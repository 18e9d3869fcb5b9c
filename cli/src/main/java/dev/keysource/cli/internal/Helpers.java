package dev.keysource.cli.internal;

import dev.keysource.KeyRef;
import dev.keysource.Secret;
import dev.keysource.SourceMisconfiguredException;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The answers of the credential-helper protocols, each as its tool parses it (docs/cli.md): AWS
 * {@code credential_process}, the Kubernetes {@code ExecCredential}, git's credential helper and Docker's.
 * The backend's expiry goes into each protocol's expiry field. Failures name fields, never values.
 */
final class Helpers {

    static final String K8S_V1 = "client.authentication.k8s.io/v1";
    static final String K8S_V1BETA1 = "client.authentication.k8s.io/v1beta1";

    /** The field names tried, in order, for AWS credentials: the SDKs' own, Vault's AWS engine, the CLI's files. */
    private static final List<String[]> AWS_FIELDS = List.of(
            new String[] {"AccessKeyId", "SecretAccessKey", "SessionToken"},
            new String[] {"access_key", "secret_key", "security_token"},
            new String[] {"aws_access_key_id", "aws_secret_access_key", "aws_session_token"});

    private Helpers() {
    }

    /** A user name and password (or token) for git and Docker. */
    static final class Login {
        final String username;
        final String password;

        Login(String username, String password) {
            this.username = username;
            this.password = password;
        }
    }

    /** AWS {@code credential_process}: Version 1, the keys, the session token and Expiration if any. */
    static String credentialProcess(KeyRef ref, Secret s, String fieldsOption) {
        Map<String, Object> o = object(ref, s, "AWS credentials for --format credential-process");
        String[] names = null;
        if (fieldsOption != null) {
            String[] given = fieldsOption.split(",", -1);
            if (given.length < 2 || given.length > 3 || given[0].isBlank() || given[1].isBlank()) {
                throw misconfigured(ref, "--aws-fields needs ACCESS_KEY_FIELD,SECRET_KEY_FIELD[,SESSION_TOKEN_FIELD]"
                        + ", e.g. --aws-fields access_key,secret_key,security_token");
            }
            names = new String[] {given[0].strip(), given[1].strip(), given.length == 3 ? given[2].strip() : ""};
        } else {
            for (String[] candidate : AWS_FIELDS) {
                if (o.containsKey(candidate[0])) {
                    names = candidate;
                    break;
                }
            }
            if (names == null) {
                throw misconfigured(ref, "the secret has none of the access key fields AccessKeyId, access_key "
                        + "(Vault's AWS engine) or aws_access_key_id; its fields are: " + dev.keysource.spi.Json.names(o.keySet())
                        + "; name them with --aws-fields ACCESS_KEY_FIELD,SECRET_KEY_FIELD[,SESSION_TOKEN_FIELD]");
            }
        }
        String access = text(ref, o, names[0], true);
        String secret = text(ref, o, names[1], true);
        String token = names[2].isEmpty() ? null : text(ref, o, names[2], false);
        Instant expiry = s.expiry().orElse(null);
        if (expiry == null && o.get("Expiration") instanceof String) {
            try {
                expiry = Instant.parse((String) o.get("Expiration"));
            } catch (DateTimeParseException e) {
                throw misconfigured(ref, "the secret's field 'Expiration' is not an ISO-8601 instant such as "
                        + "2030-01-01T00:00:00Z");
            }
        }
        StringBuilder sb = new StringBuilder(256).append("{\"Version\":1,");
        Json.field(sb, "AccessKeyId", access).append(',');
        Json.field(sb, "SecretAccessKey", secret);
        if (token != null && !token.isEmpty()) {
            Json.field(sb.append(','), "SessionToken", token);
        }
        if (expiry != null) {
            Json.field(sb.append(','), "Expiration", expiry.truncatedTo(ChronoUnit.SECONDS).toString());
        }
        return sb.append("}\n").toString();
    }

    /**
     * The apiVersion to answer in: the one {@code KUBERNETES_EXEC_INFO} names (client-go sets it), else v1.
     */
    static String execApiVersion(KeyRef ref, String execInfo) {
        if (execInfo == null || execInfo.isBlank()) {
            return K8S_V1;
        }
        Object info;
        try {
            info = dev.keysource.spi.Json.parse(execInfo);
        } catch (RuntimeException e) {
            throw misconfigured(ref, "KUBERNETES_EXEC_INFO is not JSON (" + e.getMessage() + "); it is set by kubectl"
                    + " (client-go) for its exec plugins: unset it when running keysource by hand");
        }
        Object v = info instanceof Map ? ((Map<?, ?>) info).get("apiVersion") : null;
        if (K8S_V1.equals(v) || K8S_V1BETA1.equals(v)) {
            return (String) v;
        }
        throw misconfigured(
                ref,
                "KUBERNETES_EXEC_INFO asks for apiVersion "
                        + (v instanceof String string
                                ? "'" + dev.keysource.spi.Printable.escape(string) + "'"
                                : "(none)")
                        + "; keysource answers "
                        + K8S_V1 + " and " + K8S_V1BETA1
                        + ": set one of them as the exec apiVersion in the kubeconfig");
    }

    /** A Kubernetes {@code ExecCredential} with {@code status.token} and {@code status.expirationTimestamp}. */
    static String execCredential(KeyRef ref, Secret s, String apiVersion) {
        String token = headerSafe(ref, s.value(), "the token");
        StringBuilder sb = new StringBuilder(256).append('{');
        Json.field(sb, "apiVersion", apiVersion).append(',');
        Json.field(sb, "kind", "ExecCredential").append(",\"status\":{");
        Json.field(sb, "token", token);
        if (s.expiry().isPresent()) {
            Json.field(sb.append(','), "expirationTimestamp",
                    s.expiry().get().truncatedTo(ChronoUnit.SECONDS).toString());
        }
        return sb.append("}}\n").toString();
    }

    /**
     * The user name and password of a secret: a JSON object with {@code password} (or {@code token},
     * {@code Secret}) and {@code username} ({@code Username}), or else the whole value as the password.
     * The user name: {@code --username}, else the secret's, else {@code fallback}.
     */
    static Login login(KeyRef ref, Secret s, String usernameOption, String fallback) {
        String value = s.value();
        String user = null;
        String password = value;
        if (!s.isBinary() && value.startsWith("{")) {
            Map<String, Object> o = object(ref, s, "a login");
            String passwordField = first(o, "password", "token", "Secret", "secret");
            if (passwordField == null && o.size() == 1) {
                passwordField = o.keySet().iterator().next(); // a one-field secret read whole: that field
            }
            if (passwordField == null) {
                throw misconfigured(ref, "the secret is a JSON object without a 'password' (or 'token') field; its "
                        + "fields are: " + dev.keysource.spi.Json.names(o.keySet()) + "; pick the password with #field");
            }
            password = text(ref, o, passwordField, true);
            String userField = first(o, "username", "Username", "user");
            user = userField == null ? null : text(ref, o, userField, false);
        }
        String username = usernameOption != null ? usernameOption : user != null && !user.isEmpty() ? user : fallback;
        if (username == null || username.isEmpty()) {
            throw misconfigured(ref, "no user name: give --username NAME, or store the secret as JSON with "
                    + "'username' and 'password'");
        }
        return new Login(headerSafe(ref, username, "the user name"), headerSafe(ref, password, "the password"));
    }

    /** git's answer to {@code get}: {@code username=}, {@code password=} and {@code password_expiry_utc=}. */
    static String gitAnswer(Login login, Optional<Instant> expiry) {
        StringBuilder sb = new StringBuilder(128);
        sb.append("username=").append(login.username).append('\n');
        sb.append("password=").append(login.password).append('\n');
        expiry.ifPresent(e -> sb.append("password_expiry_utc=").append(e.getEpochSecond()).append('\n'));
        return sb.toString();
    }

    /** Docker's answer to {@code get}: {@code {"ServerURL","Username","Secret"}}. */
    static String dockerAnswer(String serverUrl, Login login) {
        StringBuilder sb = new StringBuilder(128).append('{');
        Json.field(sb, "ServerURL", serverUrl).append(',');
        Json.field(sb, "Username", login.username).append(',');
        Json.field(sb, "Secret", login.password);
        return sb.append("}\n").toString();
    }

    /** The {@code key=value} lines git writes to a helper, up to the first empty line. */
    static Map<String, String> gitRequest(String text) {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        for (String line : text.split("\n", -1)) {
            String l = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
            if (l.isEmpty()) {
                break;
            }
            int eq = l.indexOf('=');
            if (eq > 0) {
                m.putIfAbsent(l.substring(0, eq), l.substring(eq + 1));
            }
        }
        return m;
    }

    /** A registry as Docker names it, compared without scheme, case of the host, or trailing slash. */
    static String normalizeServer(String server) {
        String s = server.strip();
        int scheme = s.indexOf("://");
        if (scheme >= 0) {
            s = s.substring(scheme + 3);
        }
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        int slash = s.indexOf('/');
        return slash < 0 ? s.toLowerCase(Locale.ROOT) : s.substring(0, slash).toLowerCase(Locale.ROOT) + s.substring(slash);
    }

    /** One line of the Docker servers file: {@code SERVER USERNAME REFERENCE}, USERNAME {@code -} for the secret's. */
    static final class DockerEntry {
        final String server;
        final String username;
        final String reference;

        DockerEntry(String server, String username, String reference) {
            this.server = server;
            this.username = username;
            this.reference = reference;
        }
    }

    /** Parses the servers file; blank lines and {@code #} comments are skipped. */
    static List<DockerEntry> dockerServers(String file, String text) {
        List<DockerEntry> entries = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int n = 0; n < lines.length; n++) {
            String l = lines[n].strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            String[] parts = l.split("\\s+", 3);
            if (parts.length < 3) {
                throw new IllegalArgumentException(file + " line " + (n + 1) + ": expected SERVER USERNAME REFERENCE "
                        + "(USERNAME '-' for the secret's own), e.g. registry.example.com ci vault:secret/registry#token");
            }
            entries.add(new DockerEntry(normalizeServer(parts[0]), parts[1].equals("-") ? null : parts[1], parts[2]));
        }
        return entries;
    }

    private static String first(Map<String, Object> o, String... names) {
        for (String n : names) {
            if (o.containsKey(n)) {
                return n;
            }
        }
        return null;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(KeyRef ref, Secret s, String what) {
        Object parsed = null;
        if (!s.isBinary()) {
            try {
                parsed = dev.keysource.spi.Json.parse(s.value());
            } catch (RuntimeException e) {
                parsed = null; // never quoted: it is the secret
            }
        }
        if (!(parsed instanceof Map)) {
            throw misconfigured(ref, "the secret is not a JSON object, so it cannot hold " + what + "; read the whole"
                    + " secret (no #field) from a backend that stores the fields together (a JSON SecretString in AWS,"
                    + " a Vault secret with those fields)");
        }
        return (Map<String, Object>) parsed;
    }

    private static String text(KeyRef ref, Map<String, Object> o, String name, boolean required) {
        Object v = o.get(name);
        if (v == null || v == dev.keysource.spi.Json.NULL) {
            if (required) {
                throw misconfigured(ref, "the secret has no field '" + name + "'; its fields are: "
                        + dev.keysource.spi.Json.names(o.keySet()));
            }
            return null;
        }
        if (!(v instanceof String string)) {
            throw misconfigured(ref, "the secret's field '" + name + "' is not a JSON string");
        }
        return string;
    }

    /** Refuses what would break a line-based protocol or an HTTP header: line breaks, NUL, other controls. */
    static String headerSafe(KeyRef ref, String v, String what) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw misconfigured(ref, what + " holds a control character (" + String.format("U+%04X", (int) c)
                        + " at character " + (i + 1) + " of " + v.length() + "), which the tool's protocol cannot "
                        + "carry; store it without line breaks or control characters");
            }
        }
        return v;
    }

    static SourceMisconfiguredException misconfigured(KeyRef ref, String detail) {
        return new SourceMisconfiguredException(ref.toString(), detail);
    }
}
