package dev.keysource.script.internal;

import dev.keysource.KeyRef;
import dev.keysource.Secret;
import dev.keysource.SecretNotFoundException;
import dev.keysource.SourceAccessDeniedException;
import dev.keysource.SourceMisconfiguredException;
import dev.keysource.SourceTimeoutException;
import dev.keysource.SourceUnavailableException;
import dev.keysource.script.ScriptSettings;
import dev.keysource.spi.KeySource;
import dev.keysource.spi.ProviderContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Runs a helper once per {@link #fetch()} and reads the secret from its stdout (see
 * {@link ScriptSettings}). Thread-safe: each fetch is its own process.
 *
 * <p>Failures: a non-zero exit is reported with its code and up to 500 characters of trimmed stderr
 * (never stdout), classified by the exit code: 126 and 127 (cannot run, not found) and the
 * {@code sysexits.h} codes 64-65 and 78 are misconfigured, 77 ({@code EX_NOPERM}) is access denied,
 * 66-68 ({@code EX_NOINPUT}, {@code EX_NOUSER}, {@code EX_NOHOST}) not found, and every other code is
 * transient (retried). A run past the time limit is a timeout.
 */
public final class ScriptKeySource implements KeySource {

    private final KeyRef ref;
    private final String reference;
    private final ScriptConfig config;
    private final ProviderContext ctx;
    private final HelperFile helperFile;
    private final Duration grace;

    public ScriptKeySource(KeyRef ref, ScriptConfig config, ProviderContext ctx) {
        this(ref, config, ctx, HelperFile.forCurrentUser(), ScriptSettings.PIPE_GRACE);
    }

    ScriptKeySource(KeyRef ref, ScriptConfig config, ProviderContext ctx, HelperFile helperFile, Duration grace) {
        this.ref = ref;
        this.reference = ref.toString();
        this.config = config;
        this.ctx = ctx;
        this.helperFile = helperFile;
        this.grace = grace;
    }

    @Override
    public KeyRef ref() {
        return ref;
    }

    @Override
    public Secret fetch() {
        long started = System.nanoTime(); // the run limit counts from here, the file checks included
        for (String f : config.helperFiles) {
            resolve(f).ifPresent(p -> helperFile.check(reference, p));
        }
        HelperRun.Result r = HelperRun.run(reference, config.command, ctx.environment(), config.workingDir,
                config.maxOutput, config.runLimit.minusNanos(System.nanoTime() - started), grace);
        String stdoutText = new String(r.stdout, StandardCharsets.UTF_8).strip();
        if (r.overflow) {
            throw new SourceMisconfiguredException(reference, "the helper printed more than "
                    + config.maxOutput + " bytes on stdout and was stopped; a key is one line of at most "
                    + ScriptSettings.MAX_KEY_LENGTH + " characters. Fix the helper, or raise '"
                    + ScriptSettings.MAX_OUTPUT + "' (KEYSOURCE_SCRIPT_MAX_OUTPUT) for a helper that prints a large "
                    + "JSON object" + stderrPart(r, stdoutText));
        }
        if (r.timedOut) {
            throw new SourceTimeoutException(reference, "the helper did not finish within "
                    + config.runLimit.toMillis() + " ms and was killed" + (r.killed + r.leftovers.size() > 0
                    ? " with " + (r.killed + r.leftovers.size()) + " process(es) it started" : "")
                    + stderrPart(r, stdoutText) + "; make the helper faster (run it by hand to time it), or raise '"
                    + ScriptSettings.TIMEOUT + "' (KEYSOURCE_TIMEOUT_MS)");
        }
        if (r.exitCode != 0) {
            throw exitFailure(r, stdoutText);
        }
        return new HelperOutput(reference, config.jsonField, ctx.clock()).parse(r.stdout);
    }

    /** Where the shell finds a program: a path (relative to the working directory), or the first match on the PATH. */
    private java.util.Optional<Path> resolve(String program) {
        if (program.isEmpty()) {
            return java.util.Optional.empty();
        }
        if (program.indexOf('/') >= 0) {
            Path p = Path.of(program);
            if (!p.isAbsolute() && config.workingDir.isPresent()) {
                p = config.workingDir.get().resolve(p);
            }
            return java.util.Optional.of(p);
        }
        for (String d : ctx.environment().getOrDefault("PATH", "").split(":", -1)) {
            Path dir = Path.of(d.isEmpty() ? "." : d);
            if (!dir.isAbsolute() && config.workingDir.isPresent()) {
                dir = config.workingDir.get().resolve(dir);
            }
            Path p = dir.resolve(program);
            if (java.nio.file.Files.isRegularFile(p) && java.nio.file.Files.isExecutable(p)) {
                return java.util.Optional.of(p);
            }
        }
        return java.util.Optional.empty();
    }

    private RuntimeException exitFailure(HelperRun.Result r, String stdoutText) {
        int code = r.exitCode;
        String what = "the helper exited with code " + code;
        String err = stderrPart(r, stdoutText);
        String keyNote = stdoutText.isEmpty() ? "" : " (it printed something on stdout, which is ignored after a "
                + "failure and not shown)";
        return switch (code) {
            case 127 -> new SourceMisconfiguredException(
                    reference,
                    what + ": command not found" + err
                            + "; check the path of the helper and that its interpreter exists");
            case 126 -> new SourceMisconfiguredException(
                    reference,
                    what + ": the command cannot be executed" + err
                            + "; make it executable (chmod u+x) or run it through its interpreter");
            case 64, 65, 78 -> new SourceMisconfiguredException(
                    reference,
                    what + " (a usage or configuration error)" + keyNote + err + "; fix the helper's configuration");
            case 77 -> new SourceAccessDeniedException(
                    reference,
                    what + " (permission denied)" + keyNote + err + "; check the credentials the helper uses");
            case 66, 67, 68 -> new SecretNotFoundException(
                    reference,
                    what + " (not found)" + keyNote + err + "; check the name of the secret the helper reads");
            default -> new SourceUnavailableException(
                    reference, what + keyNote + err + "; run the helper by hand to see why");
        };
    }

    private static String stderrPart(HelperRun.Result r, String stdoutText) {
        String quoted = Stderr.quote(r.stderr, stdoutText);
        return quoted.isEmpty() ? "; it printed nothing on stderr" : "; stderr: \"" + quoted + "\"";
    }

    @Override
    public String toString() {
        return "ScriptKeySource[" + reference + "]";
    }
}
