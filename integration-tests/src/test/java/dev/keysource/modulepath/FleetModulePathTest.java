package dev.keysource.modulepath;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.lang.module.Configuration;
import java.lang.module.ModuleFinder;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Core plus the aws-sm-agent and file sources on the module path: found through {@code provides}, and a file read. */
class FleetModulePathTest {

    private static final Pattern WANTED = Pattern.compile(
            ".*(keysource-core|keysource-aws-agent|keysource-file|core/target/classes|backend-aws-agent/target/classes"
                    + "|backend-file/target/classes|caffeine|resilience4j-(core|retry|timelimiter)|slf4j-api"
                    + "|jspecify|error_prone_annotations)[^/]*");

    private static ModuleLayer layer() {
        List<Path> entries = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(p -> WANTED.matcher(p.replace(File.separatorChar, '/')).matches())
                .filter(p -> !p.contains("test-classes") && !p.endsWith("-tests.jar"))
                .map(Path::of)
                .collect(Collectors.toList());
        Configuration cf = ModuleLayer.boot().configuration().resolveAndBind(
                ModuleFinder.of(entries.toArray(Path[]::new)), ModuleFinder.of(),
                Set.of("dev.keysource.awsagent", "dev.keysource.file"));
        return ModuleLayer.boot().defineModulesWithOneLoader(cf, ClassLoader.getPlatformClassLoader());
    }

    @Test
    void serviceLoader_onModulePath_findsBothSources() throws Exception {
        ModuleLayer layer = layer();
        Class<?> spi = layer.findLoader("dev.keysource.core").loadClass("dev.keysource.spi.KeySourceProvider");
        Method scheme = spi.getMethod("scheme");
        List<String> schemes = ServiceLoader.load(layer, spi).stream().map(p -> {
            try {
                return (String) scheme.invoke(p.get());
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(e);
            }
        }).sorted().collect(Collectors.toList());
        assertThat(schemes).containsExactly("aws-sm-agent", "file");
        assertThat(layer.findModule("dev.keysource.file").orElseThrow().getDescriptor().exports())
                .extracting(e -> e.source()).containsExactly("dev.keysource.file");
    }

    @Test
    void fetch_insideModuleLayer_readsAFile(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("key"), "sk-module-path-file\n");
        ModuleLayer layer = layer();
        ClassLoader loader = layer.findLoader("dev.keysource.core");
        Object builder = loader.loadClass("dev.keysource.CachedKey").getMethod("builder", String.class)
                .invoke(null, "file:" + f);
        ClassLoader previous = Thread.currentThread().getContextClassLoader();
        Thread.currentThread().setContextClassLoader(loader);
        try {
            Object fetcher = builder.getClass().getMethod("buildFetcher").invoke(builder);
            Object secret = fetcher.getClass().getMethod("fetch").invoke(fetcher);
            assertThat(secret.getClass().getMethod("value").invoke(secret)).isEqualTo("sk-module-path-file");
            fetcher.getClass().getMethod("close").invoke(fetcher);
        } finally {
            Thread.currentThread().setContextClassLoader(previous);
        }
    }
}
