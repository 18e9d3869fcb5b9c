package dev.keysource.script.internal;

import static dev.keysource.script.internal.Helpers.fetcher;
import static dev.keysource.script.internal.Helpers.pids;
import static dev.keysource.script.internal.Helpers.running;
import static dev.keysource.script.internal.Helpers.script;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.keysource.KeyFetcher;
import dev.keysource.KeySourceException;
import dev.keysource.Secret;
import dev.keysource.SourceMisconfiguredException;
import dev.keysource.SourceTimeoutException;
import dev.keysource.SourceUnavailableException;
import dev.keysource.testkit.Canary;
import dev.keysource.testkit.ErrorContract;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The script backend against real helper processes generated into a temporary directory. */
class ScriptKeySourceTest {

    private static final Duration LIMIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private static Secret fetch(String command, String... settings) {
        try (KeyFetcher f = fetcher(command, LIMIT, settings)) {
            return f.fetch();
        }
    }

    private static KeySourceException failure(String command, Duration timeout, String... settings) {
        try (KeyFetcher f = fetcher(command, timeout, settings)) {
            f.fetch();
        } catch (KeySourceException e) {
            Canary.assertAbsent(e);
            ErrorContract.assertHoldsInChain(e); // the reference once: "reference: detail"
            return e;
        }
        throw new AssertionError("the fetch of " + command + " did not fail");
    }

    private static KeySourceException failure(String command, String... settings) {
        return failure(command, LIMIT, settings);
    }

    @Test
    void fetch_helperPrintsKey_returnsIt() {
        Path h = script(dir, "get-key.sh", "echo sk-test-123");
        Secret s = fetch(h.toString());
        assertThat(s.value()).isEqualTo("sk-test-123");
        assertThat(s.expiry()).isEmpty();
    }

    @Test
    void fetch_singleThreadExecutor_readsTheOutputOnTheBackendsOwnThreads() throws Exception {
        // issue 11 item 5: the output used to be drained on the key's executor, whose only thread ran the fetch
        Path h = script(dir, "get-key.sh", "echo sk-one-thread");
        java.util.concurrent.ExecutorService one = java.util.concurrent.Executors.newFixedThreadPool(1);
        try (dev.keysource.CachedKey key = dev.keysource.CachedKey.builder("script:" + h)
                .providers(List.of(new dev.keysource.script.ScriptProvider()))
                .environment(Helpers.env()).systemProperties(java.util.Map.of())
                .executor(one).maxAttempts(1).timeout(LIMIT).build()) {
            assertThat(key.get()).isEqualTo("sk-one-thread");
        } finally {
            one.shutdownNow();
        }
        assertThat(Thread.getAllStackTraces().keySet()).filteredOn(t -> t.getName().startsWith("keysource-script-io-"))
                .isNotEmpty().allMatch(Thread::isDaemon);
    }

    @Test
    void fetch_surroundingWhitespace_isTrimmed() {
        Path h = script(dir, "ws.sh", "printf '  \\n\\t sk-trimmed \\r\\n\\n'");
        assertThat(fetch(h.toString()).value()).isEqualTo("sk-trimmed");
    }

    @Test
    void fetch_inlineCommandLine_runsThroughTheShell() {
        assertThat(fetch("echo sk-$((40 + 2)) | tr k K").value()).isEqualTo("sK-42");
    }

    @Test
    void fetch_secondLine_failsNamingTheLineBreakWithoutShowingOutput() {
        Path h = script(dir, "two-lines.sh", "echo " + Canary.SECRET + "; echo second-line");
        KeySourceException e = failure(h.toString());
        assertThat(e).isInstanceOf(SourceMisconfiguredException.class);
        assertThat(e.getMessage()).contains("character " + (Canary.SECRET.length() + 1) + " is a line break (U+000A)")
                .contains("more than one line").doesNotContain("second-line");
    }

    @Test
    void fetch_spaceInside_failsNamingThePosition() {
        Path h = script(dir, "space.sh", "echo 'sk-canary 3f9a'");
        KeySourceException e = failure(h.toString());
        assertThat(e).isInstanceOf(SourceMisconfiguredException.class);
        assertThat(e.getMessage()).contains("character 10 is a space (U+0020)").doesNotContain("sk-canary");
    }

