package io.meterbase.store.contract;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A throwaway PostgreSQL server for tests and benchmarks: a fresh cluster made with Debian's {@code initdb},
 * listening on 127.0.0.1 on a free port, with password authentication, stopped and deleted on close. Run as
 * the {@code postgres} user when the JVM runs as root (PostgreSQL refuses root).
 */
public final class PgCluster implements AutoCloseable {

    public static final String USER = "meterbase";
    public static final String PASSWORD = "meterbase-test-password";

    private final Path bin;
    private final Path dir;
    private final int port;
    private final boolean asPostgres;
    private final List<String> settings;

    private PgCluster(Path bin, Path dir, int port, boolean asPostgres, List<String> settings) {
        this.bin = bin;
        this.dir = dir;
        this.port = port;
        this.asPostgres = asPostgres;
        this.settings = List.copyOf(settings);
    }

    /** The newest installed server binaries, e.g. /usr/lib/postgresql/15/bin. */
    public static Optional<Path> binaries() {
        Path root = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) {
            return Optional.empty();
        }
        try (Stream<Path> versions = Files.list(root)) {
            return versions.map(v -> v.resolve("bin"))
                    .filter(b -> Files.isExecutable(b.resolve("initdb")))
                    .max(Comparator.comparingInt(b -> Integer.parseInt(java.util.Objects.requireNonNull(b.getParent())
                            .getFileName()
                            .toString())));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * Starts a cluster. Without PostgreSQL installed, a test is skipped with the reason, except under CI
     * ({@code CI=true}), where it fails: CI installs PostgreSQL, so its absence there is a defect.
     */
    public static PgCluster start() throws IOException, InterruptedException {
        return start(Files.createTempDirectory("meterbase-pg"), List.of());
    }

    /**
     * Starts a cluster in {@code dir} (which must be empty, e.g. a small disk of a test) with extra server
     * settings such as {@code max_wal_size=32MB}.
     */
    public static PgCluster start(Path dir, List<String> settings) throws IOException, InterruptedException {
        Optional<Path> bin = binaries();
        if (bin.isEmpty()) {
            String why = "PostgreSQL is not installed (apt-get install postgresql); scripts/test installs it";
            if ("true".equals(System.getenv("CI"))) {
                throw new IllegalStateException(why);
            }
            Assumptions.abort(why);
        }
        boolean root = "root".equals(System.getProperty("user.name"));
        Path pw = dir.resolve("pw");
        Files.writeString(pw, PASSWORD + "\n");
        if (root) {
            exec(List.of("chown", "-R", "postgres:postgres", dir.toString()), false);
        }
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        PgCluster cluster = new PgCluster(bin.get(), dir, port, root, settings);
        cluster.run(List.of(
                bin.get().resolve("initdb").toString(),
                "-D",
                dir.resolve("data").toString(),
                "-U",
                USER,
                "--pwfile=" + pw,
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "-E",
                "UTF8",
                "--no-instructions"));
        cluster.pgctl("start");
        cluster.createDatabase("meterbase");
        return cluster;
    }

    private void pgctl(String action) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(
                bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-w", "-t", "60"));
        if (!action.equals("stop")) {
            cmd.addAll(List.of(
                    "-l",
                    dir.resolve("server.log").toString(),
                    "-o",
                    "-p " + port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories=" + dir
                            + " -c max_connections=100 -c shared_buffers=256MB"
                            + settings.stream().map(x -> " -c " + x).reduce("", String::concat)));
        }
        cmd.addAll(List.of("-m", "fast", action));
        run(cmd);
    }

    /** Restarts the server; open connections break, as in a real restart. */
    public void restart() throws IOException, InterruptedException {
        pgctl("restart");
    }

    public void stop() throws IOException, InterruptedException {
        pgctl("stop");
    }

    public void startAgain() throws IOException, InterruptedException {
        pgctl("start");
    }

    /** Whether the server is running (PostgreSQL stops itself when it cannot write its log). */
    public boolean running() {
        try {
            run(List.of(
                    bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "status"));
            return true;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The server's own log. */
    public Path log() {
        return dir.resolve("server.log");
    }

    public void createDatabase(String name) {
        try (Connection c = DriverManager.getConnection(url("postgres"), USER, PASSWORD);
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("could not create database " + name + ": " + e.getMessage(), e);
        }
    }

    public String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    public int port() {
        return port;
    }

    private void run(List<String> cmd) throws IOException, InterruptedException {
        exec(cmd, asPostgres);
    }

    private static void exec(List<String> cmd, boolean asPostgres) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>();
        if (asPostgres) {
            // util-linux puts runuser in /usr/sbin, which not every PATH has
            String runuser = Files.isExecutable(Path.of("/usr/sbin/runuser")) ? "/usr/sbin/runuser" : "runuser";
            full.addAll(List.of(runuser, "-u", "postgres", "--"));
        }
        full.addAll(cmd);
        Process p = new ProcessBuilder(full).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("'" + String.join(" ", cmd) + "' failed: " + out);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }
}
