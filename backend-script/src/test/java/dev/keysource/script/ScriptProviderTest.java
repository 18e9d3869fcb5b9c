package dev.keysource.script;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.keysource.CachedKey;
import dev.keysource.KeyFetcher;
import dev.keysource.SourceMisconfiguredException;
import dev.keysource.spi.KeySourceProvider;
import dev.keysource.testkit.FakeTime;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The provider as users meet it: discovered, built into cached keys, its TTL variables honoured. */
class ScriptProviderTest {

    @TempDir
    Path dir;

    private final FakeTime time = new FakeTime();
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void shutdown() {
        pool.shutdownNow();
    }

    @Test
    void serviceLoader_findsTheScriptProvider() {
        List<KeySourceProvider> found = ServiceLoader.load(KeySourceProvider.class).stream()
                .map(ServiceLoader.Provider::get).collect(Collectors.toList());
        assertThat(found).anySatisfy(p -> {
            assertThat(p).isInstanceOf(ScriptProvider.class);
            assertThat(p.scheme()).isEqualTo("script");
            assertThat(p.opaqueLocation()).isTrue();
            assertThat(p.ttlEnvironmentVariables()).containsExactly("CLAUDE_CODE_API_KEY_HELPER_TTL_MS");
        });
    }

    @Test
    void build_discoveredThroughServiceLoader_keepsCommandLineVerbatim() throws IOException {
        Path h = script("get.sh", "echo \"sk-$1\"");
        try (KeyFetcher f = CachedKey.builder("script:" + h + " a?b#c").environment(env()).buildFetcher()) {
            assertThat(f.ref().location()).isEqualTo(h + " a?b#c");
            assertThat(f.fetch().value()).isEqualTo("sk-a?b#c");
        }
    }

    @Test
    void build_unknownSetting_listsTheScriptSettings() {
        assertThatThrownBy(() -> CachedKey.builder("script:echo k").environment(env()).setting("workdir", "/tmp")
                .buildFetcher())
                .isInstanceOf(SourceMisconfiguredException.class)
                .hasMessageContaining("unknown setting 'workdir' for scheme 'script'. It accepts: argv, json-field, "
                        + "max-output, timeout, working-dir");
    }

    @Test
    void build_invalidSettingValues_nameTheSettingAndForm() {
        assertThatThrownBy(() -> CachedKey.builder("script:echo k").environment(env()).setting("max-output", "huge")
                .buildFetcher())
                .hasMessage("script:echo k: setting 'max-output' from code setting 'max-output' must be a size from "
                        + "1k to 64m, in bytes (65536) or with a unit (64k, 1m); got 'huge'");
        assertThatThrownBy(() -> CachedKey.builder("script:echo k")
                .environment(env("KEYSOURCE_SCRIPT_ARGV", "maybe")).buildFetcher())
                .hasMessage("script:echo k: setting 'argv' from environment variable KEYSOURCE_SCRIPT_ARGV must be "
                        + "true or false; got 'maybe'");
    }

    @Test
    void get_helperTtlVariable_setsTheTtl() throws IOException {
        Path count = dir.resolve("count");
        Path h = counting(count, "echo sk-plain");
        try (CachedKey key = cached(h, env("CLAUDE_CODE_API_KEY_HELPER_TTL_MS", "10000"))) {
            assertThat(key.get()).isEqualTo("sk-plain");
            time.advance(Duration.ofSeconds(9));
            assertThat(key.get()).isEqualTo("sk-plain");
            assertThat(runs(count)).isEqualTo(1);
            time.advance(Duration.ofSeconds(2));
            assertThat(key.get()).isEqualTo("sk-plain");
            await().atMost(Duration.ofSeconds(5)).until(() -> runs(count) == 2);
        }
    }

    @Test
    void get_keysourceTtlVariable_winsOverTheHelperTtlVariable() throws IOException {
        Path count = dir.resolve("count");
        Path h = counting(count, "echo sk-plain");
        try (CachedKey key = cached(h, env("CLAUDE_CODE_API_KEY_HELPER_TTL_MS", "10000", "KEYSOURCE_TTL_MS", "60000"))) {
            key.get();
            time.advance(Duration.ofSeconds(30));
            assertThat(key.get()).isEqualTo("sk-plain");
            assertThat(runs(count)).isEqualTo(1);
        }
    }

    @Test
    void get_jwtValue_capsTheTtlAtExpMinus30Seconds() throws IOException {
        Path count = dir.resolve("count");
        String jwt = jwt(FakeTime.DEFAULT_START.plusSeconds(90)); // lives 90 s: served for 60 s
        Path h = counting(count, "echo " + jwt);
        try (CachedKey key = cached(h, env())) {
            assertThat(key.get()).isEqualTo(jwt);
            time.advance(Duration.ofSeconds(59));
            key.get();
            assertThat(runs(count)).isEqualTo(1);
            time.advance(Duration.ofSeconds(2)); // past exp - 30 s, well within the 5-minute default TTL
            key.get();
            await().atMost(Duration.ofSeconds(5)).until(() -> runs(count) >= 2);
        }
    }

    @Test
    void get_plainValue_keepsTheDefaultTtl() throws IOException {
        Path count = dir.resolve("count");
        Path h = counting(count, "echo sk-not-a-jwt");
        try (CachedKey key = cached(h, env())) {
            key.get();
            time.advance(Duration.ofSeconds(61));
            key.get();
            assertThat(runs(count)).isEqualTo(1);
        }
    }

    @Test
    void get_jsonHelperExpiry_capsTheTtl() throws IOException {
        Path count = dir.resolve("count");
        Instant expiry = FakeTime.DEFAULT_START.plusSeconds(120); // served for 90 s
        Path h = counting(count, "echo '{\"key\":\"sk-json\",\"expires_at\":\"" + expiry + "\"}'");
        try (CachedKey key = cached(h, env())) {
            assertThat(key.secret().expiry()).contains(expiry);
            time.advance(Duration.ofSeconds(89));
            key.get();
            assertThat(runs(count)).isEqualTo(1);
            time.advance(Duration.ofSeconds(2));
            key.get();
            await().atMost(Duration.ofSeconds(5)).until(() -> runs(count) >= 2);
        }
    }

    private CachedKey cached(Path helper, Map<String, String> env) {
        return CachedKey.builder("script:" + helper).environment(env).systemProperties(Map.of())
                .ticker(time.ticker()).clock(time.clock()).scheduler(time.scheduler()).executor(pool)
                .jitter(0).refreshAhead(1.0).build();
    }

    private Path counting(Path count, String body) throws IOException {
        return script("helper.sh", "echo run >> " + count + "\n" + body);
    }

    private static int runs(Path count) throws IOException {
        return Files.exists(count) ? Files.readAllLines(count).size() : 0;
    }

    private Path script(String name, String body) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, "#!/bin/sh\n" + body + "\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
        return p;
    }

    private static Map<String, String> env(String... pairs) {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.keySet().removeIf(k -> k.startsWith("KEYSOURCE_") || k.equals("CLAUDE_CODE_API_KEY_HELPER_TTL_MS"));
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    private static String jwt(Instant exp) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        return b64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(("{\"exp\":" + exp.getEpochSecond() + "}").getBytes(StandardCharsets.UTF_8))
                + ".c2ln";
    }
}
