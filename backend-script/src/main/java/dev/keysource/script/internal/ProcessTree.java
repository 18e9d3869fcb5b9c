package dev.keysource.script.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Kills a helper's process tree, and finds the processes a helper left behind that still hold its
 * pipes.
 *
 * <p>{@link ProcessHandle#descendants()} sees only processes whose parent chain still leads to the
 * helper; a background process whose parent exited has been re-parented and is invisible to it. Every
 * helper therefore runs with a marker variable ({@link #MARKER}, a random id per run, not a secret) in
 * its environment, which its descendants inherit; on Linux the leftovers are found through
 * {@code /proc}: processes of this user carrying the marker that hold a pipe this JVM also holds (so a
 * properly daemonised agent the helper started, which closed its stdio, is left alone). Elsewhere only
 * {@code descendants()} is used.
 */
final class ProcessTree {

    /** The environment variable that marks a helper's processes. */
    static final String MARKER = "KEYSOURCE_SCRIPT_RUN";

    private static final Path PROC = Path.of("/proc");

    /**
     * util-linux {@code setsid}, where there is one (Linux): each helper starts a session of its own, so
     * every process it starts can be found by its session id after it exits, even one that cleared its
     * environment ({@code env -i}) or closed its stdio. Elsewhere helpers run in the JVM's session.
     */
    static final java.util.Optional<String> SETSID = Files.isDirectory(PROC)
            ? java.util.stream.Stream.of("/usr/bin/setsid", "/bin/setsid").filter(f -> Files.isExecutable(Path.of(f)))
                    .findFirst()
            : java.util.Optional.empty();

    private ProcessTree() {
    }

    /** The session id of a process, from {@code /proc/<pid>/stat}; -1 when it is gone or unreadable. */
    private static long session(Path procDir) {
        try {
            String stat = new String(Files.readAllBytes(procDir.resolve("stat")), StandardCharsets.US_ASCII);
            // pid (comm) state ppid pgrp session ...; comm may hold spaces and parentheses
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ", -1);
            return Long.parseLong(f[3]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Kills the process and every descendant it has now; returns how many descendants were killed. */
    static int killTree(Process p) {
        List<ProcessHandle> tree = p.descendants().collect(Collectors.toList());
        p.destroyForcibly();
        for (ProcessHandle h : tree) {
            h.destroyForcibly();
        }
        // anything forked while we were killing (each process counted once: the ones just killed may
        // still be listed as descendants of their parents while they exit)
        Set<Long> killed = new HashSet<>();
        tree.forEach(h -> killed.add(h.pid()));
        for (ProcessHandle h : tree) {
            for (ProcessHandle late : h.descendants().collect(Collectors.toList())) {
                if (killed.add(late.pid())) {
                    late.destroyForcibly();
                }
            }
        }
        return killed.size();
    }

    /**
     * The pipes a process holds ({@code pipe:[inode]}), read from {@code /proc}; empty where there is no
     * {@code /proc} or the process is gone. Read right after a helper starts: its stdout and stderr.
     */
    static Set<String> pipesOf(long pid) {
        return Files.isDirectory(PROC) ? pipes(PROC.resolve(Long.toString(pid))) : Set.of();
    }

    /**
     * Kills what a helper left behind: the processes that carry {@code runId} as their marker and hold
     * one of {@code helperPipes} (read when the helper started) or of the pipes this JVM still holds, or,
     * when neither is known, any pipe on their stdout or stderr. Linux only (through {@code /proc});
     * returns their pids, empty elsewhere or when none.
     *
     * <p>Called after every run, so it must be cheap: a process the helper started has a higher pid than
     * the helper, so only the pids from {@code helperPid} to the last one allocated
     * ({@code /proc/loadavg}) are looked at, usually a handful; all of {@code /proc} only when the pid
     * counter wrapped or too many processes started meanwhile. (The JDK closes the JVM's end of a pipe
     * when the helper exits while no thread is blocked reading it, so a drain reaching the end of its
     * stream proves nothing about left-behind holders.)
     */
    static List<Long> killLeftovers(String runId, Set<String> helperPipes, long helperPid) {
        return killLeftovers(runId, helperPipes, helperPid, -1, false);
    }

    /**
     * As {@link #killLeftovers(String, Set, long)}, and also every process still in the helper's own
     * {@code session} (when it leads one: started through {@link #SETSID}, its id is the helper's pid) and every process that holds one of
     * {@code helperPipes}, with or without the marker: only the helper's descendants can hold those. A
     * process that left the session ({@code setsid}, a daemon that detaches) and holds none of its pipes
     * is left alone. The pipe holders without the marker are looked for only when {@code deep} (it lists the
     * descriptors of every process of this user started since the helper): after a first sweep left a pipe open.
     */
    static List<Long> killLeftovers(String runId, Set<String> helperPipes, long helperPid, long session, boolean deep) {
        if (!Files.isDirectory(PROC.resolve("self/fd"))) {
            return List.of();
        }
        Set<String> ours = pipes(PROC.resolve("self"));
        ours.addAll(helperPipes);
        // the JVM's own stdio may be pipes from its parent (a CLI run by a tool): a process holding those is
        // not ours to judge; any other pipe on a marked process's stdout/stderr is a helper's left-behind pipe
        Set<String> inherited = new HashSet<>();
        for (String fd : new String[] {"0", "1", "2"}) {
            link(PROC.resolve("self/fd/" + fd)).ifPresent(inherited::add);
        }
        Set<String> runPipes = new HashSet<>(deep ? helperPipes : Set.of());
        runPipes.removeAll(inherited);
        Sweep sweep = new Sweep(needle(runId), ours, inherited, runPipes, session);
        long self = ProcessHandle.current().pid();
        List<Long> killed = new ArrayList<>();
        long last = lastPid();
        if (last >= helperPid && last - helperPid <= PID_RANGE_LIMIT) {
            for (long pid = helperPid + 1; pid <= last; pid++) {
                Path dir = PROC.resolve(Long.toString(pid));
                if (pid != self && Files.isDirectory(dir)) {
                    sweep.killIfLeftover(dir, pid, killed);
                }
            }
            return killed;
        }
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(PROC)) {
            for (Path dir : procs) {
                String name = dir.getFileName().toString();
                if (name.isEmpty() || !Character.isDigit(name.charAt(0))) {
                    continue;
                }
                long pid;
                try {
                    pid = Long.parseLong(name);
                } catch (NumberFormatException e) {
                    continue;
                }
                if (pid != self) {
                    sweep.killIfLeftover(dir, pid, killed);
                }
            }
        } catch (IOException | RuntimeException e) {
            // /proc changed under us or is unreadable: what we found is what we kill
        }
        return killed;
    }

    private static final long PID_RANGE_LIMIT = 4096;

    /** Whether {@code pid} is a process (its own thread group), not a thread of one. */
    private static boolean isProcess(Path dir, long pid) {
        try {
            for (String line : Files.readAllLines(dir.resolve("status"), StandardCharsets.ISO_8859_1)) {
                if (line.startsWith("Tgid:")) {
                    return Long.parseLong(line.substring(5).trim()) == pid;
                }
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
        return false;
    }

    private static byte[] needle(String runId) {
        return (MARKER + "=" + runId).getBytes(StandardCharsets.US_ASCII);
    }

    /** What one sweep looks for. */
    private static final class Sweep {
        final byte[] needle;
        final Set<String> ours;
        final Set<String> inherited;
        final Set<String> runPipes;
        final long session;

        Sweep(byte[] needle, Set<String> ours, Set<String> inherited, Set<String> runPipes, long session) {
            this.needle = needle;
            this.ours = ours;
            this.inherited = inherited;
            this.runPipes = runPipes;
            this.session = session;
        }

        void killIfLeftover(Path dir, long pid, List<Long> killed) {
            boolean leftover;
            if (session > 0) {
                // the helper's session holds everything it started but what detached on purpose: one read per pid
                leftover = session(dir) == session;
            } else if (hasMarker(dir, needle)) {
                Set<String> theirs = pipes(dir);
                theirs.retainAll(ours);
                leftover = !theirs.isEmpty() || helperPipe(dir.resolve("fd/1"), inherited)
                        || helperPipe(dir.resolve("fd/2"), inherited);
            } else {
                leftover = false;
            }
            if (!leftover && !runPipes.isEmpty()) {
                Set<String> theirs = pipes(dir);
                theirs.retainAll(runPipes);
                leftover = !theirs.isEmpty(); // holds this run's stdout or stderr: a descendant, marker or not
            }
            // a thread (of this JVM, which holds the pipes too): /proc/<tid> exists though readdir does not list it
            if (leftover && isProcess(dir, pid)) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                killed.add(pid);
            }
        }
    }

    /** Whether the fd is a pipe other than one of the JVM's own inherited stdio pipes. */
    private static boolean helperPipe(Path fd, Set<String> inherited) {
        return link(fd).filter(t -> t.startsWith("pipe:[") && !inherited.contains(t)).isPresent();
    }

    private static java.util.Optional<String> link(Path fd) {
        try {
            return java.util.Optional.of(Files.readSymbolicLink(fd).toString());
        } catch (IOException | RuntimeException e) {
            return java.util.Optional.empty();
        }
    }

    /** The last pid allocated in this pid namespace (the last field of /proc/loadavg), or -1. */
    private static long lastPid() {
        try {
            String s = new String(Files.readAllBytes(PROC.resolve("loadavg")), StandardCharsets.US_ASCII).trim();
            return Long.parseLong(s.substring(s.lastIndexOf(' ') + 1));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static boolean hasMarker(Path procDir, byte[] needle) {
        byte[] env;
        try {
            env = Files.readAllBytes(procDir.resolve("environ"));
        } catch (IOException | RuntimeException e) {
            return false; // another user's process, or gone
        }
        outer:
        for (int start = 0; start + needle.length <= env.length; ) {
            for (int k = 0; k < needle.length; k++) {
                if (env[start + k] != needle[k]) {
                    int next = indexOfZero(env, start);
                    if (next < 0) {
                        return false;
                    }
                    start = next + 1;
                    continue outer;
                }
            }
            if (start + needle.length == env.length || env[start + needle.length] == 0) {
                return true;
            }
            int next = indexOfZero(env, start);
            if (next < 0) {
                return false;
            }
            start = next + 1;
        }
        return false;
    }

    private static int indexOfZero(byte[] b, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == 0) {
                return i;
            }
        }
        return -1;
    }

    private static Set<String> pipes(Path procDir) {
        Set<String> pipes = new HashSet<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(procDir.resolve("fd"))) {
            for (Path fd : fds) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("pipe:[")) {
                        pipes.add(target);
                    }
                } catch (IOException | RuntimeException e) {
                    // closed meanwhile
                }
            }
        } catch (IOException | RuntimeException e) {
            // not ours, or gone
        }
        return pipes;
    }
}
