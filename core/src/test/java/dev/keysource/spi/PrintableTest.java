package dev.keysource.spi;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PrintableTest {

    @Test
    void escape_plainText_isKept() {
        assertThat(Printable.escape("permission denied: café, 東京, 😀")).isEqualTo("permission denied: café, 東京, 😀");
    }

    @Test
    void escape_terminalControls_becomeVisibleEscapes() {
        assertThat(Printable.escape("a\u001b[2Jb\u0007c\u007fd\u009be")).isEqualTo("aU+001B[2JbU+0007cU+007FdU+009Be");
    }

    @Test
    void escape_lineBreaksAndSeparators_stayOnOneLine() {
        assertThat(Printable.escape("one\ntwo\r\tthree\u2028four\u2029five\u0085six"))
                .isEqualTo("one\\ntwo\\r\\tthreeU+2028fourU+2029fiveU+0085six");
    }

    @Test
    void escape_formatCharacters_bidiOverridesAndBom_areEscaped() {
        assertThat(Printable.escape("\ufeffuser\u202eresu\u200b")).isEqualTo("U+FEFFuserU+202EresuU+200B");
    }

    @Test
    void escape_backslash_isDoubled_soEscapesCannotBeForged() {
        assertThat(Printable.escape("a\\nb")).isEqualTo("a\\\\nb");
    }

    @Test
    void escape_unpairedSurrogates_areEscaped() {
        assertThat(Printable.escape("x\ud800y\udc00")).isEqualTo("xU+D800yU+DC00");
    }

    @Test
    void escape_null_isEmpty() {
        assertThat(Printable.escape(null)).isEmpty();
    }
}
