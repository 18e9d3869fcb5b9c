package dev.keysource.script.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keysource.Secret;
import dev.keysource.SourceMisconfiguredException;
import dev.keysource.testkit.Canary;
import dev.keysource.testkit.ErrorContract;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The output shapes a helper may print. */
class HelperOutputTest {

    private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");
    private static final String REF = "script:helper";

    private static Secret parse(String stdout) {
        return parse(stdout, null);
    }

    private static Secret parse(String stdout, String jsonField) {
        return new HelperOutput(REF, Optional.ofNullable(jsonField), Clock.fixed(NOW, ZoneOffset.UTC))
                .parse(stdout.getBytes(StandardCharsets.UTF_8));
    }

    private static String failure(String stdout, String jsonField) {
        try {
            parse(stdout, jsonField);
        } catch (SourceMisconfiguredException e) {
            Canary.assertAbsent(e);
            ErrorContract.assertHoldsInChain(e); // the reference once: "reference: detail"
            return e.getMessage();
        }
        throw new AssertionError("no failure");
    }

    @Test
    void parse_credentialProcessWithExpiration_keepsWholeObjectAndExpiry() {
        String json = "{\"Version\": 1, \"AccessKeyId\": \"AKIAEXAMPLE\", \"SecretAccessKey\": \"" + Canary.SECRET
                + "\", \"SessionToken\": \"tok\", \"Expiration\": \"2030-01-01T01:00:00Z\"}";
        Secret s = parse(json + "\n");
        assertThat(s.value()).isEqualTo(json);
        assertThat(s.expiry()).contains(Instant.parse("2030-01-01T01:00:00Z"));
    }

    @Test
    void parse_credentialProcessWithoutExpiration_hasNoExpiry() {
        Secret s = parse("{\"Version\":1,\"AccessKeyId\":\"AKIA\",\"SecretAccessKey\":\"x\"}");
        assertThat(s.expiry()).isEmpty();
    }

    @Test
    void parse_credentialProcessWithJsonField_picksTheField() {
        Secret s = parse("{\"Version\":1,\"AccessKeyId\":\"AKIA\",\"SecretAccessKey\":\"sk-secret\","
                + "\"Expiration\":\"2030-01-01T00:10:00+00:00\"}", "SecretAccessKey");
        assertThat(s.value()).isEqualTo("sk-secret");
        assertThat(s.expiry()).contains(Instant.parse("2030-01-01T00:10:00Z"));
    }

    @Test
    void parse_awsStsShapeWithExpiration_readsCredentialsExpiration() {
        String json = "{\n  \"Credentials\": {\n    \"AccessKeyId\": \"ASIA\",\n    \"SecretAccessKey\": \"s\",\n"
                + "    \"SessionToken\": \"FwoGZXIvYXdzE\",\n    \"Expiration\": \"2030-01-01T02:00:00+00:00\"\n  },\n"
                + "  \"AssumedRoleUser\": {\"Arn\": \"arn:aws:sts::1:assumed-role/r/s\"}\n}";
        Secret s = parse(json);
        assertThat(s.value()).isEqualTo(json);
        assertThat(s.expiry()).contains(Instant.parse("2030-01-01T02:00:00Z"));
        assertThat(parse(json, "Credentials.SessionToken").value()).isEqualTo("FwoGZXIvYXdzE");
    }

    @Test
    void parse_awsStsShapeWithoutExpiration_hasNoExpiry() {
        assertThat(parse("{\"Credentials\":{\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"s\"}}").expiry()).isEmpty();
    }

    @Test
    void parse_execCredentialWithExpiry_readsStatusToken() {
        Secret s = parse("{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\","
                + "\"status\":{\"token\":\"k8s-token-abc\",\"expirationTimestamp\":\"2030-01-01T00:15:00Z\"}}");
        assertThat(s.value()).isEqualTo("k8s-token-abc");
        assertThat(s.expiry()).contains(Instant.parse("2030-01-01T00:15:00Z"));
    }

    @Test
    void parse_execCredentialWithoutExpiry_hasNoExpiry() {
        Secret s = parse("{\"kind\":\"ExecCredential\",\"status\":{\"token\":\"k8s-token\"}}");
        assertThat(s.value()).isEqualTo("k8s-token");
        assertThat(s.expiry()).isEmpty();
    }

    @Test
    void parse_execCredentialWithClientCertificateOnly_isRefused() {
        assertThat(failure("{\"kind\":\"ExecCredential\",\"status\":{\"clientCertificateData\":\"x\"}}", null))
                .contains("ExecCredential without status.token");
    }

    @Test
    void parse_keyShapeWithExpiresAt_readsIt() {
        Secret s = parse("{\"key\": \"sk-abc\", \"expires_at\": \"2030-01-01T00:05:00Z\"}");
        assertThat(s.value()).isEqualTo("sk-abc");
        assertThat(s.expiry()).contains(Instant.parse("2030-01-01T00:05:00Z"));
    }

