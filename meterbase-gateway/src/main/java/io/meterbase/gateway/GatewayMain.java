package io.meterbase.gateway;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The gateway's command line: {@code run} the agent, or run a simulated {@code node}. */
@Command(
        name = "meterbase-gateway",
        mixinStandardHelpOptions = true,
        description = "Meterbase home gateway agent (seed 000).",
        subcommands = {GatewayMain.Run.class, GatewayMain.SimNode.class})
public final class GatewayMain {

    public static void main(String[] args) {
        System.exit(new CommandLine(new GatewayMain()).execute(args));
    }

    private static void waitForever(AutoCloseable closeable) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                closeable.close();
            } catch (Exception ignored) {
                // stopping anyway
            }
            stopped.countDown();
        }));
        stopped.await();
    }

    @Command(name = "run", description = "Poll nodes and send their readings to the server.")
    static final class Run implements Callable<Integer> {
        @Option(names = "--server", required = true, description = "Meterbase server, e.g. https://meterbase.example")
        String server;

        @Option(names = "--name", defaultValue = "home-gw", description = "this gateway's name")
        String name;

        @Option(names = "--interval", defaultValue = "10", description = "seconds between polls (T)")
        int interval;

        @Option(names = "--data", defaultValue = "gateway-data", description = "buffer and node list directory")
        Path data;

        @Option(names = "--buffer", defaultValue = "100000", description = "uploads kept while the server is away")
        int buffer;

        @Option(names = "--listen", defaultValue = "127.0.0.1:8181", description = "where nodes register (host:port)")
        String listen;

        @Option(names = "--node", description = "a node from configuration: name=http://address (repeatable)")
        List<String> nodes = new ArrayList<>();

        @Option(
                names = "--command-key",
                description = "the server's command signing key (PEM, from GET /api/v1/commands/signing-key);"
                        + " without it remote connect/disconnect commands are refused")
        Path commandKey;

        @Override
        public Integer call() throws Exception {
            String key = System.getenv("MB_GATEWAY_KEY");
            if (key == null || key.isBlank()) {
                System.err.println("Set MB_GATEWAY_KEY to the customer's API key (it is never taken from arguments).");
                return 2;
            }
            List<Node> configured = new ArrayList<>();
            for (String n : nodes) {
                String[] p = n.split("=", 2);
                configured.add(new Node(p[0], p[1], null));
            }
            String[] hp = listen.split(":");
            GatewayAgent agent = new GatewayAgent(new GatewaySettings(
                            server,
                            key,
                            name,
                            Duration.ofSeconds(interval),
                            data,
                            buffer,
                            hp[0],
                            Integer.parseInt(hp[1]),
                            configured,
                            commandKey == null ? null : java.nio.file.Files.readString(commandKey)))
                    .start();
            waitForever(agent);
            return 0;
        }
    }

    @Command(name = "node", description = "Run a simulated sensor node that registers with a gateway.")
    static final class SimNode implements Callable<Integer> {
        @Option(names = "--name", required = true)
        String name;

        @Option(names = "--watts", defaultValue = "100", description = "rated power of its appliance")
        double watts;

        @Option(names = "--port", defaultValue = "0")
        int port;

        @Option(names = "--gateway", defaultValue = "http://127.0.0.1:8181")
        String gateway;

        @Option(names = "--category", defaultValue = "other")
        String category;

        @Override
        public Integer call() throws Exception {
            SimulatedNode node = new SimulatedNode(name, watts, "127.0.0.1", port);
            node.register(gateway, category);
            System.out.println("Node " + name + " at " + node.address() + " registered with " + gateway);
            waitForever(node);
            return 0;
        }
    }
}