    @Test
    void fetch_nonAscii_failsNamingTheCodePoint() {
        Path h = script(dir, "accent.sh", "printf 'sk-caf\\303\\251\\n'");
        KeySourceException e = failure(h.toString());
        assertThat(e).isInstanceOf(SourceMisconfiguredException.class);
        assertThat(e.getMessage()).contains("character 7 is U+00E9, which is not printable ASCII").doesNotContain("sk-caf");
    }

    @Test
    void fetch_invalidUtf8_failsNamingTheByte() {
        Path h = script(dir, "latin1.sh", "printf 'sk-caf\\351\\n'");
        KeySourceException e = failure(h.toString());
        assertThat(e).isInstanceOf(SourceMisconfiguredException.class);
        assertThat(e.getMessage()).contains("not valid UTF-8: byte 7 (0xE9)");
    }

    @Test
    void fetch_emptyOutput_failsAsNotFound_theOneRuleForEmptyValues() {
        Path h = script(dir, "empty.sh", "echo '   '");
        KeySourceException e = failure(h.toString());
        assertThat(e).isExactlyInstanceOf(dev.keysource.SecretNotFoundException.class);
        assertThat(e.isTransient()).isFalse();
        assertThat(e.getMessage()).contains("exited with code 0 but printed nothing on stdout");
    }

    @Test
    void fetch_nonZeroExitWithoutKey_quotesExitCodeAndStderr() {
        Path h = script(dir, "fails.sh", "echo 'vault: connection refused' >&2\necho 'second line' >&2\nexit 1");
        KeySourceException e = failure(h.toString());
        assertThat(e).isInstanceOf(SourceUnavailableException.class);
        assertThat(e.getMessage()).isEqualTo("script:" + h + ": the helper exited with code 1; stderr: "
                + "\"vault: connection refused\\nsecond line\"; run the helper by hand to see why");
    }

    @Test
    void fetch_nonZeroExitWithKeyOnStdout_failsWithoutShowingStdout() {
        Path h = script(dir, "key-but-fails.sh",
                "echo " + Canary.SECRET + "\necho \"refusing: $(echo " + Canary.SECRET + ") is revoked\" >&2\nexit 3");
        KeySourceException e = failure(h.toString());
        assertThat(e).isInstanceOf(SourceUnavailableException.class);
        assertThat(e.getMessage()).contains("exited with code 3")
                .contains("it printed something on stdout, which is ignored after a failure and not shown")
                .contains("stderr: \"refusing: **** is revoked\"");
    }

    @Test
    void fetch_jsonKeyOnStdoutEchoedInsideAStderrLine_isMaskedWherever() {
        // issue 15 #2: the stdout line is {"key":"..."}, so masking whole stdout lines missed the value itself
        Path h = script(dir, "json-then-fails.sh", "echo '{\"key\":\"" + Canary.SECRET + "\",\"note\":\"tok-"
                + "abcdef12\"}'\necho \"vault said: token=" + Canary.SECRET + "; retry with tok-abcdef12 or "
                + Canary.SECRET + "x\" >&2\nexit 1");
        KeySourceException e = failure(h.toString());
        assertThat(e.getMessage()).doesNotContain(Canary.SECRET).doesNotContain("tok-abcdef12")
                .contains("stderr: \"vault said: token=****; retry with **** or ****x\"");
    }

    @Test
    void quote_masksEveryLineWordAndJsonStringOfStdout() {
        String stdout = "{\"Credentials\":{\"AccessKeyId\":\"AKIAEXAMPLE1\",\"SessionToken\":\"sess-tok-9\"}}";
        assertThat(Stderr.quote(("id AKIAEXAMPLE1, token sess-tok-9\nraw " + stdout).getBytes(), stdout))
                .isEqualTo("id ****, token ****\\nraw ****");
        assertThat(Stderr.quote("export KEY=abcdef123 done".getBytes(), "# comment\nabcdef123 extra"))
                .isEqualTo("export KEY=**** done");
        assertThat(Stderr.quote("short ab stays".getBytes(), "ab")).isEqualTo("short ab stays");
    }

