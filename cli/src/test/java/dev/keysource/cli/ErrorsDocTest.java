package dev.keysource.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** docs/errors.md must say what to do for every exit code the CLI can return. */
class ErrorsDocTest {

    @Test
    void errorsDoc_everyExitCode_hasASectionWithWhatToDo() throws IOException, IllegalAccessException {
        String doc = Files.readString(Path.of("..", "docs", "errors.md"), StandardCharsets.UTF_8);
        List<Integer> codes = new ArrayList<>();
        for (Field f : ExitCodes.class.getFields()) {
            if (f.getType() == int.class && Modifier.isStatic(f.getModifiers())) {
                codes.add(f.getInt(null));
            }
        }
        assertThat(codes).contains(0, 1, 2, 3, 4, 5, 6);
        for (int code : codes) {
            int at = doc.indexOf("### Exit code " + code + ":");
            assertThat(at).as("docs/errors.md has a section '### Exit code %d: ...'", code).isGreaterThanOrEqualTo(0);
            int next = doc.indexOf("\n### ", at + 1);
            String section = doc.substring(at, next < 0 ? doc.length() : next);
            assertThat(section).as("exit code %d says what to do", code).contains("**What to do**");
        }
    }
}
