package dev.keysource.cli.internal;

import dev.keysource.CachedKey;
import dev.keysource.KeyFetcher;
import dev.keysource.KeyRef;
import dev.keysource.InternalKeySourceException;
import dev.keysource.KeySourceException;
import dev.keysource.Secret;
import dev.keysource.cli.ExitCodes;
import dev.keysource.spi.KeySourceProvider;
import dev.keysource.spi.Printable;
import dev.keysource.spi.ProviderDiscovery;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.ServiceLoader;
import java.util.TreeSet;

/**
 * The commands. {@code get} is one resilient fetch (time limit and retries, no cache) through
 * {@link KeyFetcher}, and prints the value and a newline; nothing else ever goes to stdout. Errors are
 * one line on stderr and an exit code from {@link ExitCodes}. Never reads stdin.
 */
public final class Cli {

    /** The most a credential helper reads from stdin: git's and Docker's requests are a few lines. */
    private static final int MAX_STDIN = 64 * 1024;

    private final Map<String, String> env;
    private final InputStream in;
    private final OutputStream out;
    private final OutputStream err;
    private final List<KeySourceProvider> providers;
    private String scheme;

    /** A command line that never reads stdin (no credential-helper command). */
    public Cli(Map<String, String> env, OutputStream out, OutputStream err) {
        this(env, InputStream.nullInputStream(), out, err, null);
    }

    /** {@code in} is read only by {@code git-credential} and {@code docker-credential}. */
    public Cli(Map<String, String> env, InputStream in, OutputStream out, OutputStream err) {
        this(env, in, out, err, null);
    }

    /** With {@code providers} instead of the ones {@link ServiceLoader} finds (tests). */
    Cli(Map<String, String> env, InputStream in, OutputStream out, OutputStream err,
        List<KeySourceProvider> providers) {
        this.env = env;
        this.in = in;
        this.out = out;
        this.err = err;
        this.providers = providers;
    }

    Cli(Map<String, String> env, OutputStream out, OutputStream err, List<KeySourceProvider> providers) {
        this(env, InputStream.nullInputStream(), out, err, providers);
    }

    /**
     * Whether the JVM may stop at once after {@link #run} (Runtime.halt, no shutdown hooks): a command that
     * fetched through a backend other than {@code script}, whose helper processes may still need a hook.
     */
    public boolean mayHalt() {
        return scheme != null && !scheme.equals("script");
    }

    /**
     * Runs a command line; returns the exit code. An unexpected exception (a bug) is exit 1 with one line that
     * names its class, never its message (it may hold a secret) or a stack trace.
     */
    public int run(String[] argv) {
        try {
            return dispatch(argv);
        } catch (KeySourceException e) {
            return fail(ExitCodes.of(e), e.getMessage()); // classified, wherever it came from: its own code
        } catch (RuntimeException e) {
            return fail(ExitCodes.INTERNAL_ERROR, internalError(e));
        }
    }

    /** The one line for an unexpected exception: its class and where to report it. */
    static String internalError(Throwable e) {
        return "internal error: an unexpected " + e.getClass().getName() + "; this is a bug in keysource, not in "
                + "your configuration: please report it at " + InternalKeySourceException.REPORT_URL;
    }

    private int dispatch(String[] argv) {
        Args args;
        try {
            args = Args.parse(argv);
        } catch (Args.UsageException e) {
            return fail(ExitCodes.USAGE, e.getMessage());
        }
        return switch (args.command) {
            case HELP -> print(out, help());
            case VERSION -> print(
                    out,
                    "keysource " + version() + " (Java " + System.getProperty("java.version") + "; backends: "
                            + String.join(", ", schemes()) + ")\n");
            case CHECK -> check(args);
            case GIT_CREDENTIAL -> gitCredential(args);
            case DOCKER_CREDENTIAL -> dockerCredential(args);
            default -> get(args);
        };
    }

    private int get(Args args) {
        Secret secret;
        KeyRef ref;
        String answer;
        try (KeyFetcher fetcher = fetcher(args, args.reference, needsWholeSecret(args))) {
            ref = fetcher.ref();
            String apiVersion = args.format == Args.Format.EXEC_CREDENTIAL
                    ? Helpers.execApiVersion(ref, env.get("KUBERNETES_EXEC_INFO")) : null;
            secret = fetcher.fetch();
            answer = answer(args, ref, secret, apiVersion);
        } catch (KeySourceException | IllegalArgumentException e) {
            return fail(ExitCodes.of(e), e.getMessage());
        }
        return printKey(answer);
    }

    private static boolean needsWholeSecret(Args args) {
        return args.format == Args.Format.CREDENTIAL_PROCESS;
    }

