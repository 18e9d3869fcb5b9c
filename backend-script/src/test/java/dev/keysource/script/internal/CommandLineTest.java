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
    void expandLeadingTilde_quotesTheHomeForTheShell() {
        assertThat(CommandLine.expandLeadingTilde("~/bin/k.sh ~/x", "/home/o'neil"))
                .isEqualTo("'/home/o'\\''neil'/bin/k.sh ~/x");
        assertThat(CommandLine.expandLeadingTilde("echo ~", "/h")).isEqualTo("echo ~");
    }

    // issue 15 #5: what a shell command line runs, so that each program and script can be checked

    private static java.util.List<String> programs(String line) {
        java.util.Map<String, String> env = java.util.Map.of("HOME", "/home/me", "TOOLS", "/opt/tools");
        return CommandLine.programs(line, env, "/home/me");
    }

    @Test
    void programs_interpreterAssignmentsExecAndSubshells_findWhatRuns() {
        assertThat(programs("sh ww.sh")).containsExactly("sh", "ww.sh");
        assertThat(programs("/bin/bash -e ./get.sh --flag")).containsExactly("/bin/bash", "./get.sh");
        assertThat(programs("python3 -u ~/bin/get.py")).containsExactly("python3", "/home/me/bin/get.py");
        assertThat(programs("$HOME/bin/get-key")).containsExactly("/home/me/bin/get-key");
        assertThat(programs("\"${TOOLS}/get key\" arg")).containsExactly("/opt/tools/get key");
        assertThat(programs("exec ./a.sh")).containsExactly("./a.sh");
        assertThat(programs("FOO=1 BAR='x y' ./a.sh")).containsExactly("./a.sh");
        assertThat(programs("env -i FOO=1 ./a.sh")).containsExactly("env", "./a.sh");
        assertThat(programs("( ./a.sh )")).containsExactly("./a.sh");
        assertThat(programs("{ ./a.sh; }")).containsExactly("./a.sh");
        assertThat(programs("./a.sh 2>/dev/null | tr -d x && ./b.sh; ./c.sh & ./d.sh")).containsExactly(
                "./a.sh", "tr", "./b.sh", "./c.sh", "./d.sh");
        assertThat(programs("sh -c './inner.sh x' ")).containsExactly("sh", "./inner.sh");
        assertThat(programs("echo sk-$((40 + 2)) | tr k K")).containsExactly("echo", "tr");
        assertThat(programs("python3 -c 'print(1)'")).containsExactly("python3");
        assertThat(programs("# a comment\n./a.sh # ./not.sh")).containsExactly("./a.sh");
    }

    @Test
    void programs_unknowableProgram_isRefusedSayingWhy() {
        assertThatThrownBy(() -> programs("./get-*.sh"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the program './get-*.sh' is a pattern (*, ? or [), which the shell expands");
        assertThatThrownBy(() -> programs("$(which get-key)"))
                .hasMessage("the program '$(which get-key)' is the output of a command ($(...) or `...`)");
        assertThatThrownBy(() -> programs("$UNSET_DIR/get-key"))
                .hasMessage("the program '$UNSET_DIR/get-key' uses $UNSET_DIR, which is not set in the helper's environment");
        assertThatThrownBy(() -> programs("sh ./get-?.sh"))
                .hasMessage("the script './get-?.sh' is a pattern (*, ? or [), which the shell expands");
        assertThatThrownBy(() -> programs("${TOOLS:-/opt}/get"))
                .hasMessage("the program '${TOOLS:-/opt}/get' uses ${TOOLS:-/opt}, which keysource does not expand");
    }
}
