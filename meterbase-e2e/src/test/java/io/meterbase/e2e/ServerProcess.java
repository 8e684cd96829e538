package io.meterbase.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A Meterbase server in its own JVM, started with {@code serve}, as an operator would run it. */
final class ServerProcess implements AutoCloseable {

    private static final Pattern KEY = Pattern.compile("First operator key .*: (mbk_\\S+)");

    final Process process;
    final int port;
    final String operatorKey;
    private final Path logFile;

    private ServerProcess(Process process, int port, String operatorKey, Path logFile) {
        this.process = process;
        this.port = port;
        this.operatorKey = operatorKey;
        this.logFile = logFile;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** The settings of a node on a PostgreSQL database of the test's cluster, with its embedded MQTT broker off. */
    static java.util.Map<String, String> onPostgres(String url) {
        java.util.Map<String, String> env = new java.util.HashMap<>();
        env.put("MB_STORE", "postgres");
        env.put("MB_STORE_POSTGRES_URL", url);
        env.put("MB_STORE_POSTGRES_USER", io.meterbase.store.contract.PgCluster.USER);
        env.put("MB_STORE_POSTGRES_PASSWORD", io.meterbase.store.contract.PgCluster.PASSWORD);
        env.put("MB_MQTT_ENABLED", "false");
        return env;
    }

    /** Starts a server on {@code dataDir} and waits until it serves; returns the operator key it printed, if any. */
    static ServerProcess start(Path dataDir, int port) throws Exception {
        return start(dataDir, port, java.util.Map.of());
    }

    /**
     * The same, with settings as {@code MB_*} environment variables (they win over the defaults). Rate limits are off
     * unless a test sets them: these tests send as fast as they can on purpose.
     */
    static ServerProcess start(Path dataDir, int port, java.util.Map<String, String> env) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(
                java,
                "-Xmx1g",
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                "io.meterbase.app.MeterbaseCli",
                "serve",
                "--port",
                String.valueOf(port),
                "--data",
                dataDir.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("MB_MQTT_PORT", "0");
        pb.environment().put("MB_COAP_PORT", "0");
        pb.environment().put("MB_COAP_DTLS_PORT", "0");
        pb.environment().put("MB_ANALYTICS_ENABLED", "false");
        pb.environment().put("MB_INGEST_RATE_LIMIT_READINGS_PER_SECOND", "0");
        pb.environment().put("MB_INGEST_RATE_LIMIT_CUSTOMER_READINGS_PER_SECOND", "0");
        pb.environment().putAll(env);
        Path logFile = dataDir.resolveSibling(dataDir.getFileName() + "-" + System.nanoTime() + ".log");
        pb.redirectError(logFile.toFile());
        Process p = pb.start();
        CompletableFuture<String> key = new CompletableFuture<>();
        CompletableFuture<Boolean> serving = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r =
                    new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    Matcher m = KEY.matcher(line);
                    if (m.find()) {
                        key.complete(m.group(1));
                    }
                    if (line.startsWith("Meterbase is serving")) {
                        serving.complete(true);
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
            serving.complete(false);
        });
        reader.setDaemon(true);
        reader.start();
        if (!serving.get(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the server did not start: " + Files.readString(logFile));
        }
        // the key line comes before the serving line when a key was created
        return new ServerProcess(p, port, key.getNow(null), logFile);
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** The server's log (its standard error). */
    Path log() {
        return logFile;
    }

    /** SIGTERM: the server stops taking requests and makes what is queued durable. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(60, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }
}
