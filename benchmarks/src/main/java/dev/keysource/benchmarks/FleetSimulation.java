package dev.keysource.benchmarks;

import dev.keysource.CachedKey;
import dev.keysource.KeyRef;
import dev.keysource.Secret;
import dev.keysource.spi.KeySource;
import dev.keysource.testkit.FakeTime;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Backend calls and logins per hour for N processes on M nodes, in the three fleet set-ups of
 * docs/fleet.md, measured by driving keysource's real cache (one {@link CachedKey} per process, default
 * refresh-ahead and jitter) on fake time against counting fakes:
 *
 * <ul>
 *   <li><b>direct</b>: each process logs in to the backend itself (a token of {@code --token-ttl}) and
 *       fetches through its own cache;</li>
 *   <li><b>agent</b>: one node-local agent per node (the AWS Secrets Manager Agent, Vault Proxy) holds the
 *       login and a cache of {@code --agent-ttl}; processes fetch from it;</li>
 *   <li><b>files</b>: one writer per node (Vault Agent template, CSI driver) renders the secret to a file
 *       every {@code --render-interval}; processes read the file through the cache.</li>
 * </ul>
 *
 * Processes start at random points of the first TTL; the first {@code --warmup} (1 h) is not counted.
 */
public final class FleetSimulation {

    private FleetSimulation() {
    }

    /** What a backend (or a node-local read) saw. */
    static final class Counts {
        long calls;
        long logins;
        long localReads;
    }

    /** A login with a token lifetime: a call after the token expired logs in again first. */
    static final class Session {
        private final FakeTime time;
        private final Duration tokenTtl;
        private final Counts backend;
        private Instant expiry;

        Session(FakeTime time, Duration tokenTtl, Counts backend) {
            this.time = time;
            this.tokenTtl = tokenTtl;
            this.backend = backend;
        }

        void call() {
            Instant now = time.now();
            if (expiry == null || !now.isBefore(expiry)) {
                backend.logins++;
                expiry = now.plus(tokenTtl);
            }
            backend.calls++;
        }
    }

    /** A node-local agent: its own login and a cache of one secret for {@code ttl}. */
    static final class Agent {
        private final FakeTime time;
        private final Session session;
        private final Duration ttl;
        private Instant cachedUntil;

        Agent(FakeTime time, Session session, Duration ttl) {
            this.time = time;
            this.session = session;
            this.ttl = ttl;
        }

        void get() {
            Instant now = time.now();
            if (cachedUntil == null || !now.isBefore(cachedUntil)) {
                session.call();
                cachedUntil = now.plus(ttl);
            }
        }
    }

    static final class Source implements KeySource {
        private final KeyRef ref = KeyRef.parse("sim:secret");
        private final Runnable fetch;

        Source(Runnable fetch) {
            this.fetch = fetch;
        }

        @Override
        public KeyRef ref() {
            return ref;
        }

        @Override
        public Secret fetch() {
            fetch.run();
            return Secret.of("sk-simulated");
        }
    }

    /** One set-up's figures per hour. */
    static final class Result {
        final String setup;
        final int processes;
        final int nodes;
        final double callsPerHour;
        final double loginsPerHour;
        final double localReadsPerHour;

        Result(String setup, int processes, int nodes, Counts c, double hours) {
            this.setup = setup;
            this.processes = processes;
            this.nodes = nodes;
            this.callsPerHour = c.calls / hours;
            this.loginsPerHour = c.logins / hours;
            this.localReadsPerHour = c.localReads / hours;
        }

        String row() {
            return String.format("| %s | %,d | %,d | %,.0f | %,.0f | %,.0f |", setup, processes, nodes, callsPerHour,
                    loginsPerHour, localReadsPerHour);
        }
    }

    static final class Config {
        int processes = 1000;
        int nodes = 50;
        Duration ttl = Duration.ofMinutes(5);
        Duration agentTtl = Duration.ofMinutes(5);
        Duration renderInterval = Duration.ofMinutes(5);
        Duration tokenTtl = Duration.ofHours(1);
        Duration warmup = Duration.ofHours(1);
        Duration measured = Duration.ofHours(1);
    }

    static List<Result> run(Config cfg) {
        List<Result> out = new ArrayList<>();
        out.add(direct(cfg));
        out.add(agent(cfg));
        out.add(files(cfg));
        return out;
    }

    /** Every process has its own login and fetches from the backend. */
    static Result direct(Config cfg) {
        FakeTime time = new FakeTime();
        Counts backend = new Counts();
        return simulate(cfg, "direct", time, backend, i -> new Session(time, cfg.tokenTtl, backend)::call);
    }

