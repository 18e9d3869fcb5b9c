package dev.keysource.awsagent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keysource.CachedKey;
import dev.keysource.KeyFetcher;
import dev.keysource.KeySourceException;
import dev.keysource.SecretNotFoundException;
import dev.keysource.SourceAccessDeniedException;
import dev.keysource.SourceMisconfiguredException;
import dev.keysource.SourceTimeoutException;
import dev.keysource.SourceUnavailableException;
import dev.keysource.spi.KeySourceProvider;
import dev.keysource.testkit.Canary;
import dev.keysource.testkit.FakeTime;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The aws-sm-agent source against a loopback fake of the Secrets Manager Agent. */
class AgentSourceTest {

    private static final String TOKEN = "ssrf-token-7d1c";
    private final FakeSecretsManagerAgent agent = FakeSecretsManagerAgent.start(TOKEN);
    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        agent.close();
    }

    private String ref(String rest) {
        return "aws-sm-agent:" + rest + (rest.contains("?") ? "&" : "?") + "port=" + agent.port();
    }

    private static Map<String, String> env(String... kv) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    private KeyFetcher fetcher(String ref, Map<String, String> env) {
        return CachedKey.builder(ref).environment(env).systemProperties(Map.of()).maxAttempts(1)
                .setting("token-file", dir.resolve("no-token-file").toString()).buildFetcher();
    }

    private String fetch(String ref, Map<String, String> env) {
        try (KeyFetcher f = fetcher(ref, env)) {
            return f.fetch().value();
        }
    }

    @Test
    void serviceLoader_findsTheProvider() {
        List<String> schemes = ServiceLoader.load(KeySourceProvider.class).stream().map(p -> p.get().scheme())
                .collect(Collectors.toList());
        assertThat(schemes).contains("aws-sm-agent");
    }

    @Test
    void fetch_jsonField_sendsTheDocumentedRequest() {
        agent.putSecretString("prod/claude", "{\"api_key\":\"" + Canary.SECRET + "\",\"other\":\"x\"}");
        assertThat(fetch(ref("prod/claude#api_key"), env("AWS_TOKEN", TOKEN))).isEqualTo(Canary.SECRET);
        FakeSecretsManagerAgent.Request r = agent.requests().get(0);
        assertThat(r.method).isEqualTo("GET");
        assertThat(r.path).isEqualTo("/secretsmanager/get");
        assertThat(r.query).containsExactly(Map.entry("secretId", "prod/claude"));
        assertThat(r.token).isEqualTo(TOKEN);
        assertThat(r.forwardedFor).isNull();
    }

    @Test
    void fetch_wholeStringVersionAndCreated_fromTheResponse() {
        String version = agent.putSecretString("plain", Canary.SECRET);
        try (KeyFetcher f = fetcher(ref("plain"), env("AWS_TOKEN", TOKEN))) {
            var s = f.fetch();
            assertThat(s.value()).isEqualTo(Canary.SECRET);
            assertThat(s.version()).contains(version);
            assertThat(s.created()).contains(java.time.Instant.parse("2025-12-01T00:00:00.250Z"));
        }
    }

    @Test
    void fetch_stageOrVersion_sentAsVersionStageOrVersionId() {
        String v1 = agent.putSecretString("rot", "one");
        agent.putSecretString("rot", "two");
        assertThat(fetch(ref("rot?stage=AWSPREVIOUS"), env("AWS_TOKEN", TOKEN))).isEqualTo("one");
        assertThat(fetch(ref("rot?version=" + v1), env("AWS_TOKEN", TOKEN))).isEqualTo("one");
        assertThat(agent.requests().get(0).query).containsEntry("versionStage", "AWSPREVIOUS");
        assertThat(agent.requests().get(1).query).containsEntry("versionId", v1).doesNotContainKey("versionStage");
    }

    @Test
    void fetch_secretBinary_returnsTheBytes() {
        agent.putSecretBinary("bin", new byte[] {1, 2, (byte) 0xff});
        try (KeyFetcher f = fetcher(ref("bin"), env("AWS_TOKEN", TOKEN))) {
            assertThat(f.fetch().bytes()).containsExactly(1, 2, 0xff);
        }
    }

    @Test
    void fetch_arnWithColonsAndSlash_encodedInTheQuery() {
        String arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/claude key-AbCdEf";
        agent.putSecretString(arn, "v");
        assertThat(fetch(ref(arn.replace(" ", "%20")), env("AWS_TOKEN", TOKEN))).isEqualTo("v");
        assertThat(agent.requests().get(0).query.get("secretId")).isEqualTo(arn);
    }

    // ---- where the SSRF token comes from, in the agent's order

    @Test
    void token_awsTokenWinsOverTheOthers() {
        agent.putSecretString("s", "v");
        fetch(ref("s"), env("AWS_TOKEN", TOKEN, "AWS_SESSION_TOKEN", "session", "AWS_CONTAINER_AUTHORIZATION_TOKEN", "c"));
        assertThat(agent.requests().get(0).token).isEqualTo(TOKEN);
    }

    @Test
    void token_awsSessionToken_whenAwsTokenIsUnset_asOnLambda() {
        agent.putSecretString("s", "v");
        fetch(ref("s"), env("AWS_SESSION_TOKEN", TOKEN, "AWS_CONTAINER_AUTHORIZATION_TOKEN", "c"));
        assertThat(agent.requests().get(0).token).isEqualTo(TOKEN);
    }

    @Test
    void token_containerAuthorizationToken_whenTheFirstTwoAreUnset() {
        agent.putSecretString("s", "v");
        fetch(ref("s"), env("AWS_CONTAINER_AUTHORIZATION_TOKEN", TOKEN));
        assertThat(agent.requests().get(0).token).isEqualTo(TOKEN);
    }

    @Test
    void token_fileUrlInAwsToken_readsAndTrimsTheFile() throws IOException {
        Path f = Files.writeString(dir.resolve("awssmatoken"), TOKEN + "\n");
        agent.putSecretString("s", "v");
        fetch(ref("s"), env("AWS_TOKEN", "file://" + f));
        assertThat(agent.requests().get(0).token).isEqualTo(TOKEN);
    }

    @Test
    void token_noVariableSet_readsTheTokenFile() throws IOException {
        Path f = Files.writeString(dir.resolve("awssmatoken"), TOKEN);
        agent.putSecretString("s", "v");
        try (KeyFetcher k = CachedKey.builder(ref("s")).environment(Map.of()).systemProperties(Map.of())
                .setting("token-file", f.toString()).buildFetcher()) {
            assertThat(k.fetch().value()).isEqualTo("v");
            assertThat(k.consulted()).contains("SSRF token: from the file " + f + " (none of AWS_TOKEN, "
                    + "AWS_SESSION_TOKEN, AWS_CONTAINER_AUTHORIZATION_TOKEN is set)");
        }
        assertThat(agent.requests().get(0).token).isEqualTo(TOKEN);
    }

    @Test
    void token_defaultFile_isVarRunAwssmatoken() {
        try (KeyFetcher k = CachedKey.builder(ref("s")).environment(Map.of()).systemProperties(Map.of()).buildFetcher()) {
            assertThat(k.consulted()).anyMatch(l -> l.startsWith("SSRF token: from the file /var/run/awssmatoken"));
        }
    }

    @Test
    void token_noneAnywhere_isMisconfiguredAndSaysWhereItLooked() {
        Path missing = dir.resolve("no-token-file");
        assertThatThrownBy(() -> fetch(ref("s"), env())).isInstanceOf(SourceMisconfiguredException.class)
                .hasMessage(ref("s") + ": the agent's SSRF token from the file " + missing + " (none of AWS_TOKEN, "
                        + "AWS_SESSION_TOKEN, AWS_CONTAINER_AUTHORIZATION_TOKEN is set) does not exist; is the Secrets "
                        + "Manager Agent installed and started on this node (its install script writes the token "
                        + "there)? Otherwise set AWS_TOKEN to the token the agent was started with, or to "
                        + "file://<path> of its token file");
        assertThat(agent.requests()).isEmpty();
    }

    @Test
    void token_wrong_403IsRejectedAndNamesWhereTheTokenCameFrom() {
        agent.putSecretString("s", "v");
        assertThatThrownBy(() -> fetch(ref("s"), env("AWS_TOKEN", Canary.SECRET)))
                .isInstanceOf(SourceAccessDeniedException.class)
                .hasMessageContaining("answered 403 'Bad Token': the agent refused the SSRF token sent in "
                        + "X-Aws-Parameters-Secrets-Token (from the environment variable AWS_TOKEN)");
    }

    @Test
    void token_checkSaysWhereItComesFrom() {
        agent.putSecretString("s", "v");
        try (KeyFetcher k = fetcher(ref("s"), env("AWS_SESSION_TOKEN", TOKEN))) {
            k.fetch();
            assertThat(k.consulted()).contains("SSRF token: from the environment variable AWS_SESSION_TOKEN",
                    "agent: the Secrets Manager Agent at 127.0.0.1:" + agent.port() + " (reference option 'port')");
        }
    }

    // ---- port

    @Test
    void port_fromTheLambdaExtensionVariable() {
        agent.putSecretString("s", "v");
        try (KeyFetcher k = CachedKey.builder("aws-sm-agent:s").environment(env("AWS_TOKEN", TOKEN,
                "PARAMETERS_SECRETS_EXTENSION_HTTP_PORT", String.valueOf(agent.port()))).systemProperties(Map.of())
                .buildFetcher()) {
            assertThat(k.fetch().value()).isEqualTo("v");
        }
    }

    @Test
    void port_invalid_isMisconfiguredWithExactMessage() {
        assertThatThrownBy(() -> CachedKey.builder("aws-sm-agent:s").environment(env("AWS_TOKEN", TOKEN,
                "PARAMETERS_SECRETS_EXTENSION_HTTP_PORT", "70000")).systemProperties(Map.of()).buildFetcher())
                .isInstanceOf(SourceMisconfiguredException.class)
                .hasMessage("aws-sm-agent:s: the agent port from environment variable "
                        + "PARAMETERS_SECRETS_EXTENSION_HTTP_PORT is not a port number (1 to 65535): '70000'; the "
                        + "agent's default is 2773");
    }

    @Test
    void stageAndVersion_both_misconfigured() {
        assertThatThrownBy(() -> fetcher(ref("s?stage=AWSCURRENT&version=abc"), env("AWS_TOKEN", TOKEN)))
                .isInstanceOf(SourceMisconfiguredException.class).hasMessageContaining("both 'stage' and 'version'");
    }

    @Test
    void nothingListening_unavailableAndSaysWhatToStart() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        assertThatThrownBy(() -> fetch("aws-sm-agent:s?port=" + port, env("AWS_TOKEN", TOKEN)))
                .isInstanceOf(SourceUnavailableException.class)
                .hasMessageContaining("nothing answers at 127.0.0.1:" + port)
                .hasMessageContaining("is the Secrets Manager Agent running on this node");
    }

    // ---- the agent's statuses

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
        "429|Connection limit exceeded|SourceUnavailableException|at its connection limit",
        "502|{\"__type\":\"ConnectionError\", \"message\":\"Read Error\"}|SourceUnavailableException|ConnectionError",
        "504|{\"__type\":\"TimeoutError\", \"message\":\"Timeout\"}|SourceUnavailableException|TimeoutError",
        "504|gateway timeout|SourceTimeoutException|timed out reaching Secrets Manager",
        "500|{\"__type\":\"InternalFailure\"}|SourceUnavailableException|InternalFailure",
        "503|Serving not enabled.|SourceUnavailableException|503",
        "400|{\"__type\":\"ThrottlingException\", \"message\":\"Rate exceeded\"}|SourceUnavailableException|ThrottlingException",
        "400|{\"__type\":\"ResourceNotFoundException\", \"message\":\"Secrets Manager can't find the specified secret.\"}|SecretNotFoundException|has no secret 's'",
        "400|{\"__type\":\"AccessDeniedException\",\"Message\":\"Access to KMS is not allowed\"}|SourceAccessDeniedException|refused the agent's AWS identity",
        "400|{\"__type\":\"InvalidSignatureException\", \"message\":\"signature\"}|SourceAccessDeniedException|refused the agent's AWS identity",
        "400|{\"__type\":\"DecryptionFailure\", \"message\":\"kms\"}|SourceMisconfiguredException|KMS key",
        "400|{\"__type\":\"InvalidRequestException\", \"message\":\"marked for deletion\"}|SourceMisconfiguredException|InvalidRequestException (marked for deletion)",
        "400|Forwarded|SourceMisconfiguredException|X-Forwarded-For",
        "404|Not found|SourceMisconfiguredException|is something else listening",
        "405|Not allowed|SourceMisconfiguredException|is something else listening",
        "403|Bad Token|SourceAccessDeniedException|refused the SSRF token",
    })
    void status_classified(int status, String body, String type, String says) {
        agent.putSecretString("s", "v");
        agent.failNext(status, body);
        assertThatThrownBy(() -> fetch(ref("s"), env("AWS_TOKEN", TOKEN)))
                .isInstanceOf(KeySourceException.class)
                .satisfies(e -> assertThat(e.getClass().getSimpleName()).isEqualTo(type))
                .hasMessageContaining(says)
                .hasMessageContaining("the Secrets Manager Agent at 127.0.0.1:" + agent.port() + " answered " + status);
    }

    @Test
    void transient_isRetriedByTheResilienceLayer() {
        agent.putSecretString("s", "v");
        agent.failNext(502, FakeSecretsManagerAgent.awsError("ConnectionError", "Read Error"));
        try (KeyFetcher k = CachedKey.builder(ref("s")).environment(env("AWS_TOKEN", TOKEN)).systemProperties(Map.of())
                .backoff(Duration.ofMillis(1)).buildFetcher()) {
            assertThat(k.fetch().value()).isEqualTo("v");
            assertThat(k.attempts()).isEqualTo(2);
        }
    }

    @Test
    void field_missing_misconfiguredNamingTheFieldsNotTheValues() {
        agent.putSecretString("s", "{\"api_key\":\"" + Canary.SECRET + "\"}");
        assertThatThrownBy(() -> fetch(ref("s#token"), env("AWS_TOKEN", TOKEN)))
                .isInstanceOf(SourceMisconfiguredException.class)
                .hasMessage(ref("s#token").replace("#token", "") + "#token: the secret 's' has no field 'token'; its "
                        + "fields are: 'api_key'");
    }

    // ---- refreshNow after a reject

    @Test
    void reject_nextFetchAsksTheAgentToRefreshNow() {
        agent.putSecretString("s", "old-key");
        FakeTime time = new FakeTime();
        try (CachedKey key = CachedKey.builder(ref("s")).environment(env("AWS_TOKEN", TOKEN)).systemProperties(Map.of())
                .ticker(time.ticker()).clock(time.clock()).scheduler(time.scheduler()).executor(Runnable::run)
                .jitter(0).build()) {
            assertThat(key.get()).isEqualTo("old-key");
            agent.rotate("s", "new-key");
            key.invalidate();
            assertThat(key.get()).isEqualTo("old-key"); // the agent answers from its own cache
            assertThat(key.reject("old-key")).isTrue();
            assertThat(key.get()).isEqualTo("new-key");
            time.advance(Duration.ofMinutes(5));         // the ordinary refresh after that: no refreshNow
        }
        List<FakeSecretsManagerAgent.Request> rs = agent.requests();
        assertThat(rs).hasSize(4);
        assertThat(rs.subList(0, 2)).allSatisfy(r -> assertThat(r.query).doesNotContainKey("refreshNow"));
        assertThat(rs.get(2).query).containsEntry("refreshNow", "true");
        assertThat(rs.get(3).query).doesNotContainKey("refreshNow");
        assertThat(agent.upstreamCalls()).isEqualTo(2);
    }

    @Test
    void reject_thenTransientFailure_theRetryStillRefreshesNow() {
        agent.putSecretString("s", "old-key");
        try (CachedKey key = CachedKey.builder(ref("s")).environment(env("AWS_TOKEN", TOKEN)).systemProperties(Map.of())
                .backoff(Duration.ofMillis(1)).build()) {
            key.get();
            agent.rotate("s", "new-key");
            key.reject("old-key");
            agent.failNext(502, FakeSecretsManagerAgent.awsError("ConnectionError", "Read Error"));
            assertThat(key.get()).isEqualTo("new-key");
        }
        List<FakeSecretsManagerAgent.Request> rs = agent.requests();
        assertThat(rs).hasSize(3);
        assertThat(rs.get(1).query).containsEntry("refreshNow", "true");
        assertThat(rs.get(2).query).containsEntry("refreshNow", "true");
    }

    /** The agent's own text is escaped as every backend's is (Printable): no C1 control, separator or bidi override. */
    @Test
    void messages_agentTextWithTerminalControls_isEscaped() {
        agent.putSecretString("s", "v");
        agent.failNext(400, FakeSecretsManagerAgent.awsError("InvalidRequestException",
                "bad\u009b2J\u2028next\u202eevil\u001b[31m"));

        assertThatThrownBy(() -> fetch(ref("s"), env("AWS_TOKEN", TOKEN)))
                .isInstanceOf(SourceMisconfiguredException.class)
                .hasMessageContaining("badU+009B2J").hasMessageContaining("U+202EevilU+001B[31m")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\u009b", "\u2028", "\u202e", "\u001b"));
        agent.failNext(503, "x".repeat(200) + "\u2029");
        assertThatThrownBy(() -> fetch(ref("s"), env("AWS_TOKEN", TOKEN)))
                .hasMessageContaining(" '" + "x".repeat(120) + "...'")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\u2029"));
    }

    @Test
    void messages_neverHoldTheTokenOrTheSecret() {
        agent.putSecretString("s", Canary.SECRET);
        agent.failNext(403, "Bad Token");
        assertThatThrownBy(() -> fetch(ref("s"), env("AWS_TOKEN", TOKEN)))
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(TOKEN).doesNotContain(Canary.SECRET));
    }
}
