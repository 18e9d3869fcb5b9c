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
        assertThat((List<?>) ((Map<?, ?>) m.get("o")).get("k")).hasSize(2);
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

    @Test
    void field_stringNumberBoolean_asText() {
        String json = "{\"s\":\"sk-1\",\"n\":42,\"b\":true}";
        assertThat(Json.field(json, "s")).isEqualTo("sk-1");
        assertThat(Json.field(json, "n")).isEqualTo("42");
        assertThat(Json.field(json, "b")).isEqualTo("true");
    }

    @Test
    void field_unreadable_saysWhyWithoutQuotingTheValue() {
        assertThatThrownBy(() -> Json.field("sk-secret-text", "k")).isInstanceOf(Json.FieldUnreadable.class)
                .hasMessageStartingWith("is not JSON (").hasMessageNotContaining("sk-secret");
        assertThatThrownBy(() -> Json.field("[\"sk-secret\"]", "k")).hasMessageStartingWith("is JSON but not an object")
                .hasMessageNotContaining("sk-secret");
        assertThatThrownBy(() -> Json.field("{\"a\":\"sk-secret\",\"b\":1}", "k"))
                .hasMessage("has no field 'k'; its fields are: 'a', 'b'");
        assertThatThrownBy(() -> Json.field("{}", "k")).hasMessage("has no field 'k'; its fields are: (none: the object is empty)");
        assertThatThrownBy(() -> Json.field("{\"k\":{\"x\":\"sk-secret\"}}", "k"))
                .hasMessage("has the field 'k', but it is a JSON object, not a string; point '#field' at a string field");
    }

    @Test
    void field_namesFromTheSecretOrTheReference_areEscapedInTheMessage() {
        assertThatThrownBy(() -> Json.field("{\"a\\u001b[31m\":1,\"b\\u2028\":2}", "k\u0007"))
                .hasMessage("has no field 'kU+0007'; its fields are: 'aU+001B[31m', 'bU+2028'");
        assertThatThrownBy(() -> Json.field("{\"k\\n\":null}", "k\n"))
                .hasMessage("has the field 'k\\n', but it is null, not a string; point '#field' at a string field");
        assertThatThrownBy(() -> Json.field("[1]", "k\u001b"))
                .hasMessageStartingWith("is JSON but not an object, so the field 'kU+001B' cannot be read; remove '#kU+001B'");
    }

    @Test
    void names_moreThanTwenty_listsTwentyAndCountsTheRest() {
        List<String> names = new java.util.ArrayList<>();
        for (int i = 0; i < 23; i++) {
            names.add("f" + i);
        }

        assertThat(Json.names(names)).startsWith("'f0', 'f1', ").endsWith("'f19' and 3 more");
    }

    @Test
    void quote_escapesWhatJsonAndTerminalsNeed_andKeepsTheRest() {
        assertThat(Json.quote("a\"b\\c\n\r\t")).isEqualTo("\"a\\\"b\\\\c\\n\\r\\t\"");
        assertThat(Json.quote("\u0000\u001b\u007f\u2028\u2029")).isEqualTo("\"\\u0000\\u001b\\u007f\\u2028\\u2029\"");
        assertThat(Json.quote("café 😀 /<>")).isEqualTo("\"café 😀 /<>\"");
        assertThat(Json.string(new StringBuilder("x:"), "").toString()).isEqualTo("x:\"\"");
    }

    @Test
    void quote_thenParse_givesTheStringBack() {
        java.util.Random random = new java.util.Random(15);
        for (int n = 0; n < 2_000; n++) {
            StringBuilder sb = new StringBuilder();
            int length = random.nextInt(12);
            for (int i = 0; i < length; i++) {
                int kind = random.nextInt(4);
                sb.append(kind == 0 ? (char) random.nextInt(0x20) : kind == 1 ? "\"\\\u007f\u2028".charAt(random.nextInt(4))
                        : kind == 2 ? (char) (0x20 + random.nextInt(0x5f)) : (char) (0xa0 + random.nextInt(0xd000)));
            }
            String s = sb.toString();

            assertThat(Json.parse(Json.quote(s))).as("round trip of %s", Json.quote(s)).isEqualTo(s);
        }
    }
}
