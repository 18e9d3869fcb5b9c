package dev.keysource;

/**
 * A snapshot of a cached key's counters. {@link #hits()} counts only when hit recording is on
 * ({@code recordStats(true)}); everything else is always counted.
 */
public final class KeyStats {

    private final long hits;
    private final long loads;
    private final long loadFailures;
    private final long refreshes;
    private final long refreshFailures;
    private final long rejections;
    private final long expirations;
    private final long rotations;
    private final long fetchAttempts;

    public KeyStats(long hits, long loads, long loadFailures, long refreshes, long refreshFailures,
                    long rejections, long expirations, long rotations, long fetchAttempts) {
        this.hits = hits;
        this.loads = loads;
        this.loadFailures = loadFailures;
        this.refreshes = refreshes;
        this.refreshFailures = refreshFailures;
        this.rejections = rejections;
        this.expirations = expirations;
        this.rotations = rotations;
        this.fetchAttempts = fetchAttempts;
    }

    /** Reads served from the cached value (only with hit recording on). */
    public long hits() {
        return hits;
    }

    /** Reads that found no value and loaded one (cache misses), successful or not. */
    public long loads() {
        return loads;
    }

    public long loadFailures() {
        return loadFailures;
    }

    /** Successful background refreshes. */
    public long refreshes() {
        return refreshes;
    }

    public long refreshFailures() {
        return refreshFailures;
    }

    public long rejections() {
        return rejections;
    }

    public long expirations() {
        return expirations;
    }

    public long rotations() {
        return rotations;
    }

    /** Calls made to the backend, counting each retry attempt. */
    public long fetchAttempts() {
        return fetchAttempts;
    }

    @Override
    public String toString() {
        return "KeyStats[hits=" + hits + ", loads=" + loads + ", loadFailures=" + loadFailures
                + ", refreshes=" + refreshes + ", refreshFailures=" + refreshFailures + ", rejections=" + rejections
                + ", expirations=" + expirations + ", rotations=" + rotations + ", fetchAttempts=" + fetchAttempts + ']';
    }
}
