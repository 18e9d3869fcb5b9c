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
        assertThat(Durations.parse("t", "o", "1500", false)).isEqualTo(Duration.ofMillis(1500));
        assertThat(Durations.parse("t", "o", "500ms", false)).isEqualTo(Duration.ofMillis(500));
        assertThat(Durations.parse("t", "o", "30s", false)).isEqualTo(Duration.ofSeconds(30));
        assertThat(Durations.parse("t", "o", "5m", false)).isEqualTo(Duration.ofMinutes(5));
        assertThat(Durations.parse("t", "o", "2h", false)).isEqualTo(Duration.ofHours(2));
        assertThat(Durations.parse("t", "o", "PT1M", false)).isEqualTo(Duration.ofMinutes(1));
        assertThat(Durations.parse("t", "o", "0", true)).isZero();
        assertThatThrownBy(() -> Durations.parse("t", "o", "-5s", false)).isInstanceOf(SourceMisconfiguredException.class);
    }
}
