package dev.keysource.awsagent;

import dev.keysource.KeyRef;
import dev.keysource.awsagent.internal.AgentKeySource;
import dev.keysource.awsagent.internal.AgentTarget;
import dev.keysource.spi.KeySource;
import dev.keysource.spi.KeySourceProvider;
import dev.keysource.spi.ProviderContext;
import java.util.Set;

/**
 * The {@code aws-sm-agent} scheme: an AWS Secrets Manager secret read through a node-local cache, the
 * <a href="https://github.com/aws/aws-secretsmanager-agent">AWS Secrets Manager Agent</a> or the AWS
 * Parameters and Secrets Lambda Extension, over {@code http://localhost:2773} with the JDK's HTTP client.
 * No AWS SDK and no AWS credentials in the process: the agent holds them.
 *
 * <pre>{@code
 * aws-sm-agent:prod/claude#api_key                       // a JSON field of the AWSCURRENT SecretString
 * aws-sm-agent:prod/claude?stage=AWSPREVIOUS
 * aws-sm-agent:arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/claude-AbCdEf?port=2775
 * }</pre>
 *
 * <p>Each fetch is {@code GET /secretsmanager/get?secretId=...} (with {@code versionStage} or
 * {@code versionId}), carrying the agent's SSRF token in {@value #TOKEN_HEADER}. The token is read, as
 * the agent reads it, from the first of {@code AWS_TOKEN}, {@code AWS_SESSION_TOKEN},
 * {@code AWS_CONTAINER_AUTHORIZATION_TOKEN} that is set (a value of {@code file:///path} names a file
 * holding it), and otherwise from the file {@value #DEFAULT_TOKEN_FILE}, where the agent's install script
 * writes it. On AWS Lambda, {@code AWS_SESSION_TOKEN} is the token the extension expects.
 *
 * <p>Options (also settable in code, as system properties {@code keysource.aws-sm-agent.<name>} and as
 * {@code KEYSOURCE_AWS_SM_AGENT_<NAME>}):
 * <ul>
 *   <li>{@value #PORT}: the agent's port on 127.0.0.1; otherwise
 *       {@code PARAMETERS_SECRETS_EXTENSION_HTTP_PORT}, then {@value #DEFAULT_PORT};</li>
 *   <li>{@value #STAGE}: a staging label (the agent's default is {@code AWSCURRENT}); or</li>
 *   <li>{@value #VERSION}: a version id (exclusive with {@code stage});</li>
 *   <li>{@value #TOKEN_FILE}: the token file read when none of the variables is set, default
 *       {@value #DEFAULT_TOKEN_FILE}.</li>
 * </ul>
 * A {@code #field} picks one key of a JSON {@code SecretString}. After the cache is told that a value
 * was rejected ({@code CachedKey.reject}), the next fetch adds {@code refreshNow=true}, so the agent
 * asks Secrets Manager instead of answering from its own cache.
 *
 * <p>Public no-arg constructor, no I/O until {@link #create}; registered for {@link java.util.ServiceLoader}.
 */
public final class SecretsManagerAgentProvider implements KeySourceProvider {

    /** The scheme, {@value}. */
    public static final String SCHEME = "aws-sm-agent";
    /** Option: the agent's port on 127.0.0.1. */
    public static final String PORT = "port";
    /** Option: the staging label to read. */
    public static final String STAGE = "stage";
    /** Option: the version id to read; exclusive with {@value #STAGE}. */
    public static final String VERSION = "version";
    /** Option: the token file read when no token variable is set. */
    public static final String TOKEN_FILE = "token-file";
    /** The port used when neither {@value #PORT} nor {@value #PORT_VARIABLE} is set: {@value}. */
    public static final int DEFAULT_PORT = 2773;
    /** The Lambda extension's port variable, {@value}. */
    public static final String PORT_VARIABLE = "PARAMETERS_SECRETS_EXTENSION_HTTP_PORT";
    /** The token file read when no token variable is set: {@value}. */
    public static final String DEFAULT_TOKEN_FILE = "/var/run/awssmatoken";
    /** The header carrying the SSRF token: {@value}. */
    public static final String TOKEN_HEADER = "X-Aws-Parameters-Secrets-Token";

    private static final Set<String> OPTIONS = Set.of(PORT, STAGE, VERSION, TOKEN_FILE);

    /** No I/O. */
    public SecretsManagerAgentProvider() {
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
     * Resolves the port, stage or version and where the token comes from (reading nothing yet).
     *
     * @throws dev.keysource.SourceMisconfiguredException when the port is not a port number, or both
     *         stage and version are given
     */
    @Override
    public KeySource create(KeyRef ref, ProviderContext context) {
        return new AgentKeySource(ref, AgentTarget.resolve(ref, context), context);
    }

    @Override
    public String toString() {
        return "SecretsManagerAgentProvider[" + SCHEME + "]";
    }
}