    @Test
    void fetch_longStderr_quotesFirst500TrimmedCharacters() {
        Path h = script(dir, "noisy.sh", "printf '\\n\\n  ' >&2; head -c 2000 /dev/zero | tr '\\0' e >&2; exit 2");
        KeySourceException e = failure(h.toString());
        assertThat(e.getMessage()).contains("stderr: \"" + "e".repeat(500) + "...\"")
                .doesNotContain("e".repeat(501));
    }

    @Test
    void fetch_exitCodes_areClassifiedByConvention() {
        assertThat(failure("exit 77")).isInstanceOf(dev.keysource.SourceAccessDeniedException.class)
                .hasMessageContaining("code 77 (permission denied)");
        assertThat(failure("exit 66")).isInstanceOf(dev.keysource.SecretNotFoundException.class);
        assertThat(failure("exit 78")).isInstanceOf(SourceMisconfiguredException.class);
        assertThat(failure("exit 75")).isInstanceOf(SourceUnavailableException.class);
    }

    @Test
    void fetch_tenMegabytesOfStdout_isCappedAndStopped() {
        Path h = script(dir, "huge.sh", "head -c 10485760 /dev/zero | tr '\\0' a\necho $$ > " + dir.resolve("pid"));
        long start = System.nanoTime();
        KeySourceException e = failure(h.toString());
        assertThat(e).isInstanceOf(SourceMisconfiguredException.class);
        assertThat(e.getMessage()).contains("printed more than 65536 bytes on stdout and was stopped")
                .doesNotContain("aaaa");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void fetch_maxOutputSetting_raisesTheCap() {
        Path h = script(dir, "big.sh", "head -c 100000 /dev/zero | tr '\\0' a");
        assertThat(failure(h.toString()).getMessage()).contains("more than 65536 bytes");
        // within the raised cap, a 100 000-character line is still too long for a key
        assertThat(failure(h.toString(), "max-output", "128k").getMessage())
                .contains("is 100000 characters long; a key is at most 16384");
    }

    @Test
    void fetch_stderrFloodThenKey_drainsStderrAndReturnsKey() {
        Path h = script(dir, "flood-then-key.sh", "head -c 5000000 /dev/zero | tr '\\0' x >&2\necho sk-after-flood");
        assertThat(fetch(h.toString()).value()).isEqualTo("sk-after-flood");
    }

    @Test
    void fetch_endlessStderrFlood_isKilledAtTheLimitWithAShortQuote() {
        Path h = script(dir, "flood.sh", "while :; do echo 'flood flood flood flood' >&2; done");
        long start = System.nanoTime();
        KeySourceException e = failure(h.toString(), Duration.ofMillis(1500));
        assertThat(e).isInstanceOf(SourceTimeoutException.class);
        assertThat(e.getMessage()).contains("did not finish within 1350 ms and was killed");
        assertThat(e.getMessage()).contains("stderr: \"flood flood flood flood\\nflood").contains("...\"")
                .hasSizeLessThan(1000);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(3000));
    }

