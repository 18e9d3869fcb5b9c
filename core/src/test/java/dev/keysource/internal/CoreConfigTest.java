package dev.keysource.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keysource.KeyRef;
import dev.keysource.SourceMisconfiguredException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CoreConfigTest {

    private static CoreConfig resolve(CoreConfig.Values code, String ref, Map<String, String> props,
                                      Map<String, String> env, List<String> ttlEnv) {
        return CoreConfig.resolve(code, new SettingsSource(Map.of(), KeyRef.parse(ref), props, env), ttlEnv);
    }

    @Test
    void resolve_nothingSet_usesDefaults() {
        CoreConfig c = resolve(new CoreConfig.Values(), "x:y", Map.of(), Map.of(), List.of());
        assertThat(c.ttl).isEqualTo(Duration.ofMinutes(5));
        assertThat(c.refreshAhead).isEqualTo(0.8);
        assertThat(c.jitter).isEqualTo(0.1);
        assertThat(c.timeout).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.attempts).isEqualTo(3);
        assertThat(c.backoff).isEqualTo(Duration.ofMillis(200));
        assertThat(c.slowThreshold).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.origins()).isEmpty();
    }

    @Test
    void resolve_precedence_codeOverOptionOverPropertyOverEnv() {
        Map<String, String> env = Map.of("KEYSOURCE_TTL_MS", "1000", "KEYSOURCE_TIMEOUT_MS", "2000",
                "KEYSOURCE_BACKOFF_MS", "3000", "KEYSOURCE_ATTEMPTS", "5");
        Map<String, String> props = Map.of("keysource.ttl", "10s", "keysource.timeout", "20s", "keysource.backoff", "30s");
        CoreConfig.Values code = new CoreConfig.Values();
        code.ttl = Duration.ofMinutes(7);
        CoreConfig c = resolve(code, "x:y?ttl=1m&timeout=2m", props, env, List.of());
        assertThat(c.ttl).isEqualTo(Duration.ofMinutes(7));        // code
        assertThat(c.timeout).isEqualTo(Duration.ofMinutes(2));    // reference option
        assertThat(c.backoff).isEqualTo(Duration.ofSeconds(30));   // system property
        assertThat(c.attempts).isEqualTo(5);                       // environment
        assertThat(c.origins()).contains("timeout=PT2M (reference option 'timeout')",
                "backoff=PT30S (system property keysource.backoff)", "attempts=5 (environment variable KEYSOURCE_ATTEMPTS)");
    }

    @Test
    void resolve_providerTtlEnv_usedAfterKeysourceTtl() {
        CoreConfig c = resolve(new CoreConfig.Values(), "x:y", Map.of(),
                Map.of("CLAUDE_CODE_API_KEY_HELPER_TTL_MS", "60000"), List.of("CLAUDE_CODE_API_KEY_HELPER_TTL_MS"));
        assertThat(c.ttl).isEqualTo(Duration.ofMinutes(1));
        CoreConfig both = resolve(new CoreConfig.Values(), "x:y", Map.of(),
                Map.of("CLAUDE_CODE_API_KEY_HELPER_TTL_MS", "60000", "KEYSOURCE_TTL_MS", "2000"),
                List.of("CLAUDE_CODE_API_KEY_HELPER_TTL_MS"));
        assertThat(both.ttl).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void resolve_invalidTtlInEnv_namesSettingOriginAndForm() {
        assertThatThrownBy(() -> resolve(new CoreConfig.Values(), "x:y", Map.of(), Map.of("KEYSOURCE_TTL_MS", "five"), List.of()))
                .isInstanceOf(SourceMisconfiguredException.class)
                .hasMessage("setting 'ttl' from environment variable KEYSOURCE_TTL_MS must be a positive duration: "
                        + "milliseconds (300000), a number with a unit (500ms, 30s, 5m, 1h) or ISO-8601 (PT5M); got 'five'");
    }

    @Test
    void resolve_zeroTimeoutOption_rejected() {
        assertThatThrownBy(() -> resolve(new CoreConfig.Values(), "x:y?timeout=0", Map.of(), Map.of(), List.of()))
                .isInstanceOf(SourceMisconfiguredException.class)
                .hasMessageStartingWith("setting 'timeout' from reference option 'timeout' must be a positive duration");
    }

    @Test
    void resolve_badFractionAndAttempts_rejected() {
        assertThatThrownBy(() -> resolve(new CoreConfig.Values(), "x:y?refresh-ahead=2", Map.of(), Map.of(), List.of()))
                .hasMessage("setting 'refresh-ahead' from reference option 'refresh-ahead' must be a number from 0.1 to 1.0; got '2'");
        assertThatThrownBy(() -> resolve(new CoreConfig.Values(), "x:y", Map.of("keysource.attempts", "0"), Map.of(), List.of()))
                .hasMessage("setting 'attempts' from system property keysource.attempts must be a whole number from 1 to 20; got '0'");
    }

    @Test
    void parse_durationForms() {
        assertThat(Durations.parse("t", "o", "1500", false, true)).isEqualTo(Duration.ofMillis(1500));
        assertThat(Durations.parse("t", "o", "500ms", false, false)).isEqualTo(Duration.ofMillis(500));
        assertThat(Durations.parse("t", "o", "30s", false, false)).isEqualTo(Duration.ofSeconds(30));
        assertThat(Durations.parse("t", "o", "5m", false, false)).isEqualTo(Duration.ofMinutes(5));
        assertThat(Durations.parse("t", "o", "2h", false, false)).isEqualTo(Duration.ofHours(2));
        assertThat(Durations.parse("t", "o", "PT1M", false, false)).isEqualTo(Duration.ofMinutes(1));
        assertThat(Durations.parse("t", "o", "365d", false, false)).isEqualTo(Duration.ofDays(365));
        assertThat(Durations.parse("t", "o", "0", true, true)).isZero();
        assertThatThrownBy(() -> Durations.parse("t", "o", "-5s", false, false)).isInstanceOf(SourceMisconfiguredException.class);
    }

    // issue 11 item 6: a bare number is milliseconds only in the *_MS variables; elsewhere it needs a unit

    @Test
    void resolve_bareNumberInReferenceOption_refusedShowingTheUnits() {
        assertThatThrownBy(() -> resolve(new CoreConfig.Values(), "x:y?ttl=10", Map.of(), Map.of(), List.of()))
                .isInstanceOf(SourceMisconfiguredException.class)
                .hasMessage("setting 'ttl' from reference option 'ttl' is a number without a unit: write 10s, 10m or "
                        + "10ms (a plain number means milliseconds only in the KEYSOURCE_*_MS environment variables); got '10'");
    }

    @Test
    void resolve_bareNumberInSystemPropertyOrCodeSetting_refused() {
        assertThatThrownBy(() -> resolve(new CoreConfig.Values(), "x:y", Map.of("keysource.timeout", "5"), Map.of(), List.of()))
                .hasMessage("setting 'timeout' from system property keysource.timeout is a number without a unit: write "
                        + "5s, 5m or 5ms (a plain number means milliseconds only in the KEYSOURCE_*_MS environment variables); got '5'");
        assertThatThrownBy(() -> CoreConfig.resolve(new CoreConfig.Values(),
                new SettingsSource(Map.of("backoff", "200"), KeyRef.parse("x:y"), Map.of(), Map.of()), List.of()))
                .hasMessageStartingWith("setting 'backoff' from code setting 'backoff' is a number without a unit: write 200s");
    }

    @Test
    void resolve_bareNumberInMsVariable_isMilliseconds() {
        CoreConfig c = resolve(new CoreConfig.Values(), "x:y", Map.of(), Map.of("KEYSOURCE_TTL_MS", "60000"), List.of());
        assertThat(c.ttl).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void resolve_ttlOrTimeoutBelowOneSecond_isAcceptedWithAWarning() {
        CoreConfig c = resolve(new CoreConfig.Values(), "x:y?ttl=10ms", Map.of(), Map.of("KEYSOURCE_TIMEOUT_MS", "500"), List.of());
        assertThat(c.ttl).isEqualTo(Duration.ofMillis(10));
        assertThat(c.warnings()).containsExactly(
                "setting 'ttl' from reference option 'ttl' is 10 ms, below 1 s: the value is fetched again every 10 ms; "
                        + "write 10s if seconds were meant",
                "setting 'timeout' from environment variable KEYSOURCE_TIMEOUT_MS is 500 ms, below 1 s: an attempt that "
                        + "takes longer fails; the variable is in milliseconds (KEYSOURCE_TIMEOUT_MS=5000 is 5 s)");
        assertThat(resolve(new CoreConfig.Values(), "x:y?ttl=1s", Map.of(), Map.of(), List.of()).warnings()).isEmpty();
    }

    // issue 15 #11: extreme durations are refused at build time, never an ArithmeticException later

    @Test
    void resolve_durationBeyondOneYear_refusedWithTheRange() {
        assertThatThrownBy(() -> resolve(new CoreConfig.Values(), "x:y", Map.of(),
                Map.of("KEYSOURCE_SLOW_THRESHOLD_MS", "106752d"), List.of()))
                .isInstanceOf(SourceMisconfiguredException.class)
                .hasMessage("setting 'slow-threshold' from environment variable KEYSOURCE_SLOW_THRESHOLD_MS must be at "
                        + "most 365 days (365d); got '106752d'");
        assertThatThrownBy(() -> resolve(new CoreConfig.Values(), "x:y", Map.of(),
                Map.of("KEYSOURCE_TTL_MS", "99999999999999999999999"), List.of()))
                .isInstanceOf(SourceMisconfiguredException.class)
                .hasMessage("setting 'ttl' from environment variable KEYSOURCE_TTL_MS must be at most 365 days (365d); "
                        + "got '99999999999999999999999'");
        assertThatThrownBy(() -> resolve(new CoreConfig.Values(), "x:y?expiry-skew=PT2562047788015215H", Map.of(), Map.of(), List.of()))
                .hasMessage("setting 'expiry-skew' from reference option 'expiry-skew' must be at most 365 days (365d); "
                        + "got 'PT2562047788015215H'");
    }

    @Test
    void resolve_codeDurationBeyondOneYear_refusedNamingTheBuilderMethod() {
        CoreConfig.Values ttl = new CoreConfig.Values();
        ttl.ttl = Duration.ofSeconds(Long.MAX_VALUE);
        assertThatThrownBy(() -> resolve(ttl, "x:y", Map.of(), Map.of(), List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("ttl must be at most 365 days (PT8760H): PT2562047788015215H30M7S");
        CoreConfig.Values skew = new CoreConfig.Values();
        skew.expirySkew = Duration.ofSeconds(Long.MAX_VALUE, 999_999_999);
        assertThatThrownBy(() -> resolve(skew, "x:y", Map.of(), Map.of(), List.of()))
                .hasMessageStartingWith("expirySkew must be at most 365 days (PT8760H): ");
        CoreConfig.Values grace = new CoreConfig.Values();
        grace.staleGrace = Duration.ofDays(366);
        assertThatThrownBy(() -> resolve(grace, "x:y", Map.of(), Map.of(), List.of()))
                .hasMessage("staleGrace must be at most 365 days (PT8760H): PT8784H");
    }

    // issue 15 #12: the TTL variables never fail a one-shot fetch; the caller tool's own variable never fails

    @Test
    void resolveOneShot_invalidTtlVariables_ignoredAndListed() {
        for (Map<String, String> env : List.of(Map.of("CLAUDE_CODE_API_KEY_HELPER_TTL_MS", "0"),
                Map.of("CLAUDE_CODE_API_KEY_HELPER_TTL_MS", "1e6"), Map.of("CLAUDE_CODE_API_KEY_HELPER_TTL_MS", "900000.0"),
                Map.of("KEYSOURCE_TTL_MS", "0"))) {
            CoreConfig c = CoreConfig.resolveOneShot(new CoreConfig.Values(),
                    new SettingsSource(Map.of(), KeyRef.parse("x:y"), Map.of(), env),
                    List.of("CLAUDE_CODE_API_KEY_HELPER_TTL_MS"));
            assertThat(c.ttl).as("%s", env).isIn(CoreConfig.DEFAULT_TTL, Duration.ofSeconds(1000), Duration.ofSeconds(900));
            assertThat(c.warnings()).as("%s", env).isEmpty();
        }
        CoreConfig valid = CoreConfig.resolveOneShot(new CoreConfig.Values(), new SettingsSource(Map.of(),
                KeyRef.parse("x:y"), Map.of(), Map.of("CLAUDE_CODE_API_KEY_HELPER_TTL_MS", "60000")),
                List.of("CLAUDE_CODE_API_KEY_HELPER_TTL_MS"));
        assertThat(valid.origins()).contains("ttl=PT1M (environment variable CLAUDE_CODE_API_KEY_HELPER_TTL_MS)");
    }

    @Test
    void resolveOneShot_invalidTtlOption_stillRefused() {
        assertThatThrownBy(() -> CoreConfig.resolveOneShot(new CoreConfig.Values(),
                new SettingsSource(Map.of(), KeyRef.parse("x:y?ttl=soon"), Map.of(), Map.of()), List.of()))
                .isInstanceOf(SourceMisconfiguredException.class)
                .hasMessageStartingWith("setting 'ttl' from reference option 'ttl' must be a positive duration");
    }

    @Test
    void resolve_callerToolTtlVariable_decimalFormsReadAsMilliseconds() {
        for (String v : List.of("1e6", "1000000.0", "1000000")) {
            CoreConfig c = resolve(new CoreConfig.Values(), "x:y", Map.of(), Map.of("CLAUDE_CODE_API_KEY_HELPER_TTL_MS", v),
                    List.of("CLAUDE_CODE_API_KEY_HELPER_TTL_MS"));
            assertThat(c.ttl).as(v).isEqualTo(Duration.ofSeconds(1000));
        }
    }

    @Test
    void resolve_callerToolTtlVariableInvalid_warnsAndUsesTheDefault() {
        CoreConfig c = resolve(new CoreConfig.Values(), "x:y", Map.of(), Map.of("CLAUDE_CODE_API_KEY_HELPER_TTL_MS", "0"),
                List.of("CLAUDE_CODE_API_KEY_HELPER_TTL_MS"));
        assertThat(c.ttl).isEqualTo(CoreConfig.DEFAULT_TTL);
        assertThat(c.warnings()).containsExactly("environment variable CLAUDE_CODE_API_KEY_HELPER_TTL_MS is '0', not a "
                + "positive number of milliseconds; it is ignored and the TTL is 5 minutes (set KEYSOURCE_TTL_MS to "
                + "choose keysource's TTL)");
    }

    @Test
    void resolve_keysourceTtlVariableInvalid_stillFailsTheCachedPath() {
        assertThatThrownBy(() -> resolve(new CoreConfig.Values(), "x:y", Map.of(), Map.of("KEYSOURCE_TTL_MS", "0"), List.of()))
                .isInstanceOf(SourceMisconfiguredException.class)
                .hasMessageStartingWith("setting 'ttl' from environment variable KEYSOURCE_TTL_MS must be a positive duration");
    }
}
