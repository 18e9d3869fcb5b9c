package dev.keysource.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs target/keysource.jar in a child JVM, as a tool runs a helper: stdin left open, never closed. */
final class PackagedJar {

    static final Path JAR = Path.of(System.getProperty("keysource.jar", "target/keysource.jar"));

    /** What a run produced. */
    static final class Run {
        int exit;
        byte[] stdout;
        String stderr;
        Duration took;

        String stdoutText() {
            return new String(stdout, StandardCharsets.UTF_8);
        }
    }

    private PackagedJar() {
    }

    static Map<String, String> env(String... pairs) {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.keySet().removeIf(k -> k.startsWith("KEYSOURCE_") || k.startsWith("JAVA_TOOL") || k.equals("_JAVA_OPTIONS"));
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    static Run run(Path cwd, Map<String, String> env, String... args) {
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException("no runnable jar at " + JAR.toAbsolutePath() + "; run mvn package first");
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-jar");
        cmd.add(JAR.toAbsolutePath().toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        long start = System.nanoTime();
        try {
            Process p = pb.start(); // stdin stays an open pipe for the whole run, as tools leave it
            CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
            CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("keysource " + String.join(" ", args) + " did not exit within 60 s");
            }
            Run r = new Run();
            r.exit = p.exitValue();
            r.stdout = out.get(10, TimeUnit.SECONDS);
            r.stderr = new String(err.get(10, TimeUnit.SECONDS), StandardCharsets.UTF_8);
            r.took = Duration.ofNanos(System.nanoTime() - start);
            p.getOutputStream().close();
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] readAll(InputStream in) {
        try (in) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            in.transferTo(b);
            return b.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
