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

    private ProcessTree() {
    }

    /** Kills the process and every descendant it has now; returns how many descendants were killed. */
    static int killTree(Process p) {
        List<ProcessHandle> tree = p.descendants().collect(Collectors.toList());
        p.destroyForcibly();
        for (ProcessHandle h : tree) {
            h.destroyForcibly();
        }
        // anything forked while we were killing
        int extra = 0;
        for (ProcessHandle h : tree) {
            for (ProcessHandle late : h.descendants().collect(Collectors.toList())) {
                late.destroyForcibly();
                extra++;
            }
        }
        return tree.size() + extra;
    }

    /**
     * The pipes a process holds ({@code pipe:[inode]}), read from {@code /proc}; empty where there is no
     * {@code /proc} or the process is gone. Read right after a helper starts: its stdout and stderr.
     */
    static Set<String> pipesOf(long pid) {
        return Files.isDirectory(PROC) ? pipes(PROC.resolve(Long.toString(pid))) : Set.of();
    }

    /**
     * Kills the processes that carry {@code runId} as their marker and hold one of {@code helperPipes}
     * or of the pipes this JVM still holds. Linux only; returns their pids (empty elsewhere or when none).
     * (Killing a process through {@link Process#destroyForcibly()} closes the JVM's ends of its pipes,
     * hence the helper's own pipes, read when it started.)
     */
    static List<Long> killPipeHolders(String runId, Set<String> helperPipes) {
        if (!Files.isDirectory(PROC.resolve("self/fd"))) {
            return List.of();
        }
        Set<String> ours = pipes(PROC.resolve("self"));
        ours.addAll(helperPipes);
        if (ours.isEmpty()) {
            return List.of();
        }
        byte[] needle = (MARKER + "=" + runId).getBytes(StandardCharsets.US_ASCII);
        long self = ProcessHandle.current().pid();
        List<Long> killed = new ArrayList<>();
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
                if (pid == self || !hasMarker(dir, needle)) {
                    continue;
                }
                Set<String> theirs = pipes(dir);
                theirs.retainAll(ours);
                if (!theirs.isEmpty()) {
                    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                    killed.add(pid);
                }
            }
        } catch (IOException | RuntimeException e) {
            // /proc changed under us or is unreadable: what we found is what we kill
        }
        return killed;
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
