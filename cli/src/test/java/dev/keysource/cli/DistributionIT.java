package dev.keysource.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysource.testkit.Canary;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The installable CLI as a user gets it: keysource-VERSION.tar.gz unpacked into a directory outside the
 * repository and run from elsewhere, through a symlink on PATH, as docker-credential-keysource, as git's
 * credential helper under the real `git credential fill`, and as a read-only install used by another user.
 */
class DistributionIT {

    private static final Path DIST = Path.of(System.getProperty("keysource.dist", "target/keysource-dist.tar.gz"));

    @TempDir
    Path tmp;

    private Path install;
    private Path home;
    private Path work;

    @BeforeEach
    void unpack() throws Exception {
        assertThat(DIST).as("the archive the build makes").isRegularFile();
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path opt = Files.createDirectories(tmp.resolve("opt"));
        Result r = exec(List.of("tar", "-xzf", DIST.toAbsolutePath().toString(), "-C", opt.toString()), tmp,
                Map.of(), "");
        assertThat(r.exit).as(r.err).isZero();
        try (Stream<Path> s = Files.list(opt)) {
            install = s.findFirst().orElseThrow();
        }
        assertThat(install.getFileName().toString()).startsWith("keysource-");
        home = Files.createDirectories(tmp.resolve("home"));
        work = Files.createDirectories(tmp.resolve("work"));
    }

    private static final class Result {
        int exit;
        String out;
        String err;
    }

