package dev.keysource.script.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void parse_everyValueKind_readsIt() {
        Object v = Json.parse(" {\"s\":\"a\\\"b\\\\c\\/\\u00e9\\n\",\"n\":-1.5e2,\"i\":0,\"t\":true,\"f\":false,"
                + "\"z\":null,\"a\":[1,[],{}],\"o\":{}} ");
        assertThat(v).isInstanceOf(Map.class);
        Map<?, ?> m = (Map<?, ?>) v;
        assertThat(m.get("s")).isEqualTo("a\"b\\c/é\n");
        assertThat(m.get("n")).isEqualTo(new BigDecimal("-1.5e2"));
        assertThat(m.get("i")).isEqualTo(BigDecimal.ZERO);
        assertThat(m.get("t")).isEqualTo(true);
        assertThat(m.get("f")).isEqualTo(false);
        assertThat(m.get("z")).isSameAs(Json.NULL);
        assertThat((List<?>) m.get("a")).hasSize(3);
        assertThat(new java.util.ArrayList<Object>(m.keySet())).containsExactly("s", "n", "i", "t", "f", "z", "a", "o");
    }

    @Test
    void parse_invalid_namesPositionWithoutQuotingInput() {
        assertThatThrownBy(() -> Json.parse("{\"key\": \"secret-value\" \"x\"}"))
                .hasMessage("not valid JSON at character 24: expected ',' or '}'");
        assertThatThrownBy(() -> Json.parse("{\"key\": \"unterminated"))
                .hasMessage("not valid JSON at character 22: a string is not closed");
        assertThatThrownBy(() -> Json.parse("{\"a\":1,\"a\":2}")).hasMessageContaining("appears twice");
        assertThatThrownBy(() -> Json.parse("{\"a\":01}")).hasMessageContaining("expected ',' or '}'");
        assertThatThrownBy(() -> Json.parse("{} x")).hasMessageContaining("unexpected text after the JSON value");
        assertThatThrownBy(() -> Json.parse("[".repeat(100))).hasMessageContaining("nested deeper than 64 levels");
        assertThatThrownBy(() -> Json.parse("{\"a\":\"tab\there\"}")).hasMessageContaining("control character");
    }
}
