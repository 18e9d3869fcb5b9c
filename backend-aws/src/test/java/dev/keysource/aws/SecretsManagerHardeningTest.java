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
import dev.keysource.testkit.Canary;
import dev.keysource.testkit.ErrorContract;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15, AWS: server text cannot become a terminal escape, an empty value is an error, a profile's
 * {@code credential_process} that fails shows why and one that hangs is stopped (with what it started),
 * and a missing profile named by {@code AWS_PROFILE} says so.
 */
class SecretsManagerHardeningTest {

    private static final String REF = "aws-sm:prod/claude#api_key";
    private static final String PROC_KEY_ID = "AKIAKEYSOURCEPROC001";
    private static final String PROC_SECRET = "procSecretKEYwJalrXUtnFEMIK7MDENG0001";
    private static final String PROC_TOKEN = "procSessionTOKENFwoGZXIvYXdzEXAMPLE0001";

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

    private <T extends KeySourceException> T failure(Class<T> type, String reference, int attempts, Duration timeout) {
        T e;
        try (KeyFetcher f = builder(reference, env).maxAttempts(attempts).timeout(timeout).buildFetcher()) {
            e = catchThrowableOfType(type, f::fetch);
        }
        assertThat(e).as("fetching %s fails with %s", reference, type.getSimpleName()).isNotNull();
        Canary.assertAbsent(e);
        ErrorContract.assertHoldsInChain(e); // the reference once: "reference: detail"
        for (Throwable t = e; t != null; t = t.getCause()) {
            assertThat(String.valueOf(t.getMessage())).doesNotContain(TestEnv.SECRET_ACCESS_KEY, PROC_SECRET,
                    PROC_TOKEN);
        }
        return e;
    }

    // ------------------------------------------------------------------------------------------ #4 escapes

    @Test
    void fetch_awsErrorMessageWithTerminalControls_isEscaped() {
        fake.failNext(1, 400, "AccessDeniedException", "User is not \u001b[31mallowed\u0007\u2028\u009b2J here");

        SourceAccessDeniedException e = failure(SourceAccessDeniedException.class, REF, 1, Duration.ofSeconds(5));

        assertThat(e.getMessage()).contains("User is not U+001B[31mallowedU+0007U+2028U+009B2J here")
                .doesNotContain("\u001b", "\u0007", "\u2028", "\u009b");
    }

    @Test
    void fetch_awsErrorCodeWithControls_isEscaped() {
        fake.failNext(1, 400, "Weird\u001b]0;x\u0007Code", "m");

        SourceMisconfiguredException e = failure(SourceMisconfiguredException.class, REF, 1, Duration.ofSeconds(5));

        assertThat(e.getMessage()).contains("WeirdU+001B]0;xU+0007Code").doesNotContain("\u001b", "\u0007");
    }

    // ------------------------------------------------------------------------------------------ #8 empty values

    @Test
    void fetch_emptySecretString_isNotFoundAndNotRetried() {
        fake.putSecretString("prod/empty", "");

        SecretNotFoundException e = failure(SecretNotFoundException.class, "aws-sm:prod/empty", 3, Duration.ofSeconds(5));

        assertThat(e.getMessage()).contains("aws-sm:prod/empty: the secret 'prod/empty'", "has an empty SecretString",
                "put-secret-value");
        assertThat(e.attempts()).isEqualTo(1);
        assertThat(fake.getSecretValueCount()).isEqualTo(1);
    }

    @Test
    void fetch_emptyJsonField_isNotFound() {
        fake.putSecretString("prod/claude", "{\"user\":\"svc\",\"api_key\":\"\"}");

        SecretNotFoundException e = failure(SecretNotFoundException.class, REF, 3, Duration.ofSeconds(5));

        assertThat(e.getMessage()).contains("has the field 'api_key', but it is empty");
        assertThat(e.attempts()).isEqualTo(1);
    }

    @Test
    void fetch_emptySecretBinary_isNotFound() {
        fake.putSecretBinary("prod/bin", new byte[0]);

        SecretNotFoundException e = failure(SecretNotFoundException.class, "aws-sm:prod/bin", 1, Duration.ofSeconds(5));

        assertThat(e.getMessage()).contains("has an empty SecretBinary");
    }

    // ------------------------------------------------------------------------------------------ #9 answer size

    @Test
    void fetch_answerLargerThanTheCap_isMisconfiguredAndNotRetried() {
        fake.respondNext(3, 200, "{\"Name\":\"prod/claude\",\"SecretString\":\"" + "x".repeat(2 * 1024 * 1024) + "\"}");

        SourceMisconfiguredException e = failure(SourceMisconfiguredException.class, REF, 3, Duration.ofSeconds(10));

        assertThat(e.getMessage()).contains(REF, "larger than 1 MiB", "not retried", "endpoint is Secrets Manager");
        assertThat(e.attempts()).isEqualTo(1);
        assertThat(fake.getSecretValueCount()).isEqualTo(1);
    }

    @Test
    void fetch_secretOfTheLargestSize_isRead() {
        String big = "y".repeat(65_536);
        fake.putSecretString("prod/big", big);

        try (KeyFetcher f = builder("aws-sm:prod/big", env).maxAttempts(1).buildFetcher()) {
            assertThat(f.fetch().value()).hasSize(big.length());
        }
    }

    // ------------------------------------------------------------------------------------------ #14 profiles

