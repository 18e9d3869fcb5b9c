package dev.keysource.file;

import dev.keysource.KeyRef;
import dev.keysource.file.internal.FileKeySource;
import dev.keysource.file.internal.FileOptions;
import dev.keysource.file.internal.Watchers;
import dev.keysource.spi.KeySource;
import dev.keysource.spi.KeySourceProvider;
import dev.keysource.spi.ProviderContext;
import java.util.Set;

/**
 * The {@code file} scheme: a secret read from a file that another program keeps current, such as a
 * Vault Agent template, the Secrets Store CSI driver, a Kubernetes Secret volume or a sidecar.
 *
 * <pre>{@code
 * file:/etc/secrets/api-key                       // the whole file, trimmed
 * file:/vault/secrets/app.json#api_key            // a field of a JSON object
 * file:/vault/secrets/app.env#API_KEY             // KEY=VALUE lines (export and quotes allowed)
 * file:/etc/app/secret.properties#db.password     // a .properties file
 * file:~/.config/app/key?quiet-period=1s
 * }</pre>
 *
 * <p>Each fetch reads the whole file (following symbolic links), never one written less than the quiet
 * period ago, and reads it again if it changed while being read: a value is never half-written. A
 * file anyone may write to, or in a directory anyone may change without the sticky bit, is refused.
 *
 * <p>Rotation is noticed without reading the file on every {@code get()}: the file's directory is watched
 * (a Kubernetes volume swaps its {@code ..data} symbolic link; Vault Agent renames a temporary file into
 * place) and, once the directory has been quiet for the quiet period, a changed file (another inode, size or
 * modification time) makes the cache refresh at once. Where the directory cannot be watched, or with
 * {@code watch=poll}, the file's attributes are polled every {@code poll-interval}.
 *
 * <p>Options (also settable in code, as system properties {@code keysource.file.<name>} and as
 * {@code KEYSOURCE_FILE_<NAME>}):
 * <ul>
 *   <li>{@value #FORMAT}: {@code auto} (default: {@code #field} reads JSON when the file name ends in
 *       {@code .json} or its text starts with <code>{</code>, a {@code .properties} file as properties,
 *       anything else as {@code KEY=VALUE} lines), {@code text}, {@code json}, {@code properties} or
 *       {@code env};</li>
 *   <li>{@value #WATCH}: {@code auto} (default: watch the directory, polling where that is not possible),
 *       {@code poll}, or {@code none} (the TTL alone decides);</li>
 *   <li>{@value #QUIET_PERIOD}: how long the directory (and the file) must be unchanged before it is read;
 *       default 500 ms;</li>
 *   <li>{@value #POLL_INTERVAL}: the polling period where the directory is not watched; default 5 s.</li>
 * </ul>
 *
 * <p>Public no-arg constructor, no I/O until {@link #create}; registered for {@link java.util.ServiceLoader}.
 * Sources created by one provider instance on one scheduler share one {@link java.nio.file.WatchService}.
 */
public final class FileKeySourceProvider implements KeySourceProvider {

    /** The scheme, {@value}. */
    public static final String SCHEME = "file";
    /** Option: how the file is read, {@code auto}, {@code text}, {@code json}, {@code properties}, {@code env}. */
    public static final String FORMAT = "format";
    /** Option: {@code auto}, {@code poll} or {@code none}. */
    public static final String WATCH = "watch";
    /** Option: how long a change must have settled before the file is read. */
    public static final String QUIET_PERIOD = "quiet-period";
    /** Option: the polling period where the directory is not watched. */
    public static final String POLL_INTERVAL = "poll-interval";

    private static final Set<String> OPTIONS = Set.of(FORMAT, WATCH, QUIET_PERIOD, POLL_INTERVAL);

    private final Watchers watchers = new Watchers();

    /** No I/O. */
    public FileKeySourceProvider() {
    }

    @Override
    public String scheme() {
        return SCHEME;
    }

    @Override
    public Set<String> options() {
        return OPTIONS;
    }

    /**
     * Resolves the path and the options; reads nothing yet.
     *
     * @throws dev.keysource.SourceMisconfiguredException for an empty path or an invalid option
     */
    @Override
    public KeySource create(KeyRef ref, ProviderContext context) {
        return new FileKeySource(ref, FileOptions.resolve(ref, context), context, watchers);
    }

    @Override
    public String toString() {
        return "FileKeySourceProvider[" + SCHEME + "]";
    }
}
