package dev.keysource.cli.internal;

import dev.keysource.spi.Printable;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The parsed command line. A lean hand-written parser: a general one (picocli) costs more start-up time
 * than the whole of {@code keysource get} is allowed.
 */
final class Args {

    enum Command { GET, CHECK, HELP, VERSION, GIT_CREDENTIAL, DOCKER_CREDENTIAL }

    /** What {@code get} prints: the value, JSON, or a tool's credential format (see {@link Helpers}). */
    enum Format { RAW, JSON, CREDENTIAL_PROCESS, EXEC_CREDENTIAL }

    /** Setting names that hold a credential: never accepted in argv, where every user sees them (ps). */
    private static final java.util.regex.Pattern CREDENTIAL_SETTING = java.util.regex.Pattern.compile(
            "(?i).*(token|secret|password|passwd|credential|private-key|api-key|access-key).*");

    Command command;
    String reference;
    /** The action of a credential-helper command: get, store, erase, list, ... */
    String action;
    Format format = Format.RAW;
    Duration timeout;
    /** {@code --aws-fields}: the secret's fields holding the access key, secret key and session token. */
    String awsFields;
    /** {@code --username}: the user name a git or Docker helper answers. */
    String username;
    final Map<String, String> settings = new LinkedHashMap<>();
    /** The names given with {@code --set}, as the command line set them (for check's origins). */
    final java.util.Set<String> cliSettings = new java.util.LinkedHashSet<>();

    /** A usage error: exit code 2, the message is the one line printed. */
    static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    private Args() {
    }

    static Args parse(String[] argv) {
        Args a = new Args();
        boolean optionsDone = false;
        for (int i = 0; i < argv.length; i++) {
            String arg = argv[i];
            if (!optionsDone && arg.startsWith("-") && arg.length() > 1) {
                if (arg.equals("--")) {
                    optionsDone = true;
                    continue;
                }
                String name = arg;
                String value = null;
                int eq = arg.indexOf('=');
                if (arg.startsWith("--") && eq > 0) {
                    name = arg.substring(0, eq);
                    value = arg.substring(eq + 1);
                }
                switch (name) {
                    case "-h", "--help" -> {
                        a.command = Command.HELP;
                        return a;
                    }
                    case "-V", "--version" -> {
                        a.command = Command.VERSION;
                        return a;
                    }
                    case "--format" -> {
                        value = value != null ? value : next(argv, ++i, name);
                        a.format = format(value);
                    }
                    case "--timeout" -> {
                        value = value != null ? value : next(argv, ++i, name);
                        a.timeout = duration(value);
                    }
                    case "--set" -> {
                        value = value != null ? value : next(argv, ++i, name);
                        setting(a, value);
                    }
                    case "--aws-fields" -> a.awsFields = value != null ? value : next(argv, ++i, name);
                    case "--username" -> a.username = value != null ? value : next(argv, ++i, name);
                    default -> throw new UsageException("unknown option '" + name + "'"
                            + dev.keysource.internal.Suggest.nearest(name, OPTIONS)
                                    .map(o -> " (did you mean '" + o + "'?)")
                                    .orElse("")
                            + "; the options are " + String.join(", ", OPTIONS));
                }
                continue;
            }
            if (a.command == null) {
                switch (arg) {
                    case "get" -> a.command = Command.GET;
                    case "check" -> a.command = Command.CHECK;
                    case "help" -> {
                        a.command = Command.HELP;
                        return a;
                    }
                    case "version" -> {
                        a.command = Command.VERSION;
                        return a;
                    }
                    case "git-credential" -> a.command = Command.GIT_CREDENTIAL;
                    case "docker-credential" -> a.command = Command.DOCKER_CREDENTIAL;
                    default -> throw new UsageException(
                            "unknown command '" + arg + "'; the commands are get, check, git-credential, "
                                    + "docker-credential and help"
                                    + (arg.indexOf(':') > 0 ? " (did you mean 'keysource get " + arg + "'?)" : ""));
                }
            } else if (a.command == Command.DOCKER_CREDENTIAL && a.action == null && a.reference == null
                    && arg.indexOf(':') < 0) {
                a.action = arg; // docker-credential-keysource get: the servers map names the references
            } else if (a.reference == null) {
                a.reference = arg;
            } else if (a.action == null && (a.command == Command.GIT_CREDENTIAL
                    || a.command == Command.DOCKER_CREDENTIAL)) {
                a.action = arg;
            } else {
                throw new UsageException("unexpected argument '" + arg + "' after the reference; a reference is one "
                        + "argument: quote a script command line, e.g. keysource get 'script:~/bin/get-key.sh --profile dev'");
            }
        }
        if (a.command == null) {
            throw new UsageException("no command; use 'keysource get REF' or 'keysource check REF' "
                    + "(run 'keysource --help' for more)");
        }
        if (a.command == Command.GIT_CREDENTIAL && a.action == null) {
            throw new UsageException("git-credential: the action is missing; git runs its helper as "
                    + "'keysource git-credential REF get' (configure credential.helper as "
                    + "'!keysource git-credential REF')");
        }
        if (a.command == Command.DOCKER_CREDENTIAL) {
            if (a.action == null) {
                throw new UsageException("docker-credential: the action is missing; Docker runs its helper as "
                        + "'docker-credential-keysource get' with the server on stdin");
            }
            return a; // without a reference, the servers file maps each server to one
        }
        if (a.reference == null) {
            String c = a.command.name().toLowerCase(Locale.ROOT);
            throw new UsageException(c + ": the reference is missing, e.g. keysource " + c
                    + " vault:secret/app#api_key or keysource " + c + " script:~/bin/get-key.sh");
        }
        return a;
    }

