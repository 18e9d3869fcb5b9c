package dev.keysource.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.keysource.CachedKey;
import dev.keysource.KeyEvent;
import dev.keysource.KeyFetcher;
import dev.keysource.SecretNotFoundException;
import dev.keysource.SourceMisconfiguredException;
import dev.keysource.spi.KeySourceProvider;
import dev.keysource.testkit.Canary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file source: formats, permissions, and rotation noticed through the directory watch. */
class FileSourceTest {

    private static final Duration QUIET = Duration.ofMillis(400);

    @TempDir
    Path dir;
    private final List<KeyEvent> events = new CopyOnWriteArrayList<>();

    private KeyFetcher fetcher(String ref) {
        return CachedKey.builder(ref).environment(Map.of("HOME", dir.toString())).systemProperties(Map.of())
                .maxAttempts(1).buildFetcher();
    }

    private String fetch(String ref) {
        try (KeyFetcher f = fetcher(ref)) {
            return f.fetch().value();
        }
    }

    private CachedKey key(String ref) {
        return CachedKey.builder(ref).environment(Map.of("HOME", dir.toString())).systemProperties(Map.of())
                .ttl(Duration.ofHours(1)).setting("quiet-period", QUIET.toMillis() + "ms").listener(events::add).build();
    }

    private boolean refreshed() {
        return events.stream().anyMatch(e -> e.type() == KeyEvent.Type.REFRESHED);
    }

    @Test
    void serviceLoader_findsTheProvider() {
        assertThat(ServiceLoader.load(KeySourceProvider.class).stream().map(p -> p.get().scheme())
                .collect(Collectors.toList())).contains("file");
    }

    // ---- formats

    @Test
    void text_wholeFileTrimmed() throws IOException {
        Path f = Files.writeString(dir.resolve("api-key"), "  " + Canary.SECRET + "\n");
        assertThat(fetch("file:" + f)).isEqualTo(Canary.SECRET);
    }

    @Test
    void text_homeRelativePath() throws IOException {
        Files.writeString(dir.resolve("key"), "v");
        assertThat(fetch("file:~/key")).isEqualTo("v");
    }

    @Test
    void json_field_byExtensionOrContent() throws IOException {
        Path json = Files.writeString(dir.resolve("app.json"), "{\"api_key\":\"" + Canary.SECRET + "\",\"n\":7}");
        Path noExt = Files.writeString(dir.resolve("app"), " {\"api_key\":\"k2\"}");
        assertThat(fetch("file:" + json + "#api_key")).isEqualTo(Canary.SECRET);
        assertThat(fetch("file:" + json + "#n")).isEqualTo("7");
        assertThat(fetch("file:" + noExt + "#api_key")).isEqualTo("k2");
    }

    @Test
    void env_field_keyValueLinesWithExportCommentsAndQuotes() throws IOException {
        Path f = Files.writeString(dir.resolve("app.env"), "# rendered by Vault Agent\n\nexport API_KEY=\""
                + Canary.SECRET + "\"\nDB_USER = app\nEMPTY=\nQ='a b'\n");
        assertThat(fetch("file:" + f + "#API_KEY")).isEqualTo(Canary.SECRET);
        assertThat(fetch("file:" + f + "#DB_USER")).isEqualTo("app");
        assertThat(fetch("file:" + f + "#Q")).isEqualTo("a b");
    }

    @Test
    void properties_field() throws IOException {
        Path f = Files.writeString(dir.resolve("secret.properties"), "db.user=app\ndb.password: " + Canary.SECRET + "\n");
        assertThat(fetch("file:" + f + "#db.password")).isEqualTo(Canary.SECRET);
    }

    @Test
    void field_missing_namesTheFieldsNeverTheValues() throws IOException {
        Path f = Files.writeString(dir.resolve("app.env"), "API_KEY=" + Canary.SECRET + "\nOTHER=x\n");
        assertThatThrownBy(() -> fetch("file:" + f + "#TOKEN")).isInstanceOf(SourceMisconfiguredException.class)
                .hasMessage("file:" + f + "#TOKEN: the file " + f + " (read as KEY=VALUE lines) has no field 'TOKEN'; "
                        + "its fields are: 'API_KEY', 'OTHER'");
    }

    @Test
    void env_lineThatIsNotKeyValue_saysWhichLineWithoutQuotingIt() throws IOException {
        Path f = Files.writeString(dir.resolve("key"), Canary.SECRET + "\n");
        assertThatThrownBy(() -> fetch("file:" + f + "#API_KEY")).isInstanceOf(SourceMisconfiguredException.class)
                .hasMessageContaining("line 1 of the file " + f + " is not KEY=VALUE");
    }

    @Test
    void missingFile_notFound() {
        Path f = dir.resolve("absent");
        assertThatThrownBy(() -> fetch("file:" + f)).isInstanceOf(SecretNotFoundException.class)
                .hasMessage("file:" + f + ": the file " + f + " does not exist; check the path, and that whatever "
                        + "writes it (Vault Agent, the CSI driver, the volume mount) has run");
    }