    private Result exec(List<String> cmd, Path cwd, Map<String, String> env, String stdin) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("KEYSOURCE_") || k.startsWith("XDG_")
                || k.startsWith("GIT_") || k.equals("JAVA_TOOL_OPTIONS"));
        pb.environment().put("HOME", home != null ? home.toString() : tmp.toString());
        pb.environment().putAll(env);
        Process p = pb.start();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("%s exits", cmd).isTrue();
        Result r = new Result();
        r.exit = p.exitValue();
        r.out = out.get(10, TimeUnit.SECONDS);
        r.err = err.get(10, TimeUnit.SECONDS);
        return r;
    }

    private static String read(InputStream in) {
        try (in) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            in.transferTo(b);
            return b.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path helper(Path dir, String body) throws IOException {
        Path p = dir.resolve("get-key.sh");
        Files.writeString(p, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
        return p;
    }

    private String launcher() {
        return install.resolve("bin/keysource").toString();
    }

    @Test
    void archive_holdsTheLauncherTheJarTheReadmeAndTheLicence_inTarAndZip() throws Exception {
        assertThat(install.resolve("bin/keysource")).isExecutable();
        assertThat(install.resolve("lib/keysource.jar")).isRegularFile();
        assertThat(Files.readString(install.resolve("README.md"))).contains("keysource get").doesNotContain("${project");
        assertThat(Files.readString(install.resolve("LICENSE"))).contains("Apache License");
        Path zip = Path.of(DIST.toString().replaceAll("\\.tar\\.gz$", ".zip"));
        List<String> names = new ArrayList<>();
        try (ZipFile z = new ZipFile(zip.toFile())) {
            Collections.list(z.entries()).forEach(e -> names.add(e.getName()));
        }
        String base = install.getFileName() + "/";
        assertThat(names).contains(base + "bin/keysource", base + "lib/keysource.jar", base + "README.md",
                base + "LICENSE");
    }

    @Test
    void unpacked_getFromAnotherDirectory_printsTheKey_archiveInThePerUserCacheNotNextToTheJar() throws Exception {
        helper(work, "echo " + Canary.SECRET);
        Result r = exec(List.of(launcher(), "get", "script:./get-key.sh"), work, Map.of(), "");
        assertThat(r.err).isEmpty();
        assertThat(r.exit).isZero();
        assertThat(r.out).isEqualTo(Canary.SECRET + "\n");
        try (Stream<Path> cache = Files.list(home.resolve(".cache/keysource"))) {
            assertThat(cache.map(p -> p.getFileName().toString())).anyMatch(n -> n.endsWith(".jsa"));
        }
        try (Stream<Path> lib = Files.list(install.resolve("lib"))) {
            assertThat(lib.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("keysource.jar", "version");
        }
    }

    @Test
    void symlinkOnPath_runsFromAnyDirectory() throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("path-bin"));
        Files.createSymbolicLink(bin.resolve("keysource"), install.resolve("bin/keysource"));
        Result r = exec(List.of("sh", "-c", "keysource get 'script:echo linked-key'"), work,
                Map.of("PATH", bin + ":" + System.getenv("PATH")), "");
        assertThat(r.err).isEmpty();
        assertThat(r.out).isEqualTo("linked-key\n");
    }

    @Test
    void dockerCredentialSymlink_speaksDockersProtocol() throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("path-bin"));
        Files.createSymbolicLink(bin.resolve("docker-credential-keysource"), install.resolve("bin/keysource"));
        Path servers = home.resolve("servers");
        Files.writeString(servers, "registry.example.com ci script:echo " + Canary.SECRET + "\n");
        Map<String, String> env = Map.of("PATH", bin + ":" + System.getenv("PATH"), "KEYSOURCE_DOCKER_SERVERS",
                servers.toString());
        Result r = exec(List.of("sh", "-c", "docker-credential-keysource get"), work, env, "registry.example.com\n");
        assertThat(r.err).isEmpty();
        assertThat(r.out).isEqualTo("{\"ServerURL\":\"registry.example.com\",\"Username\":\"ci\",\"Secret\":\""
                + Canary.SECRET + "\"}\n");
        Result missing = exec(List.of("sh", "-c", "docker-credential-keysource get"), work, env, "other.example.com\n");
        assertThat(missing.exit).isEqualTo(1);
        assertThat(missing.out).isEqualTo("credentials not found in native keychain\n");
    }

    @Test
    void realGitCredentialFill_getsUsernameAndPasswordFromKeysource() throws Exception {
        Path h = helper(work, "echo " + Canary.SECRET);
        Map<String, String> env = Map.of("GIT_TERMINAL_PROMPT", "0", "GIT_CONFIG_NOSYSTEM", "1",
                "GIT_CONFIG_GLOBAL", "/dev/null");
        Result r = exec(List.of("git", "-c", "credential.helper=", "-c", "credential.helper=!'" + launcher()
                + "' git-credential --username ci 'script:" + h + "'", "credential", "fill"), work, env,
                "protocol=https\nhost=git.example.com\npath=team/repo.git\n\n");
        assertThat(r.err).isEmpty();
        assertThat(r.exit).isZero();
        // git drops the path of an https URL (credential.useHttpPath is off) and prints what the helper answered
        assertThat(r.out).isEqualTo("protocol=https\nhost=git.example.com\nusername=ci\npassword=" + Canary.SECRET + "\n");
        Result approve = exec(List.of("git", "-c", "credential.helper=!'" + launcher() + "' git-credential 'script:"
                + h + "'", "credential", "approve"), work, env, "protocol=https\nhost=git.example.com\nusername=ci\n"
                + "password=x\n\n");
        assertThat(approve.err).isEmpty();
        assertThat(approve.exit).isZero();
    }

    @Test
    void readOnlyInstallUsedByAnotherUser_keepsItsArchiveInThatUsersCache_printsNoShellError() throws Exception {
        helper(work, "echo ro-key"); // owned by the test's user: another user runs a plain command instead
        exec(List.of("chmod", "-R", "a-w,a+rX", install.toString()), tmp, Map.of(), "");
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        List<String> asOther = new ArrayList<>();
        Path otherHome = Files.createDirectories(tmp.resolve("other-home"));
        if ("root".equals(System.getProperty("user.name"))) {
            exec(List.of("chown", "65534:65534", otherHome.toString()), tmp, Map.of(), "");
            asOther.addAll(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"));
        }
        asOther.addAll(List.of("env", "HOME=" + otherHome, launcher(), "get", "script:echo ro-key"));
        for (int run = 1; run <= 2; run++) {
            Result r = exec(asOther, work, Map.of(), "");
            assertThat(r.err).as("run %d", run).isEmpty();
            assertThat(r.exit).isZero();
            assertThat(r.out).isEqualTo("ro-key\n");
        }
        try (Stream<Path> cache = Files.list(otherHome.resolve(".cache/keysource"))) {
            assertThat(cache.map(p -> p.getFileName().toString())).anyMatch(n -> n.endsWith(".jsa"))
                    .noneMatch(n -> n.endsWith(".failed"));
        }
        // and a user whose cache cannot be written at all: still the key, still nothing on stderr
        Path noCache = Files.createDirectories(tmp.resolve("ro-home"));
        Files.setPosixFilePermissions(noCache, PosixFilePermissions.fromString("r-xr-xr-x"));
        List<String> unwritable = new ArrayList<>(asOther.subList(0, asOther.indexOf("env")));
        unwritable.addAll(List.of("env", "HOME=" + noCache, launcher(), "get", "script:echo ro-key"));
        Result r = exec(unwritable, work, Map.of(), "");
        assertThat(r.err).isEmpty();
        assertThat(r.out).isEqualTo("ro-key\n");
    }
}
