package dev.keysource.script.internal;

import dev.keysource.SourceInterruptedException;
import dev.keysource.SourceMisconfiguredException;
import dev.keysource.SourceUnavailableException;
import dev.keysource.script.ScriptSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of a helper: starts it with its stdin closed, drains stdout (bounded; too much stops it) and
 * stderr (kept in part, always drained) on executor threads, enforces the time limit by killing the
 * whole process tree, and stops waiting on pipes that a left-behind process holds.
 */
final class HelperRun {

    private static final Logger LOG = LoggerFactory.getLogger("dev.keysource.script");

    /** How much stderr is kept for the message (the message quotes at most 500 characters of it). */
    static final int STDERR_KEEP = 16 * 1024;

    /** How long to wait for the pipes of a helper killed at its time limit: 100 ms. */
    static final Duration KILLED_GRACE = Duration.ofMillis(100);

    /** What happened. */
    static final class Result {
        int exitCode = -1;
        boolean timedOut;
        boolean overflow;
        int killed;
        List<Long> leftovers = List.of();
        boolean abandoned;
        byte[] stdout = new byte[0];
        byte[] stderr = new byte[0];
    }

    private HelperRun() {
    }

    static Result run(String reference, List<String> command, Map<String, String> environment, Optional<Path> dir,
                      int maxOutput, Duration limit, Duration grace) {
        String runId = Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE);
        ProcessBuilder pb = new ProcessBuilder(inOwnSession(command, environment, dir));
        Map<String, String> env = pb.environment();
        env.clear();
        env.putAll(environment);
        env.put(ProcessTree.MARKER, runId);
        dir.ifPresent(d -> pb.directory(d.toFile()));
        long start = System.nanoTime();
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw startFailure(reference, command, dir, e);
        }
        try {
            p.getOutputStream().close(); // stdin: closed at once, so a helper that reads it sees EOF
        } catch (IOException e) {
            // already gone
        }
        Set<String> pipes = ProcessTree.pipesOf(p.pid());
        // through setsid the helper leads its own session, whose id is its pid (read now, /proc might not show
        // it yet: setsid runs first)
        long session = pb.command().get(0).equals(ProcessTree.SETSID.orElse(null)) ? p.pid() : -1;
        Runnable kill = HelperIo.started(() -> {
            ProcessTree.killTree(p);
            ProcessTree.killLeftovers(runId, pipes, p.pid(), session, true);
        });
        try {
            return await(reference, p, runId, pipes, session, maxOutput, limit, grace, start);
        } finally {
            HelperIo.finished(kill);
        }
    }

    /**
     * The command run through {@code setsid} where there is one, so that the helper leads a session of its
     * own and everything it starts can be found and killed after it exits (see {@link ProcessTree}). A
     * program that cannot be found is started without it, so that the failure to start is reported as such.
     */
    static List<String> inOwnSession(List<String> command, Map<String, String> environment, Optional<Path> dir) {
        if (ProcessTree.SETSID.isEmpty() || !findable(command.get(0), environment, dir)) {
            return command;
        }
        List<String> c = new java.util.ArrayList<>(command.size() + 1);
        c.add(ProcessTree.SETSID.get());
        c.addAll(command);
        return c;
    }

    private static boolean findable(String program, Map<String, String> environment, Optional<Path> dir) {
        if (program.indexOf('/') >= 0) {
            Path p = Path.of(program);
            if (!p.isAbsolute() && dir.isPresent()) {
                p = dir.get().resolve(p);
            }
            return java.nio.file.Files.isRegularFile(p) && java.nio.file.Files.isExecutable(p);
        }
        String path = environment.getOrDefault("PATH", "");
        for (String d : path.split(":", -1)) {
            Path p = Path.of(d.isEmpty() ? "." : d).resolve(program);
            if (java.nio.file.Files.isRegularFile(p) && java.nio.file.Files.isExecutable(p)) {
                return true;
            }
        }
        return false;
    }

    private static Result await(String reference, Process p, String runId, Set<String> pipes, long session,
                                int maxOutput, Duration limit, Duration grace, long start) {
        Result r = new Result();
        Drain out = new Drain(p.getInputStream(), maxOutput, true, () -> ProcessTree.killTree(p));
        Drain err = new Drain(p.getErrorStream(), STDERR_KEEP, false, () -> { });
        try {
            HelperIo.executor().execute(out);
            HelperIo.executor().execute(err);
        } catch (RejectedExecutionException e) {
            ProcessTree.killTree(p);
            ProcessTree.killLeftovers(runId, pipes, p.pid(), session, true);
            throw new SourceUnavailableException(reference, "cannot read the helper's output: no "
                    + "thread to read it on", e);
        }
        LOG.debug("keysource: started helper for {} (pid {})", reference, p.pid());
        try {
            // the limit counts from before the start: starting a process on a loaded machine takes time too
            if (!p.waitFor(Math.max(0, limit.toNanos() - (System.nanoTime() - start)), TimeUnit.NANOSECONDS)) {
                r.timedOut = !out.overflowed();
                java.util.Set<Long> tree = new java.util.HashSet<>();
                p.descendants().forEach(d -> tree.add(d.pid()));
                r.killed = ProcessTree.killTree(p);
                List<Long> left = new java.util.ArrayList<>(ProcessTree.killLeftovers(runId, pipes, p.pid(), session,
                        false));
                left.removeAll(tree); // killed with the tree, still exiting: count them once
                r.leftovers = left;
                // everything is killed: the pipes close as the processes die; a short wait keeps the time limit
                Duration killedGrace = KILLED_GRACE.compareTo(grace) < 0 ? KILLED_GRACE : grace;
                if (!awaitBoth(out, err, killedGrace)) {
                    ProcessTree.killLeftovers(runId, pipes, p.pid(), session, true);
                    r.abandoned = !awaitBoth(out, err, killedGrace);
                }
            } else {
                // the helper is gone; anything it started that still holds its stdout or stderr goes too
                r.leftovers = ProcessTree.killLeftovers(runId, pipes, p.pid(), session, false);
                if (!awaitBoth(out, err, grace)) {
                    // started meanwhile, or holding a pipe without the marker
                    List<Long> more = ProcessTree.killLeftovers(runId, pipes, p.pid(), session, true);
                    if (!more.isEmpty()) {
                        List<Long> all = new java.util.ArrayList<>(r.leftovers);
                        all.addAll(more);
                        r.leftovers = all;
                    }
                    r.abandoned = !awaitBoth(out, err, grace);
                }
            }
        } catch (InterruptedException e) {
            ProcessTree.killTree(p);
            ProcessTree.killLeftovers(runId, pipes, p.pid(), session, true);
            Thread.currentThread().interrupt();
            throw new SourceInterruptedException(reference, "interrupted while the helper was running; "
                    + "the helper and its child processes were killed", e);
        }
        r.overflow = out.overflowed();
        r.exitCode = p.isAlive() ? -1 : p.exitValue();
        r.stdout = out.bytes();
        r.stderr = err.bytes();
        if (!r.leftovers.isEmpty()) {
            LOG.warn("keysource: the helper for {} left {} background process(es) (pid {}) holding its output open; "
                    + "killed them. Redirect the output of background commands in the helper (cmd >/dev/null 2>&1 &)",
                    reference, r.leftovers.size(), r.leftovers);
        }
        if (r.abandoned) {
            LOG.warn("keysource: stopped waiting for the output of the helper for {}: a process it started still holds "
                    + "stdout or stderr open after it exited", reference);
        }
        return r;
    }

    private static boolean awaitBoth(Drain out, Drain err, Duration grace) throws InterruptedException {
        long deadline = System.nanoTime() + grace.toNanos();
        if (!out.await(Math.max(0, deadline - System.nanoTime()))) {
            return false;
        }
        return err.await(Math.max(0, deadline - System.nanoTime()));
    }

    private static RuntimeException startFailure(String reference, List<String> command, Optional<Path> dir,
                                                 IOException e) {
        if (dir.isPresent() && !dir.get().toFile().isDirectory()) {
            return new SourceMisconfiguredException(reference, "cannot start the helper: the working "
                    + "directory " + dir.get() + " (setting '" + ScriptSettings.WORKING_DIR + "') is not a directory");
        }
        String program = command.get(0);
        return new SourceMisconfiguredException(reference, "cannot start the helper program '" + program
                + "': " + reason(e) + "; check that it exists and is executable"
                + (program.indexOf('/') < 0 ? " and on the PATH" : ""), e);
    }

    private static String reason(IOException e) {
        String m = e.getMessage();
        if (m == null) {
            return e.getClass().getSimpleName();
        }
        int i = m.indexOf("error=");
        return i >= 0 ? m.substring(i) : m;
    }
}
