package dev.keysource.aws.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.profiles.Profile;
import software.amazon.awssdk.profiles.ProfileFile;

/**
 * The AWS config and credentials files, located from the injected environment
 * ({@code AWS_CONFIG_FILE}, {@code AWS_SHARED_CREDENTIALS_FILE}, else {@code ~/.aws/config} and
 * {@code ~/.aws/credentials}), read once on first use. Missing files count as empty.
 */
final class ProfileFiles {

    private final Path config;
    private final Path credentials;
    private volatile ProfileFile loaded;

    ProfileFiles(Path config, Path credentials) {
        this.config = config;
        this.credentials = credentials;
    }

    /**
     * The merged files.
     *
     * @throws IllegalStateException naming the file (never its content) when one does not parse
     */
    ProfileFile load() {
        ProfileFile p = loaded;
        if (p == null) {
            synchronized (this) {
                p = loaded;
                if (p == null) {
                    ProfileFile.Aggregator all = ProfileFile.aggregator();
                    add(all, config, ProfileFile.Type.CONFIGURATION);
                    add(all, credentials, ProfileFile.Type.CREDENTIALS);
                    p = all.build();
                    loaded = p;
                }
            }
        }
        return p;
    }

    Optional<Profile> profile(String name) {
        return load().profile(name);
    }

    /** "~/.aws/config or ~/.aws/credentials" as paths, for messages. */
    String describe() {
        return config + " or " + credentials;
    }

    private static void add(ProfileFile.Aggregator all, Path file, ProfileFile.Type type) {
        if (!Files.isRegularFile(file)) {
            return;
        }
        try {
            all.addFile(ProfileFile.builder().content(file).type(type).build());
        } catch (RuntimeException e) {
            // the parser's message may quote a line of the file, which may hold a key: do not pass it on
            throw new IllegalStateException("the AWS " + (type == ProfileFile.Type.CONFIGURATION ? "config" : "credentials")
                    + " file " + file + " cannot be read or parsed (" + e.getClass().getSimpleName()
                    + "); check its syntax, e.g. with 'aws configure list'");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ProfileFiles profileFiles
                && profileFiles.config.equals(config)
                && profileFiles.credentials.equals(credentials);
    }

    @Override
    public int hashCode() {
        return Objects.hash(config, credentials);
    }
}
