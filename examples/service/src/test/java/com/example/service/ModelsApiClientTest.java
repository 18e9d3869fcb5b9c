package com.example.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keysource.CachedKey;
import dev.keysource.KeyEvent;
import dev.keysource.testkit.Canary;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the example against a loopback API that rotates its key, with the key read by a real helper script
 * through the {@code script} backend, found on the class path like any user's backend.
 */
class ModelsApiClientTest {

    private static final String KEY_1 = Canary.SECRET + "-1";
    private static final String KEY_2 = Canary.SECRET + "-2";

    @TempDir
    Path dir;

    private Path keyFile;
    private Path runs;
    private String reference;
    private FakeApi api;
    private CachedKey apiKey;
    private final List<KeyEvent> events = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        keyFile = dir.resolve("current-key");
        runs = dir.resolve("runs");
        Files.writeString(keyFile, KEY_1 + "\n");
        Files.writeString(runs, "");
        // the helper a user would point apiKeyHelper at: prints the current key, and counts its runs
        Path helper = dir.resolve("get-api-key.sh");
        Files.writeString(helper, "#!/bin/sh\necho run >> '" + runs + "'\ncat '" + keyFile + "'\n");
        Files.setPosixFilePermissions(helper, PosixFilePermissions.fromString("rwx------"));
        reference = "script:" + helper;
        api = new FakeApi(KEY_1);
    }

    @AfterEach
    void tearDown() {
        if (apiKey != null) {
            apiKey.close();
        }
        api.close();
    }

    private ModelsApiClient client() {
        apiKey = CachedKey.builder(reference).ttl(Duration.ofMinutes(10)).listener(events::add).build();
        return new ModelsApiClient(api.uri(), apiKey);
    }

    private int helperRuns() throws IOException {
        return Files.readAllLines(runs).size();
    }

    private List<KeyEvent.Type> eventTypes() {
        return events.stream().map(KeyEvent::type).collect(Collectors.toList());
    }

    @Test
    void get_withCachedKey_runsHelperOnce() throws IOException {
        ModelsApiClient client = client();

        assertThat(client.get("v1/models")).contains("model-a");
        assertThat(client.get("v1/models")).contains("model-a");

        assertThat(helperRuns()).isEqualTo(1);
        assertThat(api.statuses()).containsExactly(200, 200);
    }

    @Test
    void get_afterKeyRotated_picksUpNewKeyOnFirst401() throws IOException {
        ModelsApiClient client = client();
        client.get("v1/models");

        Files.writeString(keyFile, KEY_2 + "\n"); // the key is rotated at the backend...
        api.rotateTo(KEY_2);                        // ...and the old one stops working at once

        assertThat(client.get("v1/models")).contains("model-a");
        assertThat(api.statuses()).containsExactly(200, 401, 200);
        assertThat(helperRuns()).isEqualTo(2);
        assertThat(apiKey.get()).isEqualTo(KEY_2);
        assertThat(apiKey.stats().rejections()).isEqualTo(1);
        assertThat(eventTypes()).containsExactly(KeyEvent.Type.FETCHED, KeyEvent.Type.REJECTED,
                KeyEvent.Type.FETCHED, KeyEvent.Type.ROTATED);

        client.get("v1/models");
        assertThat(helperRuns()).isEqualTo(2); // the new key is cached again
    }

    @Test
    void get_whenNewKeyIsRefusedToo_failsAfterOneRetry() throws IOException {
        ModelsApiClient client = client();
        client.get("v1/models");
        api.rotateTo("a-key-nobody-has");

        assertThatThrownBy(() -> client.get("v1/models"))
                .isInstanceOf(ModelsApiClient.ApiException.class)
                .hasMessageEndingWith("answered HTTP 401");
        assertThat(api.statuses()).containsExactly(200, 401, 401);
        assertThat(helperRuns()).isEqualTo(2);
    }

    @Test
    void run_withReferenceAndPaths_printsBodiesAndNeverTheKey() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int code = ExampleService.run(new String[] {reference, api.uri().toString(), "v1/models"},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(code).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("model-a");
        Canary.assertAbsent("stdout", out.toString(StandardCharsets.UTF_8));
        Canary.assertAbsent("stderr", err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void run_whenApiIsDown_reportsTheCallThatFailed() {
        String down = api.uri().toString();
        api.close();
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int code = ExampleService.run(new String[] {reference, down, "v1/models"},
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(code).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("GET " + down + "v1/models failed: ");
    }

    @Test
    void run_whenHelperFails_reportsKeysourceErrorWithoutTheKey() throws IOException {
        Path failing = dir.resolve("failing.sh");
        Files.writeString(failing, "#!/bin/sh\necho 'permission denied: secret/app' >&2\nexit 77\n");
        Files.setPosixFilePermissions(failing, PosixFilePermissions.fromString("rwx------"));
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int code = ExampleService.run(new String[] {"script:" + failing, api.uri().toString(), "x"},
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(code).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("cannot get the API key: ")
                .contains("permission denied: secret/app");
        assertThat(api.statuses()).isEmpty();
    }
}
