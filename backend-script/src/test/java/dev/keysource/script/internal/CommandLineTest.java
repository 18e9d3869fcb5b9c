package dev.keysource.script.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CommandLineTest {

    @Test
    void split_quotesAndEscapes_makeWords() {
        assertThat(CommandLine.split("vault kv get -field='api key' \"secret/a b\" x\\ y \"q\\\"\" ''", "/h"))
                .containsExactly("vault", "kv", "get", "-field=api key", "secret/a b", "x y", "q\"", "");
    }

    @Test
    void split_leadingTilde_expandsOnlyUnquotedAtWordStart() {
        assertThat(CommandLine.split("~/bin/get-key --file ~/k '~/lit' a~/b ~", "/home/me"))
                .containsExactly("/home/me/bin/get-key", "--file", "/home/me/k", "~/lit", "a~/b", "/home/me");
    }

    @Test
    void split_unterminatedQuote_namesThePosition() {
        assertThatThrownBy(() -> CommandLine.split("get 'oops", "/h"))
                .hasMessage("the single quote at position 5 is not closed");
        assertThatThrownBy(() -> CommandLine.split("get \"oops", "/h"))
                .hasMessage("the double quote at position 5 is not closed");
    }

    @Test
    void firstWord_pathOrCommand_isFoundWhenStatic() {
        assertThat(CommandLine.firstWord("  ~/.claude/get key.sh --x", "/h")).contains("/h/.claude/get");
        assertThat(CommandLine.firstWord("'/opt/my tools/helper' arg", "/h")).contains("/opt/my tools/helper");
        assertThat(CommandLine.firstWord("./helper.sh|tr a b", "/h")).contains("./helper.sh");
        assertThat(CommandLine.firstWord("$HOME/helper.sh", "/h")).isEmpty();
        assertThat(CommandLine.firstWord("FOO=1 ./helper.sh", "/h")).isEmpty();
    }

    @Test
    void expandLeadingTilde_quotesTheHomeForTheShell() {
        assertThat(CommandLine.expandLeadingTilde("~/bin/k.sh ~/x", "/home/o'neil"))
                .isEqualTo("'/home/o'\\''neil'/bin/k.sh ~/x");
        assertThat(CommandLine.expandLeadingTilde("echo ~", "/h")).isEqualTo("echo ~");
    }
}
