package dev.keysource.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Assembles {@code RESULTS.md}, {@code results/latency.svg} and the headline block of {@code README.md}
 * from the raw figures the benchmarks wrote to {@code results/raw/} ({@code --dir}: the benchmarks folder).
 * Every figure in those documents comes from this one run; nothing is typed in by hand.
 */
public final class Report {

    static final String HEADLINE_START = "<!-- headline:start (written by run.sh; do not edit) -->";
    static final String HEADLINE_END = "<!-- headline:end -->";
    static final String[] HOT_READS = {"keysourceGet", "keysGet", "cachingClientGetSecretString",
        "caffeineLoadingGet", "caffeineGetIfPresent"};
    static final Map<String, String> HOT_READ_NAMES = Map.of(
            "keysourceGet", "keysource `CachedKey.get()` (a handle)",
            "keysGet", "keysource `Keys.get(ref)` (the client)",
            "cachingClientGetSecretString", "caching client `SecretCache.getSecretString`",
            "caffeineLoadingGet", "Caffeine `LoadingCache.get` (refreshAfterWrite + expireAfterWrite)",
            "caffeineGetIfPresent", "bare Caffeine `getIfPresent` (the floor)");
    static final String KEYSOURCE_COLOR = "#1f77b4";
    static final String CACHING_COLOR = "#d62728";
    /** The latency chart shows at most this many seconds of the window, so the spikes stay readable. */
    static final double CHART_SECONDS = 10;

    private final Path dir;
    private final Path raw;

    Report(Path dir) {
        this.dir = dir;
        this.raw = dir.resolve("results").resolve("raw");
    }

    public static void main(String[] argv) throws IOException {
        Args args = new Args(argv);
        Report r = new Report(args.path("dir", "."));
        r.writeChart();
        String results = r.results();
        Files.writeString(r.dir.resolve("RESULTS.md"), results, StandardCharsets.UTF_8);
        r.updateReadme();
        System.out.println("wrote " + r.dir.resolve("RESULTS.md") + ", " + r.dir.resolve("results/latency.svg"));
    }

    // ---------------------------------------------------------------------------------------------
    // figures

