package dev.keysource.vault;

import static dev.keysource.vault.VaultTests.env;
import static dev.keysource.vault.VaultTests.failure;
import static dev.keysource.vault.VaultTests.fetch;
import static dev.keysource.vault.VaultTests.key;
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
import dev.keysource.vault.FakeVault.Fault;
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
 * Every classification row of the issue, through the real driver: the exception type, whether it is
 * retried, what the message names (address, path, status, Vault's error text), and that it holds
 * neither the token nor the secret. The CLI maps the types to exit codes: not found 3, rejected 4,
 * unavailable or timed out 5, misconfigured 6.
 */
class VaultClassificationTest {

    static final String REF = "vault:secret/app#api_key";
    static final String READ = "secret/data/app";

    @TempDir
    Path home;

    FakeVault vault;
    String token;

    @BeforeEach
    void start() {
        vault = FakeVault.start();
        vault.mountKv2("secret");
        vault.putKv("secret/app", Map.of("api_key", Canary.SECRET));
        token = vault.createToken(Duration.ZERO, false);
    }

    @AfterEach
    void stop() {
        vault.close();
    }

    static Stream<Arguments> statuses() {
        return Stream.of(
                Arguments.of(400, "invalid version", SourceMisconfiguredException.class, 6),
                Arguments.of(401, "missing client token", SourceAccessDeniedException.class, 4),
                Arguments.of(403, "permission denied", SourceAccessDeniedException.class, 4),
                Arguments.of(404, "", SecretNotFoundException.class, 3),
                Arguments.of(405, "unsupported operation", SourceMisconfiguredException.class, 6),
                Arguments.of(412, "required index state not present", SourceUnavailableException.class, 5),
                Arguments.of(429, "request path \"secret/data/app\": rate limit quota exceeded",
                        SourceUnavailableException.class, 5),
                Arguments.of(500, "internal error", SourceUnavailableException.class, 5),
                Arguments.of(502, "upstream connect error", SourceUnavailableException.class, 5),
                Arguments.of(503, "Vault is sealed", SourceUnavailableException.class, 5),
                Arguments.of(504, "", SourceUnavailableException.class, 5));
    }

    /**
     * @param exitCode the keysource CLI exit code for the type (docs/design.md §7), for the CLI's own test of this table
     */
    @ParameterizedTest(name = "{0} -> {2}")
    @MethodSource("statuses")
    void fetch_statusFromRead_isClassified(int status, String vaultError, Class<? extends KeySourceException> type,
                                           int exitCode) {
        vault.fail(READ, vaultError.isEmpty() ? Fault.status(status) : Fault.status(status, vaultError));

        KeySourceException e = failure(type, REF, env(vault, token, home), token);

        assertThat(e.getMessage()).contains(vault.address(), READ, String.valueOf(status), vaultError, REF);
        assertThat(e.isTransient()).isEqualTo(exitCode == 5);
        assertThat(vault.count("GET", READ)).as("the driver's own retries are off").isEqualTo(1);
    }

    @Test
    void fetch_statusFromMountLookup_isClassifiedTheSame() {
        vault.fail("sys/internal/ui/mounts/", Fault.status(500, "internal error"));

        SourceUnavailableException e = failure(SourceUnavailableException.class, REF, env(vault, token, home), token);

        assertThat(e.getMessage()).contains("finding the mount of secret/app", "500", "internal error",
                "sys/internal/ui/mounts/secret/app");
    }

    @Test
    void fetch_missingSecret_isNotFound() {
        SecretNotFoundException e = failure(SecretNotFoundException.class, "vault:secret/nothing-here",
                env(vault, token, home), token);

        assertThat(e.getMessage()).contains("Vault answered 404 to GET " + vault.address() + "/v1/secret/data/nothing-here",
                "nothing is stored at this path");
    }

    @Test
    void fetch_sealedVault_isTransient() {
        vault.sealed(true);

        SourceUnavailableException e = failure(SourceUnavailableException.class, REF, env(vault, token, home), token);

        assertThat(e.getMessage()).contains("503", "Vault is sealed", "vault status");
    }

    @Test
    void fetch_connectionRefused_isTransient() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Map<String, String> env = env(vault, token, home, "VAULT_ADDR", "http://127.0.0.1:" + port);

        SourceUnavailableException e = failure(SourceUnavailableException.class, REF, env, token);

        assertThat(e.getMessage()).contains("cannot connect to Vault", "127.0.0.1:" + port, "VAULT_ADDR");
    }

    @Test
    void fetch_connectionDropped_isTransient() {
        vault.fail(READ, Fault.drop(), Fault.drop()); // the JDK client retries a GET once on a reused connection

        SourceUnavailableException e = failure(SourceUnavailableException.class, REF, env(vault, token, home), token);

        assertThat(e.getMessage()).contains("the connection failed", READ);
    }

    @Test
    void fetch_malformedBody_isTransient() {
        vault.fail(READ, Fault.malformed());

        SourceUnavailableException e = failure(SourceUnavailableException.class, REF, env(vault, token, home), token);

        assertThat(e.getMessage()).contains("not the JSON Vault sends", "proxy");
    }

    @Test
    void fetch_htmlFromProxyOnLogin_isTransient() {
        vault.appRole("approle", "r", "s", Duration.ofHours(1), true);
        vault.fail("auth/approle/login", Fault.raw(200, "text/html", "<html>" + Canary.SECRET + "</html>"));

        SourceUnavailableException e = failure(SourceUnavailableException.class, REF + "?auth=approle",
                env(vault, null, home, "VAULT_ROLE_ID", "r", "VAULT_SECRET_ID", "s"));

        assertThat(e.getMessage()).contains("logging in with AppRole", "not the JSON Vault sends");
    }

    @Test
    void fetch_answerSlowerThanTimeLimit_timesOut() {
        vault.fail(READ, Fault.delay(Duration.ofSeconds(5)));
        SourceTimeoutException e;
        try (KeyFetcher f = key(REF, env(vault, token, home)).timeout(Duration.ofMillis(300)).maxAttempts(1)
                .buildFetcher()) {
            e = catchThrowableOfType(SourceTimeoutException.class, f::fetch);
        }

        assertThat(e).isNotNull();
        assertThat(e.isTransient()).isTrue();
        VaultTests.assertClean(e, token);
    }

    @Test
    void fetch_performanceStandbyRedirect_followsToActiveNode() {
        try (FakeVault standby = FakeVault.start()) {
            standby.redirectTo(vault.address());

            assertThat(fetch(REF, env(standby, token, home), 1).matches(Canary.SECRET)).isTrue();
        }
        assertThat(vault.count("GET", READ)).isEqualTo(1);
    }

    // ------------------------------------------------------------------------------------------ fault script

    @Test
    void fetch_two503ThenSuccess_succeedsOnThirdAttempt() {
        vault.fail(READ, Fault.status(503, "Vault is sealed"), Fault.status(503, "Vault is sealed"));

        assertThat(fetch(REF, env(vault, token, home), 3).matches(Canary.SECRET)).isTrue();
        assertThat(vault.count("GET", READ)).isEqualTo(3);
    }

    @Test
    void fetch_connectionDroppedThenSuccess_succeedsOnRetry() {
        vault.fail(READ, Fault.drop(), Fault.drop());

        assertThat(fetch(REF, env(vault, token, home), 3).matches(Canary.SECRET)).isTrue();
        assertThat(vault.pendingFaults()).isZero();
    }

    @Test
    void fetch_delayPastTimeLimitThenFastAnswer_succeedsOnRetry() {
        vault.fail(READ, Fault.delay(Duration.ofSeconds(5)));

        try (KeyFetcher f = key(REF, env(vault, token, home)).timeout(Duration.ofMillis(300)).maxAttempts(2)
                .buildFetcher()) {
            assertThat(f.fetch().matches(Canary.SECRET)).isTrue();
            assertThat(f.attempts()).isEqualTo(2);
        }
    }

    @Test
    void fetch_429ThenSuccess_isRetried() {
        vault.fail(READ, Fault.status(429, "rate limit quota exceeded"));

        assertThat(fetch(REF, env(vault, token, home), 2).matches(Canary.SECRET)).isTrue();
    }

    @Test
    void fetch_403IsNotRetried() {
        vault.fail(READ, Fault.status(403, "permission denied"));

        SourceAccessDeniedException e;
        try (KeyFetcher f = key(REF, env(vault, token, home)).maxAttempts(3).buildFetcher()) {
            e = catchThrowableOfType(SourceAccessDeniedException.class, f::fetch);
        }

        assertThat(e).isNotNull();
        assertThat(e.getMessage()).contains("is valid, but its policies do not allow");
        assertThat(vault.count("GET", READ)).isEqualTo(1);
    }
}
