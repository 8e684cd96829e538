package io.meterbase.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterbase.core.model.Channel;
import io.meterbase.core.model.Customer;
import io.meterbase.core.model.Reading;
import io.meterbase.core.model.Role;
import io.meterbase.gateway.GatewayAgent;
import io.meterbase.gateway.GatewaySettings;
import io.meterbase.gateway.SimulatedNode;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Seed 000's chain on one machine: simulated nodes → gateway agent → server, across a server outage. */
class GatewayAgentTest {

    @TempDir
    Path dir;

    private static void await(BooleanSupplier condition, int seconds) throws InterruptedException {
        long deadline = System.currentTimeMillis() + seconds * 1000L;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("not within " + seconds + " s");
            }
            Thread.sleep(50);
        }
    }

    private static MeterbaseConfig config(Path data, int port) {
        return MeterbaseConfig.defaults()
                .with("data.dir", data.toString())
                .with("http.port", String.valueOf(port))
                .with("mqtt.enabled", "false")
                .with("coap.enabled", "false");
    }

    private static List<Reading> power(Meterbase server, long customer, String node) {
        return server.registry()
                .device(customer, node)
                .flatMap(d -> server.registry().channel(d.id(), "active_power"))
                .map(Channel::id)
                .map(id -> server.store().readings().readings(id, 0, Long.MAX_VALUE, 100_000))
                .orElse(List.of());
    }

    @Test
    void gateway_buffersAcrossAServerOutage_andDeliversEverythingOnce() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path data = dir.resolve("server");
        Meterbase server = Meterbase.start(config(data, port), Clock.systemUTC());
        Customer ana = server.registry().createCustomer("Ana", "Home", null, null, "north", ZoneId.of("UTC"));
        String key = server.registry()
                .createKey(ana.id(), Role.CUSTOMER, "home gateway")
                .secret();

        GatewaySettings settings = new GatewaySettings(
                "http://127.0.0.1:" + port,
                key,
                "home-gw",
                Duration.ofMillis(200),
                dir.resolve("gateway"),
                10_000,
                "127.0.0.1",
                0,
                List.of(),
                null);
        try (GatewayAgent agent = new GatewayAgent(settings).start();
                SimulatedNode fridge = new SimulatedNode("fridge", 120, "127.0.0.1", 0);
                SimulatedNode heater = new SimulatedNode("heater", 2000, "127.0.0.1", 0)) {
            String gateway = "http://127.0.0.1:" + agent.registrationPort();
            fridge.register(gateway, "fridge");
            heater.register(gateway, "water_heater");
            Meterbase first = server;
            await(
                    () -> power(first, ana.id(), "fridge").size() >= 3
                            && power(first, ana.id(), "heater").size() >= 3,
                    20);

            server.close();
            long sentBefore = agent.uploadsSent();
            await(() -> agent.buffer().size() >= 5, 20); // the server is away: uploads wait on disk
            assertThat(agent.uploadsSent()).isEqualTo(sentBefore);

            server = Meterbase.start(config(data, port), Clock.systemUTC());
            Meterbase second = server;
            await(() -> agent.buffer().size() == 0, 30);
            agent.stop();
            agent.flush();
            assertThat(agent.buffer().size()).isZero();
            long fridgeReads = agent.readsOf("fridge");

            List<Reading> fridgePower = power(second, ana.id(), "fridge");
            Set<Long> times = new HashSet<>();
            fridgePower.forEach(r -> times.add(r.timestamp()));
            assertThat(times).as("no reading stored twice").hasSize(fridgePower.size());
            assertThat((long) fridgePower.size())
                    .as("every poll of the fridge arrived")
                    .isEqualTo(fridgeReads);
            assertThat(fridgePower).isSortedAccordingTo((a, b) -> Long.compare(a.timestamp(), b.timestamp()));
            assertThat(second.registry()
                            .device(ana.id(), "heater")
                            .orElseThrow()
                            .category()
                            .key())
                    .isEqualTo("water_heater");
        } finally {
            server.close();
        }
    }
}
