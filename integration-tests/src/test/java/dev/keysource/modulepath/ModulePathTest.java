package dev.keysource.modulepath;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.lang.module.Configuration;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Core plus the script and Vault backends on the module path: their real jars (or class directories)
 * resolved into a fresh {@link ModuleLayer}, the providers found by {@link ServiceLoader} through
 * {@code provides}, and a secret fetched end to end inside the layer.
 */
class ModulePathTest {

    /** The jars that make up core + script + vault on the module path, by file or folder name. */
    private static final Pattern WANTED = Pattern.compile(
            ".*(keysource-core|keysource-script|keysource-vault|core/target/classes|backend-script/target/classes"
                    + "|backend-vault/target/classes|caffeine|resilience4j-(core|retry|timelimiter)|slf4j-api"
                    + "|vault-java-driver|jspecify|error_prone_annotations)[^/]*");

    private static ModuleLayer layer() {
        List<Path> entries = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(p -> WANTED.matcher(p.replace(File.separatorChar, '/')).matches())
                .filter(p -> !p.contains("test-classes") && !p.endsWith("-tests.jar"))
                .map(Path::of)
                .collect(Collectors.toList());
        ModuleFinder finder = ModuleFinder.of(entries.toArray(Path[]::new));
        Configuration cf = ModuleLayer.boot().configuration()
                .resolveAndBind(finder, ModuleFinder.of(), Set.of("dev.keysource.script", "dev.keysource.vault"));
        return ModuleLayer.boot().defineModulesWithOneLoader(cf, ClassLoader.getPlatformClassLoader());
    }

    @Test
    void serviceLoader_onModulePath_findsProvidersThroughModuleInfo() throws Exception {
        ModuleLayer layer = layer();
        Class<?> spi = layer.findLoader("dev.keysource.core").loadClass("dev.keysource.spi.KeySourceProvider");
        Method scheme = spi.getMethod("scheme");
        List<String> schemes = ServiceLoader.load(layer, spi).stream()
                .map(p -> {
                    try {
                        return (String) scheme.invoke(p.get());
                    } catch (ReflectiveOperationException e) {
                        throw new AssertionError(e);
                    }
                })
                .sorted().collect(Collectors.toList());
        assertThat(schemes).containsExactly("script", "vault");
        assertThat(layer.findModule("dev.keysource.core")).isPresent();
        assertThat(layer.findModule("dev.keysource.core").orElseThrow().getClassLoader())
                .isNotSameAs(getClass().getClassLoader());
    }

    @Test
    void core_onModulePath_exportsOnlyApiAndSpi() {
        ModuleDescriptor core = layer().findModule("dev.keysource.core").orElseThrow().getDescriptor();
        assertThat(core.exports().stream().map(ModuleDescriptor.Exports::source).collect(Collectors.toSet()))
                .containsExactlyInAnyOrder("dev.keysource", "dev.keysource.spi");
        assertThat(core.uses()).containsExactly("dev.keysource.spi.KeySourceProvider");
    }

    @Test
    void fetch_insideModuleLayer_runsScriptBackendEndToEnd() throws Exception {
        ModuleLayer layer = layer();
        ClassLoader loader = layer.findLoader("dev.keysource.core");
        Class<?> cachedKey = loader.loadClass("dev.keysource.CachedKey");
        Object builder = cachedKey.getMethod("builder", String.class).invoke(null, "script:echo sk-module-path-ok");
        ClassLoader previous = Thread.currentThread().getContextClassLoader();
        Thread.currentThread().setContextClassLoader(loader);
        try {
            Object fetcher = builder.getClass().getMethod("buildFetcher").invoke(builder);
            Object secret = fetcher.getClass().getMethod("fetch").invoke(fetcher);
            assertThat(secret.getClass().getMethod("value").invoke(secret)).isEqualTo("sk-module-path-ok");
            assertThat(secret.getClass().getModule().getName()).isEqualTo("dev.keysource.core");
            fetcher.getClass().getMethod("close").invoke(fetcher);
        } finally {
            Thread.currentThread().setContextClassLoader(previous);
        }
    }
}
