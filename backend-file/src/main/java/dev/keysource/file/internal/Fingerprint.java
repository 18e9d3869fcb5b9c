package dev.keysource.file.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.Objects;

/** What identifies one version of a file without reading it: real path, inode, size, modification time. */
final class Fingerprint {

    static final Fingerprint MISSING = new Fingerprint(null, null, -1, -1);

    private final String real;
    private final Object fileKey;
    private final long size;
    private final long modifiedNanos;

    private Fingerprint(String real, Object fileKey, long size, long modifiedNanos) {
        this.real = real;
        this.fileKey = fileKey;
        this.size = size;
        this.modifiedNanos = modifiedNanos;
    }

    /** Whether this is {@link #MISSING}: the file (or a link on the way) did not exist. */
    boolean missing() {
        return real == null; // only MISSING has no real path
    }

    /** Follows symbolic links; {@link #MISSING} when the file (or a link on the way) does not exist. */
    static Fingerprint of(Path file) {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            Instant modified = a.lastModifiedTime().toInstant();
            return new Fingerprint(file.toRealPath().toString(), a.fileKey(), a.size(),
                    modified.getEpochSecond() * 1_000_000_000L + modified.getNano());
        } catch (IOException | RuntimeException e) {
            return MISSING;
        }
    }

    /** The modification time in nanoseconds since the epoch. */
    long modifiedNanos() {
        return modifiedNanos;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Fingerprint f)) {
            return false;
        }
        
        return size == f.size && modifiedNanos == f.modifiedNanos && Objects.equals(real, f.real)
                && Objects.equals(fileKey, f.fileKey);
    }

    @Override
    public int hashCode() {
        return Objects.hash(real, fileKey, size, modifiedNanos);
    }

    @Override
    public String toString() {
        return real == null ? "missing" : real + " (" + size + " bytes)";
    }
}