    private void profileWithProcess(String script) throws IOException {
        Path helper = home.resolve("creds.sh");
        Files.writeString(helper, "#!/bin/sh\n" + script + "\n");
        helper.toFile().setExecutable(true, true);
        Path config = home.resolve("config");
        Files.writeString(config, "[profile proc]\nregion = " + fake.region() + "\ncredential_process = " + helper + "\n");
        env.remove("AWS_ACCESS_KEY_ID");
        env.remove("AWS_SECRET_ACCESS_KEY");
        env.put("AWS_CONFIG_FILE", config.toString());
        env.put("AWS_PROFILE", "proc");
        env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    }

    @Test
    void fetch_credentialProcessFails_showsItsStderrAndExitCode() throws IOException {
        profileWithProcess("echo '{\"Version\": 1, \"AccessKeyId\": \"" + PROC_KEY_ID + "\", \"SecretAccessKey\": \""
                + PROC_SECRET + "\"}'\necho \"the SSO session has expired ($(printf '\\033[2J')); run: aws sso login"
                + " (key " + PROC_SECRET + ")\" >&2\nexit 3");

        SourceMisconfiguredException e = failure(SourceMisconfiguredException.class, REF, 3, Duration.ofSeconds(5));

        assertThat(e.getMessage()).contains(REF + ": no usable AWS credentials", "credential_process of AWS profile"
                + " 'proc'", "exited with code 3", "the SSO session has expired (U+001B[2J); run: aws sso login"
                + " (key ****)", "run it by hand").doesNotContain(home.resolve("creds.sh").toString());
        assertThat(e.attempts()).isEqualTo(1);
        assertThat(fake.getSecretValueCount()).as("no request without credentials").isZero();
    }

    @Test
    void fetch_credentialProcessHangs_isStoppedWithItsChildren_andTimesOut() throws IOException {
        Path pids = home.resolve("pids");
        profileWithProcess("echo $$ >> '" + pids + "'\nsleep 30 &\necho $! >> '" + pids + "'\nwait");

        long start = System.nanoTime();
        SourceTimeoutException e = failure(SourceTimeoutException.class, REF, 1, Duration.ofSeconds(2));
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(e.getMessage()).contains("credential_process of AWS profile 'proc'", "did not finish within 1600 ms",
                "stopped with the processes it started");
        assertThat(took).isLessThan(Duration.ofSeconds(6));
        Awaitility.await("the credential_process and its sleep are gone").atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> Files.readAllLines(pids).stream().filter(l -> !l.isBlank()).mapToLong(Long::parseLong)
                        .noneMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)));
        assertThat(Files.readAllLines(pids)).hasSize(2);
    }

    @Test
    void fetch_credentialProcessPrintsCredentials_signsWithThemAndRunsOnce() throws IOException {
        Path runs = home.resolve("runs");
        profileWithProcess("echo run >> '" + runs + "'\necho '{\"Version\": 1, \"AccessKeyId\": \"" + PROC_KEY_ID
                + "\", \"SecretAccessKey\": \"" + PROC_SECRET + "\", \"SessionToken\": \"" + PROC_TOKEN
                + "\", \"Expiration\": \"2999-01-01T00:00:00Z\"}'");
        fake.requireAccessKeyId(PROC_KEY_ID);

        try (KeyFetcher f = builder(REF, env).maxAttempts(1).buildFetcher()) {
            assertThat(f.fetch().matches(Canary.SECRET)).isTrue();
            assertThat(f.fetch().matches(Canary.SECRET)).isTrue();
        }

        assertThat(Files.readAllLines(runs)).as("credentials reused until their expiration").hasSize(1);
    }

    @Test
    void fetch_profileOptionWithCredentialProcessThatFails_showsWhy() throws IOException {
        profileWithProcess("echo 'no cached credentials' >&2\nexit 1");
        env.remove("AWS_PROFILE");

        SourceMisconfiguredException e = failure(SourceMisconfiguredException.class, REF + "?profile=proc", 1,
                Duration.ofSeconds(5));

        assertThat(e.getMessage()).contains("credential_process of AWS profile 'proc'", "exited with code 1",
                "no cached credentials");
    }

    @Test
    void fetch_credentialProcessPrintsNoJson_isMisconfigured_withoutQuotingIt() throws IOException {
        profileWithProcess("echo 'not json " + Canary.SECRET + "'");

        SourceMisconfiguredException e = failure(SourceMisconfiguredException.class, REF, 1, Duration.ofSeconds(5));

        assertThat(e.getMessage()).contains("the output of the credential_process of AWS profile 'proc'", "is not JSON",
                "\"Version\": 1");
    }

    @Test
    void build_awsProfileVariableNamesAMissingProfile_saysTheProfileIsMissing() throws IOException {
        Files.writeString(home.resolve("config"), "[profile other]\nregion = eu-west-1\n");
        env.put("AWS_CONFIG_FILE", home.resolve("config").toString());
        env.remove("AWS_REGION");
        env.put("AWS_PROFILE", "missing");

        SourceMisconfiguredException e = catchThrowableOfType(SourceMisconfiguredException.class,
                () -> builder(REF, env).build().close());

        assertThat(e).isNotNull();
        assertThat(e.getMessage()).isEqualTo(REF + ": the AWS profile 'missing' (from environment variable AWS_PROFILE)"
                + " is not in " + home.resolve("config") + " or " + home.resolve(".aws/credentials") + "; create it with"
                + " 'aws configure --profile missing', or point AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE at the"
                + " files that hold it");
    }
}
