package dev.keysource.script.internal;

import dev.keysource.KeyRef;
import dev.keysource.SourceMisconfiguredException;
import dev.keysource.script.ScriptSettings;
import dev.keysource.spi.ProviderContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The resolved settings of one script reference; immutable. */
public final class ScriptConfig {

    // compiled when a setting needs them: regular expressions cost start-up time on the CLI path
    private static final String SIZE = "(\\d{1,9})\\s*(k|kb|kib|m|mb|mib)?";
    private static final int MIN_OUTPUT = 1024;
    private static final int MAX_OUTPUT = 64 * 1024 * 1024;
    private static final Duration MAX_MARGIN = Duration.ofMillis(500);

    /** The command as executed: {@code /bin/sh -c <line>} or the argv words. */
    public final List<String> command;
    /**
     * The programs and scripts the command runs, as written after expansion (paths, or names found on the
     * PATH), checked before each run (see {@link CommandLine#programs}).
     */
    public final List<String> helperFiles;
    /** The working directory, or empty for the JVM's. */
    public final Optional<Path> workingDir;
    public final int maxOutput;
    public final Duration runLimit;
    public final Optional<String> jsonField;
    /** What the messages call the command: the location as the user wrote it. */
    public final String display;

    private ScriptConfig(List<String> command, List<String> helperFiles, Optional<Path> workingDir, int maxOutput,
                         Duration runLimit, Optional<String> jsonField, String display) {
        this.command = command;
        this.helperFiles = helperFiles;
        this.workingDir = workingDir;
        this.maxOutput = maxOutput;
        this.runLimit = runLimit;
        this.jsonField = jsonField;
        this.display = display;
    }

    /**
     * Reads the settings of a reference.
     *
     * @throws SourceMisconfiguredException naming the setting, where it came from and the accepted form
     */
    public static ScriptConfig resolve(KeyRef ref, ProviderContext ctx) {
        String reference = ref.toString();
        String line = ref.location();
        String home = ctx.userHome();
        boolean argv = bool(reference, ctx, ScriptSettings.ARGV);
        List<String> command;
        String checkedLine;
        if (argv) {
            List<String> words;
            try {
                words = CommandLine.split(line, home);
            } catch (IllegalArgumentException e) {
                throw new SourceMisconfiguredException(reference, "cannot split the command line into "
                        + "words (argv=true): " + e.getMessage() + "; close the quote, or run it through the shell "
                        + "(argv=false)");
            }
            if (words.isEmpty()) {
                throw new SourceMisconfiguredException(reference, "the command line is empty");
            }
            command = List.copyOf(words);
            checkedLine = String.join(" ", words.stream().map(CommandLine::shellQuote).toArray(String[]::new));
        } else {
            command = List.of("/bin/sh", "-c", CommandLine.expandLeadingTilde(line, home));
            checkedLine = line;
        }
        List<String> helpers;
        try {
            helpers = List.copyOf(CommandLine.programs(checkedLine, ctx.environment(), home));
        } catch (IllegalArgumentException e) {
            throw new SourceMisconfiguredException(reference, "cannot check the helper before it runs: "
                    + e.getMessage() + "; keysource checks every program and script a command line runs, so write "
                    + "their paths literally (a variable set in the environment, $HOME or ~ is fine), or set argv=true");
        }
        Optional<Path> dir = ctx.setting(ScriptSettings.WORKING_DIR).map(String::trim).filter(s -> !s.isEmpty())
                .map(s -> Path.of(s.equals("~") ? home : s.startsWith("~/") ? home + s.substring(1) : s));
        int maxOutput = ctx.setting(ScriptSettings.MAX_OUTPUT)
                .map(s -> size(reference, ctx, ScriptSettings.MAX_OUTPUT, s))
                .orElse(ScriptSettings.DEFAULT_MAX_OUTPUT);
        Duration attempt = ctx.attemptTimeout();
        Duration limit = duration(reference, ctx, ScriptSettings.TIMEOUT).orElse(attempt);
        Duration margin = attempt.dividedBy(10).compareTo(MAX_MARGIN) < 0 ? attempt.dividedBy(10) : MAX_MARGIN;
        if (limit.compareTo(attempt.minus(margin)) > 0) {
            limit = attempt.minus(margin);
        }
        if (limit.isZero() || limit.isNegative()) {
            limit = attempt;
        }
        Optional<String> field = ctx.setting(ScriptSettings.JSON_FIELD).map(String::trim).filter(s -> !s.isEmpty());
        if (field.isPresent() && (field.get().startsWith(".") || field.get().endsWith(".") || field.get().contains(".."))) {
            throw new SourceMisconfiguredException(reference, "setting '" + ScriptSettings.JSON_FIELD
                    + "' from " + ctx.settingOrigin(ScriptSettings.JSON_FIELD).orElse("?") + " must be a dotted path "
                    + "of field names such as Credentials.SessionToken; got '" + field.get() + "'");
        }
        return new ScriptConfig(command, helpers, dir, maxOutput, limit, field, line);
    }

    private static boolean bool(String reference, ProviderContext ctx, String name) {
        Optional<String> v = ctx.setting(name);
        if (v.isEmpty()) {
            return false;
        }
        return switch (v.get().trim().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "1", "on" -> true;
            case "false", "no", "0", "off", "" -> false;
            default -> throw new SourceMisconfiguredException(
                    reference,
                    "setting '" + name + "' from " + ctx.settingOrigin(name).orElse("?")
                            + " must be true or false; got '" + v.get() + "'");
        };
    }

    private static int size(String reference, ProviderContext ctx, String name, String text) {
        Matcher m = Pattern.compile(SIZE).matcher(text.trim().toLowerCase(Locale.ROOT));
        long v = -1;
        if (m.matches()) {
            v = Long.parseLong(m.group(1));
            if (m.group(2) != null) {
                v *= m.group(2).startsWith("k") ? 1024L : 1024L * 1024L;
            }
        }
        if (v < MIN_OUTPUT || v > MAX_OUTPUT) {
            throw new SourceMisconfiguredException(reference, "setting '" + name + "' from "
                    + ctx.settingOrigin(name).orElse("?") + " must be a size from 1k to 64m, in bytes (65536) or "
                    + "with a unit (64k, 1m); got '" + text + "'");
        }
        return (int) v;
    }

    /** A duration setting, read by core's parser (its forms, range and message), with the reference in front. */
    private static Optional<Duration> duration(String reference, ProviderContext ctx, String name) {
        try {
            return ctx.durationSetting(name, false);
        } catch (SourceMisconfiguredException e) {
            throw new SourceMisconfiguredException(reference, e.detail());
        }
    }
}
