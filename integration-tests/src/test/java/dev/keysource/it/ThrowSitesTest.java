package dev.keysource.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The error contract (docs/errors.md): a keysource exception builds "reference: detail" itself, so no throw site
 * in main code of any module passes its reference again at the start of the detail. The fault matrix checks
 * the messages it gets at run time (testkit's ErrorContract); this catches the throw sites no test reaches.
 */
class ThrowSitesTest {

    static final Path ROOT = Path.of(System.getProperty("keysource.repo.root", ".."));

    /** {@code new SomethingException(ref, ref + ": ...")}, also with {@code ref.toString()} as the first argument. */
    static final Pattern REPEATED = Pattern.compile(
            "new\\s+\\w*Exception\\(\\s*([A-Za-z_][\\w.]*?)(\\.toString\\(\\))?\\s*,\\s*\\1(\\.toString\\(\\))?\\s*\\+\\s*\":");

    static List<String> repeatedReferences(String source) {
        List<String> found = new ArrayList<>();
        Matcher m = REPEATED.matcher(source);
        while (m.find()) {
            found.add(m.group().replaceAll("\\s+", " "));
        }
        return found;
    }

    @Test
    void pattern_findsARepeatedReference() {
        assertThat(repeatedReferences("throw new SourceMisconfiguredException(reference, reference + \": no address\");"))
                .hasSize(1);
        assertThat(repeatedReferences("new SecretNotFoundException(ref.toString(),\n   ref + \": gone\", e)")).hasSize(1);
        assertThat(repeatedReferences("new SecretNotFoundException(c.reference, c.reference + \": gone\")")).hasSize(1);
        assertThat(repeatedReferences("new SecretNotFoundException(reference, \"gone from \" + path)")).isEmpty();
        assertThat(repeatedReferences("new SourceMisconfiguredException(null, \"setting 'ttl' \" + x)")).isEmpty();
    }

    @Test
    void mainCode_ofEveryModule_neverRepeatsTheReferenceInADetail() throws IOException {
        List<Path> roots = new ArrayList<>();
        try (Stream<Path> dirs = Files.walk(ROOT, 4)) {
            dirs.filter(p -> p.endsWith(Path.of("src", "main", "java")) && !p.toString().contains("target"))
                    .forEach(roots::add);
        }
        assertThat(roots).as("the main source folders of the modules").hasSizeGreaterThanOrEqualTo(10);
        List<String> offenders = new ArrayList<>();
        for (Path root : roots) {
            try (Stream<Path> files = Files.walk(root)) {
                files.filter(p -> p.toString().endsWith(".java")).forEach(p -> {
                    try {
                        for (String site : repeatedReferences(Files.readString(p, StandardCharsets.UTF_8))) {
                            offenders.add(ROOT.relativize(p) + ": " + site);
                        }
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            }
        }
        assertThat(offenders).as("throw sites that put the reference into the detail (the exception adds it)")
                .isEmpty();
    }
}
