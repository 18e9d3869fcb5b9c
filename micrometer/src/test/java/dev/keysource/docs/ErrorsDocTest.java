package dev.keysource.docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysource.KeySourceException;
import java.io.IOException;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * docs/errors.md must have a section, with what to do, for every public exception type of keysource-core.
 * Lives in the micrometer module only because that module's tests see keysource-core and the docs folder
 * without depending on a backend; it tests the docs, not the binder. The exit-code half (every code of the
 * command line has a section) belongs next to the command line's exit codes, in the cli module.
 */
class ErrorsDocTest {

    /** A section heading: {@code ### `SourceTimeoutException`}. */
    private static final Pattern EXCEPTION_HEADING = Pattern.compile("(?m)^###\\s+`([A-Za-z]+Exception)`.*$");

    /** The heading that ends a section (level 2 to 6; a shell comment in a code block is not one). */
    private static final Pattern NEXT_HEADING = Pattern.compile("(?m)^#{2,6}\\s");

    private static Path errorsDoc() {
        String dir = System.getProperty("keysource.docs.dir");
        return (dir != null ? Path.of(dir) : Path.of("..", "docs")).resolve("errors.md");
    }

    /** Every public KeySourceException type in the jar (or classes folder) that holds keysource-core. */
    static Set<String> coreExceptionTypes() throws IOException, URISyntaxException, ClassNotFoundException {
        Path where = Path.of(KeySourceException.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> classNames = new ArrayList<>();
        if (Files.isDirectory(where)) {
            try (Stream<Path> files = Files.walk(where)) {
                files.filter(p -> p.toString().endsWith(".class"))
                        .forEach(p -> classNames.add(className(where.relativize(p).toString().replace('\\', '/'))));
            }
        } else {
            try (JarFile jar = new JarFile(where.toFile())) {
                for (JarEntry e : (Iterable<JarEntry>) jar.stream()::iterator) {
                    if (e.getName().endsWith(".class") && !e.getName().endsWith("module-info.class")) {
                        classNames.add(className(e.getName()));
                    }
                }
            }
        }
        Set<String> types = new TreeSet<>();
        ClassLoader loader = KeySourceException.class.getClassLoader();
        for (String name : classNames) {
            if (name.contains("-")) { // package-info, module-info
                continue;
            }
            Class<?> c = Class.forName(name, false, loader);
            if (KeySourceException.class.isAssignableFrom(c) && Modifier.isPublic(c.getModifiers())) {
                types.add(c.getSimpleName());
            }
        }
        return types;
    }

    private static String className(String path) {
        return path.substring(0, path.length() - ".class".length()).replace('/', '.');
    }

    @Test
    void coreExceptionTypes_scan_findsTheKnownTypes() throws Exception {
        // guards the scan itself: if it found nothing, the test below would pass on any document
        assertThat(coreExceptionTypes()).contains("KeySourceException", "SecretNotFoundException",
                "SourceAccessDeniedException", "SourceMisconfiguredException", "SourceUnavailableException",
                "SourceTimeoutException", "SourceInterruptedException", "InvalidReferenceException");
    }

    @Test
    void errorsDoc_everyCoreExceptionType_hasASectionWithWhatToDo() throws Exception {
        String doc = Files.readString(errorsDoc());
        Set<String> documented = new TreeSet<>();
        Matcher m = EXCEPTION_HEADING.matcher(doc);
        while (m.find()) {
            Matcher next = NEXT_HEADING.matcher(doc);
            String body = doc.substring(m.end(), next.find(m.end()) ? next.start() : doc.length());
            assertThat(body).as("the section of %s in %s", m.group(1), errorsDoc()).contains("**What to do**");
            documented.add(m.group(1));
        }

        assertThat(documented).as("exception types with a '### `Name`' section in %s", errorsDoc())
                .containsAll(coreExceptionTypes());
    }
}
