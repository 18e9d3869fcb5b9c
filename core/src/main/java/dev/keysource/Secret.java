package dev.keysource;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A secret value and what its backend knows about it: version, expiry, creation time.
 *
 * <p>The value is text (an API key, a token, a password) or bytes (an AWS {@code SecretBinary}).
 * Reading it is an explicit call, {@link #value()} or {@link #bytes()}; {@link #toString()} shows
 * a fixed mask and the metadata, never the value. Deliberately not a record.
 */
public final class Secret {

    private static final String MASK = "****";

    /** Exactly one of text and binary is set. */
    private final @Nullable String text;
    private final byte @Nullable [] binary;
    private final @Nullable String version;
    private final @Nullable Instant expiry;
    private final @Nullable Instant created;

    private Secret(@Nullable String text, byte @Nullable [] binary, @Nullable String version, @Nullable Instant expiry,
                   @Nullable Instant created) {
        this.text = text;
        this.binary = binary;
        this.version = version;
        this.expiry = expiry;
        this.created = created;
    }

    /** A text secret with no metadata. */
    public static Secret of(String value) {
        return builder(value).build();
    }

    /** A builder for a text secret. */
    public static Builder builder(String value) {
        Objects.requireNonNull(value, "value");
        return new Builder(value, null);
    }

    /** A builder for a binary secret; the array is copied. */
    public static Builder builderOfBytes(byte[] value) {
        Objects.requireNonNull(value, "value");
        return new Builder(null, value.clone());
    }

    /**
     * The value as text. For a binary secret this is the standard Base64 encoding of its bytes
     * (see {@link #isBinary()}).
     */
    public String value() {
        return binary == null ? Objects.requireNonNull(text) : Base64.getEncoder().encodeToString(binary);
    }

    /** The value as bytes: UTF-8 of a text value, or a copy of a binary value. */
    public byte[] bytes() {
        return binary == null ? Objects.requireNonNull(text).getBytes(StandardCharsets.UTF_8) : binary.clone();
    }

    /** Whether the backend returned bytes rather than text. */
    public boolean isBinary() {
        return binary != null;
    }

    /** The backend's version of this value (a KV version, an AWS version id), if it has one. */
    public Optional<String> version() {
        return Optional.ofNullable(version);
    }

    /** When the backend says this value stops being valid (a lease, a credential expiry). */
    public Optional<Instant> expiry() {
        return Optional.ofNullable(expiry);
    }

    /** When the backend created this value, if it says. */
    public Optional<Instant> created() {
        return Optional.ofNullable(created);
    }

    /**
     * Whether this secret's value equals {@code candidate}, compared in time independent of where
     * they differ.
     */
    public boolean matches(String candidate) {
        if (candidate == null) {
            return false;
        }
        return MessageDigest.isEqual(value().getBytes(StandardCharsets.UTF_8), candidate.getBytes(StandardCharsets.UTF_8));
    }

    /** Whether two secrets hold the same value (constant-time comparison). */
    public boolean sameValueAs(Secret other) {
        return other != null && MessageDigest.isEqual(bytes(), other.bytes()) && isBinary() == other.isBinary();
    }

    /**
     * The value with all but its first and last characters masked, for diagnostics such as
     * {@code keysource check} (docs/troubleshooting.md): from 16 characters on, the first three, the length
     * and the last two ({@code sk-…(51 chars)…xQ}); shorter values {@code **** (9 chars)}.
     */
    public String masked() {
        String v = value();
        if (v.length() < 16) {
            return MASK + " (" + v.length() + " chars)";
        }
        return v.substring(0, 3) + "…(" + v.length() + " chars)…" + v.substring(v.length() - 2);
    }

    /** Never shows the value. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Secret[").append(MASK);
        if (binary != null) {
            sb.append(", binary");
        }
        if (version != null) {
            sb.append(", version=").append(version);
        }
        if (expiry != null) {
            sb.append(", expiry=").append(expiry);
        }
        if (created != null) {
            sb.append(", created=").append(created);
        }
        return sb.append(']').toString();
    }

    /** Builds a {@link Secret}. */
    public static final class Builder {
        private final @Nullable String text;
        private final byte @Nullable [] binary;
        private @Nullable String version;
        private @Nullable Instant expiry;
        private @Nullable Instant created;

        private Builder(@Nullable String text, byte @Nullable [] binary) {
            this.text = text;
            this.binary = binary;
        }

        /** The backend's version label; null for none. */
        public Builder version(@Nullable String version) {
            this.version = version;
            return this;
        }

        /** When the value stops being valid; null for none. */
        public Builder expiry(@Nullable Instant expiry) {
            this.expiry = expiry;
            return this;
        }

        /** When the backend created the value; null if unknown. */
        public Builder created(@Nullable Instant created) {
            this.created = created;
            return this;
        }

        public Secret build() {
            return new Secret(text, binary, version, expiry, created);
        }
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Secret s)) {
            return false;
        }
        
        return sameValueAs(s) && Objects.equals(version, s.version) && Objects.equals(expiry, s.expiry)
                && Objects.equals(created, s.created);
    }

    @Override
    public int hashCode() {
        return Objects.hash(version, expiry, created);
    }
}