    /** Hot-read scores: benchmark -> [score, error] in ops/µs, from JMH's CSV for {@code threads}. */
    Map<String, double[]> hotRead(int threads) throws IOException {
        Map<String, double[]> out = new LinkedHashMap<>();
        Path csv = raw.resolve("jmh-hot-read-t" + threads + ".csv");
        if (!Files.isRegularFile(csv)) {
            return out;
        }
        List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.replace("\"", "").split(",", -1);
            if (f.length < 7) {
                continue;
            }
            String name = f[0].substring(f[0].lastIndexOf('.') + 1);
            out.put(name, new double[] {parse(f[4]), parse(f[5])});
        }
        return out;
    }

    private static double parse(String s) {
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    Map<String, String> props(String name) {
        return Results.read(raw.resolve(name));
    }

    /** Reads a latency series: columns t_ms and the named column. */
    double[][] series(String client, String column) throws IOException {
        Path csv = raw.resolve("latency-" + client + "-series.csv");
        if (!Files.isRegularFile(csv)) {
            return new double[][] {new double[0], new double[0]};
        }
        List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        List<String> header = List.of(lines.get(0).split(","));
        int col = header.indexOf(column);
        double[] xs = new double[lines.size() - 1];
        double[] ys = new double[lines.size() - 1];
        for (int i = 1; i < lines.size(); i++) {
            String[] f = lines.get(i).split(",", -1);
            xs[i - 1] = Double.parseDouble(f[0]) / 1000.0;
            ys[i - 1] = Double.parseDouble(f[col]) / 1000.0;
        }
        return new double[][] {xs, ys};
    }

    double[] backendCalls(String client) throws IOException {
        Path csv = raw.resolve("latency-" + client + "-backend.csv");
        if (!Files.isRegularFile(csv)) {
            return new double[0];
        }
        List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        double[] out = new double[lines.size() - 1];
        for (int i = 1; i < lines.size(); i++) {
            out[i - 1] = Double.parseDouble(lines.get(i).trim()) / 1000.0;
        }
        return out;
    }

    // ---------------------------------------------------------------------------------------------
    // chart

    void writeChart() throws IOException {
        Map<String, String> ks = props("latency-keysource.properties");
        Map<String, String> cc = props("latency-caching-client.properties");
        double[][] k = series("keysource", "max_service_ns");
        double[][] c = series("caching-client", "max_service_ns");
        double[][] v = series("volatile-read", "max_service_ns");
        double window = Math.min(CHART_SECONDS, Math.max(last(k[0]), last(c[0])) + 0.01);
        double yMin = Math.min(Math.min(min(k[1]), min(c[1])), min(v[1]));
        double yMax = Math.max(Math.max(Math.max(max(k[1]), max(c[1])), max(v[1])), 100);
        String subtitle = String.format(Locale.ROOT, "Slowest get() in each %s ms window (a break: no read in that window); "
                        + "backend %s ms per call, TTL %s ms,\n%s readers each reading every %s µs; "
                        + "first %.0f s of the measured window",
                ks.getOrDefault("bucketMs", "10"), ks.getOrDefault("backendMs", "?"), ks.getOrDefault("ttlMs", "?"),
                ks.getOrDefault("readers", "?"), ks.getOrDefault("intervalUs", "?"), window);
        SvgChart chart = new SvgChart("Read latency while the secret is refreshed", subtitle, "time (s)",
                "slowest read per window")
                .xRange(window)
                .yRange(yMin > 0 && yMin < Double.MAX_VALUE ? yMin : 0.01, yMax)
                .rule("keysource target: p99.9 ≤ 50 µs", "#2ca02c", 50);
        if (v[0].length > 0) {
            chart.line("noise floor (a volatile read, separate run)", "#aaaaaa", v[0], v[1]);
        }
        chart.line("keysource CachedKey.get()", KEYSOURCE_COLOR, k[0], k[1])
                .line("caching client getSecretString", CACHING_COLOR, c[0], c[1])
                .marks("backend call (keysource refresh, in the background)", KEYSOURCE_COLOR, backendCalls("keysource"))
                .marks("backend call (caching client refresh, readers wait)", CACHING_COLOR,
                        backendCalls("caching-client"));
        Files.createDirectories(dir.resolve("results"));
        Files.writeString(dir.resolve("results").resolve("latency.svg"), chart.render(), StandardCharsets.UTF_8);
        if (cc.isEmpty() && ks.isEmpty()) {
            System.err.println("no latency figures under " + raw + "; the chart is empty");
        }
    }

    private static double last(double[] a) {
        return a.length == 0 ? 0 : a[a.length - 1];
    }

    private static double min(double[] a) {
        double m = Double.MAX_VALUE;
        for (double v : a) {
            if (v > 0) {
                m = Math.min(m, v);
            }
        }
        return m;
    }

    private static double max(double[] a) {
        double m = 0;
        for (double v : a) {
            m = Math.max(m, v);
        }
        return m;
    }

    // ---------------------------------------------------------------------------------------------
    // RESULTS.md

    String results() throws IOException {
        Map<String, String> env = props("env.properties");
        StringBuilder md = new StringBuilder();
        md.append("# keysource benchmark results\n\n");
        md.append("Written by `benchmarks/run.sh").append(env.containsKey("mode") && env.get("mode").equals("quick")
                ? " --quick" : "").append("` (").append(env.getOrDefault("mode", "?")).append(" mode) on ")
                .append(env.getOrDefault("date", "?")).append(". Every figure below comes from that one run; ")
                .append("see [README.md](README.md) for what each benchmark does.");
        if ("quick".equals(env.get("mode"))) {
            md.append(" Quick mode runs each benchmark briefly (one fork, short iterations): expect wide error "
                    + "bars; run `benchmarks/run.sh` without `--quick` for the full figures.");
        }
        md.append("\n\n## Machine\n\n| | |\n| --- | --- |\n");
        row(md, "CPU", env.getOrDefault("cpu", "?"));
        row(md, "cores", env.getOrDefault("cores", "?"));
        row(md, "memory", env.getOrDefault("memory", "?"));
        row(md, "OS", env.getOrDefault("os", "?"));
        row(md, "JVM", env.getOrDefault("jvm", "?"));
        row(md, "load average before / after the run", env.getOrDefault("loadBefore", "?") + " / "
                + env.getOrDefault("loadAfter", "?"));
        row(md, "command", "`" + env.getOrDefault("command", "?") + "`");
        row(md, "JMH options", "`" + env.getOrDefault("jmhOptions", "?") + "`");
        if (env.containsKey("note")) {
            md.append("\n").append(env.get("note")).append("\n");
        }

        hotReadSection(md);
        latencySection(md);
        stormSection(md);
        startupSection(md);
        memorySection(md);
        fleetSection(md);
        return md.toString();
    }

    /** The table FleetSimulation printed (docs/fleet.md quotes it), verbatim. */
    private void fleetSection(StringBuilder md) throws IOException {
        Path table = raw.resolve("fleet.md");
        if (!Files.isRegularFile(table)) {
            return;
        }
        md.append("\n## 6. Fleet: backend calls and logins per hour\n\nFrom `dev.keysource.benchmarks.FleetSimulation` "
                + "(keysource's cache on fake time against counting fakes; see docs/fleet.md):\n\n")
                .append(Files.readString(table, StandardCharsets.UTF_8).strip()).append("\n");
    }

    private void hotReadSection(StringBuilder md) throws IOException {
        Map<String, double[]> t1 = hotRead(1);
        Map<String, double[]> t2 = hotRead(2);
        md.append("\n## 1. Hot read (throughput, ops/µs, higher is better)\n\n");
        md.append("One cached secret read in a loop by 1 and by 2 JMH threads; score ± 99.9% error.\n\n");
        md.append("| read | 1 thread | 2 threads |\n| --- | ---: | ---: |\n");
        for (String b : HOT_READS) {
            md.append("| ").append(HOT_READ_NAMES.get(b)).append(" | ").append(score(t1.get(b))).append(" | ")
                    .append(score(t2.get(b))).append(" |\n");
        }
        double ks = value(t2.get("keysourceGet"));
        double cc = value(t2.get("cachingClientGetSecretString"));
        double floor = value(t2.get("caffeineGetIfPresent"));
        md.append("\nTargets at 2 threads:\n\n");
        md.append("- keysource ≥ 20× the caching client: ").append(ratio(ks, cc)).append(" — ")
                .append(verdict(ks / cc, 20, true)).append("\n");
        md.append("- keysource ≥ 0.5× the floor: ").append(ratio(ks, floor)).append(" — ")
                .append(verdict(ks / floor, 0.5, true)).append("\n");
        double kg = value(t2.get("keysGet"));
        if (!Double.isNaN(kg)) {
            md.append("- `Keys.get(ref)` ≥ 0.3× the floor: ").append(ratio(kg, floor)).append(" — ")
                    .append(verdict(kg / floor, 0.3, true)).append("\n");
        }
    }

    private void latencySection(StringBuilder md) {
        Map<String, String> ks = props("latency-keysource.properties");
        Map<String, String> cc = props("latency-caching-client.properties");
        Map<String, String> vr = props("latency-volatile-read.properties");
        md.append("\n## 2. Read latency through refreshes (µs)\n\n");
        if (ks.isEmpty() || cc.isEmpty()) {
            md.append("Not measured in this run.\n");
            return;
        }
        md.append(String.format(Locale.ROOT, "Backend: %s ms per call. TTL %s ms for both clients (keysource refreshes "
                        + "ahead at 80%% ± 10%% of it; the caching client refreshes on the first read after a random "
                        + "50–100%% of it). %s reader threads, each reading every %s µs for %s s after %s s of warm-up, "
                        + "every read recorded (HdrHistogram). *Service* = the `get()` call itself; *response* = what a "
                        + "perfectly paced caller would see: each read starts when due or when the previous one "
                        + "ends, whichever is later, and takes its measured service time, so reads queued behind "
                        + "a slow one count their wait (no coordinated omission).%n%n",
                ks.get("backendMs"), ks.get("ttlMs"), ks.get("readers"), ks.get("intervalUs"), ks.get("seconds"),
                ks.get("warmupSeconds")));
        md.append("| client | reads | backend calls | p50 | p99 | p99.9 | p99.99 | max |\n");
        md.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (Object[] r : new Object[][] {{"keysource", ks}, {"caching client", cc},
            {"noise floor: a volatile read, no backend", vr}}) {
            @SuppressWarnings("unchecked")
            Map<String, String> p = (Map<String, String>) r[1];
            if (p.isEmpty()) {
                continue;
            }
            for (String kind : new String[] {"service", "response"}) {
                md.append("| ").append(r[0]).append(" (").append(kind).append(") | ").append(p.get("reads"))
                        .append(" | ").append(p.get("backendCalls"));
                for (String q : new String[] {"p50", "p99", "p99.9", "p99.99", "max"}) {
                    md.append(" | ").append(p.get(kind + "." + q));
                }
                md.append(" |\n");
            }
        }
        md.append("\nWhat the readers waited on during the measured window (JVM thread contention monitoring):\n\n");
        md.append("| client | refreshes (backend calls) | reads slower than 1 ms | times a reader blocked on a lock "
                + "| total time readers spent blocked (ms) |\n| --- | ---: | ---: | ---: | ---: |\n");
        md.append("| keysource | ").append(ks.get("backendCalls")).append(" | ").append(ks.get("slowReadsOver1ms"))
                .append(" | ").append(ks.get("readersBlockedCount")).append(" | ").append(ks.get("readersBlockedMs"))
                .append(" |\n");
        md.append("| caching client | ").append(cc.get("backendCalls")).append(" | ").append(cc.get("slowReadsOver1ms"))
                .append(" | ").append(cc.get("readersBlockedCount")).append(" | ").append(cc.get("readersBlockedMs"))
                .append(" |\n");
        if (!vr.isEmpty()) {
            md.append("| noise floor | — | ").append(vr.get("slowReadsOver1ms")).append(" | ")
                    .append(vr.get("readersBlockedCount")).append(" | ").append(vr.get("readersBlockedMs")).append(" |\n");
        }
        double p999 = Double.parseDouble(ks.get("service.p99.9"));
        double p999r = Double.parseDouble(ks.get("response.p99.9"));
        md.append(String.format(Locale.ROOT, "%nTarget: keysource p99.9 ≤ 50 µs while refreshes run: service %s µs — %s;"
                        + " response %s µs — %s.%n", ks.get("service.p99.9"), verdict(p999, 50, false),
                ks.get("response.p99.9"), verdict(p999r, 50, false)));
        if (!vr.isEmpty() && (p999 > 50 || p999r > 50)) {
            md.append(String.format(Locale.ROOT, "The noise floor's p99.9 in this run was %s µs (service) and %s µs "
                            + "(response): a read that does nothing but a volatile load was delayed as much, so the "
                            + "miss is the machine (load average above), not the read path. Run on a quiet machine.%n",
                    vr.get("service.p99.9"), vr.get("response.p99.9")));
        }
        md.append("\n![read latency over time](results/latency.svg)\n");
    }

    private void stormSection(StringBuilder md) {
        Map<String, String> s = props("storm.properties");
        md.append("\n## 3. 401 storm (backend calls per storm)\n\n");
        if (s.isEmpty()) {
            md.append("Not measured in this run.\n");
            return;
        }
        md.append(String.format(Locale.ROOT, "%s threads that all got a 401 with the same key report it at once and read "
                        + "the key again; the backend takes %s ms per call and answers a new value each time; %s rounds."
                        + "%n%n", s.get("threads"), s.get("backendMs"), s.get("rounds")));
        md.append("| client | what each thread calls | backend calls min / median / max | time until every thread "
                + "has a fresh value, median / max (ms) |\n| --- | --- | ---: | ---: |\n");
        String[][] rows = {
            {"keysource", "keysource", "`reject(value)` then `get()`"},
            {"caffeine", "Caffeine `LoadingCache`", "`invalidate(id)` then `get(id)`"},
            {"caching-client", "caching client", "`refreshNow(id)` then `getSecretString(id)`"},
        };
        for (String[] r : rows) {
            md.append("| ").append(r[1]).append(" | ").append(r[2]).append(" | ").append(s.get(r[0] + ".min"))
                    .append(" / ").append(s.get(r[0] + ".median")).append(" / ").append(s.get(r[0] + ".max"))
                    .append(" | ").append(s.get(r[0] + ".stormMs.median")).append(" / ")
                    .append(s.get(r[0] + ".stormMs.max")).append(" |\n");
        }
        boolean exactlyOne = "1".equals(s.get("keysource.min")) && "1".equals(s.get("keysource.max"));
        md.append("\nTarget: exactly 1 backend call for keysource vs up to ").append(s.get("threads"))
                .append(" for a plain invalidate: keysource ").append(s.get("keysource.min")).append("–")
                .append(s.get("keysource.max")).append(", Caffeine ").append(s.get("caffeine.min")).append("–")
                .append(s.get("caffeine.max")).append(" — ").append(exactlyOne ? "**met**" : "**missed**").append(".\n");
    }

    private void startupSection(StringBuilder md) throws IOException {
        md.append("\n## 4. CLI start-to-key\n\n");
        Map<String, String> env = props("env.properties");
        Path txt = raw.resolve("startup.txt");
        String printed = Files.isRegularFile(txt) ? Files.readString(txt, StandardCharsets.UTF_8).strip() : "";
        if (!printed.isEmpty()) {
            md.append("From `").append(env.getOrDefault("startupScript", "benchmarks/startup/run.sh"))
                    .append("` (the CLI's start-up benchmarks), as printed:\n\n```text\n").append(printed)
                    .append("\n```\n");
        }
        if ("true".equals(env.get("startupFailed"))) {
            md.append("\n**The start-up script failed in this run**; its stderr is in `results/raw/startup.log`.\n");
        }
        List<String> missing = new ArrayList<>();
        Map<String, String> ratios = startupRatios();
        String[][] rows = {{"script", "script", "≤ 2×"}, {"vault", "vault (loopback fake)", "≤ 3×"},
            {"aws-sm", "aws-sm (loopback fake)", "≤ 5×"}};
        for (String[] r : rows) {
            if (!ratios.containsKey(r[0])) {
                missing.add("| " + r[1] + " | **not yet measured** | — | " + r[2] + " |");
            }
        }
        if (!missing.isEmpty()) {
            md.append(printed.isEmpty() ? "" : "\nNot covered by that script yet:\n\n");
            md.append("| backend | median start-to-key | ratio to a trivial Java main | target |\n");
            md.append("| --- | ---: | ---: | ---: |\n");
            missing.forEach(l -> md.append(l).append("\n"));
            if (printed.isEmpty()) {
                md.append("\nNot yet measured: `benchmarks/startup/run.sh` (the CLI start-up benchmark) did not exist or "
                        + "printed nothing in this run; `run.sh` runs it and puts its figures here once it does.\n");
            }
        }
        // the analysis of where the time goes is written by hand (profiles are not a run.sh step): kept with it
        Path profile = dir.resolve("startup").resolve("PROFILE.md");
        if (Files.isRegularFile(profile)) {
            md.append('\n').append(Files.readString(profile, StandardCharsets.UTF_8).strip()).append('\n');
        }
    }

    private void memorySection(StringBuilder md) {
        md.append("\n## 5. Memory: heap retained per cached key\n\n");
        String[][] rows = {
            {"map", "floor: the values in a `ConcurrentHashMap`"},
            {"keysource", "keysource, one `Keys` client, a `CachedKey` handle per secret"},
            {"keysource-standalone", "keysource, one `CachedKey` built alone per secret, shared executor and scheduler"},
            {"keysource-default", "keysource, one `CachedKey` per secret, default executor and scheduler"},
            {"caching-client", "caching client, one `SecretCache` holding every secret"},
        };
        List<String> lines = new ArrayList<>();
        for (String[] r : rows) {
            Map<String, String> m = props("memory-" + r[0] + ".properties");
            if (m.isEmpty()) {
                continue;
            }
            lines.add("| " + r[1] + " | " + m.get("keys") + " | " + m.get("heapBytesPerKey") + " | "
                    + m.get("threadsAdded") + " | " + m.get("rssBytesPerKey") + " |");
        }
        if (lines.isEmpty()) {
            md.append("Not measured in this run.\n");
            return;
        }
        md.append("Each secret read once and held, in a JVM of its own (`-XX:+UseSerialGC`, heap in use after full "
                + "GCs, minus a warm-up baseline, divided by the keys). Each value is a distinct 44-character string, "
                + "counted in every row.\n\n");
        md.append("| what | keys | heap bytes per key | threads added | resident (RSS) bytes per key |\n");
        md.append("| --- | ---: | ---: | ---: | ---: |\n");
        lines.forEach(l -> md.append(l).append("\n"));
        Map<String, String> ks = props("memory-keysource.properties");
        Map<String, String> cc = props("memory-caching-client.properties");
        if (!ks.isEmpty() && !cc.isEmpty()) {
            double k = Double.parseDouble(ks.get("heapBytesPerKey"));
            double c = Double.parseDouble(cc.get("heapBytesPerKey"));
            md.append(String.format(Locale.ROOT, "%nkeysource holds %.1f× the caching client's heap per key.%n", k / c));
        }
        if (!ks.isEmpty()) {
            double k = Double.parseDouble(ks.get("heapBytesPerKey"));
            md.append(String.format(Locale.ROOT, "%nTarget: keysource ≤ 1,000 bytes of heap per key through one client:"
                    + " %.0f — %s%n", k, verdict(k, 1000, false)));
        }
    }

    // ---------------------------------------------------------------------------------------------
    // README headline

    void updateReadme() throws IOException {
        Path readme = dir.resolve("README.md");
        if (!Files.isRegularFile(readme)) {
            return;
        }
        String text = Files.readString(readme, StandardCharsets.UTF_8);
        int a = text.indexOf(HEADLINE_START);
        int b = text.indexOf(HEADLINE_END);
        if (a < 0 || b < a) {
            return;
        }
        String updated = text.substring(0, a + HEADLINE_START.length()) + "\n" + headline() + text.substring(b);
        Files.writeString(readme, updated, StandardCharsets.UTF_8);
    }

    String headline() throws IOException {
        Map<String, String> env = props("env.properties");
        Map<String, double[]> t2 = hotRead(2);
        Map<String, String> ks = props("latency-keysource.properties");
        Map<String, String> cc = props("latency-caching-client.properties");
        Map<String, String> storm = props("storm.properties");
        Map<String, String> mk = props("memory-keysource.properties");
        Map<String, String> mc = props("memory-caching-client.properties");
        StringBuilder h = new StringBuilder();
        h.append("From the last `run.sh` (").append(env.getOrDefault("mode", "?")).append(" mode, ")
                .append(env.getOrDefault("date", "?")).append(", ").append(env.getOrDefault("cores", "?"))
                .append(" cores; all figures in [RESULTS.md](RESULTS.md)):\n\n");
        h.append("| | keysource | caching client 2.2.0 | target |\n| --- | ---: | ---: | --- |\n");
        double k = value(t2.get("keysourceGet"));
        double c = value(t2.get("cachingClientGetSecretString"));
        double f = value(t2.get("caffeineGetIfPresent"));
        h.append(String.format(Locale.ROOT, "| hot read, 2 threads (ops/µs) | %s (%s of the floor) | %s | ≥ 20× the "
                + "caching client (%s), ≥ 0.5× the floor |%n", num(k), ratio(k, f), num(c), ratio(k, c)));
        h.append(String.format(Locale.ROOT, "| read latency during refreshes, p99.9 / max (µs, response time) | %s / %s | "
                        + "%s / %s | p99.9 ≤ 50 µs |%n", ks.getOrDefault("response.p99.9", "—"),
                ks.getOrDefault("response.max", "—"), cc.getOrDefault("response.p99.9", "—"),
                cc.getOrDefault("response.max", "—")));
        h.append(String.format(Locale.ROOT, "| backend calls after 64 threads reject one key | %s | %s (plain Caffeine "
                        + "invalidate: up to %s) | exactly 1 |%n", storm.getOrDefault("keysource.max", "—"),
                storm.getOrDefault("caching-client.max", "—"), storm.getOrDefault("caffeine.max", "—")));
        Map<String, String> ratios = startupRatios();
        h.append(String.format(Locale.ROOT, "| CLI start-to-key vs a trivial Java main: script / Vault / AWS | %s / %s / %s "
                        + "| — | ≤ 2× / 3× / 5× |%n", ratios.getOrDefault("script", "not measured"),
                ratios.getOrDefault("vault", "not measured"), ratios.getOrDefault("aws-sm", "not measured")));
        h.append(String.format(Locale.ROOT, "| heap per cached key (bytes) | %s | %s | — |%n",
                mk.getOrDefault("heapBytesPerKey", "—"), mc.getOrDefault("heapBytesPerKey", "—")));
        h.append("\n![read latency over time](results/latency.svg)\n");
        return h.toString();
    }

    /**
     * The start-to-key ratios the start-up scripts printed, by backend ({@code script}, {@code vault},
     * {@code aws-sm}), such as {@code 2.87×}; backends they did not measure are absent.
     */
    Map<String, String> startupRatios() throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        Path txt = raw.resolve("startup.txt");
        if (!Files.isRegularFile(txt)) {
            return out;
        }
        String text = Files.readString(txt, StandardCharsets.UTF_8);
        java.util.regex.Matcher script = java.util.regex.Pattern
                .compile("ratio \\./keysource get / trivial main: ([0-9.]+)x").matcher(text);
        if (script.find()) {
            out.put("script", script.group(1) + "×");
        }
        for (String backend : new String[] {"vault", "aws-sm"}) {
            java.util.regex.Matcher m = java.util.regex.Pattern
                    .compile("(?m)^\\./keysource get " + backend + ":\\S*\\s+[0-9.]+ ms\\s+([0-9.]+)x").matcher(text);
            if (m.find()) {
                out.put(backend, m.group(1) + "×");
            }
        }
        return out;
    }

    // ---------------------------------------------------------------------------------------------

    private static void row(StringBuilder md, String name, String value) {
        md.append("| ").append(name).append(" | ").append(value.replace("|", "\\|")).append(" |\n");
    }

    private static double value(double[] scoreAndError) {
        return scoreAndError == null ? Double.NaN : scoreAndError[0];
    }

    private static String score(double[] s) {
        if (s == null) {
            return "—";
        }
        return num(s[0]) + " ± " + num(s[1]);
    }

    static String num(double v) {
        if (Double.isNaN(v)) {
            return "—";
        }
        if (v >= 100) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        if (v >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        return String.format(Locale.ROOT, "%.2f", v);
    }

    static String ratio(double a, double b) {
        if (Double.isNaN(a) || Double.isNaN(b) || b == 0) {
            return "—";
        }
        double r = a / b;
        return r >= 10 ? String.format(Locale.ROOT, "%.0f×", r) : String.format(Locale.ROOT, "%.2f×", r);
    }

    /** "**met**" or "**missed** by N%" for a figure against a target (at least, or at most). */
    static String verdict(double figure, double target, boolean atLeast) {
        if (Double.isNaN(figure)) {
            return "not measured";
        }
        boolean met = atLeast ? figure >= target : figure <= target;
        if (met) {
            return "**met**";
        }
        double by = atLeast ? (target - figure) / target : (figure - target) / target;
        return String.format(Locale.ROOT, "**missed** by %.0f%%", by * 100);
    }
}
