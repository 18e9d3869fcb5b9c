package dev.keysource.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {

    @TempDir
    Path dir;

    private Path raw() throws Exception {
        return Files.createDirectories(dir.resolve("results/raw"));
    }

    private void writeFigures() throws Exception {
        Path raw = raw();
        new Results().put("mode", "quick").put("date", "2026-11-26T00:00Z").put("cores", 2).put("cpu", "Test CPU")
                .write(raw.resolve("env.properties"));
        String header = "\"Benchmark\",\"Mode\",\"Threads\",\"Samples\",\"Score\",\"Score Error (99.9%)\",\"Unit\"\n";
        Files.writeString(raw.resolve("jmh-hot-read-t2.csv"), header
                + "\"dev.keysource.benchmarks.HotReadBenchmark.cachingClientGetSecretString\",\"thrpt\",2,3,5.0,1.0,\"ops/us\"\n"
                + "\"dev.keysource.benchmarks.HotReadBenchmark.caffeineGetIfPresent\",\"thrpt\",2,3,300.0,9.0,\"ops/us\"\n"
                + "\"dev.keysource.benchmarks.HotReadBenchmark.keysourceGet\",\"thrpt\",2,3,250.0,8.0,\"ops/us\"\n");
        for (String c : new String[] {"keysource", "caching-client"}) {
            Results r = new Results().put("backendMs", 50).put("ttlMs", 500).put("readers", 2).put("intervalUs", 50)
                    .put("seconds", 10).put("warmupSeconds", 2).put("reads", 1000).put("backendCalls", 20);
            for (String kind : new String[] {"service", "response"}) {
                for (String q : new String[] {"p50", "p99", "p99.9", "p99.99", "max"}) {
                    r.put(kind + "." + q, c.equals("keysource") ? "1.000" : "50000.000");
                }
            }
            r.write(raw.resolve("latency-" + c + ".properties"));
            Files.writeString(raw.resolve("latency-" + c + "-series.csv"),
                    "t_ms,max_service_ns,max_response_ns,reads\n0,1000,1000,10\n10,2000,2000,10\n");
            Files.writeString(raw.resolve("latency-" + c + "-backend.csv"), "t_ms\n5.000\n");
        }
        new Results().put("threads", 64).put("rounds", 5).put("backendMs", 20)
                .put("keysource.min", 1).put("keysource.median", 1).put("keysource.max", 1)
                .put("caffeine.min", 60).put("caffeine.median", 63).put("caffeine.max", 64)
                .write(raw.resolve("storm.properties"));
        new Results().put("keys", 10000).put("heapBytesPerKey", 2000).write(raw.resolve("memory-keysource.properties"));
        new Results().put("keys", 10000).put("heapBytesPerKey", 1000)
                .write(raw.resolve("memory-caching-client.properties"));
    }

    @Test
    void results_startupProfileFile_isAppendedToTheStartupSection() throws Exception {
        writeFigures();
        Files.createDirectories(dir.resolve("startup"));
        Files.writeString(dir.resolve("startup/PROFILE.md"), "### Where the start-up time goes\n\n- the SDK's builder\n");

        String md = new Report(dir).results();

        String startup = md.substring(md.indexOf("## 4. CLI start-to-key"), md.indexOf("## 5."));
        assertThat(startup).contains("### Where the start-up time goes\n\n- the SDK's builder\n");
    }

    @Test
    void results_figures_reportEachTargetWithVerdict() throws Exception {
        writeFigures();

        String md = new Report(dir).results();

        assertThat(md).contains("| Test CPU |");
        assertThat(md).contains("keysource ≥ 20× the caching client: 50× — **met**");
        assertThat(md).contains("keysource ≥ 0.5× the floor: 0.83× — **met**");
        assertThat(md).contains("Target: keysource p99.9 ≤ 50 µs while refreshes run: service 1.000 µs — **met**");
        assertThat(md).contains("keysource 1–1, Caffeine 60–64 — **met**");
        assertThat(md).contains("keysource holds 2.0× the caching client's heap per key.");
    }

    @Test
    void results_keysourceMissesLatencyAndNoiseFloorToo_saysTheMachineWasNoisy() throws Exception {
        writeFigures();
        Path raw = raw();
        for (String c : new String[] {"keysource", "volatile-read"}) {
            Results r = new Results().put("backendMs", 50).put("ttlMs", 500).put("readers", 2).put("intervalUs", 50)
                    .put("seconds", 10).put("warmupSeconds", 2).put("reads", 1000).put("backendCalls", 0);
            for (String kind : new String[] {"service", "response"}) {
                for (String q : new String[] {"p50", "p99", "p99.9", "p99.99", "max"}) {
                    r.put(kind + "." + q, "300.000");
                }
            }
            r.write(raw.resolve("latency-" + c + ".properties"));
        }

        String md = new Report(dir).results();

        assertThat(md).contains("service 300.000 µs — **missed** by 500%")
                .contains("| noise floor: a volatile read, no backend (service) | 1000 | 0 | 300.000 |")
                .contains("The noise floor's p99.9 in this run was 300.000 µs (service)");
    }

    @Test
    void results_noStartupFigures_marksCliRowsNotYetMeasured() throws Exception {
        writeFigures();

        String md = new Report(dir).results();

        assertThat(md).contains("| script | **not yet measured** | — | ≤ 2× |");
    }

    @Test
    void results_startupFiguresForScriptOnly_includedAsPrintedAndOthersMarked() throws Exception {
        writeFigures();
        Files.writeString(raw().resolve("startup.txt"), "./keysource get script:echo k      80.0 ms\n"
                + "ratio ./keysource get / trivial main: 2.00x (target <= 2x)\n");

        String md = new Report(dir).results();

        assertThat(md).contains("```text\n./keysource get script:echo k      80.0 ms\n"
                        + "ratio ./keysource get / trivial main: 2.00x (target <= 2x)\n```")
                .contains("| vault (loopback fake) | **not yet measured** | — | ≤ 3× |")
                .doesNotContain("| script | **not yet measured**");
    }

    @Test
    void verdict_belowAtLeastTarget_saysByHowMuch() {
        assertThat(Report.verdict(15, 20, true)).isEqualTo("**missed** by 25%");
        assertThat(Report.verdict(60, 50, false)).isEqualTo("**missed** by 20%");
        assertThat(Report.verdict(20, 20, true)).isEqualTo("**met**");
    }

    @Test
    void updateReadme_markers_replacesOnlyTheHeadlineBlock() throws Exception {
        writeFigures();
        Path readme = dir.resolve("README.md");
        Files.writeString(readme, "# title\n\n" + Report.HEADLINE_START + "\nold figures\n" + Report.HEADLINE_END
                + "\n\n## rest\n");

        new Report(dir).updateReadme();

        String text = Files.readString(readme, StandardCharsets.UTF_8);
        assertThat(text).startsWith("# title\n\n" + Report.HEADLINE_START + "\n").endsWith(Report.HEADLINE_END + "\n\n## rest\n");
        assertThat(text).doesNotContain("old figures")
                .contains("| hot read, 2 threads (ops/µs) | 250 (0.83× of the floor) | 5.00 |")
                .contains("| read latency during refreshes, p99.9 / max (µs, response time) | 1.000 / 1.000 | "
                        + "50000.000 / 50000.000 |")
                .contains("| CLI start-to-key vs a trivial Java main: script / Vault / AWS | not measured / not measured / "
                        + "not measured |");
    }

    @Test
    void startupRatios_bothScriptsOutput_readsEachBackend() throws Exception {
        Files.writeString(raw().resolve("startup.txt"), "$ benchmarks/startup/run.sh 10\n"
                + "trivial main (baseline)   36.7 ms\n"
                + "ratio ./keysource get / trivial main: 2.87x (target <= 2x)\n"
                + "ratio java -jar keysource.jar get / trivial main: 2.90x; / spawning main: 1.95x\n"
                + "$ benchmarks/startup/backends.sh 10\n"
                + "./keysource get vault:secret/claude-code#api_key          90.1 ms  2.41x (target <= 2.5x)\n"
                + "./keysource get aws-sm:prod/claude#api_key               200.0 ms  5.30x (target <= 6x)\n");

        assertThat(new Report(dir).startupRatios())
                .containsEntry("script", "2.87×").containsEntry("vault", "2.41×").containsEntry("aws-sm", "5.30×");
        assertThat(new Report(dir).results()).doesNotContain("not yet measured");
    }

    @Test
    void writeChart_figures_writesSvgWithBothClients() throws Exception {
        writeFigures();

        new Report(dir).writeChart();

        String svg = Files.readString(dir.resolve("results/latency.svg"), StandardCharsets.UTF_8);
        assertThat(svg).contains("keysource CachedKey.get()").contains("caching client getSecretString");
    }
}
