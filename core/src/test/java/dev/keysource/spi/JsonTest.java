package dev.keysource.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTest {

    @Test
    void parse_object_keepsStringsNumbersLiteralsAndNesting() {
        Object v = Json.parse(" {\"a\":\"x\\\"y\\u00e9\\n\", \"n\": -12.5e3, \"t\": true, \"f\": false, \"z\": null,"
                + " \"o\": {\"k\": [1, \"2\"]}} ");

        assertThat(v).isInstanceOf(Map.class);
        Map<?, ?> m = (Map<?, ?>) v;
        assertThat(m.get("a")).isEqualTo("x\"yé\n");
        assertThat(m.get("n").toString()).isEqualTo("-12.5e3");
        assertThat(m.get("t")).isEqualTo(Boolean.TRUE);
        assertThat(m.get("f")).isEqualTo(Boolean.FALSE);
        assertThat(m.get("z")).isSameAs(Json.NULL);
        assertThat(((Map<?, ?>) m.get("o")).get("k")).asList().hasSize(2);
        assertThat(List.<Object>copyOf(m.keySet())).containsExactly("a", "n", "t", "f", "z", "o");
    }

    @ParameterizedTest
    @ValueSource(strings = {"sk-SECRETVALUE", "{\"a\":\"sk-SECRETVALUE\"", "{\"a\" \"sk-SECRETVALUE\"}",
            "{\"a\":\"sk-SECRETVALUE\"} trailing-sk-SECRETVALUE", "{\"a\":01}", "{\"a\":\"\\x\"}", "", "{\"a\":tru}",
            "[\"sk-SECRETVALUE\",]"})
    void parse_malformed_failsWithAnOffsetAndNeverTheInput(String text) {
        assertThatThrownBy(() -> Json.parse(text))
                .isInstanceOf(Json.Malformed.class)
                .hasMessageContaining("at offset")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("SECRETVALUE"));
    }

    @Test
    void parse_deepNesting_isRefusedNotOverflowed() {
        String deep = "[".repeat(10_000) + "]".repeat(10_000);

        assertThatThrownBy(() -> Json.parse(deep)).isInstanceOf(Json.Malformed.class).hasMessageContaining("too deep");
    }
}