    /** One agent per node; processes fetch from the agent of their node. */
    static Result agent(Config cfg) {
        FakeTime time = new FakeTime();
        Counts backend = new Counts();
        List<Agent> agents = new ArrayList<>();
        for (int n = 0; n < cfg.nodes; n++) {
            agents.add(new Agent(time, new Session(time, cfg.tokenTtl, backend), cfg.agentTtl));
        }
        return simulate(cfg, "node agent", time, backend, i -> {
            Agent a = agents.get(i % cfg.nodes);
            return () -> {
                backend.localReads++;
                a.get();
            };
        });
    }

    /** One writer per node renders the file every render interval; processes read the file. */
    static Result files(Config cfg) {
        FakeTime time = new FakeTime();
        Counts backend = new Counts();
        for (int n = 0; n < cfg.nodes; n++) {
            Session s = new Session(time, cfg.tokenTtl, backend);
            long offset = ThreadLocalRandom.current().nextLong(cfg.renderInterval.toNanos());
            s.call(); // the first render, at start-up
            ScheduledFuture<?> unused = time.scheduler().scheduleAtFixedRate(s::call, offset, cfg.renderInterval.toNanos(), TimeUnit.NANOSECONDS);
        }
        return simulate(cfg, "files", time, backend, i -> () -> backend.localReads++);
    }

    interface PerProcess {
        Runnable fetch(int process);
    }

    private static Result simulate(Config cfg, String name, FakeTime time, Counts c, PerProcess perProcess) {
        List<CachedKey> keys = new ArrayList<>(cfg.processes);
        // processes start at random points of the first TTL, as a fleet's do
        long[] starts = new long[cfg.processes];
        for (int i = 0; i < cfg.processes; i++) {
            starts[i] = ThreadLocalRandom.current().nextLong(cfg.ttl.toNanos());
        }
        java.util.Arrays.sort(starts);
        long at = 0;
        for (int i = 0; i < cfg.processes; i++) {
            time.advance(Duration.ofNanos(starts[i] - at));
            at = starts[i];
            CachedKey k = CachedKey.builder(new Source(perProcess.fetch(i))).ttl(cfg.ttl).ticker(time.ticker())
                    .clock(time.clock()).scheduler(time.scheduler()).executor(Runnable::run)
                    .environment(Map.of()).systemProperties(Map.of()).build();
            k.get();
            keys.add(k);
        }
        time.advance(cfg.warmup.minus(Duration.ofNanos(at)));
        long calls0 = c.calls;
        long logins0 = c.logins;
        long reads0 = c.localReads;
        time.advance(cfg.measured);
        Counts measured = new Counts();
        measured.calls = c.calls - calls0;
        measured.logins = c.logins - logins0;
        measured.localReads = c.localReads - reads0;
        for (CachedKey k : keys) {
            k.close();
        }
        double hours = cfg.measured.toNanos() / (double) Duration.ofHours(1).toNanos();
        return new Result(name, cfg.processes, cfg.nodes, measured, hours);
    }

    public static void main(String[] argv) {
        Args args = new Args(argv);
        Path out = args.path("out", "results/raw");
        String fleets = args.string("fleets", "100x10,1000x50,10000x500");
        Results res = new Results();
        System.out.println("| set-up | processes (N) | nodes (M) | backend calls / h | logins / h | node-local reads / h |");
        System.out.println("| --- | ---: | ---: | ---: | ---: | ---: |");
        for (String f : fleets.split(",", -1)) {
            Config cfg = new Config();
            cfg.processes = Integer.parseInt(f.substring(0, f.indexOf('x')));
            cfg.nodes = Integer.parseInt(f.substring(f.indexOf('x') + 1));
            for (Result r : run(cfg)) {
                System.out.println(r.row());
                String key = r.setup.replace(' ', '-') + "." + cfg.processes + "x" + cfg.nodes;
                res.put(key + ".callsPerHour", Math.round(r.callsPerHour));
                res.put(key + ".loginsPerHour", Math.round(r.loginsPerHour));
                res.put(key + ".localReadsPerHour", Math.round(r.localReadsPerHour));
            }
        }
        System.out.println("(TTL 5 min with keysource's defaults: refresh at 80% ± 10% jitter; agent cache 5 min; "
                + "file render interval 5 min; token TTL 1 h; measured over the second simulated hour)");
        res.write(out.resolve("fleet.properties"));
    }
}
