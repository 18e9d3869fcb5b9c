package dev.keysource.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keysource.CachedKey;
import dev.keysource.testkit.Canary;
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
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 15, "done when": the command line and the library, at the most verbose log level, for every
 * backend and auth method (script; Vault with a token from the environment, a token file, AppRole and
 * Kubernetes; AWS with static keys and with a session token), read the secret and write no secret, token
 * or key anywhere: not on stdout beyond the secret itself, not in a single log line on stderr.
 *
 * <p>Both halves run in a child JVM, so that slf4j-simple starts at {@code trace}: the CLI through
 * {@code KEYSOURCE_LOG_LEVEL=trace} (its own logging set-up), the library through {@link Run} on this
 * module's test class path with {@code -Dorg.slf4j.simpleLogger.defaultLogLevel=trace}, configured as
 * docs/aws.md says a service must configure the AWS SDK's loggers.
 */
class VerboseLogCanaryTest {

    /** What docs/aws.md tells library users to set: the AWS SDK's loggers stay at WARN or above. */
    static final String AWS_SDK_LOGGER_SETTING = "-Dorg.slf4j.simpleLogger.log.software.amazon.awssdk=warn";

    static final String SESSION_TOKEN = "IQoJb3JpZ2luX2VjEKeysourceSessionTokenCanary0123456789";
    static final String ROLE_ID = "role-id-7c1f0e2a-verbose";
    static final String SECRET_ID = "secret-id-5d2b91aa-verbose";
    static final String JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQifQ.c2lnbmF0dXJlLXZlcmJvc2U";

    @TempDir
    Path dir;

    static Stream<String> setups() {
        return Stream.of("script", "vault-token", "vault-token-file", "vault-approle", "vault-kubernetes",
                "aws-static", "aws-session-token");
    }

    /** A running backend, the reference and environment that read the canary from it, and its credentials. */
    static final class Setup implements AutoCloseable {
        final Rig rig;
        final String reference;
        final Map<String, String> env;
        final List<String> credentials = new ArrayList<>();

        Setup(Rig rig) {
            this.rig = rig;
            this.reference = rig.reference();
            this.env = new HashMap<>(rig.env());
            this.env.putIfAbsent("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
            this.env.put("AWS_EC2_METADATA_DISABLED", "true");
            this.credentials.addAll(rig.credentials());
        }

        /** The credentials known now, and every token the fake Vault issued by then. */
        List<String> credentials() {
            List<String> all = new ArrayList<>(credentials);
            if (rig instanceof Rig.Vault) {
                all.addAll(((Rig.Vault) rig).vault.issuedTokens());
            }
            return all;
        }

        @Override
        public void close() {
            rig.close();
        }
    }