    private String answer(Args args, KeyRef ref, Secret secret, String apiVersion) {
        switch (args.format) {
            case JSON -> {
                StringBuilder sb = new StringBuilder(128).append('{');
                Json.field(sb, "reference", ref.toString()).append(',');
                Json.field(sb, "scheme", ref.scheme()).append(',');
                Json.field(sb, "value", secret.value()).append(',');
                Json.field(sb, "encoding", secret.isBinary() ? "base64" : "text");
                metadata(sb, secret);
                return sb.append("}\n").toString();
            }
            case CREDENTIAL_PROCESS -> {
                return Helpers.credentialProcess(ref, secret, args.awsFields);
            }
            case EXEC_CREDENTIAL -> {
                return Helpers.execCredential(ref, secret, apiVersion);
            }
            default -> {
                return oneLineValue(ref, secret.value()) + "\n";
            }
        }
    }

    /**
     * The rule for raw output (docs/cli.md): the value and one newline, so a value holding a line break
     * or NUL is refused (a tool reading one line would get part of it); --format json carries any value.
     */
    private static String oneLineValue(KeyRef ref, String v) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '\n' || c == '\r' || c == 0) {
                throw Helpers.misconfigured(ref, "the value holds " + (c == 0 ? "a NUL character" : "a line break")
                        + " (at character " + (i + 1) + " of " + v.length() + "), which 'get' does not print: a tool "
                        + "reading the key's line would get only part of it. Store it without, or read it with "
                        + "--format json (the value JSON-escaped)");
            }
        }
        return v;
    }

    /** git's credential helper: reads git's request on stdin; answers get; accepts store and erase. */
    private int gitCredential(Args args) {
        String request;
        try {
            request = readStdin();
        } catch (IOException e) {
            return fail(ExitCodes.INTERNAL_ERROR, "git-credential: could not read git's request on stdin ("
                    + e.getMessage() + ")");
        }
        if (!args.action.equals("get")) {
            return ExitCodes.OK; // store, erase and any later action: nothing is kept, nothing to do
        }
        Map<String, String> asked = Helpers.gitRequest(request);
        String answer;
        try (KeyFetcher fetcher = fetcher(args, args.reference, true)) {
            Secret secret = fetcher.fetch();
            Helpers.Login login = Helpers.login(fetcher.ref(), secret, args.username,
                    asked.getOrDefault("username", "keysource"));
            answer = Helpers.gitAnswer(login, secret.expiry());
        } catch (KeySourceException | IllegalArgumentException e) {
            return fail(ExitCodes.of(e), e.getMessage());
        }
        return printKey(answer);
    }

    /** Docker's credential helper: get reads the server on stdin; store and erase are accepted, ignored. */
    private int dockerCredential(Args args) {
        String request;
        try {
            request = readStdin();
        } catch (IOException e) {
            return dockerFail(ExitCodes.INTERNAL_ERROR, "docker-credential: could not read the request on stdin ("
                    + e.getMessage() + ")");
        }
        switch (args.action) {
            case "get" -> {}
            case "list" -> {
                return printKey(dockerList(args));
            }
            case "version" -> {
                return print(out, "keysource " + version() + "\n");
            }
            default -> {
                return ExitCodes.OK;
                // store and erase: credentials come from the backend, nothing is kept
            }
        }
        String server = request.strip();
        String reference = args.reference;
        String username = args.username;
        if (reference == null) {
            Helpers.DockerEntry entry;
            try {
                entry = dockerEntry(Helpers.normalizeServer(server));
            } catch (IllegalArgumentException e) {
                return dockerFail(ExitCodes.MISCONFIGURED, e.getMessage());
            }
            if (entry == null) {
                // the helper protocol's own not-found answer, which Docker recognises (anonymous access follows)
                print(out, DOCKER_NOT_FOUND + "\n");
                return 1;
            }
            reference = entry.reference;
            username = username != null ? username : entry.username;
        }
        String answer;
        try (KeyFetcher fetcher = fetcher(args, reference, true)) {
            Secret secret = fetcher.fetch();
            answer = Helpers.dockerAnswer(server, Helpers.login(fetcher.ref(), secret, username, null));
        } catch (KeySourceException | IllegalArgumentException e) {
            return dockerFail(ExitCodes.of(e), e.getMessage());
        }
        return printKey(answer);
    }

    /** What docker-credential-helpers print for a server they hold nothing for. */
    static final String DOCKER_NOT_FOUND = "credentials not found in native keychain";

    /** Docker reads a helper's error from stdout; the same line goes to stderr. */
    private int dockerFail(int code, String message) {
        print(out, "keysource: " + Printable.escape(message) + "\n");
        return fail(code, message);
    }

    private String dockerList(Args args) {
        StringBuilder sb = new StringBuilder(128).append('{');
        if (args.reference == null) {
            try {
                for (Helpers.DockerEntry e : dockerServers()) {
                    if (sb.length() > 1) {
                        sb.append(',');
                    }
                    Json.field(sb, e.server, e.username == null ? "" : e.username);
                }
            } catch (IllegalArgumentException e) {
                // list answers what it can
            }
        }
        return sb.append("}\n").toString();
    }

    private Helpers.DockerEntry dockerEntry(String server) {
        for (Helpers.DockerEntry e : dockerServers()) {
            if (e.server.equals(server)) {
                return e;
            }
        }
        return null;
    }

    /** The servers file: KEYSOURCE_DOCKER_SERVERS, else ${XDG_CONFIG_HOME:-~/.config}/keysource/docker-servers. */
    private List<Helpers.DockerEntry> dockerServers() {
        String file = env.get("KEYSOURCE_DOCKER_SERVERS");
        if (file == null || file.isEmpty()) {
            String config = env.get("XDG_CONFIG_HOME");
            if (config == null || config.isEmpty()) {
                String home = env.getOrDefault("HOME", System.getProperty("user.home"));
                config = home + "/.config";
            }
            file = config + "/keysource/docker-servers";
        }
        java.nio.file.Path path = java.nio.file.Path.of(file);
        if (!java.nio.file.Files.exists(path)) {
            return List.of();
        }
        try {
            return Helpers.dockerServers(file, java.nio.file.Files.readString(path, StandardCharsets.UTF_8));
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new IllegalArgumentException("could not read the servers file " + file + " (" + e.getMessage() + ")");
        }
    }

    /** Up to EOF, by plain reads (FileInputStream.readNBytes seeks, which a pipe refuses on some JDKs). */
    private String readStdin() throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream(256);
        byte[] chunk = new byte[4096];
        int n;
        while ((n = in.read(chunk)) > 0) {
            buffer.write(chunk, 0, n);
            if (buffer.size() > MAX_STDIN) {
                throw new IOException("more than " + MAX_STDIN + " bytes");
            }
        }
        return buffer.toString(StandardCharsets.UTF_8);
    }

    /** Prints what carries the key; says on stderr when stdout takes it not (closed, full): exit 7. */
    private int printKey(String text) {
        try {
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.flush();
            return ExitCodes.OK;
        } catch (IOException e) {
            return fail(ExitCodes.OUTPUT_FAILED, "could not write the key to stdout (" + e.getMessage()
                    + "): stdout is closed, full or gone; nothing usable was printed");
        }
    }

    private int check(Args args) {
        boolean json = args.format == Args.Format.JSON;
        StringBuilder text = new StringBuilder(512);
        StringBuilder js = new StringBuilder(512).append('{');
        KeyFetcher fetcher;
        try {
            fetcher = fetcher(args);
        } catch (KeySourceException | IllegalArgumentException e) {
            int code = ExitCodes.of(e);
            line(text, "reference", args.reference);
            line(text, "result", "failed: " + ExitCodes.describe(code) + " (exit " + code + ")");
            Json.field(js, "reference", args.reference).append(',');
            Json.field(js, "result", "failed").append(",\"exit\":").append(code).append(',');
            Json.field(js, "error", oneLine(e.getMessage())).append('}');
            print(out, json ? js.append('\n').toString() : text.toString());
            return fail(code, e.getMessage());
        }
        try (fetcher) {
            KeyRef ref = fetcher.ref();
            line(text, "reference", ref.toString());
            line(text, "scheme", ref.scheme());
            line(text, "location", ref.location());
            line(text, "field", ref.field().orElse("-"));
            Json.field(js, "reference", ref.toString()).append(',');
            Json.field(js, "scheme", ref.scheme()).append(',');
            Json.field(js, "location", ref.location()).append(',');
            js.append("\"field\":");
            if (ref.field().isPresent()) {
                Json.string(js, ref.field().get());
            } else {
                js.append("null");
            }
            long start = System.nanoTime();
            Secret secret = null;
            KeySourceException failure = null;
            try {
                secret = fetcher.fetch();
            } catch (KeySourceException e) {
                failure = e;
            }
            long latencyMs = (System.nanoTime() - start) / 1_000_000;
            Map<String, String> described = fetcher.describe(); // after the fetch: the mount is known by then
            js.append(",\"backend\":{");
            boolean firstFact = true;
            for (Map.Entry<String, String> fact : described.entrySet()) {
                line(text, fact.getKey(), oneLine(fact.getValue()));
                if (!firstFact) {
                    js.append(',');
                }
                firstFact = false;
                Json.field(js, fact.getKey(), fact.getValue());
            }
            js.append('}');
            if (secret != null) {
                String value = secret.isBinary() ? "binary, " + secret.bytes().length + " bytes, printed as base64 by "
                        + "get: " + secret.masked() : secret.masked();
                line(text, "value", value);
                line(text, "version", secret.version().orElse("-"));
                line(text, "expiry", secret.expiry().map(Cli::expiry).orElse("-"));
                js.append(',');
                Json.field(js, "value", secret.masked()).append(',');
                Json.field(js, "encoding", secret.isBinary() ? "base64" : "text");
                metadata(js, secret);
            }
            line(text, "latency", latencyMs + " ms (" + fetcher.attempts() + " attempt"
                    + (fetcher.attempts() == 1 ? "" : "s") + ")");
            js.append(",\"latencyMs\":").append(latencyMs).append(",\"attempts\":").append(fetcher.attempts());
            List<String> consulted = origins(fetcher.consulted(), args);
            js.append(",\"settings\":[");
            for (int i = 0; i < consulted.size(); i++) {
                line(text, i == 0 ? "settings" : "", consulted.get(i));
                if (i > 0) {
                    js.append(',');
                }
                Json.string(js, consulted.get(i));
            }
            js.append(']');
            if (consulted.isEmpty()) {
                line(text, "settings", "(all defaults; nothing set in properties or the environment)");
            }
            int code = failure == null ? ExitCodes.OK : ExitCodes.of(failure);
            line(text, "result", code == 0 ? "ok" : "failed: " + ExitCodes.describe(code) + " (exit " + code + ")");
            js.append(',');
            Json.field(js, "result", code == 0 ? "ok" : "failed").append(",\"exit\":").append(code);
            if (failure != null) {
                js.append(',');
                Json.field(js, "error", oneLine(failure.getMessage()));
            }
            print(out, json ? js.append("}\n").toString() : text.toString());
            return failure == null ? ExitCodes.OK : fail(code, failure.getMessage());
        }
    }

    private KeyFetcher fetcher(Args args) {
        return fetcher(args, args.reference, false);
    }

    /** Settings labelled by their real origin: what the command line gave is a command-line option. */
    private static List<String> origins(List<String> consulted, Args args) {
        List<String> labelled = new ArrayList<>(consulted.size());
        for (String c : consulted) {
            String l = c;
            for (String name : args.cliSettings) {
                l = l.replace("code setting '" + name + "'", "command-line option --set " + name);
            }
            if (args.timeout != null && l.startsWith("timeout=") && l.endsWith("(code)")) {
                l = l.substring(0, l.length() - "(code)".length()) + "(command-line option --timeout)";
            }
            labelled.add(l);
        }
        return labelled;
    }

    /** {@code whole}: the protocol reads several fields of one read (a Vault secret without #field). */
    private KeyFetcher fetcher(Args args, String reference, boolean whole) {
        scheme = KeyRef.schemeOf(reference);
        CachedKey.Builder b = CachedKey.builder(reference).environment(env);
        if (whole && "vault".equals(scheme) && reference.indexOf('#') < 0 && !args.settings.containsKey("fields")) {
            b.setting("fields", "all");
        }
        if (providers != null) {
            b.providers(providers);
        }
        if (args.timeout != null) {
            b.timeout(args.timeout);
        }
        args.settings.forEach(b::setting);
        return b.buildFetcher();
    }

    private static void metadata(StringBuilder sb, Secret s) {
        if (s.version().isPresent()) {
            sb.append(',');
            Json.field(sb, "version", s.version().get());
        }
        if (s.expiry().isPresent()) {
            sb.append(',');
            Json.field(sb, "expiry", s.expiry().get().toString());
        }
        if (s.created().isPresent()) {
            sb.append(',');
            Json.field(sb, "created", s.created().get().toString());
        }
    }

    private static String expiry(Instant at) {
        Duration left = Duration.between(Instant.now(), at);
        String rel;
        if (left.isNegative()) {
            rel = "expired " + human(left.negated()) + " ago";
        } else {
            rel = "in " + human(left);
        }
        return at + " (" + rel + ")";
    }

    private static String human(Duration d) {
        long s = d.toSeconds();
        if (s < 120) {
            return s + " s";
        }
        if (s < 7200) {
            return (s / 60) + " min";
        }
        if (s < 172800) {
            return (s / 3600) + " h";
        }
        return (s / 86400) + " days";
    }

    private static void line(StringBuilder sb, String name, String value) {
        sb.append(name);
        for (int i = name.length(); i < 11 || i == name.length(); i++) {
            sb.append(' ');
        }
        sb.append(value).append('\n');
    }

    private int fail(int code, String message) {
        print(err, "keysource: " + oneLine(message) + "\n");
        return code;
    }

    /** Anything written to stderr or into check's output: one line, no terminal control (Printable; idempotent, so a backend message escaped once is unchanged). */
    private static String oneLine(String message) {
        return message == null ? "failed without a message" : Printable.escape(message);
    }

    private int print(OutputStream stream, String text) {
        try {
            stream.write(text.getBytes(StandardCharsets.UTF_8));
            stream.flush();
        } catch (IOException e) {
            return ExitCodes.INTERNAL_ERROR; // stdout closed: nothing more to say
        }
        return ExitCodes.OK;
    }

    /** The schemes of the providers found (core's one discovery loop), sorted, then one note per failure to load. */
    private static List<String> schemes() {
        ProviderDiscovery found = ProviderDiscovery.load(null);
        TreeSet<String> schemes = new TreeSet<>();
        for (KeySourceProvider p : found.providers()) {
            try {
                schemes.add(p.scheme());
            } catch (RuntimeException e) {
                schemes.add("(" + p.getClass().getName() + ": scheme() threw " + e + ")");
            }
        }
        List<String> listed = new ArrayList<>(schemes);
        for (String failure : found.failures()) {
            listed.add("(one failed to load: " + failure + ")");
        }
        return listed;
    }

    static String version() {
        try (InputStream in = Cli.class.getResourceAsStream("/dev/keysource/cli/version.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                return p.getProperty("version", "unknown");
            }
        } catch (IOException e) {
            // fall through
        }
        return "unknown";
    }

    static String help() {
        return "keysource " + version() + ": prints a secret from Vault, AWS Secrets Manager or a helper script.\n"
                + "\n"
                + "Usage:\n"
                + "  keysource get [options] REF     print the secret and a newline on stdout (nothing else)\n"
                + "  keysource check [options] REF   fetch and describe it (what the backend talked to, masked value,\n"
                + "                                  version, expiry, latency, settings used) without printing the value\n"
                + "  keysource git-credential [--username NAME] REF get     git's credential helper (stdin: git's request)\n"
                + "  keysource docker-credential get  Docker's credential helper (stdin: the server; servers mapped in\n"
                + "                                  ~/.config/keysource/docker-servers); as docker-credential-keysource\n"
                + "  keysource --help | --version\n"
                + "\n"
                + "References (scheme:location[?option=value&...][#field]):\n"
                + "  vault:secret/claude-code#api_key                 a field of a Vault KV secret\n"
                + "  aws-sm:prod/claude#api_key?region=eu-west-1       a JSON field of an AWS secret\n"
                + "  'script:~/.claude/get-api-key.sh --profile dev'  what a helper command prints (quote it)\n"
                + "\n"
                + "Options:\n"
                + "  --format FORMAT     raw: the value alone (binary values as base64); json: value and metadata;\n"
                + "                      credential-process: AWS credential_process JSON (--aws-fields A,S[,T]);\n"
                + "                      exec-credential: a Kubernetes ExecCredential\n"
                + "  --timeout DURATION  time limit of each attempt: 5000, 500ms, 5s, 2m or PT5S (default 30s;\n"
                + "                      transient failures are retried, 3 attempts in all)\n"
                + "  --set NAME=VALUE    a backend setting, e.g. --set working-dir=/srv/app (repeatable; never a\n"
                + "                      credential: argv is visible to every user)\n"
                + "\n"
                + "Use as a Claude Code apiKeyHelper (settings.json):\n"
                + "  \"apiKeyHelper\": \"keysource get vault:secret/claude-code#api_key\"\n"
                + "\n"
                + "Exit codes: 0 ok, 2 usage, 3 not found, 4 rejected (auth/permission), 5 unavailable or timed out,\n"
                + "  6 misconfigured, 7 stdout refused the key, 1 internal error. Errors are one line on stderr.\n"
                + "  stdin is read only by git-credential and docker-credential.\n"
                + "Environment: KEYSOURCE_TIMEOUT_MS, KEYSOURCE_ATTEMPTS, KEYSOURCE_<SCHEME>_<SETTING>, the backends'\n"
                + "  own (VAULT_ADDR, VAULT_TOKEN, AWS_REGION, ...), KEYSOURCE_LOG_LEVEL (default warn, on stderr).\n";
    }
}