    @Test
    void emptyFile_notFound_theOneRuleForEmptyValues() throws IOException {
        Path f = Files.writeString(dir.resolve("key"), "\n");
        assertThatThrownBy(() -> fetch("file:" + f)).isExactlyInstanceOf(SecretNotFoundException.class)
                .hasMessageContaining("is empty");
        Path json = Files.writeString(dir.resolve("key.json"), " ");
        assertThatThrownBy(() -> fetch("file:" + json + "#api_key")).isExactlyInstanceOf(SecretNotFoundException.class)
                .hasMessageContaining("is empty");
    }

    @Test
    void invalidOption_namesTheAcceptedValues() throws IOException {
        Path f = Files.writeString(dir.resolve("key"), "v");
        assertThatThrownBy(() -> fetcher("file:" + f + "?watch=inotify")).isInstanceOf(SourceMisconfiguredException.class)
                .hasMessage("file:" + f + "?watch=inotify: watch from reference option 'watch' must be one of auto, "
                        + "poll, none: 'inotify'");
        assertThatThrownBy(() -> fetcher("file:" + f + "?quiet-period=soon")).isInstanceOf(SourceMisconfiguredException.class)
                .hasMessage("file:" + f + "?quiet-period=soon: setting 'quiet-period' from reference option "
                        + "'quiet-period' must be a non-negative duration: a number with a unit (500ms, 30s, 5m, 1h, 1d) "
                        + "or ISO-8601 (PT5M); got 'soon'");
    }

    /** Durations are read with core's parser: its units (h, d), its refusal of a bare number, its range. */
    @Test
    void durationOptions_readAsCoreReadsDurations() throws IOException {
        Path f = Files.writeString(dir.resolve("key"), "v");
        try (KeyFetcher fetcher = fetcher("file:" + f + "?watch=poll&poll-interval=1h&quiet-period=PT0.2S")) {
            assertThat(fetcher.fetch().value()).isEqualTo("v");
        }
        assertThatThrownBy(() -> fetcher("file:" + f + "?poll-interval=5")).isInstanceOf(SourceMisconfiguredException.class)
                .hasMessage("file:" + f + "?poll-interval=5: setting 'poll-interval' from reference option "
                        + "'poll-interval' is a number without a unit: write 5s, 5m or 5ms (a plain number means "
                        + "milliseconds only in the KEYSOURCE_*_MS environment variables); got '5'");
        assertThatThrownBy(() -> fetcher("file:" + f + "?poll-interval=400d")).isInstanceOf(SourceMisconfiguredException.class)
                .hasMessageEndingWith("must be at most 365 days (365d); got '400d'");
    }

    // ---- permissions

    @Test
    void worldWritableFile_refused() throws IOException {
        Path f = Files.writeString(dir.resolve("key"), Canary.SECRET);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-rw-rw-"));
        assertThatThrownBy(() -> fetch("file:" + f)).isInstanceOf(SourceMisconfiguredException.class)
                .hasMessage("file:" + f + ": refusing to read " + f + ": it is world-writable (rw-rw-rw-), so any user "
                        + "on this machine could change the secret; run: chmod o-w '" + f.toRealPath() + "'");
    }

    @Test
    void worldWritableTargetThroughASymlink_refused() throws IOException {
        Path target = Files.writeString(dir.resolve("target"), "v");
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r--rw-"));
        Path link = Files.createSymbolicLink(dir.resolve("link"), target);
        assertThatThrownBy(() -> fetch("file:" + link)).hasMessageContaining("world-writable");
    }

    @Test
    void worldWritableDirectory_refusedUnlessSticky() throws IOException {
        Path d = Files.createDirectory(dir.resolve("open"));
        Path f = Files.writeString(d.resolve("key"), "v");
        Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThatThrownBy(() -> fetch("file:" + f)).isInstanceOf(SourceMisconfiguredException.class)
                .hasMessageContaining("its directory " + d + " is world-writable without the sticky bit");
        Files.setAttribute(d, "unix:mode", 01777);
        assertThat(fetch("file:" + f)).isEqualTo("v");
    }

    // ---- rotation

    /** A Kubernetes Secret volume: key -> ..data/key, ..data -> ..<timestamp>/, swapped by renaming ..data_tmp. */
    private Path kubernetesVolume(String value) throws IOException {
        Path ts = Files.createDirectory(dir.resolve("..2026_12_01_09_00_00.000000001"));
        Files.writeString(ts.resolve("api-key"), value);
        Files.createSymbolicLink(dir.resolve("..data"), ts.getFileName());
        return Files.createSymbolicLink(dir.resolve("api-key"), Path.of("..data/api-key"));
    }

