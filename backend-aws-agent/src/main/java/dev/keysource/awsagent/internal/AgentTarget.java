package dev.keysource.awsagent.internal;

import dev.keysource.KeyRef;
import dev.keysource.SourceMisconfiguredException;
import dev.keysource.awsagent.SecretsManagerAgentProvider;
import dev.keysource.spi.ProviderContext;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** What one {@code aws-sm-agent:} reference reads, and from where: resolved once, no I/O. */
public final class AgentTarget {

    /** The variables the agent reads its SSRF token from, in its order. */
    static final List<String> TOKEN_VARIABLES = List.of("AWS_TOKEN", "AWS_SESSION_TOKEN",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN");

    final String secretId;
    final int port;
    final String stage;
    final String version;
    final String field;
    final Path tokenFile;
    /** Where the port came from, for {@code keysource check}. */
    final String portOrigin;

    private AgentTarget(String secretId, int port, String portOrigin, String stage, String version, String field,
                        Path tokenFile) {
        this.portOrigin = portOrigin;
        this.secretId = secretId;
        this.port = port;
        this.stage = stage;
        this.version = version;
        this.field = field;
        this.tokenFile = tokenFile;
    }

    /**
     * Resolves the agent's address, secret id, version or stage and token source of a reference.
     *
     * @throws SourceMisconfiguredException for an empty secret id, a port that is not one, or both a
     *         stage and a version
     */
    public static AgentTarget resolve(KeyRef ref, ProviderContext context) {
        String reference = ref.toString();
        if (ref.location().isBlank()) {
            throw new SourceMisconfiguredException(reference, "no secret name or ARN after '"
                    + SecretsManagerAgentProvider.SCHEME + ":'; write aws-sm-agent:<name or ARN>[#field]");
        }
        int port = SecretsManagerAgentProvider.DEFAULT_PORT;
        Optional<String> portText = context.setting(SecretsManagerAgentProvider.PORT);
        String portOrigin = portText.isPresent() ? context.settingOrigin(SecretsManagerAgentProvider.PORT).orElse("setting 'port'")
                : "environment variable " + SecretsManagerAgentProvider.PORT_VARIABLE;
        if (portText.isEmpty()) {
            portText = context.env(SecretsManagerAgentProvider.PORT_VARIABLE);
        }
        if (portText.isEmpty()) {
            portOrigin = "the default port";
        } else {
            port = port(reference, portText.get().trim(), portOrigin);
        }
        Optional<String> stage = context.setting(SecretsManagerAgentProvider.STAGE).filter(s -> !s.isBlank());
        Optional<String> version = context.setting(SecretsManagerAgentProvider.VERSION).filter(s -> !s.isBlank());
        if (stage.isPresent() && version.isPresent()) {
            throw new SourceMisconfiguredException(reference, "both 'stage' and 'version' are set; "
                    + "a request names one staging label or one version id, so remove one of them");
        }
        Path tokenFile = Path.of(context.setting(SecretsManagerAgentProvider.TOKEN_FILE)
                .filter(s -> !s.isBlank()).orElse(SecretsManagerAgentProvider.DEFAULT_TOKEN_FILE));
        return new AgentTarget(ref.location(), port, portOrigin, stage.orElse(null), version.orElse(null),
                ref.field().orElse(null), tokenFile);
    }

    private static int port(String reference, String text, String origin) {
        int p;
        try {
            p = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            p = -1;
        }
        if (p < 1 || p > 65535) {
            throw new SourceMisconfiguredException(reference, "the agent port from " + origin
                    + " is not a port number (1 to 65535): '" + text + "'; the agent's default is "
                    + SecretsManagerAgentProvider.DEFAULT_PORT);
        }
        return p;
    }

    /** "the Secrets Manager Agent at 127.0.0.1:2773", for messages. */
    String where() {
        return "the Secrets Manager Agent at 127.0.0.1:" + port;
    }
}
