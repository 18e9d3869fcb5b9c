package dev.keysource;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SecretTest {

    private static final String VALUE = "sk-ant-api03-very-secret-value-123";

    @Test
    void toString_neverShowsValue() {
        Secret s = Secret.builder(VALUE).version("7").expiry(Instant.parse("2030-01-01T00:00:00Z")).build();
        assertThat(s.toString()).doesNotContain(VALUE).doesNotContain("sk-ant").contains("version=7")
                .contains("2030-01-01T00:00:00Z");
    }

    @Test
    void masked_longValue_showsOnlyEnds() {
        Secret s = Secret.of(VALUE);
        assertThat(s.masked()).isEqualTo("sk-…(34 chars)…23").doesNotContain("very-secret");
        assertThat(Secret.of("short").masked()).isEqualTo("**** (5 chars)");
    }

    @Test
    void matches_comparesValue() {
        Secret s = Secret.of(VALUE);
        assertThat(s.matches(VALUE)).isTrue();
        assertThat(s.matches(VALUE + "x")).isFalse();
        assertThat(s.matches(null)).isFalse();
    }

    @Test
    void binary_valueIsBase64AndBytesAreCopied() {
        byte[] raw = {0, 1, 2, (byte) 0xff};
        Secret s = Secret.builderOfBytes(raw).build();
        raw[0] = 9;
        assertThat(s.isBinary()).isTrue();
        assertThat(s.value()).isEqualTo("AAEC/w==");
        byte[] out = s.bytes();
        out[1] = 9;
        assertThat(s.bytes()).containsExactly(0, 1, 2, (byte) 0xff);
        assertThat(s.toString()).contains("binary").doesNotContain("AAEC");
    }

    @Test
    void text_bytesAreUtf8() {
        assertThat(Secret.of("é").bytes()).isEqualTo("é".getBytes(StandardCharsets.UTF_8));
    }
}
