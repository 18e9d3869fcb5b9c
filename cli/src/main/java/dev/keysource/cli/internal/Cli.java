package dev.keysource.cli.internal;

import dev.keysource.CachedKey;
import dev.keysource.KeyFetcher;
import dev.keysource.KeyRef;
import dev.keysource.KeySourceException;
import dev.keysource.Secret;
import dev.keysource.cli.ExitCodes;
import dev.keysource.spi.KeySourceProvider;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeSet;

/**
 * The commands. {@code get} is one resilient fetch (time limit and retries, no cache) through
 * {@link KeyFetcher}, and prints the value and a newline; nothing else ever goes to stdout. Errors are
 * one line on stderr and an exit code from {@link ExitCodes}. Never reads stdin.
 */
public final class Cli {

    private final Map<String, String> env;
    private final OutputStream out;
    private final OutputStream err;
    private final List<KeySourceProvider> providers;

    public Cli(Map<String, String> env, OutputStream out, OutputStream err) {
        this(env, out, err, null);
    }

    /** With {@code providers} instead of the ones {@link ServiceLoader} finds (tests). */
    Cli(Map<String, String> env, OutputStream out, OutputStream err, List<KeySourceProvider> providers) {
        this.env = env;
        this.out = out;
        this.err = err;
        this.providers = providers;
    }

    /** Runs a command line; returns the exit code. */
    public int run(String[] argv) {
        Args args;
        try {
            args = Args.parse(argv);
        } catch (Args.UsageException e) {
            return fail(ExitCodes.USAGE, e.getMessage());
        }
        switch (args.command) {
            case HELP:
                return print(out, help());
            case VERSION:
                return print(out, "keysource " + version() + " (Java " + System.getProperty("java.version")
                        + "; backends: " + String.join(", ", schemes()) + ")\n");
            case CHECK:
                return check(args);
            default:
                return get(args);
        }
    }

    private int get(Args args) {
        Secret secret;
        KeyRef ref;
        try (KeyFetcher fetcher = fetcher(args)) {
            ref = fetcher.ref();
            secret = fetcher.fetch();
        } catch (KeySourceException | IllegalArgumentException e) {
            return fail(ExitCodes.of(e), e.getMessage());
        }
        if (args.format == Args.Format.JSON) {
            StringBuilder sb = new StringBuilder(128).append('{');
            Json.field(sb, "reference", ref.toString()).append(',');
            Json.field(sb, "scheme", ref.scheme()).append(',');
            Json.field(sb, "value", secret.value()).append(',');
            Json.field(sb, "encoding", secret.isBinary() ? "base64" : "text");
            metadata(sb, secret);
            return print(out, sb.append("}\n").toString());
        }
        return print(out, secret.value() + "\n");
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
            List<String> consulted = fetcher.consulted();
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
        CachedKey.Builder b = CachedKey.builder(args.reference).environment(env);
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
        long s = d.getSeconds();
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
        for (int i = name.length(); i < 11; i++) {
            sb.append(' ');
        }
        sb.append(value).append('\n');
    }

    private int fail(int code, String message) {
        print(err, "keysource: " + oneLine(message) + "\n");
        return code;
    }

    private static String oneLine(String message) {
        String m = message == null ? "failed without a message" : message;
        return m.replace("\r\n", " ").replace('\n', ' ').replace('\r', ' ');
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

    private static List<String> schemes() {
        TreeSet<String> schemes = new TreeSet<>();
        Iterator<KeySourceProvider> it = ServiceLoader.load(KeySourceProvider.class).iterator();
        while (true) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                schemes.add(it.next().scheme());
            } catch (ServiceConfigurationError | LinkageError e) {
                schemes.add("(one failed to load: " + e.getMessage() + ")");
            }
        }
        return new ArrayList<>(schemes);
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
                + "  keysource check [options] REF   fetch and describe it (masked value, version, expiry, latency,\n"
                + "                                  settings used) without printing the value\n"
                + "  keysource --help | --version\n"
                + "\n"
                + "References (scheme:location[?option=value&...][#field]):\n"
                + "  vault:secret/claude-code#api_key                 a field of a Vault KV secret\n"
                + "  aws-sm:prod/claude#api_key?region=eu-west-1       a JSON field of an AWS secret\n"
                + "  'script:~/.claude/get-api-key.sh --profile dev'  what a helper command prints (quote it)\n"
                + "\n"
                + "Options:\n"
                + "  --format raw|json   raw: the value alone (binary values as base64); json: value and metadata\n"
                + "  --timeout DURATION  time limit of each attempt: 5000, 500ms, 5s, 2m or PT5S (default 30s;\n"
                + "                      transient failures are retried, 3 attempts in all)\n"
                + "  --set NAME=VALUE    a backend setting, e.g. --set working-dir=/srv/app (repeatable)\n"
                + "\n"
                + "Use as a Claude Code apiKeyHelper (settings.json):\n"
                + "  \"apiKeyHelper\": \"keysource get vault:secret/claude-code#api_key\"\n"
                + "\n"
                + "Exit codes: 0 ok, 2 usage, 3 not found, 4 rejected (auth/permission), 5 unavailable or timed out,\n"
                + "  6 misconfigured, 1 internal error. Errors are one line on stderr. stdin is never read.\n"
                + "Environment: KEYSOURCE_TIMEOUT_MS, KEYSOURCE_ATTEMPTS, KEYSOURCE_<SCHEME>_<SETTING>, the backends'\n"
                + "  own (VAULT_ADDR, VAULT_TOKEN, AWS_REGION, ...), KEYSOURCE_LOG_LEVEL (default warn, on stderr).\n";
    }
}
