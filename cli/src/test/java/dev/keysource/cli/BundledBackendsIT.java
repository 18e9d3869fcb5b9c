package dev.keysource.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysource.spi.KeySourceProvider;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runnable jar carries every backend the cli depends on. What is expected is derived from the
 * cli's own dependencies (each backend jar's META-INF/services file on this test's class path), not
 * from a list written here: add keysource-vault or keysource-aws to cli/pom.xml and this test expects
 * them too; lose a services file in the merge and it fails.
 */
class BundledBackendsIT {

    private static final String SERVICES = "META-INF/services/" + KeySourceProvider.class.getName();

    @TempDir
    Path dir;

    /** Provider classes declared by the backend artifacts on the class path. */
    private static Set<String> declaredByDependencies() throws IOException {
        Set<String> classes = new TreeSet<>();
        Enumeration<URL> urls = BundledBackendsIT.class.getClassLoader().getResources(SERVICES);
        while (urls.hasMoreElements()) {
            URL url = urls.nextElement();
            if (url.toString().contains("/cli/target/")) {
                continue; // only what the dependencies declare
            }
            try (BufferedReader r = new BufferedReader(new InputStreamReader(url.openStream(), StandardCharsets.UTF_8))) {
                r.lines().map(l -> l.replaceAll("#.*", "").trim()).filter(l -> !l.isEmpty()).forEach(classes::add);
            }
        }
        return classes;
    }

    @Test
    void jar_servicesFile_listsEveryProviderOfTheDependencies() throws IOException {
        Set<String> expected = declaredByDependencies();
        assertThat(expected).as("backends on the cli's class path").contains("dev.keysource.script.ScriptProvider");
        Set<String> inJar = new TreeSet<>();
        try (JarFile jar = new JarFile(PackagedJar.JAR.toFile())) {
            assertThat(jar.getEntry(SERVICES)).as(SERVICES + " in the jar").isNotNull();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(jar.getInputStream(jar.getEntry(SERVICES)),
                    StandardCharsets.UTF_8))) {
                r.lines().map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#")).forEach(inJar::add);
            }
        }
        assertThat(inJar).isEqualTo(expected);
    }

    @Test
    void jar_serviceLoader_findsEveryBundledBackend() throws Exception {
        Set<String> expectedSchemes = new TreeSet<>();
        for (String c : declaredByDependencies()) {
            expectedSchemes.add(((KeySourceProvider) Class.forName(c).getConstructor().newInstance()).scheme());
        }
        PackagedJar.Run r = PackagedJar.run(dir, PackagedJar.env(), "--version");
        assertThat(r.exit).isZero();
        String line = r.stdoutText().trim();
        String listed = line.substring(line.indexOf("backends: ") + "backends: ".length(), line.length() - 1);
        List<String> found = Arrays.stream(listed.split(", ")).collect(Collectors.toList());
        assertThat(found).as("schemes ServiceLoader finds inside the jar").doesNotContain("(one failed to load")
                .containsExactlyElementsOf(expectedSchemes);
    }
}
