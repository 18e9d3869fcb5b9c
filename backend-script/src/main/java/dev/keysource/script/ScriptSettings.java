package dev.keysource.script;

import java.time.Duration;

/**
 * The settings of the {@code script} backend, which runs a helper command (an {@code apiKeyHelper} or
 * {@code credential_process} script) and reads the secret from its stdout.
 *
 * <p>The reference is {@code script:} followed by the command line, verbatim:
 * {@code script:~/.claude/get-api-key.sh}. It takes no {@code ?options}; each setting below is given in
 * code ({@code CachedKey.builder(ref).setting("working-dir", "/srv/app")}), as the system property
 * {@code keysource.script.<name>} or as the environment variable {@code KEYSOURCE_SCRIPT_<NAME>}
 * ({@code KEYSOURCE_SCRIPT_WORKING_DIR}).
 *
 * <p>The helper runs with the environment the client was built with (the process environment unless
 * {@code CachedKey.Builder#environment} replaced it), its stdin closed at once, and the working
 * directory of the JVM unless {@link #WORKING_DIR} is set. Its TTL is {@code KEYSOURCE_TTL_MS}, else
 * {@value #TTL_ENVIRONMENT_VARIABLE}, else the core default of 5 minutes.
 */
public final class ScriptSettings {

    /** The scheme: {@value}. */
    public static final String SCHEME = "script";

    /**
     * {@code true} to run the command line without a shell: it is split into words (single quotes,
     * double quotes and backslashes are honoured; nothing is expanded but a leading {@code ~/}) and the
     * first word is executed directly. Default {@code false}: {@code /bin/sh -c <command line>}.
     */
    public static final String ARGV = "argv";

    /** The directory the helper runs in ({@code ~/} expanded). Default: the JVM's working directory. */
    public static final String WORKING_DIR = "working-dir";

    /**
     * The most bytes read from the helper's stdout: {@value #DEFAULT_MAX_OUTPUT} by default, written as
     * bytes ({@code 65536}) or with a unit ({@code 64k}, {@code 1m}; powers of 1024), 1k to 64m. A helper
     * that prints more is stopped and the fetch fails.
     */
    public static final String MAX_OUTPUT = "max-output";

    /**
     * The time limit of one run; the helper and every process it started are killed when it runs out.
     * Default: the per-attempt time limit of the client ({@code timeout}, {@code KEYSOURCE_TIMEOUT_MS},
     * 30 s by default), less a margin (a tenth of it, at most 500 ms) so that this backend, not the
     * resilience layer, stops the helper and reports its stderr. A longer value is capped the same way.
     */
    public static final String TIMEOUT = "timeout";

    /**
     * For a helper that prints a JSON object: the dotted path of the string field that holds the value
     * ({@code Credentials.SessionToken}, {@code status.token}, {@code key}). Default: the known shapes'
     * own field ({@code key}, {@code status.token}); the whole object for the AWS shapes.
     */
    public static final String JSON_FIELD = "json-field";

    /** The default of {@link #MAX_OUTPUT}: 64 KiB. */
    public static final int DEFAULT_MAX_OUTPUT = 64 * 1024;

    /** The longest key a helper may print, in characters, as tools that run helpers accept: 16 KiB. */
    public static final int MAX_KEY_LENGTH = 16 * 1024;

    /** How much trimmed stderr a failure message quotes: {@value} characters. */
    public static final int STDERR_QUOTE_LENGTH = 500;

    /** The TTL variable that tools running helpers already honour: {@value}. */
    public static final String TTL_ENVIRONMENT_VARIABLE = "CLAUDE_CODE_API_KEY_HELPER_TTL_MS";

    /**
     * How long to keep reading stdout and stderr after the helper exited: a background process it left
     * behind may hold them open. After this the pipes' holders are killed and the output read so far is used.
     */
    public static final Duration PIPE_GRACE = Duration.ofMillis(300);

    private ScriptSettings() {
    }
}
