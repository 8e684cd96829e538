package io.meterbase.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Mosquitto (Debian's package) on loopback with password authentication and anonymous access off: user
 * {@code meterbase} for the nodes and {@code plug} for the devices. Persistence on, as a production broker would run.
 */
final class Mosquitto implements AutoCloseable {

    static final String NODE_USER = "meterbase";
    static final String NODE_PASSWORD = "broker-secret";
    static final String DEVICE_USER = "plug";
    static final String DEVICE_PASSWORD = "plug-secret";
    /** Debian installs the broker in /usr/sbin, which not every PATH has. */
    private static final String BINARY =
            Files.isExecutable(Path.of("/usr/sbin/mosquitto")) ? "/usr/sbin/mosquitto" : "/usr/bin/mosquitto";

    final int port;
    private final Process process;

    private Mosquitto(int port, Process process) {
        this.port = port;
        this.process = process;
    }

    static Mosquitto start(Path dir) throws Exception {
        if (!Files.isExecutable(Path.of(BINARY)) || run(List.of("sh", "-c", "command -v mosquitto_passwd")) != 0) {
            if ("true".equals(System.getenv("CI"))) {
                throw new IllegalStateException("mosquitto is missing (apt-get install mosquitto)");
            }
            Assumptions.abort("mosquitto is not installed");
        }
        Files.createDirectories(dir);
        Path passwords = dir.resolve("passwords");
        run(List.of("mosquitto_passwd", "-b", "-c", passwords.toString(), NODE_USER, NODE_PASSWORD));
        run(List.of("mosquitto_passwd", "-b", passwords.toString(), DEVICE_USER, DEVICE_PASSWORD));
        int port = ServerProcess.freePort();
        Path conf = dir.resolve("mosquitto.conf");
        Files.writeString(
                conf,
                "listener " + port + " 127.0.0.1\nallow_anonymous false\npassword_file " + passwords
                        + "\npersistence true\npersistence_location " + dir + "/\nmax_queued_messages 100000\n"
                        // started as root, mosquitto switches to its own user, who cannot read this test's files
                        + ("root".equals(System.getProperty("user.name")) ? "user root\n" : ""));
        Process p = new ProcessBuilder(BINARY, "-c", conf.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("mosquitto.log").toFile())
                .start();
        Thread.sleep(500);
        if (!p.isAlive()) {
            throw new IllegalStateException(
                    "mosquitto did not start: " + Files.readString(dir.resolve("mosquitto.log")));
        }
        return new Mosquitto(port, p);
    }

    private static int run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
