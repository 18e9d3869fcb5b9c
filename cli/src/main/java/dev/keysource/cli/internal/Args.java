package dev.keysource.cli.internal;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The parsed command line. A lean hand-written parser: a general one (picocli) costs more start-up time
 * than the whole of {@code keysource get} is allowed.
 */
final class Args {

    enum Command { GET, CHECK, HELP, VERSION }

    enum Format { RAW, JSON }

    Command command;
    String reference;
    Format format = Format.RAW;
    Duration timeout;
    final Map<String, String> settings = new LinkedHashMap<>();

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
                    case "-h":
                    case "--help":
                        a.command = Command.HELP;
                        return a;
                    case "-V":
                    case "--version":
                        a.command = Command.VERSION;
                        return a;
                    case "--format":
                        value = value != null ? value : next(argv, ++i, name);
                        a.format = format(value);
                        break;
                    case "--timeout":
                        value = value != null ? value : next(argv, ++i, name);
                        a.timeout = duration(value);
                        break;
                    case "--set":
                        value = value != null ? value : next(argv, ++i, name);
                        setting(a, value);
                        break;
                    default:
                        throw new UsageException("unknown option '" + arg + "'; run 'keysource --help' for the options");
                }
                continue;
            }
            if (a.command == null) {
                switch (arg) {
                    case "get":
                        a.command = Command.GET;
                        break;
                    case "check":
                        a.command = Command.CHECK;
                        break;
                    case "help":
                        a.command = Command.HELP;
                        return a;
                    case "version":
                        a.command = Command.VERSION;
                        return a;
                    default:
                        throw new UsageException("unknown command '" + arg + "'; the commands are get, check and help"
                                + (arg.indexOf(':') > 0 ? " (did you mean 'keysource get " + arg + "'?)" : ""));
                }
            } else if (a.reference == null) {
                a.reference = arg;
            } else {
                throw new UsageException("unexpected argument '" + arg + "' after the reference; a reference is one "
                        + "argument: quote a script command line, e.g. keysource get 'script:~/bin/get-key.sh --profile dev'");
            }
        }
        if (a.command == null) {
            throw new UsageException("no command; use 'keysource get REF' or 'keysource check REF' "
                    + "(run 'keysource --help' for more)");
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
        switch (v) {
            case "raw":
                return Format.RAW;
            case "json":
                return Format.JSON;
            default:
                throw new UsageException("--format must be raw or json; got '" + v + "'");
        }
    }

    private static void setting(Args a, String v) {
        int eq = v.indexOf('=');
        if (eq <= 0) {
            throw new UsageException("--set needs NAME=VALUE, e.g. --set working-dir=/srv/app; got '" + v + "'");
        }
        a.settings.put(v.substring(0, eq), v.substring(eq + 1));
    }

    /** Milliseconds, a number with a unit (500ms, 5s, 2m) or ISO-8601 (PT5S). */
    static Duration duration(String v) {
        String s = v.trim().toLowerCase(Locale.ROOT);
        Duration d = null;
        try {
            int digits = 0;
            while (digits < s.length() && Character.isDigit(s.charAt(digits))) {
                digits++;
            }
            if (digits > 0 && digits <= 12) {
                long n = Long.parseLong(s.substring(0, digits));
                switch (s.substring(digits)) {
                    case "":
                    case "ms":
                        d = Duration.ofMillis(n);
                        break;
                    case "s":
                        d = Duration.ofSeconds(n);
                        break;
                    case "m":
                        d = Duration.ofMinutes(n);
                        break;
                    default:
                        break;
                }
            } else if (s.startsWith("pt")) {
                d = Duration.parse(s.toUpperCase(Locale.ROOT));
            }
        } catch (RuntimeException e) {
            d = null;
        }
        if (d == null || d.isNegative() || d.isZero()) {
            throw new UsageException("--timeout must be a positive duration: milliseconds (5000), a number with a "
                    + "unit (500ms, 5s, 2m) or ISO-8601 (PT5S); got '" + v + "'");
        }
        return d;
    }
}