    static Setup setup(String name, Path d) {
        try {
            switch (name) {
                case "script":
                    return new Setup(new Rig.Script(d));
                case "vault-token":
                    return new Setup(new Rig.Vault(d, null));
                case "vault-token-file": {
                    Setup s = new Setup(new Rig.Vault(d, null));
                    String token = s.env.remove("VAULT_TOKEN");
                    Path file = d.resolve(".vault-token");
                    Files.writeString(file, token + "\n");
                    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
                    return s;
                }
                case "vault-approle": {
                    Rig.Vault rig = new Rig.Vault(d, null);
                    rig.vault.appRole("approle", ROLE_ID, SECRET_ID, Duration.ofHours(1), true);
                    Setup s = new Setup(rig);
                    s.env.remove("VAULT_TOKEN");
                    s.env.put("KEYSOURCE_VAULT_AUTH", "approle");
                    s.env.put("VAULT_ROLE_ID", ROLE_ID);
                    s.env.put("VAULT_SECRET_ID", SECRET_ID);
                    s.credentials.addAll(List.of(ROLE_ID, SECRET_ID));
                    return s;
                }
                case "vault-kubernetes": {
                    Rig.Vault rig = new Rig.Vault(d, null);
                    rig.vault.kubernetes("kubernetes", "app", JWT, Duration.ofHours(1), true);
                    Path jwt = d.resolve("sa-token");
                    Files.writeString(jwt, JWT);
                    Setup s = new Setup(rig);
                    s.env.remove("VAULT_TOKEN");
                    s.env.put("KEYSOURCE_VAULT_AUTH", "kubernetes");
                    s.env.put("KEYSOURCE_VAULT_ROLE", "app");
                    s.env.put("KEYSOURCE_VAULT_JWT_FILE", jwt.toString());
                    s.credentials.add(JWT);
                    return s;
                }
                case "aws-static":
                    return new Setup(new Rig.Aws(d, null));
                case "aws-session-token": {
                    Setup s = new Setup(new Rig.Aws(d, null));
                    s.env.put("AWS_SESSION_TOKEN", SESSION_TOKEN);
                    s.credentials.add(SESSION_TOKEN);
                    return s;
                }
                default:
                    throw new IllegalArgumentException(name);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("setups")
    void keysourceGetAndCheck_atTraceLevel_writeNoSecretTokenOrKey(String name) throws IOException {
        Assumptions.assumeTrue(Files.isRegularFile(CliFaultMatrixTest.JAR), () -> "no runnable CLI jar at "
                + CliFaultMatrixTest.JAR.toAbsolutePath() + ": build module cli first; skipped");
        try (Setup s = setup(name, Files.createDirectory(dir.resolve("cli")))) {
            Map<String, String> env = new HashMap<>(s.env);
            env.put("KEYSOURCE_LOG_LEVEL", "trace");

            CliFaultMatrixTest.Result get = CliFaultMatrixTest.run(s.rig.dir, env, "get", s.reference);
            CliFaultMatrixTest.Result check = CliFaultMatrixTest.run(s.rig.dir, env, "check", s.reference);

            assertThat(get.exit).as("keysource get exits 0 (stderr: %s)", get.stderr).isZero();
            assertThat(get.stdoutText().equals(Canary.SECRET + "\n")).as("stdout is the secret and a newline").isTrue();
            assertThat(check.exit).as("keysource check exits 0 (stderr: %s)", check.stderr).isZero();
            assertThat(get.stderr).as("the log level took effect: keysource logged at DEBUG or TRACE")
                    .containsPattern("(?m)^(DEBUG|TRACE) ");
            assertNothingLeaks(s, "stderr of keysource get", get.stderr);
            assertNothingLeaks(s, "stdout of keysource check", check.stdoutText());
            assertNothingLeaks(s, "stderr of keysource check", check.stderr);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("setups")
    void library_atTraceLevel_logsNoSecretTokenOrKey(String name) throws Exception {
        try (Setup s = setup(name, Files.createDirectory(dir.resolve("lib")))) {
            Output out = runLibrary(s.rig.dir, s.env, s.reference, AWS_SDK_LOGGER_SETTING);

            assertThat(out.exit).as("the library run (stderr: %s)", out.stderr).isZero();
            assertThat(out.stdout).as("the library read the secret, refreshed it and re-read it after a rejection")
                    .isEqualTo("read ok\nrefresh ok\nreject ok\n");
            assertThat(out.stderr).as("keysource's own loggers ran at DEBUG or TRACE")
                    .containsPattern("(?m)^\\[[^]]+\\] (DEBUG|TRACE) dev\\.keysource");
            assertNothingLeaks(s, "the library's log at trace", out.stderr);
        }
    }

    /**
     * Why docs/aws.md asks for the AWS SDK's loggers at WARN: at DEBUG the SDK itself logs each request's
     * canonical form, session token included. If this starts failing, the SDK stopped doing so and the
     * advice can be relaxed.
     */
    @org.junit.jupiter.api.Test
    void library_awsSdkLoggersAtDebug_logTheSessionToken_soDocsKeepThemAtWarn() throws Exception {
        try (Setup s = setup("aws-session-token", Files.createDirectory(dir.resolve("sdk")))) {
            Output out = runLibrary(s.rig.dir, s.env, s.reference);

            assertThat(out.exit).as("the library run (exit)").isZero();
            assertThat(out.stderr.contains(SESSION_TOKEN)).as("the SDK's DEBUG output holds the session token").isTrue();
        }
    }

    private static void assertNothingLeaks(Setup s, String where, String text) {
        Canary.assertAbsent(where, text);
        for (String credential : s.credentials()) {
            assertThat(text.contains(credential)).as("%s holds a credential of the %s set-up (%s...)", where,
                    s.rig.backend(), credential.substring(0, 4)).isFalse();
        }
    }

    // ---------------------------------------------------------------------------------------------

    static final class Output {
        int exit;
        String stdout;
        String stderr;
    }

    /** {@link Run} in a child JVM on this module's test class path, slf4j-simple at trace. */
    static Output runLibrary(Path cwd, Map<String, String> env, String reference, String... jvmArgs) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=trace");
        cmd.add("-Dorg.slf4j.simpleLogger.showThreadName=true");
        cmd.add("-Djdk.net.hosts.file=" + System.getProperty("keysource.hosts.file",
                Path.of("src", "test", "resources", "hosts").toAbsolutePath().toString()));
        cmd.addAll(List.of(jvmArgs));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Run.class.getName());
        cmd.add(reference);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        Path out = Files.createTempFile(cwd, "lib", ".out");
        Path err = Files.createTempFile(cwd, "lib", ".err");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE);
        Process p = pb.start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the library run did not end within 60 s");
        }
        Output o = new Output();
        o.exit = p.exitValue();
        o.stdout = Files.readString(out, StandardCharsets.UTF_8);
        o.stderr = Files.readString(err, StandardCharsets.UTF_8);
        return o;
    }

    /**
     * The library half: reads the reference with the environment of the process, refreshes it, rejects the
     * value and reads again (a new fetch; for Vault also the token's upkeep), printing what worked, never a
     * value.
     */
    public static final class Run {
        private Run() {
        }

        public static void main(String[] args) throws Exception {
            try (CachedKey key = CachedKey.builder(args[0]).environment(System.getenv()).systemProperties(Map.of())
                    .timeout(Duration.ofSeconds(10)).maxAttempts(1).build()) {
                System.out.println(key.secret().matches(Canary.SECRET) ? "read ok" : "read: another value");
                System.out.println(key.refresh().get(20, TimeUnit.SECONDS).matches(Canary.SECRET) ? "refresh ok"
                        : "refresh: another value");
                key.reject(Canary.SECRET);
                System.out.println(key.secret().matches(Canary.SECRET) ? "reject ok" : "reject: another value");
            }
        }
    }
}
