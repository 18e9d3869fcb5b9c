package dev.keysource.aws;

import static dev.keysource.aws.TestEnv.builder;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.keysource.KeyFetcher;
import dev.keysource.KeySourceException;
import dev.keysource.SecretNotFoundException;
import dev.keysource.SourceAccessDeniedException;
import dev.keysource.SourceMisconfiguredException;
import dev.keysource.SourceTimeoutException;
import dev.keysource.SourceUnavailableException;
import dev.keysource.testkit.Canary;
import dev.keysource.testkit.ErrorContract;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every classification row of issue 5, through the real SDK client against the loopback fake: the
 * exception type, the attempts the server saw (transient rows are retried, the others are not), and
 * messages that name region, secret, stage, error code and request id but never the secret or a
 * credential. The secret in the fake is always {@link Canary#SECRET}.
 */
class SecretsManagerFailureTest {

    private static final String REF = "aws-sm:prod/claude#api_key";

    @TempDir
    Path home;

    private FakeSecretsManager fake;
    private Map<String, String> env;

    @BeforeEach
    void start() {
        fake = FakeSecretsManager.start();
        fake.putSecretString("prod/claude", "{\"user\":\"svc\",\"api_key\":\"" + Canary.SECRET + "\"}");
        env = TestEnv.env(fake, home);
    }

    @AfterEach
    void stop() {
        fake.close();
    }

    /** Fetches with 3 attempts and returns the failure, checked for leaks. */
    private KeySourceException fail(String reference) {
        return fail(reference, builder(reference, env).maxAttempts(3).buildFetcher());
    }

    private static KeySourceException fail(String reference, KeyFetcher fetcher) {
        KeySourceException e;
        try (KeyFetcher f = fetcher) {
            e = catchThrowableOfType(KeySourceException.class, f::fetch);
        }
        assertThat(e).as("fetching %s should fail", reference).isNotNull();
        assertNoLeak(e);
        return e;
    }

    private static void assertNoLeak(Throwable e) {
        Canary.assertAbsent(e);
        ErrorContract.assertHoldsInChain(e); // the reference once: "reference: detail"
        for (Throwable t = e; t != null; t = t.getCause()) {
            assertThat(String.valueOf(t.getMessage())).doesNotContain(TestEnv.SECRET_ACCESS_KEY)
                    .doesNotContain(TestEnv.ACCESS_KEY_ID).doesNotContain(TestEnv.SESSION_TOKEN);
        }
    }

    static Stream<Arguments> awsErrorCodes() {
        return Stream.of(
                // transient: retried
                Arguments.of("ThrottlingException", 400, SourceUnavailableException.class),
                Arguments.of("InternalServiceError", 500, SourceUnavailableException.class),
                Arguments.of("ServiceUnavailable", 503, SourceUnavailableException.class),
                // rejected
                Arguments.of("AccessDeniedException", 400, SourceAccessDeniedException.class),
                Arguments.of("UnrecognizedClientException", 400, SourceAccessDeniedException.class),
                Arguments.of("InvalidSignatureException", 400, SourceAccessDeniedException.class),
                Arguments.of("ExpiredTokenException", 400, SourceAccessDeniedException.class),
                // not found
                Arguments.of("ResourceNotFoundException", 400, SecretNotFoundException.class),
                // misconfigured
                Arguments.of("DecryptionFailure", 400, SourceMisconfiguredException.class),
                Arguments.of("InvalidRequestException", 400, SourceMisconfiguredException.class),
                Arguments.of("InvalidParameterException", 400, SourceMisconfiguredException.class));
    }

    @ParameterizedTest(name = "{0} (HTTP {1}) -> {2}")
    @MethodSource("awsErrorCodes")
    void fetch_awsErrorCode_isClassifiedByCodeAndMessageSaysWhere(String code, int status,
                                                                  Class<? extends KeySourceException> type) {
        fake.failNext(10, status, code, "message of " + code);

        KeySourceException e = fail(REF);

        assertThat(e).isExactlyInstanceOf(type);
        boolean transientRow = type == SourceUnavailableException.class;
        assertThat(e.isTransient()).isEqualTo(transientRow);
        assertThat(fake.getSecretValueCount()).as("attempts at the server").isEqualTo(transientRow ? 3 : 1);
        assertThat(e.getMessage())
                .startsWith(REF + ": ")
                .contains("us-east-1", "'prod/claude'", "AWSCURRENT", code, "HTTP " + status,
                        fake.lastRequest().requestId, "message of " + code, fake.endpoint().toString());
        assertThat(e.reference()).isEqualTo(REF);
        if (transientRow) {
            assertThat(e.attempts()).isEqualTo(3);
        }
    }

    @Test
    void fetch_throttledTwiceThenAnswered_returnsTheValueAfterThreeAttemptsAtTheServer() {
        fake.failNext(2, "ThrottlingException");

        try (KeyFetcher f = builder(REF, env).maxAttempts(3).buildFetcher()) {
            assertThat(f.fetch().matches(Canary.SECRET)).isTrue();
            assertThat(f.attempts()).isEqualTo(3);
        }
        assertThat(fake.getSecretValueCount()).isEqualTo(3);
    }

    @Test
    void fetch_sdkRetries_areOffSoTheServerSeesExactlyMaxAttempts() {
        fake.failNext(10, "InternalServiceError");

        KeySourceException e = fail(REF, builder(REF, env).maxAttempts(2).buildFetcher());

        assertThat(e).isInstanceOf(SourceUnavailableException.class);
        assertThat(fake.getSecretValueCount()).isEqualTo(2);
    }

    @Test
    void fetch_maxAttemptsOne_makesOneCallForATransientError() {
        fake.failNext(10, "ThrottlingException");

        fail(REF, builder(REF, env).maxAttempts(1).buildFetcher());

        assertThat(fake.getSecretValueCount()).isEqualTo(1);
    }

    @Test
    void fetch_answerLaterThanTheTimeLimit_throwsTimeoutNamingTheSecret() {
        KeySourceException e;
        long elapsed;
        try (KeyFetcher f = builder(REF, env).timeout(Duration.ofMillis(1500)).maxAttempts(1).buildFetcher()) {
            f.fetch(); // warm: the SDK's call timeout (9/10 of the limit) must not lose the race to class loading
            fake.delayNext(1, Duration.ofSeconds(20));
            long start = System.nanoTime();
            e = catchThrowableOfType(KeySourceException.class, f::fetch);
            elapsed = System.nanoTime() - start;
        }

        assertThat(e).isInstanceOf(SourceTimeoutException.class);
        assertNoLeak(e);
        assertThat(Duration.ofNanos(elapsed)).isLessThan(Duration.ofSeconds(5));
        assertThat(e.getMessage()).as("reported by the SDK call, with region and secret")
                .contains("did not answer in time", "'prod/claude'", "us-east-1");
        assertThat(fake.getSecretValueCount()).isEqualTo(2);
    }

    @Test
    void fetch_slowFirstAnswer_isRetriedAndTheSecondAttemptAnswers() {
        fake.delayNext(1, Duration.ofSeconds(20));

        try (KeyFetcher f = builder(REF, env).timeout(Duration.ofMillis(600)).maxAttempts(2).buildFetcher()) {
            assertThat(f.fetch().matches(Canary.SECRET)).isTrue();
        }
        assertThat(fake.getSecretValueCount()).isEqualTo(2);
    }

    @Test
    void fetch_hangingServer_throwsTimeout() {
        fake.hangNext(5);

        KeySourceException e = fail(REF, builder(REF, env).timeout(Duration.ofMillis(400)).maxAttempts(2).buildFetcher());

        assertThat(e).isInstanceOf(SourceTimeoutException.class);
        assertThat(e.attempts()).isEqualTo(2);
    }

    @Test
    void fetch_connectionReset_isTransientAndRetried() {
        try (ResettingServer reset = ResettingServer.start()) {
            env.put("AWS_ENDPOINT_URL_SECRETS_MANAGER", reset.endpoint().toString());

            KeySourceException e = fail(REF);

            assertThat(e).isExactlyInstanceOf(SourceUnavailableException.class);
            assertThat(e.getMessage()).contains("Connection reset", reset.endpoint().toString(), "'prod/claude'");
            assertThat(reset.connections()).isEqualTo(3);
        }
    }

    @Test
    void fetch_connectionClosedWithoutAnswerOnce_succeedsOnTheNextAttempt() {
        fake.dropNext(1);

        try (KeyFetcher f = builder(REF, env).maxAttempts(3).buildFetcher()) {
            assertThat(f.fetch().matches(Canary.SECRET)).isTrue();
        }
        assertThat(fake.getSecretValueCount()).isEqualTo(2);
    }

    @Test
    void fetch_connectionRefused_isTransient() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        env.put("AWS_ENDPOINT_URL_SECRETS_MANAGER", "http://127.0.0.1:" + port);

        KeySourceException e = fail(REF, builder(REF, env).maxAttempts(2).buildFetcher());

        assertThat(e).isExactlyInstanceOf(SourceUnavailableException.class);
        assertThat(e.getMessage()).contains("ConnectException", "127.0.0.1:" + port);
    }

    @Test
    void fetch_malformedBodyHoldingTheSecret_isTransientAndNeverQuotesTheBody() {
        fake.respondNext(10, 200, "{\"VersionId\":\"v1\",\"SecretString\":\"" + Canary.SECRET);

        KeySourceException e = fail(REF);

        assertThat(e).isExactlyInstanceOf(SourceUnavailableException.class);
        assertThat(e.getMessage()).contains("could not be read", "HTTP 200");
        assertThat(e.getCause()).as("the parser's exception may quote the body").isNull();
        assertThat(fake.getSecretValueCount()).isEqualTo(3);
    }

    @Test
    void fetch_wellFormedJsonWithBadBase64_isAnUnreadableAnswer() {
        fake.respondNext(1, 200, "{\"VersionId\":\"v1\",\"SecretBinary\":\"!!" + Canary.SECRET + "\"}");

        KeySourceException e = fail(REF, builder("aws-sm:prod/claude", env).maxAttempts(1).buildFetcher());

        assertThat(e).isExactlyInstanceOf(SourceUnavailableException.class);
        assertThat(e.getMessage()).contains("could not be read");
    }

    @Test
    void fetch_htmlErrorPageWith502_isTransient() {
        fake.respondNext(10, 502, "<html><body>Bad Gateway</body></html>");

        KeySourceException e = fail(REF);

        assertThat(e).isExactlyInstanceOf(SourceUnavailableException.class);
        assertThat(e.getMessage()).contains("HTTP 502");
        assertThat(fake.getSecretValueCount()).isEqualTo(3);
    }

    @Test
    void fetch_errorWithoutCodeWith404_isMisconfiguredAndPointsAtTheEndpoint() {
        fake.respondNext(10, 404, "<html>Not Found</html>");

        KeySourceException e = fail(REF);

        assertThat(e).isExactlyInstanceOf(SourceMisconfiguredException.class);
        assertThat(e.getMessage()).contains("HTTP 404", "endpoint");
        assertThat(fake.getSecretValueCount()).isEqualTo(1);
    }

    @Test
    void fetch_unknownSecret_isNotFound() {
        KeySourceException e = fail("aws-sm:prod/nope");

        assertThat(e).isExactlyInstanceOf(SecretNotFoundException.class);
        assertThat(e.getMessage()).contains("ResourceNotFoundException", "'prod/nope'", "Check the secret name");
    }

    @Test
    void fetch_unknownStage_isNotFound() {
        KeySourceException e = fail("aws-sm:prod/claude?stage=AWSPENDING");

        assertThat(e).isExactlyInstanceOf(SecretNotFoundException.class);
        assertThat(e.getMessage()).contains("stage AWSPENDING");
    }

    @Test
    void fetch_secretMarkedForDeletion_isMisconfiguredAndSaysHowToRestore() {
        fake.deleteSecret("prod/claude");

        KeySourceException e = fail(REF);

        assertThat(e).isExactlyInstanceOf(SourceMisconfiguredException.class);
        assertThat(e.getMessage()).contains("InvalidRequestException", "marked for deletion", "restore-secret");
    }

    @Test
    void fetch_unknownAccessKey_isRejectedWithoutNamingTheKey() {
        fake.requireAccessKeyId("AKIAOTHERKEY00000000");

        KeySourceException e = fail(REF);

        assertThat(e).isExactlyInstanceOf(SourceAccessDeniedException.class);
        assertThat(e.getMessage()).contains("UnrecognizedClientException", "static credentials from AWS_ACCESS_KEY_ID");
    }

    @Test
    void fetch_missingJsonField_isMisconfiguredAndNamesTheFieldsButNoValue() {
        KeySourceException e = fail("aws-sm:prod/claude#apikey");

        assertThat(e).isExactlyInstanceOf(SourceMisconfiguredException.class);
        assertThat(e.getMessage()).contains("no field 'apikey'", "'user'", "'api_key'").doesNotContain("svc");
        assertThat(fake.getSecretValueCount()).isEqualTo(1);
    }

    @Test
    void fetch_fieldOfANonJsonString_isMisconfiguredWithoutQuotingIt() {
        fake.putSecretString("plain", Canary.SECRET + "{not json");

        KeySourceException e = fail("aws-sm:plain#api_key");

        assertThat(e).isExactlyInstanceOf(SourceMisconfiguredException.class);
        assertThat(e.getMessage()).contains("not JSON", "remove '#api_key'");
    }

    /** One {@code #field} reader for every backend: the SPI's, with its message after the secret's name. */
    @ParameterizedTest
    @MethodSource("unreadableFields")
    void fetch_unreadableField_saysWhatTheSpiFieldReaderSays(String secretString, String field) {
        fake.putSecretString("doc", secretString);
        String spi = catchThrowableOfType(dev.keysource.spi.Json.FieldUnreadable.class,
                () -> dev.keysource.spi.Json.field(secretString, field)).getMessage();

        KeySourceException e = fail("aws-sm:doc#" + field);

        assertThat(e).isExactlyInstanceOf(SourceMisconfiguredException.class);
        assertThat(e.getMessage()).startsWith("aws-sm:doc#" + field + ": the secret 'doc' (stage AWSCURRENT) in region ")
                .endsWith(" " + spi).doesNotContain(Canary.SECRET);
    }

    static Stream<Arguments> unreadableFields() {
        return Stream.of(
                Arguments.of(Canary.SECRET + "{not json", "api_key"),
                Arguments.of("[\"" + Canary.SECRET + "\"]", "api_key"),
                Arguments.of("{\"user\":\"" + Canary.SECRET + "\",\"x\\u001b[2J\":1}", "api_key"),
                Arguments.of("{\"api_key\":null}", "api_key"),
                Arguments.of("{\"api_key\":{\"k\":\"" + Canary.SECRET + "\"}}", "api_key"));
    }

    @Test
    void fetch_fieldOfAJsonArray_isMisconfigured() {
        fake.putSecretString("list", "[\"" + Canary.SECRET + "\"]");

        KeySourceException e = fail("aws-sm:list#api_key");

        assertThat(e).isExactlyInstanceOf(SourceMisconfiguredException.class);
        assertThat(e.getMessage()).contains("not an object");
    }

    @Test
    void fetch_fieldHoldingAnObject_isMisconfigured() {
        fake.putSecretString("nested", "{\"api_key\":{\"value\":\"" + Canary.SECRET + "\"}}");

        KeySourceException e = fail("aws-sm:nested#api_key");

        assertThat(e).isExactlyInstanceOf(SourceMisconfiguredException.class);
        assertThat(e.getMessage()).contains("a JSON object, not a string");
    }

    @Test
    void fetch_fieldOfABinarySecret_isMisconfigured() {
        fake.putSecretBinary("bin", Canary.SECRET.getBytes(java.nio.charset.StandardCharsets.UTF_8));

        KeySourceException e = fail("aws-sm:bin#api_key");

        assertThat(e).isExactlyInstanceOf(SourceMisconfiguredException.class);
        assertThat(e.getMessage()).contains("SecretBinary");
    }

    @Test
    void fetch_answerWithNeitherStringNorBinary_isMisconfigured() {
        fake.respondNext(1, 200, "{\"VersionId\":\"v1\",\"Name\":\"prod/claude\"}");

        KeySourceException e = fail(REF);

        assertThat(e).isExactlyInstanceOf(SourceMisconfiguredException.class);
        assertThat(e.getMessage()).contains("neither SecretString nor SecretBinary");
    }
}
