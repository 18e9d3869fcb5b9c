package dev.keysource.spring;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A real PostgreSQL server for one test class: {@code initdb} into a temporary directory, started with
 * {@code pg_ctl} on a free loopback port, stopped and deleted by {@link #close()}. Debian's {@code postgresql}
 * package provides the binaries (under {@code /usr/lib/postgresql/<version>/bin}); where none is found the
 * test is skipped, saying so. {@code initdb} refuses to run as root, so as root the server runs as the
 * {@code postgres} user (which the package creates) through {@code runuser}.
 */
final class PostgresServer implements AutoCloseable {

    static final String SUPERUSER = "postgres";
    private static final Duration COMMAND_LIMIT = Duration.ofSeconds(60);

    private final Path bin;
    private final Path dir;
    private final String runAs;
    private final int port;
    private final String superPassword;

    private PostgresServer(Path bin, Path dir, String runAs, int port, String superPassword) {
        this.bin = bin;
        this.dir = dir;
        this.runAs = runAs;
        this.port = port;
        this.superPassword = superPassword;
    }

    /** Starts a server, or skips the calling test (JUnit assumption) where PostgreSQL is not installed. */
    static PostgresServer startOrSkip() {
        Optional<Path> bin = findBinaries();
        Assumptions.assumeTrue(bin.isPresent(), "PostgreSQL is not installed: no initdb and pg_ctl under "
                + "/usr/lib/postgresql/*/bin, /usr/local/bin or /usr/bin; install Debian's postgresql package "
                + "(apt-get install postgresql) to run the database-rotation test");
        boolean root = "root".equals(System.getProperty("user.name"));
        Path dir = null;
        try {
            dir = Files.createTempDirectory("keysource-pg-");
            String runAs = null;
            if (root) {
                runAs = SUPERUSER;
                UserPrincipal owner;
                try {
                    owner = FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByName(runAs);
                } catch (UserPrincipalNotFoundException e) {
                    Assumptions.abort("running as root and there is no 'postgres' user to run PostgreSQL as "
                            + "(initdb refuses root); install Debian's postgresql package, which creates it");
                    throw e;
                }
                Files.setOwner(dir, owner);
            }
            String superPassword = "super-" + Long.toHexString(System.nanoTime());
            Path pwfile = dir.resolve("pwfile");
            Files.writeString(pwfile, superPassword + "\n", StandardCharsets.UTF_8);
            if (root) {
                Files.setOwner(pwfile, Files.getOwner(dir));
            }
            Path data = dir.resolve("data");
            int port = freePort();
            PostgresServer server = new PostgresServer(bin.get(), dir, runAs, port, superPassword);
            server.run("initdb", "-D", data.toString(), "-U", SUPERUSER, "--pwfile=" + pwfile,
                    "--auth-host=scram-sha-256", "--auth-local=trust", "-E", "UTF8", "--no-sync", "--no-instructions");
            server.run("pg_ctl", "-D", data.toString(), "-l", dir.resolve("server.log").toString(), "-w", "-t", "60",
                    "-o", "-p " + port + " -c listen_addresses=127.0.0.1 -k " + dir + " -c fsync=off", "start");
            return server;
        } catch (IOException e) {
            delete(dir);
            throw new UncheckedIOException("cannot set up a PostgreSQL data directory", e);
        }
    }

    private static Optional<Path> findBinaries() {
        List<Path> candidates = new ArrayList<>();
        Path lib = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(lib)) {
            try (Stream<Path> versions = Files.list(lib)) {
                versions.map(v -> v.resolve("bin"))
                        .sorted(Comparator.comparing((Path p) -> versionOf(p)).reversed())
                        .forEach(candidates::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        candidates.add(Path.of("/usr/local/bin"));
        candidates.add(Path.of("/usr/bin"));
        return candidates.stream()
                .filter(p -> Files.isExecutable(p.resolve("initdb")) && Files.isExecutable(p.resolve("pg_ctl")))
                .findFirst();
    }

    private static int versionOf(Path bin) {
        try {
            return Integer.parseInt(bin.getParent().getFileName().toString());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    /** Runs statements as the superuser. */
    void execute(String... sql) {
        try (Connection c = DriverManager.getConnection(jdbcUrl(), SUPERUSER, superPassword);
             Statement s = c.createStatement()) {
            for (String statement : sql) {
                s.execute(statement);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("SQL as " + SUPERUSER + " failed: " + e.getMessage(), e);
        }
    }

    /** Creates a login role with {@code password}. */
    void createRole(String role, String password) {
        execute("CREATE ROLE " + role + " LOGIN PASSWORD '" + password.replace("'", "''") + "'");
    }

    /** Changes a role's password, as a rotation does; sessions already open stay open. */
    void setPassword(String role, String password) {
        execute("ALTER ROLE " + role + " PASSWORD '" + password.replace("'", "''") + "'");
    }

    private void run(String program, String... args) {
        List<String> command = new ArrayList<>();
        if (runAs != null) {
            command.addAll(List.of("runuser", "-u", runAs, "--"));
        }
        command.add(bin.resolve(program).toString());
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command)
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve(program + ".out").toFile())
                    .start();
            if (!p.waitFor(COMMAND_LIMIT.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(program + " did not finish within " + COMMAND_LIMIT);
            }
            if (p.exitValue() != 0) {
                String out = Files.readString(dir.resolve(program + ".out"));
                Path log = dir.resolve("server.log");
                if (Files.exists(log)) {
                    out += "\nserver.log:\n" + Files.readString(log);
                }
                throw new IllegalStateException(String.join(" ", command) + " exited " + p.exitValue() + ":\n" + out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + program, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + program, e);
        }
    }

    @Override
    public void close() {
        try {
            run("pg_ctl", "-D", dir.resolve("data").toString(), "-m", "immediate", "-w", "stop");
        } finally {
            delete(dir);
        }
    }

    private static void delete(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort: a temporary directory
        }
    }
}