    private void kubernetesSwap(String value) throws IOException {
        Path old = Files.readSymbolicLink(dir.resolve("..data"));
        Path ts = Files.createDirectory(dir.resolve("..2026_12_01_09_05_00.000000002"));
        Files.writeString(ts.resolve("api-key"), value);
        Path tmp = Files.createSymbolicLink(dir.resolve("..data_tmp"), ts.getFileName());
        Files.move(tmp, dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Files.delete(dir.resolve(old).resolve("api-key"));
        Files.delete(dir.resolve(old));
    }

    @Test
    void kubernetesDataSymlinkSwap_newValueWithinQuietPeriodPlusOneSecond() throws IOException {
        Path f = kubernetesVolume("old-key");
        try (CachedKey key = key("file:" + f)) {
            assertThat(key.get()).isEqualTo("old-key");
            long start = System.nanoTime();
            kubernetesSwap("new-key");
            await().atMost(QUIET.plusSeconds(1)).pollInterval(Duration.ofMillis(10))
                    .until(() -> refreshed() && key.get().equals("new-key"));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(QUIET.plusSeconds(1));
            assertThat(events.stream().map(KeyEvent::type)).contains(KeyEvent.Type.ROTATED);
        }
    }

    @Test
    void renameIntoPlace_asVaultAgentDoes_newValueWithinQuietPeriodPlusOneSecond() throws IOException {
        Path f = Files.writeString(dir.resolve("app.json"), "{\"api_key\":\"old-key\"}");
        try (CachedKey key = key("file:" + f + "#api_key")) {
            assertThat(key.get()).isEqualTo("old-key");
            Path tmp = Files.writeString(dir.resolve(".app.json.tmp123"), "{\"api_key\":\"new-key\"}");
            Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            await().atMost(QUIET.plusSeconds(1)).pollInterval(Duration.ofMillis(10))
                    .until(() -> refreshed() && key.get().equals("new-key"));
        }
    }

    @Test
    void pollingFallback_noticesTheRename() throws IOException {
        Path f = Files.writeString(dir.resolve("key"), "old-key");
        try (CachedKey key = CachedKey.builder("file:" + f + "?watch=poll&poll-interval=200ms&quiet-period=100ms")
                .environment(Map.of()).systemProperties(Map.of()).ttl(Duration.ofHours(1)).build()) {
            assertThat(key.get()).isEqualTo("old-key");
            Path tmp = Files.writeString(dir.resolve("key.tmp"), "new-key");
            Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            await().atMost(Duration.ofMillis(300).plusSeconds(1)).pollInterval(Duration.ofMillis(10))
                    .until(() -> key.get().equals("new-key"));
        }
    }

    @Test
    void reject_readsTheFileAgainAtOnce() throws IOException {
        Path f = Files.writeString(dir.resolve("key"), "old-key");
        try (CachedKey key = CachedKey.builder("file:" + f + "?watch=none&quiet-period=0ms").environment(Map.of())
                .systemProperties(Map.of()).ttl(Duration.ofHours(1)).build()) {
            assertThat(key.get()).isEqualTo("old-key");
            Files.writeString(f, "new-key");
            assertThat(key.get()).isEqualTo("old-key"); // not watched: the cache keeps its value
            assertThat(key.reject("old-key")).isTrue();
            assertThat(key.get()).isEqualTo("new-key");
        }
    }

    /** Writes "new-secret-value" in three pieces, 200 ms apart, in place (no rename). */
    private Process slowWriter(Path f) throws IOException {
        return new ProcessBuilder("/bin/sh", "-c", "{ printf 'new-'; sleep 0.2; printf 'secret'; sleep 0.2; "
                + "printf '%s' '-value'; } > '" + f + "'").redirectErrorStream(true).start();
    }

    @Test
    void slowWriteInPlace_neverAHalfWrittenValue_watched() throws Exception {
        Path f = Files.writeString(dir.resolve("key"), "old-key");
        List<String> seen = new CopyOnWriteArrayList<>();
        try (CachedKey key = key("file:" + f)) {
            assertThat(key.get()).isEqualTo("old-key");
            Process writer = slowWriter(f);
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(5)).until(() -> {
                String v = key.get();
                seen.add(v);
                return v.equals("new-secret-value");
            });
            assertThat(writer.waitFor(5, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(Set.copyOf(seen)).containsOnly("old-key", "new-secret-value");
    }

    @Test
    void slowWriteInPlace_aFetchDuringTheWriteWaitsForTheWholeValue() throws Exception {
        Path f = Files.writeString(dir.resolve("key"), "old-key");
        try (KeyFetcher fetcher = fetcher("file:" + f + "?quiet-period=" + QUIET.toMillis() + "ms")) {
            assertThat(fetcher.fetch().value()).isEqualTo("old-key"); // warm: the next fetch starts at once
            Process writer = slowWriter(f);
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(1))
                    .until(() -> Files.readString(f).startsWith("new-"));
            assertThat(fetcher.fetch().value()).isEqualTo("new-secret-value");
            assertThat(writer.waitFor(5, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void check_saysHowRotationIsNoticed() throws IOException {
        Path f = Files.writeString(dir.resolve("key"), "v");
        try (KeyFetcher k = fetcher("file:" + f)) {
            assertThat(k.consulted()).contains("file: " + f + "; a cached value watches " + dir
                    + " (quiet period 500 ms)");
        }
    }
}
