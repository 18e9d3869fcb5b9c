package dev.keysource.file.internal;

import dev.keysource.KeyRef;
import dev.keysource.Secret;
import dev.keysource.SecretNotFoundException;
import dev.keysource.SourceAccessDeniedException;
import dev.keysource.SourceInterruptedException;
import dev.keysource.SourceMisconfiguredException;
import dev.keysource.SourceUnavailableException;
import dev.keysource.spi.KeySource;
import dev.keysource.spi.ProviderContext;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.locks.LockSupport;

/**
 * Reads one file per fetch. A file modified less than the quiet period ago is waited for (through the
 * blocking fetch) until it has settled, and a file that changed while it was read is read again, so a value
 * written slowly in place is never returned half-written.
 */
public final class FileKeySource implements KeySource {

    /** Largest file read. */
    static final int MAX_BYTES = 1024 * 1024;
    private static final int MAX_READS = 20;

    private final KeyRef ref;
    private final String reference;
    private final FileOptions options;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    private final Duration settleLimit;
    private final Watchers watchers;
    private volatile Watchers.Handle watch;

    public FileKeySource(KeyRef ref, FileOptions options, ProviderContext context, Watchers watchers) {
        this.ref = ref;
        this.reference = ref.toString();
        this.options = options;
        // the file's modification time is on the operating system's clock, so the quiet period is measured on
        // it too (not on the context's clock, which tests may replace)
        this.clock = Clock.systemUTC();
        this.scheduler = context.scheduler();
        this.settleLimit = context.attemptTimeout().multipliedBy(8).dividedBy(10);
        this.watchers = watchers;
        context.note("file: " + options.path + (options.watch == FileOptions.Watch.NONE
                ? "; not watched (watch=none): re-read when the TTL runs out"
                : options.watch == FileOptions.Watch.POLL ? "; a cached value polls it every "
                + options.pollInterval.toMillis() + " ms (watch=poll)"
                : "; a cached value watches " + options.path.getParent() + " (quiet period "
                + options.quietPeriod.toMillis() + " ms)"));
    }

    @Override
    public KeyRef ref() {
        return ref;
    }

    @Override
    public Secret fetch() {
        FilePermissions.check(reference, options.path);
        byte[] bytes = readSettled();
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new SourceMisconfiguredException(reference, "the file " + options.path + " is not "
                    + "UTF-8 text; keysource reads text secrets from files");
        }
        return Secret.builder(FileContent.extract(reference, options.path, text, options)).build();
    }

    /** The file's bytes once it has been unchanged for the quiet period and did not change while read. */
    private byte[] readSettled() {
        Instant giveUp = clock.instant().plus(settleLimit);
        for (int i = 0; i < MAX_READS; i++) {
            Fingerprint before = Fingerprint.of(options.path);
            if (before.missing()) {
                return read(); // reports why
            }
            long modified = before.modifiedNanos();
            Instant settledAt = Instant.ofEpochSecond(0, modified).plus(options.quietPeriod);
            Instant now = clock.instant();
            if (settledAt.isAfter(now)) {
                if (settledAt.isAfter(giveUp)) {
                    break;
                }
                await(Duration.between(now, settledAt));
                continue;
            }
            byte[] bytes = read();
            if (Fingerprint.of(options.path).equals(before)) {
                return bytes;
            }
        }
        throw new SourceUnavailableException(reference, "the file " + options.path + " kept changing "
                + "for " + settleLimit.toMillis() + " ms (quiet period " + options.quietPeriod.toMillis() + " ms); "
                + "whatever writes it should write a temporary file and rename it into place; retried");
    }

    private byte[] read() {
        Path p = options.path;
        try (InputStream in = Files.newInputStream(p)) {
            byte[] b = in.readNBytes(MAX_BYTES + 1);
            if (b.length > MAX_BYTES) {
                throw new SourceMisconfiguredException(reference, "the file " + p + " is larger than "
                        + MAX_BYTES + " bytes; point keysource at the file that holds the secret");
            }
            return b;
        } catch (NoSuchFileException e) {
            throw new SecretNotFoundException(reference, "the file " + p + " does not exist; check the "
                    + "path, and that whatever writes it (Vault Agent, the CSI driver, the volume mount) has run");
        } catch (AccessDeniedException e) {
            throw new SourceAccessDeniedException(reference, "the file " + p + " cannot be read by this "
                    + "user (user '" + System.getProperty("user.name", "?") + "'); give it read access, e.g. the "
                    + "pod's fsGroup or the group of the Vault Agent template's perms");
        } catch (IOException e) {
            if (Files.isDirectory(p)) {
                throw new SourceMisconfiguredException(reference, p + " is a directory; name the "
                        + "file inside it that holds the secret");
            }
            throw new SourceUnavailableException(reference, "reading the file " + p + " failed ("
                    + e.getClass().getSimpleName() + "); retried", e);
        }
    }

    /**
     * Blocks this fetch for {@code d}, as a slow read would. Parks rather than waiting on the scheduler: a
     * refresh started by the watch may run on the scheduler's thread (with a direct executor).
     */
    private void await(Duration d) {
        long end = System.nanoTime() + d.toNanos();
        long left;
        while ((left = end - System.nanoTime()) > 0) {
            LockSupport.parkNanos(this, left);
            if (Thread.currentThread().isInterrupted()) {
                throw new SourceInterruptedException(reference, "interrupted while waiting for the file "
                        + options.path + " to settle");
            }
        }
    }

    /** Starts watching the file's directory (or polling it) for the cache. */
    @Override
    public void watch(Runnable changed) {
        if (options.watch == FileOptions.Watch.NONE) {
            return;
        }
        watch = watchers.register(reference, scheduler, options.path, options.watch == FileOptions.Watch.POLL,
                options.quietPeriod, options.pollInterval, changed);
    }

    /** How rotation is noticed, for tests and diagnostics. */
    public String watching() {
        Watchers.Handle w = watch;
        return w == null ? "not watched" : w.describe();
    }

    @Override
    public void close() {
        Watchers.Handle w = watch;
        watch = null;
        if (w != null) {
            w.close();
        }
    }

    @Override
    public String toString() {
        return "FileKeySource[" + reference + "]";
    }
}