    @Test
    void fetch_helperReadsStdin_seesEndOfInputAndFinishes() {
        Path h = script(dir, "reads-stdin.sh", "cat > /dev/null\nread line\necho sk-after-stdin");
        long start = System.nanoTime();
        assertThat(fetch(h.toString()).value()).isEqualTo("sk-after-stdin");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void fetch_hangingHelper_killedWithItsWholeTreeWithinTheLimit() throws Exception {
        Path pidFile = dir.resolve("pids");
        Path h = script(dir, "hangs.sh", "echo $$ > " + pidFile + "\n"
                + "sleep 300 & echo $! >> " + pidFile + "\n"
                + "sh -c 'sleep 300 & echo $! >> " + pidFile + "; wait' &\n"
                + "echo 'waiting for the backend' >&2\nwait");
        long start = System.nanoTime();
        KeySourceException e = failure(h.toString(), Duration.ofMillis(1500));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(e).isInstanceOf(SourceTimeoutException.class);
        assertThat(e.getMessage()).startsWith("script:" + h + ": the helper did not finish within 1350 ms and was "
                + "killed with ").contains("stderr: \"waiting for the backend\"");
        assertThat(took).isLessThan(Duration.ofMillis(2500));
        List<Long> pids = pids(pidFile);
        assertThat(pids).hasSize(3);
        await().atMost(Duration.ofSeconds(2)).until(() -> pids.stream().noneMatch(Helpers::running));
    }

    @Test
    void fetch_backgroundGrandchildHoldsThePipe_stopsWaitingAndKillsIt() {
        Path pidFile = dir.resolve("pids");
        Path h = script(dir, "leaves-child.sh", "sleep 300 &\necho $! > " + pidFile + "\necho sk-from-parent");
        long start = System.nanoTime();
        Secret s = fetch(h.toString());
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(s.value()).isEqualTo("sk-from-parent");
        assertThat(took).isLessThan(Duration.ofSeconds(3)); // not the 10 s limit, nor the 300 s of the grandchild
        List<Long> pids = pids(pidFile);
        assertThat(pids).hasSize(1);
        await().atMost(Duration.ofSeconds(2)).until(() -> !running(pids.get(0)));
    }

    @Test
    void fetch_helperExitsBeforeTheDrainsRead_grandchildHoldingThePipeIsStillKilled() throws Exception {
        // drains that start late: the JDK's reaper closes the JVM's end of the pipes when the helper exits
        // (no reader is blocked then), so the drains see the end of the stream at once
        Path pidFile = dir.resolve("pids");
        Path h = script(dir, "quick-exit.sh", "echo sk-quick\nsleep 300 &\necho $! > " + pidFile + "\nexit 0");
        try (TestContext ctx = new TestContext()) {
            java.util.concurrent.Executor late = task -> ctx.scheduler().schedule(task, 300,
                    java.util.concurrent.TimeUnit.MILLISECONDS);
            dev.keysource.KeyRef ref = dev.keysource.KeyRef.parseOpaque("script:" + h);
            ScriptKeySource source = new ScriptKeySource(ref, ScriptConfig.resolve(ref, ctx), new TestContext() {
                @Override
                public java.util.concurrent.Executor executor() {
                    return late;
                }
            });
            assertThat(source.fetch().value()).isEqualTo("sk-quick");
        }
        List<Long> pids = pids(pidFile);
        assertThat(pids).hasSize(1);
        await().atMost(Duration.ofSeconds(2)).until(() -> !running(pids.get(0)));
    }

    @Test
    void fetch_hangingHelperWithGrandchildHoldingThePipe_bothKilledWithinTheLimit() {
        Path pidFile = dir.resolve("pids");
        // the subshell exits at once, so its background sleep is re-parented: no descendant of the helper any more
        Path h = script(dir, "escapes.sh", "echo $$ > " + pidFile + "\n"
                + "(sleep 300 & echo $! >> " + pidFile + ")\n"
                + "sleep 300 & echo $! >> " + pidFile + "\nwait");
        long start = System.nanoTime();
        KeySourceException e = failure(h.toString(), Duration.ofMillis(1500));
        assertThat(e).isInstanceOf(SourceTimeoutException.class);
        assertThat(e.getMessage()).contains("the helper did not finish within 1350 ms and was killed with 3 process(es)");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2500));
        List<Long> pids = pids(pidFile);
        assertThat(pids).hasSize(3);
        await().atMost(Duration.ofSeconds(2)).until(() -> pids.stream().noneMatch(Helpers::running));
    }

    // issue 15 #7: nothing a helper started is left running, whatever it did to its environment and stdio

    @Test
    void fetch_backgroundProcessWithClosedStdioAndNoEnvironment_isKilledAfterTheRun() {
        org.junit.jupiter.api.Assumptions.assumeTrue(ProcessTree.SETSID.isPresent(), "needs setsid (Linux)");
        Path pidFile = dir.resolve("pids");
        Path h = script(dir, "orphan.sh", "(env -i sleep 31 </dev/null >/dev/null 2>&1 & echo $! > " + pidFile + ")\n"
                + "echo sk-orphan");
        assertThat(fetch(h.toString()).value()).isEqualTo("sk-orphan");
        List<Long> pids = pids(pidFile);
        assertThat(pids).hasSize(1);
        await().atMost(Duration.ofSeconds(2)).until(() -> !running(pids.get(0)));
    }

    @Test
    void fetch_backgroundProcessHoldingStdoutWithoutMarker_isKilledAndNoReaderIsLeftBlocked() {
        Path pidFile = dir.resolve("pids");
        Path h = script(dir, "holder.sh", "(env -i sleep 31 & echo $! >> " + pidFile + ")\necho sk-holder");
        for (int i = 0; i < 5; i++) {
            assertThat(fetch(h.toString()).value()).isEqualTo("sk-holder");
        }
        await().atMost(Duration.ofSeconds(2)).until(() -> pids(pidFile).size() == 5
                && pids(pidFile).stream().noneMatch(Helpers::running));
        await().atMost(Duration.ofSeconds(2)).until(() -> Thread.getAllStackTraces().entrySet().stream()
                .noneMatch(e -> java.util.Arrays.stream(e.getValue())
                        .anyMatch(f -> f.getClassName().equals(Drain.class.getName()))));
    }

    @Test
    void cachedKeyWithShortTtl_refreshesManyTimes_leavesNoProcessAndNoReaderBehind() {
        // issue 15 #7, as reported: a short TTL used to pile up the helper's orphans and blocked reader threads
        Path pidFile = dir.resolve("pids");
        Path h = script(dir, "refreshed.sh", "(env -i sleep 31 & echo $! >> " + pidFile + ")\n"
                + "(env -i sleep 31 </dev/null >/dev/null 2>&1 & echo $! >> " + pidFile + ")\necho sk-refreshed");
        dev.keysource.testkit.FakeTime time = new dev.keysource.testkit.FakeTime();
        try (dev.keysource.CachedKey key = dev.keysource.CachedKey.builder("script:" + h)
                .providers(List.of(new dev.keysource.script.ScriptProvider()))
                .environment(Helpers.env()).systemProperties(java.util.Map.of())
                .ticker(time.ticker()).clock(time.clock()).scheduler(time.scheduler()).executor(Runnable::run)
                .ttl(Duration.ofSeconds(2)).refreshAhead(0.5).jitter(0).maxAttempts(1).timeout(LIMIT).build()) {
            for (int i = 0; i < 6; i++) {
                assertThat(key.get()).isEqualTo("sk-refreshed");
                time.advance(Duration.ofSeconds(1));
            }
        }
        assertThat(pids(pidFile).size()).as("the helper ran on each refresh").isGreaterThanOrEqualTo(8);
        await().atMost(Duration.ofSeconds(3)).until(() -> pids(pidFile).stream().noneMatch(Helpers::running));
        await().atMost(Duration.ofSeconds(3)).until(() -> Thread.getAllStackTraces().values().stream()
                .noneMatch(st -> java.util.Arrays.stream(st).anyMatch(f -> f.getClassName().equals(Drain.class.getName()))));
    }

    @Test
    void fetch_missingHelperFile_isMisconfiguredWithShellMessage() {
        Path missing = dir.resolve("no-such-helper.sh");
        KeySourceException e = failure(missing.toString());
        assertThat(e).isInstanceOf(SourceMisconfiguredException.class);
        assertThat(e.getMessage()).contains("exited with code 127: command not found")
                .contains("no-such-helper.sh: not found");
    }

    @Test
    void fetch_missingProgramInArgvForm_isMisconfigured() {
        KeySourceException e = failure("no-such-program-ks --flag", "argv", "true");
        assertThat(e).isInstanceOf(SourceMisconfiguredException.class);
        assertThat(e.getMessage()).contains("cannot start the helper program 'no-such-program-ks'")
                .contains("on the PATH");
    }

    @Test
    void fetch_worldWritableHelper_isRefusedAndNotRun() throws Exception {
        Path marker = dir.resolve("ran");
        Path h = script(dir, "open.sh", "touch " + marker + "\necho sk-open");
        Files.setPosixFilePermissions(h, PosixFilePermissions.fromString("rwxrwxrwx"));
        KeySourceException e = failure(h.toString());
        assertThat(e).isInstanceOf(SourceMisconfiguredException.class);
        assertThat(e.getMessage()).contains("refusing to run the helper " + h + ": it is world-writable (rwxrwxrwx)")
                .contains("chmod o-w");
        assertThat(marker).doesNotExist();
    }

    @Test
    void fetch_argvForm_runsWithoutAShellAndKeepsQuotedWords() {
        Path h = script(dir, "args.sh", "printf '%s|%s|%s' \"$#\" \"$1\" \"$2\" | tr ' ' _");
        assertThat(fetch(h + " 'a$HOME;' \"b c\"", "argv", "true").value()).isEqualTo("2|a$HOME;|b_c");
    }

    @Test
    void fetch_tildeInCommand_expandsToHome() {
        script(dir, "home-helper.sh", "echo sk-from-home");
        try (KeyFetcher f = fetcher("~/home-helper.sh", LIMIT, Helpers.env("HOME", dir.toString()))) {
            assertThat(f.fetch().value()).isEqualTo("sk-from-home");
        }
    }

    @Test
    void fetch_workingDirAndEnvironment_areTheConfiguredOnes() throws Exception {
        Path work = Files.createDirectory(dir.resolve("work"));
        try (KeyFetcher f = fetcher("echo \"$(basename \"$PWD\")-$MY_TEAM\"", LIMIT,
                Helpers.env("MY_TEAM", "payments"), "working-dir", work.toString())) {
            assertThat(f.fetch().value()).isEqualTo("work-payments");
        }
    }

    /**
     * A PATH that ends in ':' has an empty last entry, which the shell reads as the current directory: a bare
     * command name found there is checked like any other (String.split dropped that entry before).
     */
    @Test
    void fetch_programFoundThroughTrailingEmptyPathEntry_isCheckedAndRefused() throws Exception {
        Path work = Files.createDirectory(dir.resolve("open-work"));
        Path marker = dir.resolve("ran-from-cwd");
        script(work, "ks-cwd-helper", "touch " + marker + "\necho sk-cwd");
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxrwxrwx"));
        KeySourceException e;
        try (KeyFetcher f = fetcher("ks-cwd-helper", LIMIT, Helpers.env("PATH", "/usr/bin:/bin:"), "working-dir",
                work.toString())) {
            e = org.junit.jupiter.api.Assertions.assertThrows(KeySourceException.class, f::fetch);
        }
        assertThat(e).isInstanceOf(SourceMisconfiguredException.class);
        assertThat(e.getMessage()).contains("is world-writable without the sticky bit");
        assertThat(marker).doesNotExist();
    }

    @Test
    void fetch_missingWorkingDir_isMisconfigured() {
        KeySourceException e = failure("echo k", "working-dir", dir.resolve("nope").toString());
        assertThat(e).isInstanceOf(SourceMisconfiguredException.class)
                .hasMessageContaining("the working directory " + dir.resolve("nope") + " (setting 'working-dir') "
                        + "is not a directory");
    }

    @Test
    void fetch_jsonHelper_readsKeyAndExpiry() {
        Path h = script(dir, "json.sh", "echo '{\"key\": \"sk-json\", \"expires_at\": \"2031-02-03T04:05:06Z\"}'");
        Secret s = fetch(h.toString());
        assertThat(s.value()).isEqualTo("sk-json");
        assertThat(s.expiry()).contains(Instant.parse("2031-02-03T04:05:06Z"));
    }

    @Test
    void fetch_jwtValue_isReturnedIntact() {
        String jwt = Jwts.jwt(Instant.parse("2031-01-01T00:00:00Z"));
        Path h = script(dir, "jwt.sh", "echo " + jwt);
        Secret s = fetch(h.toString());
        assertThat(s.value()).isEqualTo(jwt);
    }

    @Test
    void fetch_timeoutSetting_shorterThanAttemptLimit_wins() {
        KeySourceException e = failure("sleep 30", "timeout", "500ms");
        assertThat(e).isInstanceOf(SourceTimeoutException.class).hasMessageContaining("within 500 ms");
    }

    @Test
    void resolve_timeoutWithoutAUnit_isRefusedShowingTheUnits() {
        // issue 11 item 6: KEYSOURCE_SCRIPT_TIMEOUT=5 used to mean 5 ms
        try (TestContext ctx = new TestContext()) {
            ctx.set("timeout", "5");
            dev.keysource.KeyRef ref = dev.keysource.KeyRef.parseOpaque("script:echo k");
            assertThatThrownBy(() -> ScriptConfig.resolve(ref, ctx))
                    .isInstanceOf(SourceMisconfiguredException.class)
                    .hasMessage("script:echo k: setting 'timeout' from code setting 'timeout' is a number without a "
                            + "unit: write 5s, 5m or 5ms (a plain number means milliseconds only in the KEYSOURCE_*_MS "
                            + "environment variables); got '5'");
        }
    }

    /** The script backend reads its time limit with core's duration parser: the same forms, range and messages. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
        "1d      | PT24H",
        "2h      | PT2H",
        "PT0.5S  | PT0.5S",
        "500MS   | PT0.5S"})
    void resolve_timeoutInCoresForms_isAccepted(String text, String expected) {
        try (TestContext ctx = new TestContext()) {
            ctx.attemptTimeout = Duration.ofDays(30);
            ctx.set("timeout", text);
            dev.keysource.KeyRef ref = dev.keysource.KeyRef.parseOpaque("script:echo k");

            assertThat(ScriptConfig.resolve(ref, ctx).runLimit).isEqualTo(Duration.parse(expected));
        }
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
        "366d     | must be at most 365 days (365d); got '366d'",
        "0        | must be a positive duration: a number with a unit (500ms, 30s, 5m, 1h, 1d) or ISO-8601 (PT5M); got '0'",
        "soon     | must be a positive duration: a number with a unit (500ms, 30s, 5m, 1h, 1d) or ISO-8601 (PT5M); got 'soon'",
        "-PT1S    | must be a positive duration: a number with a unit (500ms, 30s, 5m, 1h, 1d) or ISO-8601 (PT5M); got '-PT1S'"})
    void resolve_badTimeout_isRefusedWithCoresMessage(String text, String message) {
        try (TestContext ctx = new TestContext()) {
            ctx.set("timeout", text);
            dev.keysource.KeyRef ref = dev.keysource.KeyRef.parseOpaque("script:echo k");

            assertThatThrownBy(() -> ScriptConfig.resolve(ref, ctx)).isInstanceOf(SourceMisconfiguredException.class)
                    .hasMessage("script:echo k: setting 'timeout' from code setting 'timeout' " + message);
        }
    }

    @Test
    void fetch_interrupted_killsTheHelperAndRestoresTheFlag() throws Exception {
        Path pidFile = dir.resolve("pids");
        Path h = script(dir, "slow.sh", "echo $$ > " + pidFile + "\nsleep 300");
        ScriptConfig config;
        TestContext ctx = new TestContext();
        dev.keysource.KeyRef ref = dev.keysource.KeyRef.parseOpaque("script:" + h);
        config = ScriptConfig.resolve(ref, ctx);
        ScriptKeySource source = new ScriptKeySource(ref, config, ctx);
        java.util.concurrent.atomic.AtomicReference<Throwable> thrown = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicBoolean flag = new java.util.concurrent.atomic.AtomicBoolean();
        Thread t = new Thread(() -> {
            try {
                source.fetch();
            } catch (Throwable x) {
                thrown.set(x);
                flag.set(Thread.currentThread().isInterrupted());
            }
        });
        t.start();
        await().atMost(Duration.ofSeconds(5)).until(() -> Files.exists(pidFile) && !pids(pidFile).isEmpty());
        t.interrupt();
        t.join(5000);
        assertThat(thrown.get()).isInstanceOf(dev.keysource.SourceInterruptedException.class);
        assertThat(flag).isTrue();
        long pid = pids(pidFile).get(0);
        await().atMost(Duration.ofSeconds(2)).until(() -> !running(pid));
        ctx.close();
    }
}
