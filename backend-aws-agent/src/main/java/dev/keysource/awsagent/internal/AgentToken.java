package dev.keysource.awsagent.internal;

import dev.keysource.SourceMisconfiguredException;
import dev.keysource.spi.ProviderContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where the agent's SSRF token comes from, found as the agent finds it: the first of
 * {@code AWS_TOKEN}, {@code AWS_SESSION_TOKEN}, {@code AWS_CONTAINER_AUTHORIZATION_TOKEN} that is set,
 * whose value is the token or {@code file://<path>} of a file holding it; with none set, the token file
 * ({@code /var/run/awssmatoken} unless configured). The environment is read once; a file is read on every
 * fetch, so a token rewritten when the agent restarts is picked up. Never shows the token.
 */
final class AgentToken {

    private static final String FILE_PREFIX = "file://";
    private static final int MAX_TOKEN_BYTES = 8 * 1024;

    private final String literal;
    private final Path file;
    private final String origin;

    private AgentToken(String literal, Path file, String origin) {
        this.literal = literal;
        this.file = file;
        this.origin = origin;
    }

    static AgentToken resolve(ProviderContext context, Path defaultFile) {
        for (String name : AgentTarget.TOKEN_VARIABLES) {
            Optional<String> v = context.env(name);
            if (v.isPresent()) {
                String value = v.get();
                if (value.startsWith(FILE_PREFIX)) {
                    Path f = Path.of(value.substring(FILE_PREFIX.length()));
                    return new AgentToken(null, f, "the file " + f + " named by " + name);
                }
                return new AgentToken(value, null, "the environment variable " + name);
            }
        }
        return new AgentToken(null, defaultFile, "the file " + defaultFile + " (none of "
                + String.join(", ", AgentTarget.TOKEN_VARIABLES) + " is set)");
    }

    /** "the environment variable AWS_TOKEN", for messages and {@code keysource check}. */
    String origin() {
        return origin;
    }

    /**
     * The token.
     *
     * @throws SourceMisconfiguredException when it is empty, or its file is missing or unreadable
     */
    String read(String reference) {
        String token = literal;
        if (token == null) {
            try {
                byte[] bytes = Files.readAllBytes(file);
                if (bytes.length > MAX_TOKEN_BYTES) {
                    throw misconfigured(reference, "is " + bytes.length + " bytes, more than a token; check that it "
                            + "is the agent's token file");
                }
                token = new String(bytes, StandardCharsets.UTF_8).trim();
            } catch (NoSuchFileException e) {
                throw misconfigured(reference, "does not exist; is the Secrets Manager Agent installed and started on "
                        + "this node (its install script writes the token there)? Otherwise set AWS_TOKEN to the "
                        + "token the agent was started with, or to file://<path> of its token file");
            } catch (AccessDeniedException e) {
                throw misconfigured(reference, "cannot be read by this user; give it read access (the agent's install "
                        + "script lets the group awssmatokenreader read it)");
            } catch (IOException e) {
                throw misconfigured(reference, "cannot be read (" + e.getClass().getSimpleName() + ")");
            }
        }
        if (token.isEmpty()) {
            throw misconfigured(reference, "is empty; the agent refuses requests without its token");
        }
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw misconfigured(reference, "holds a control character, so it cannot be sent in a header; check "
                        + "that it holds only the token");
            }
        }
        return token;
    }

    private SourceMisconfiguredException misconfigured(String reference, String what) {
        return new SourceMisconfiguredException(reference, "the agent's SSRF token from " + origin + " "
                + what);
    }
}
