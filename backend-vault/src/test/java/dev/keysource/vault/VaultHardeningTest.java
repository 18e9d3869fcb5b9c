package dev.keysource.vault;

import static dev.keysource.vault.VaultTests.env;
import static dev.keysource.vault.VaultTests.failure;
import static dev.keysource.vault.VaultTests.fetch;
import static dev.keysource.vault.VaultTests.key;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.keysource.KeyFetcher;
import dev.keysource.SecretNotFoundException;
import dev.keysource.SourceMisconfiguredException;
import dev.keysource.SourceUnavailableException;
import dev.keysource.testkit.Canary;
import dev.keysource.vault.FakeVault.Fault;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 15, Vault: server text cannot become a terminal escape, an empty value is an error, an endless
 * answer is cut off and not retried, broken configuration (a token file with stray characters, a port
 * out of range) fails at once as misconfigured, and a KV v2 version that is not a whole number is an
 * unreadable answer, not a bug.
 */
class VaultHardeningTest {

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
        vault.putKv("secret/app", Map.of("api_key", Canary.SECRET, "user", "svc"));
        token = vault.createToken(Duration.ZERO, false);
    }

    @AfterEach
    void stop() {
        vault.close();
    }

    // ------------------------------------------------------------------------------------------ #4 escapes

    @Test
    void fetch_vaultErrorTextWithTerminalControls_isEscapedInTheMessage() {
        vault.fail(READ, Fault.status(403, "permission \u001b[31mdenied\u0007\u2028\u009b2J now"));

        Exception e = failure(dev.keysource.SourceAccessDeniedException.class, REF, env(vault, token, home), token);

        assertThat(e.getMessage()).contains("permission U+001B[31mdeniedU+0007U+2028U+009B2J now")
                .doesNotContain("\u001b", "\u0007", "\u2028", "\u009b");
    }

    @Test
    void fetch_fieldNamesWithControls_areEscapedWhenListed() {
        vault.putKv("secret/odd", Map.of("a\u001b]0;owned\u0007", "x", "b", "y"));

        SourceMisconfiguredException e = failure(SourceMisconfiguredException.class, "vault:secret/odd#missing",
                env(vault, token, home), token);

        assertThat(e.getMessage()).contains("its fields are: 'aU+001B]0;ownedU+0007', 'b';").doesNotContain("\u001b", "\u0007");
    }

    // ------------------------------------------------------------------------------------------ #8 empty values

    @Test
    void fetch_emptyField_isNotFoundAndNotRetried() {
        vault.putKv("secret/app", Map.of("api_key", "", "user", "svc"));

        SecretNotFoundException e;
        try (KeyFetcher f = key(REF, env(vault, token, home)).maxAttempts(3).buildFetcher()) {
            e = catchThrowableOfType(SecretNotFoundException.class, f::fetch);
        }

        assertThat(e).isNotNull();
        assertThat(e.getMessage()).isEqualTo(REF + ": the field 'api_key' of the secret at secret/data/app is empty;"
                + " write a value to it (e.g. 'vault kv patch secret/app api_key=...' on KV v2), or name another field"
                + " with #field");
        assertThat(e.attempts()).isEqualTo(1);
        assertThat(vault.count("GET", READ)).isEqualTo(1);
    }

    @Test
    void fetch_onlyFieldEmpty_withoutFieldName_isNotFound() {
        vault.putKv("secret/one", Map.of("value", ""));

        SecretNotFoundException e = failure(SecretNotFoundException.class, "vault:secret/one", env(vault, token, home),
                token);

        assertThat(e.getMessage()).contains("the field 'value' of the secret at secret/data/one is empty");
    }

    // ------------------------------------------------------------------------------------------ #9 body cap

    @Test
    void fetch_endlessBody_isCutOffAtTheCap_asMisconfiguredAndNotRetried() {
        vault.fail(READ, Fault.endless(), Fault.endless(), Fault.endless());

        SourceMisconfiguredException e;
        try (KeyFetcher f = key(REF, env(vault, token, home)).maxAttempts(3).timeout(Duration.ofSeconds(20))
                .buildFetcher()) {
            e = catchThrowableOfType(SourceMisconfiguredException.class, f::fetch);
        }

        assertThat(e).as("not an OutOfMemoryError, not transient").isNotNull();
        assertThat(e.getMessage()).contains(REF, "GET " + vault.address() + "/v1/" + READ, "larger than 4 MiB",
                "not retried", "VAULT_ADDR");
        assertThat(e.attempts()).isEqualTo(1);
        assertThat(vault.count("GET", READ)).isEqualTo(1);
        assertThat(vault.pendingFaults()).as("no second attempt").isEqualTo(2);
        assertThat(vault.endlessBytesSent()).as("the client stopped reading near the cap")
                .isLessThan(64L * 1024 * 1024);
    }

    @Test
    void fetch_bodyJustUnderTheCap_isRead() {
        String big = "x".repeat(3 * 1024 * 1024);
        vault.putKv("secret/big", Map.of("blob", big));

        assertThat(fetch("vault:secret/big#blob", env(vault, token, home), 1).value()).hasSize(big.length());
    }

    // ------------------------------------------------------------------------------------------ #13 configuration

    @Test
    void fetch_tokenFileWithAByteOrderMark_isReadWithoutIt() throws IOException {
        Files.write(home.resolve(".vault-token"), ("\uFEFF" + token + "\r\n").getBytes(StandardCharsets.UTF_8));

        assertThat(fetch(REF, env(vault, null, home), 1).matches(Canary.SECRET)).isTrue();
        assertThat(vault.requests("GET", READ).get(0).header("X-Vault-Token")).isEqualTo(token);
    }

    @ParameterizedTest
    @ValueSource(strings = {"\u0000", "\u00a0", "\u200b", "é"})
    void fetch_tokenFileWithAStrayCharacter_isMisconfiguredAtOnce(String stray) throws IOException {
        Files.write(home.resolve(".vault-token"), (token.substring(0, 4) + stray + token.substring(4))
                .getBytes(StandardCharsets.UTF_8));

        SourceMisconfiguredException e;
        try (KeyFetcher f = key(REF, env(vault, null, home)).maxAttempts(3).buildFetcher()) {
            e = catchThrowableOfType(SourceMisconfiguredException.class, f::fetch);
        }

        assertThat(e).isNotNull();
        assertThat(e.getMessage()).contains("token file " + home.resolve(".vault-token"),
                String.format("U+%04X at position 5", (int) stray.charAt(0)), "vault login");
        assertThat(e.attempts()).isEqualTo(1);
        assertThat(vault.count("GET", READ)).as("nothing was sent").isZero();
        VaultTests.assertClean(e, token, token.substring(4));
    }

    @Test
    void build_vaultTokenWithAControlCharacter_isMisconfigured() {
        SourceMisconfiguredException e = catchThrowableOfType(SourceMisconfiguredException.class,
                () -> key(REF, env(vault, token.substring(0, 4) + "\u001b" + token.substring(4), home)).build().close());

        assertThat(e).isNotNull();
        assertThat(e.getMessage()).contains("environment variable VAULT_TOKEN", "U+001B at position 5");
        VaultTests.assertClean(e, token, token.substring(4));
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://127.0.0.1:99999", "http://127.0.0.1:0", "http://127.0.0.1:"})
    void build_addressWithAPortOutOfRange_isMisconfigured(String address) {
        SourceMisconfiguredException e = catchThrowableOfType(SourceMisconfiguredException.class,
                () -> key(REF, env(vault, token, home, "VAULT_ADDR", address)).build().close());

        assertThat(e).isNotNull();
        assertThat(e.getMessage()).contains(address, "environment variable VAULT_ADDR", "port (1 to 65535)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"1e3", "1.5", "9223372036854775808", "-1", "0"})
    void fetch_kvVersionThatIsNotAWholeNumber_isAnUnreadableAnswer(String version) {
        vault.fail(READ, Fault.raw(200, "application/json", "{\"data\": {\"data\": {\"api_key\": \"" + Canary.SECRET
                + "\"}, \"metadata\": {\"version\": " + version + "}}}"));

        SourceUnavailableException e = failure(SourceUnavailableException.class, REF, env(vault, token, home), token);

        assertThat(e.getMessage()).contains("not the JSON Vault sends", READ).doesNotContain("bug");
    }

    @Test
    void fetch_kvVersionAtTheLargestLong_isKept() {
        vault.fail(READ, Fault.raw(200, "application/json", "{\"data\": {\"data\": {\"api_key\": \"" + Canary.SECRET
                + "\"}, \"metadata\": {\"version\": 9223372036854775807}}}"));

        assertThat(fetch(REF, env(vault, token, home), 1).version()).contains("9223372036854775807");
    }
}
