package dev.keysource.file.internal;

import dev.keysource.KeyRef;
import dev.keysource.SourceMisconfiguredException;
import dev.keysource.file.FileKeySourceProvider;
import dev.keysource.spi.ProviderContext;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/** The resolved settings of one {@code file:} reference. No I/O. */
public final class FileOptions {

    /** Default {@code quiet-period}: 500 ms. */
    static final Duration DEFAULT_QUIET_PERIOD = Duration.ofMillis(500);
    /** Default {@code poll-interval}: 5 s. */
    static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(5);
    private static final Duration MIN_POLL_INTERVAL = Duration.ofMillis(100);
    private static final Duration MAX_QUIET_PERIOD = Duration.ofMinutes(1);

    enum Format { AUTO, TEXT, JSON, PROPERTIES, ENV }

    enum Watch { AUTO, POLL, NONE }

    final Path path;
    final Format format;
    final Watch watch;
    final Duration quietPeriod;
    final Duration pollInterval;
    final String field;

    private FileOptions(Path path, Format format, Watch watch, Duration quietPeriod, Duration pollInterval, String field) {
        this.path = path;
        this.format = format;
        this.watch = watch;
        this.quietPeriod = quietPeriod;
        this.pollInterval = pollInterval;
        this.field = field;
    }

    public static FileOptions resolve(KeyRef ref, ProviderContext context) {
        String reference = ref.toString();
        String location = ref.location();
        if (location.isBlank()) {
            throw new SourceMisconfiguredException(reference, "no path after 'file:'; write "
                    + "file:/path/to/secret[#field]");
        }
        if (location.equals("~") || location.startsWith("~/")) {
            location = context.userHome() + location.substring(1);
        }
        Path path;
        try {
            path = Path.of(location).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw new SourceMisconfiguredException(reference, "'" + ref.location() + "' is not a path ("
                    + e.getReason() + ")");
        }
        Format format = choice(reference, context, FileKeySourceProvider.FORMAT, Format.class, Format.AUTO);
        Watch watch = choice(reference, context, FileKeySourceProvider.WATCH, Watch.class, Watch.AUTO);
        Duration quiet = duration(reference, context, FileKeySourceProvider.QUIET_PERIOD, DEFAULT_QUIET_PERIOD);
        if (quiet.compareTo(MAX_QUIET_PERIOD) > 0) {
            throw new SourceMisconfiguredException(reference, "quiet-period must be at most 1m: "
                    + quiet.toMillis() + " ms");
        }
        Duration poll = duration(reference, context, FileKeySourceProvider.POLL_INTERVAL, DEFAULT_POLL_INTERVAL);
        if (poll.compareTo(MIN_POLL_INTERVAL) < 0) {
            throw new SourceMisconfiguredException(reference, "poll-interval must be at least 100ms: "
                    + poll.toMillis() + " ms");
        }
        String field = ref.field().orElse(null);
        if (field != null && format == Format.TEXT) {
            throw new SourceMisconfiguredException(reference, "format=text reads the whole file and has "
                    + "no fields; remove '#" + field + "', or set format to json, properties or env");
        }
        return new FileOptions(path, format, watch, quiet, poll, field);
    }

    private static <E extends Enum<E>> E choice(String reference, ProviderContext context, String name, Class<E> type,
                                                E fallback) {
        Optional<String> v = context.setting(name);
        if (v.isEmpty() || v.get().isBlank()) {
            return fallback;
        }
        try {
            return Enum.valueOf(type, v.get().trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            StringBuilder accepted = new StringBuilder();
            for (E c : type.getEnumConstants()) {
                accepted.append(accepted.length() == 0 ? "" : ", ").append(c.name().toLowerCase(Locale.ROOT));
            }
            throw new SourceMisconfiguredException(reference, name + " from "
                    + context.settingOrigin(name).orElse("a setting") + " must be one of " + accepted + ": '"
                    + v.get() + "'");
        }
    }

    /** A duration setting, read by core's parser (its forms, range and message), with the reference in front. */
    private static Duration duration(String reference, ProviderContext context, String name, Duration fallback) {
        try {
            return context.durationSetting(name, true).orElse(fallback);
        } catch (SourceMisconfiguredException e) {
            throw new SourceMisconfiguredException(reference, e.detail());
        }
    }
}
