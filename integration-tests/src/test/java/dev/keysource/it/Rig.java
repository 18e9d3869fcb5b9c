package dev.keysource.it;

import dev.keysource.aws.FakeSecretsManager;
import dev.keysource.testkit.Canary;
import dev.keysource.vault.FakeVault;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * One backend set up for the fault matrix: a healthy backend holding {@link Canary#SECRET}, the
 * reference that reads it, the environment to build a client with (also what a CLI subprocess gets),
 * and the number of attempts the backend saw. A row's fault is applied to a running rig.
 */
abstract class Rig implements AutoCloseable {

    final Path dir;

    Rig(Path dir) {
        this.dir = dir;
    }

    /** {@code script}, {@code vault} or {@code aws}. */
    abstract String backend();

    abstract String reference();

    /** The environment a client (or the CLI) gets. */
    abstract Map<String, String> env();

    /** Attempts the backend saw since the last {@link #resetCounts()}: helper runs, requests, TLS handshakes. */
    abstract int serverAttempts();

    abstract void resetCounts();

    /** What the backend saw, for failure messages. */
    String seen() {
        return "";
    }

    /** Credentials that, like the secret, must never show in a message or log line. */
    List<String> credentials() {
        return List.of();
    }

    @Override
    public void close() {
    }

    /** A free loopback port with nothing listening on it. */
    static int closedPort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ============================================================================================ script

    /**
     * A helper script {@code helper.sh} in {@code dir}; each run appends a line to {@code runs}. The good
     * helper prints the secret from the file {@code secret}; a fault replaces the script's body.
     */
    static final class Script extends Rig {
        final Path helper;
        final Path runs;
        final Path secretFile;

        Script(Path dir) {
            super(dir);
            this.helper = dir.resolve("helper.sh");
            this.runs = dir.resolve("runs");
            this.secretFile = dir.resolve("secret");
            try {
                Files.writeString(secretFile, Canary.SECRET + "\n");
                Files.writeString(runs, "");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            body("cat " + q(secretFile));
        }

        /** Replaces the helper's body (after the line that counts the run). */
        Script body(String body) {
            try {
                Files.writeString(helper, "#!/bin/sh\necho run >> " + q(runs) + "\n" + body + "\n",
                        StandardCharsets.UTF_8);
                Files.setPosixFilePermissions(helper, PosixFilePermissions.fromString("rwx------"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        /** A path in the rig's directory, shell-quoted. */
        String file(String name) {
            return q(dir.resolve(name));
        }

        static String q(Path p) {
            return "'" + p.toString().replace("'", "'\\''") + "'";
        }

        @Override
        String backend() {
            return "script";
        }

        @Override
        String reference() {
            return "script:" + helper;
        }

        @Override
        Map<String, String> env() {
            Map<String, String> env = new HashMap<>();
            env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
            env.put("HOME", dir.toString());
            return env;
        }

        @Override
        int serverAttempts() {
            try {
                return (int) Files.readAllLines(runs).stream().filter(l -> !l.isBlank()).count();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Kills a grandchild a helper wrote to {@code grandchild.pid} if it still runs (after a failed check). */
        @Override
        public void close() {
            Path pids = dir.resolve("grandchild.pid");
            try {
                if (Files.exists(pids)) {
                    for (String line : Files.readAllLines(pids)) {
                        if (!line.isBlank()) {
                            ProcessHandle.of(Long.parseLong(line.trim())).ifPresent(ProcessHandle::destroyForcibly);
                        }
                    }
                }
            } catch (IOException | NumberFormatException e) {
                // nothing to clean up
            }
        }

        @Override
        void resetCounts() {
            try {
                Files.writeString(runs, "");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    // ============================================================================================ vault

    /** A FakeVault (KV v2 at secret/, secret/app holding api_key) behind a {@link FaultProxy}. */
    static final class Vault extends Rig {
        static final String READ = "secret/data/app";
        /** The read of the secret. */
        static final Predicate<FaultProxy.Request> READS = r -> r.path.startsWith("secret/");
        /** Everything a sealed Vault refuses for this key: the mount lookup and the read. */
        static final Predicate<FaultProxy.Request> KEY_REQUESTS = r -> r.path.startsWith("secret/")
                || r.path.startsWith("sys/internal/ui/mounts/");

        final FakeVault vault;
        final FaultProxy proxy;
        final String token;
        final Certs trusted;
        volatile String addressOverride;
        /** Whether the token comes from {@code ~/.vault-token} (written by the fault) instead of VAULT_TOKEN. */
        volatile boolean tokenFromFile;

        /** Plain HTTP, or HTTPS with {@code trusted} served and named in VAULT_CACERT. */
        Vault(Path dir, Certs trusted) {
            super(dir);
            this.trusted = trusted;
            this.vault = FakeVault.start();
            vault.mountKv2("secret");
            vault.putKv("secret/app", Map.of("api_key", Canary.SECRET, "user", "svc"));
            this.token = vault.createToken(Duration.ZERO, false);
            URI upstream = URI.create(vault.address());
            this.proxy = trusted == null ? FaultProxy.start(upstream) : FaultProxy.startTls(upstream, trusted.server);
        }

        @Override
        String backend() {
            return "vault";
        }

        @Override
        String reference() {
            return "vault:secret/app#api_key";
        }

        @Override
        Map<String, String> env() {
            Map<String, String> env = new HashMap<>();
            env.put("VAULT_ADDR", addressOverride != null ? addressOverride : proxy.address());
            if (!tokenFromFile) {
                env.put("VAULT_TOKEN", token);
            }
            env.put("HOME", dir.toString());
            if (trusted != null) {
                env.put("VAULT_CACERT", trusted.pem.toString());
            }
            return env;
        }

        @Override
        int serverAttempts() {
            return proxy.faultedConnections() + (int) proxy.requests().stream()
                    .filter(r -> r.faulted || r.path.startsWith("secret/")).count();
        }

        @Override
        void resetCounts() {
            proxy.resetCounts();
        }

        @Override
        List<String> credentials() {
            return List.of(token);
        }

        @Override
        String seen() {
            return proxy.requests() + ", faulted TLS connections " + proxy.faultedConnections();
        }

        @Override
        public void close() {
            proxy.close();
            vault.close();
        }
    }

    // ============================================================================================ aws

    /** A FakeSecretsManager (prod/claude, a JSON SecretString) behind a {@link FaultProxy}. */
    static final class Aws extends Rig {
        static final String ACCESS_KEY_ID = "AKIAKEYSOURCEMATRIX01";
        static final String SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYmatrixKEY";
        static final Predicate<FaultProxy.Request> ALL = r -> true;

        final FakeSecretsManager fake;
        final FaultProxy proxy;
        volatile String endpointOverride;
        /**
         * Non-null: the credentials come from this {@code credential_process} of profile {@code proc} (in
         * {@code dir/config}, selected with AWS_PROFILE) instead of the static keys.
         */
        volatile String credentialProcess;

        /** Plain HTTP, or HTTPS serving {@code tls} (which the JVM's default trust store does not hold). */
        Aws(Path dir, Certs tls) {
            super(dir);
            this.fake = FakeSecretsManager.start();
            fake.putSecretString("prod/claude", "{\"user\":\"svc\",\"api_key\":\"" + Canary.SECRET + "\"}");
            this.proxy = tls == null ? FaultProxy.start(fake.endpoint()) : FaultProxy.startTls(fake.endpoint(), tls.server);
        }

        @Override
        String backend() {
            return "aws";
        }

        @Override
        String reference() {
            return "aws-sm:prod/claude#api_key";
        }

        @Override
        Map<String, String> env() {
            Map<String, String> env = new HashMap<>();
            env.put("HOME", dir.toString());
            env.put("AWS_REGION", fake.region());
            env.put("AWS_ENDPOINT_URL_SECRETS_MANAGER", endpointOverride != null ? endpointOverride : proxy.address());
            if (credentialProcess == null) {
                env.put("AWS_ACCESS_KEY_ID", ACCESS_KEY_ID);
                env.put("AWS_SECRET_ACCESS_KEY", SECRET_ACCESS_KEY);
            } else {
                Path config = dir.resolve("config");
                try {
                    Files.writeString(config, "[profile proc]\ncredential_process = " + credentialProcess + "\n");
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                env.put("AWS_CONFIG_FILE", config.toString());
                env.put("AWS_PROFILE", "proc");
                env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
            }
            env.put("AWS_EC2_METADATA_DISABLED", "true");
            return env;
        }

        /** Every connection is one GetSecretValue call (or one refused TLS handshake). */
        @Override
        int serverAttempts() {
            return proxy.connections();
        }

        @Override
        void resetCounts() {
            proxy.resetCounts();
        }

        @Override
        List<String> credentials() {
            return List.of(ACCESS_KEY_ID, SECRET_ACCESS_KEY);
        }

        @Override
        String seen() {
            return proxy.connections() + " connections, requests " + proxy.requests();
        }

        @Override
        public void close() {
            proxy.close();
            fake.close();
        }
    }

    // ============================================================================================ agent

    /** A FakeSecretsManagerAgent (prod/claude, a JSON SecretString) behind a {@link FaultProxy}. */
    static final class Agent extends Rig {
        static final String TOKEN = "ssrf-token-matrix-5e2a";
        static final Predicate<FaultProxy.Request> ALL = r -> true;

        final dev.keysource.awsagent.FakeSecretsManagerAgent agent;
        final FaultProxy proxy;

        Agent(Path dir) {
            super(dir);
            this.agent = dev.keysource.awsagent.FakeSecretsManagerAgent.start(TOKEN);
            agent.putSecretString("prod/claude", "{\"user\":\"svc\",\"api_key\":\"" + Canary.SECRET + "\"}");
            this.proxy = FaultProxy.start(URI.create("http://127.0.0.1:" + agent.port()));
        }

        @Override
        String backend() {
            return "agent";
        }

        @Override
        String reference() {
            return "aws-sm-agent:prod/claude#api_key";
        }

        @Override
        Map<String, String> env() {
            Map<String, String> env = new HashMap<>();
            env.put("HOME", dir.toString());
            env.put("AWS_TOKEN", TOKEN);
            env.put("PARAMETERS_SECRETS_EXTENSION_HTTP_PORT",
                    Integer.toString(URI.create(proxy.address()).getPort()));
            return env;
        }

        @Override
        int serverAttempts() {
            return proxy.connections();
        }

        @Override
        void resetCounts() {
            proxy.resetCounts();
        }

        @Override
        List<String> credentials() {
            return List.of(TOKEN);
        }

        @Override
        String seen() {
            return proxy.connections() + " connections, requests " + proxy.requests();
        }

        @Override
        public void close() {
            proxy.close();
            agent.close();
        }
    }

    // ============================================================================================ file

    /**
     * A secret file {@code secret.json} holding {@code api_key}. A file has no server: the backend sees
     * nothing, so {@link #serverAttempts()} is 0.
     */
    static final class SecretFile extends Rig {
        final Path file;

        SecretFile(Path dir) {
            super(dir);
            this.file = dir.resolve("secret.json");
            write("{\"user\":\"svc\",\"api_key\":\"" + Canary.SECRET + "\"}");
        }

        void write(String content) {
            try {
                Files.writeString(file, content);
                // written long ago, as far as the quiet period is concerned
                Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.from(
                        java.time.Instant.now().minusSeconds(60)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        String backend() {
            return "file";
        }

        @Override
        String reference() {
            return "file:" + file + "#api_key";
        }

        /** Not watched: the rows test what a read gives, and a watch would refresh on the injected change. */
        @Override
        Map<String, String> env() {
            Map<String, String> env = new HashMap<>();
            env.put("HOME", dir.toString());
            env.put("KEYSOURCE_FILE_WATCH", "none");
            return env;
        }

        @Override
        int serverAttempts() {
            return 0;
        }

        @Override
        void resetCounts() {
        }
    }
}
