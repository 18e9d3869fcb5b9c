package dev.keysource.script.internal;

import dev.keysource.CachedKey;
import dev.keysource.KeyFetcher;
import dev.keysource.script.ScriptProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Generates helper scripts and builds fetchers around them. */
final class Helpers {

    private Helpers() {
    }

    /** Writes an executable {@code #!/bin/sh} helper, mode 0700. */
    static Path script(Path dir, String name, String body) {
        Path p = dir.resolve(name);
        try {
            Files.writeString(p, "#!/bin/sh\n" + body + "\n", StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    /** The test JVM's environment with some variables replaced. */
    static Map<String, String> env(String... pairs) {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.keySet().removeIf(k -> k.startsWith("KEYSOURCE_") || k.equals("CLAUDE_CODE_API_KEY_HELPER_TTL_MS"));
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    /** One attempt (no retries), the given attempt time limit, the given settings. */
    static KeyFetcher fetcher(String command, Duration timeout, String... settings) {
        return fetcher(command, timeout, env(), settings);
    }

    static KeyFetcher fetcher(String command, Duration timeout, Map<String, String> env, String... settings) {
        CachedKey.Builder b = CachedKey.builder("script:" + command)
                .providers(List.of(new ScriptProvider()))
                .environment(env)
                .systemProperties(Map.of())
                .maxAttempts(1)
                .timeout(timeout);
        for (int i = 0; i < settings.length; i += 2) {
            b.setting(settings[i], settings[i + 1]);
        }
        return b.buildFetcher();
    }

    /** Pids written one per line by a helper. */
    static List<Long> pids(Path file) {
        List<Long> pids = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(file)) {
                if (!line.isBlank()) {
                    pids.add(Long.parseLong(line.trim()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return pids;
    }

    /** Whether a process runs; a zombie (killed, waiting for its new parent to reap it) does not count. */
    static boolean running(long pid) {
        Path stat = Path.of("/proc/" + pid + "/stat");
        if (Files.exists(stat)) {
            try {
                String s = Files.readString(stat);
                return s.charAt(s.lastIndexOf(')') + 2) != 'Z';
            } catch (IOException e) {
                return false; // gone meanwhile
            }
        }
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }
}
