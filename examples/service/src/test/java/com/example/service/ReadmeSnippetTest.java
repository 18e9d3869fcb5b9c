package com.example.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The README's first Java snippet is the code of {@link ManySecrets}, which compiles. */
class ReadmeSnippetTest {

    @Test
    void readme_firstJavaSnippet_isTheCompiledManySecretsCode() throws IOException {
        String readme = Files.readString(Path.of("../../README.md"), StandardCharsets.UTF_8);
        int start = readme.indexOf("```java\n");
        assertThat(start).as("a Java snippet in the README").isNotNegative();
        String snippet = readme.substring(start + 8, readme.indexOf("```", start + 8));
        String source = Files.readString(Path.of("src/main/java/com/example/service/ManySecrets.java"),
                StandardCharsets.UTF_8);
        String marked = source.substring(source.indexOf("// README:start\n") + 16, source.indexOf("        // README:end"));
        assertThat(snippet).isEqualTo(dedent(marked));
    }

    private static String dedent(String s) {
        List<String> lines = Arrays.asList(s.split("\n", -1));
        return lines.stream().map(l -> l.startsWith("        ") ? l.substring(8) : l).collect(Collectors.joining("\n"));
    }
}