    @Test
    void parse_keyShapeWithEpochSecondsOrExpiresIn_readsThem() {
        assertThat(parse("{\"key\":\"sk-abc\",\"expires_at\":1893456300}").expiry())
                .contains(Instant.ofEpochSecond(1893456300L));
        assertThat(parse("{\"key\":\"sk-abc\",\"expires_in\":90}").expiry()).contains(NOW.plusSeconds(90));
    }

    @Test
    void parse_keyShapeWithoutExpiry_hasNoExpiry() {
        Secret s = parse("{\"key\":\"sk-abc\"}");
        assertThat(s.value()).isEqualTo("sk-abc");
        assertThat(s.expiry()).isEmpty();
    }

    @Test
    void parse_badExpiry_namesTheFieldAndTheForm() {
        assertThat(failure("{\"key\":\"sk-abc\",\"expires_at\":\"tomorrow\"}", null))
                .isEqualTo(REF + ": the JSON field expires_at is not an ISO-8601 date-time such as 2030-01-01T00:00:00Z");
    }

    // issue 15 #11: absurd expiries are a misconfigured helper, never "a bug in the backend" nor 1970

    @Test
    void parse_expiresInBeyondAHundredYears_isMisconfigured() {
        String why = REF + ": the field expires_in is more than 100 years; it is the number of seconds the key is "
                + "valid from now (3600 for an hour)";
        assertThat(failure("{\"key\":\"sk-abc\",\"expires_in\":1e2147483647}", null)).isEqualTo(why);
        assertThat(failure("{\"key\":\"sk-abc\",\"expires_in\":3155760001}", null)).isEqualTo(why);
        assertThat(parse("{\"key\":\"sk-abc\",\"expires_in\":3155760000}").expiry())
                .contains(NOW.plusSeconds(3155760000L));
        assertThat(parse("{\"key\":\"sk-abc\",\"expires_in\":1e-2147483647}").expiry()).contains(NOW);
    }

    @Test
    void parse_expiresAtBeyondAHundredYears_isMisconfigured() {
        String why = REF + ": the JSON field expires_at is more than 100 years from now; write the expiry as epoch "
                + "seconds (1893456000) or an ISO-8601 date-time such as 2030-01-01T00:00:00Z";
        assertThat(failure("{\"key\":\"sk-abc\",\"expires_at\":1e1000000000}", null)).isEqualTo(why);
        assertThat(failure("{\"key\":\"sk-abc\",\"expires_at\":\"+1000000000-01-01T00:00:00Z\"}", null)).isEqualTo(why);
        assertThat(failure("{\"Version\":1,\"AccessKeyId\":\"AKIA\",\"Expiration\":\"9999-01-01T00:00:00Z\"}", null))
                .startsWith(REF + ": the JSON field Expiration is more than 100 years from now");
        assertThat(failure("{\"key\":\"sk-abc\",\"expires_at\":-5}", null))
                .isEqualTo(REF + ": the JSON field expires_at is negative; write the expiry as epoch seconds (1893456000) "
                        + "or an ISO-8601 date-time such as 2030-01-01T00:00:00Z");
    }

    @Test
    void parse_keyWithSpaceInJson_isRefusedWithoutShowingIt() {
        assertThat(failure("{\"key\":\"sk-canary 3f9a7c21d5e84b6a\"}", null))
                .contains("the JSON field 'key' is not one printable-ASCII token: character 10 is a space")
                .doesNotContain("3f9a");
    }

    @Test
    void parse_unknownJsonShape_isATokenIfValid() {
        assertThat(parse("{\"a\":1}").value()).isEqualTo("{\"a\":1}");
        assertThat(failure("{\"a\": 1}", null)).contains("character 6 is a space")
                .contains("set 'json-field' to pick the field");
    }

    @Test
    void parse_jsonFieldOnUnknownShape_picksIt() {
        assertThat(parse("{\"data\":{\"api_key\":\"sk-nested\"}}", "data.api_key").value()).isEqualTo("sk-nested");
    }

    @Test
    void parse_jsonFieldMissing_listsTopLevelFields() {
        assertThat(failure("{\"data\":{\"x\":\"" + Canary.SECRET + "\"},\"meta\":1}", "data.api_key"))
                .isEqualTo(REF + ": stdout is a JSON object without the field 'data.api_key' named by setting "
                        + "'json-field'; fields at the top level: data, meta");
    }

    @Test
    void parse_jsonFieldButPlainOutput_isRefused() {
        assertThat(failure("sk-plain", "key")).contains("setting 'json-field' is set but stdout is not a JSON object");
    }

    @Test
    void parse_braceToken_thatIsNotJson_isAPlainToken() {
        assertThat(parse("{abc}").value()).isEqualTo("{abc}");
    }

    @Test
    void parse_keyLongerThan16KiB_isRefused() {
        assertThat(failure("k".repeat(16 * 1024 + 1), null)).contains("is 16385 characters long; a key is at most 16384");
        assertThat(parse("k".repeat(16 * 1024)).value()).hasSize(16384);
    }

    @Test
    void parse_controlCharacter_isNamed() {
        assertThat(failure("sk-\u0007bell", null)).contains("character 4 is the control character U+0007");
    }
}