    private static String next(String[] argv, int i, String option) {
        if (i >= argv.length) {
            throw new UsageException("option " + option + " needs a value");
        }
        return argv[i];
    }

    private static Format format(String v) {
        return switch (v) {
            case "raw" -> Format.RAW;
            case "json" -> Format.JSON;
            case "credential-process" -> Format.CREDENTIAL_PROCESS;
            case "exec-credential" -> Format.EXEC_CREDENTIAL;
            default -> throw new UsageException(
                    "--format must be raw, json, credential-process (AWS) or exec-credential (Kubernetes); got '"
                            + Printable.escape(v) + "'");
        };
    }

    private static void setting(Args a, String v) {
        int eq = v.indexOf('=');
        if (eq <= 0) {
            // not echoed: it may be a credential typed without its '='
            throw new UsageException("--set needs NAME=VALUE, e.g. --set working-dir=/srv/app; got an argument "
                    + "without a name before '='");
        }
        String name = v.substring(0, eq);
        if (CREDENTIAL_SETTING.matcher(name).matches() && !name.endsWith("-file")) {
            throw new UsageException("--set " + Printable.escape(name) + "=... puts a credential on the command line,"
                    + " where every user of this machine can read it (ps, /proc); it is refused, and its value was not"
                    + " used. " + credentialHint(name));
        }
        a.settings.put(name, v.substring(eq + 1));
        a.cliSettings.add(name);
    }

    private static String credentialHint(String name) {
        return switch (name) {
            case "token" -> "Set VAULT_TOKEN (or KEYSOURCE_VAULT_TOKEN) in the environment, or leave it in ~/.vault-token";
            case "secret-id" -> "Set VAULT_SECRET_ID in the environment, or name a file with --set secret-id-file=PATH";
            default -> "Set it in the environment (KEYSOURCE_<SCHEME>_"
                    + dev.keysource.internal.SettingsSource.envName(name)
                    + ") or name a file holding it (--set " + Printable.escape(name) + "-file=PATH, where the "
                    + "backend has one)";
        };
    }

    /** Every option, for the usage error of an unknown one. */
    static final java.util.List<String> OPTIONS = java.util.List.of("--format", "--timeout", "--set", "--aws-fields",
            "--username", "--help", "--version");

    /**
     * Milliseconds (documented for this option, as for the {@code KEYSOURCE_*_MS} variables), a number with a unit
     * or ISO-8601: core's duration parser, so its forms, its 365-day cap and its message are the settings' ones.
     */
    static Duration duration(String v) {
        try {
            return dev.keysource.internal.Durations.parse("timeout", "command-line option --timeout", v, false, true);
        } catch (dev.keysource.SourceMisconfiguredException e) {
            throw new UsageException(e.detail());
        }
    }
}
