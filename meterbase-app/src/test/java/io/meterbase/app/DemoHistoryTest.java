package io.meterbase.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterbase.core.model.Customer;
import io.meterbase.core.model.Role;
import io.meterbase.simulator.Simulator;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo's order of writing: a held home posts nothing live until its history is in, so each home's readings go
 * oldest first while the other homes already post live.
 */
class DemoHistoryTest {

    @TempDir
    Path dir;

    @Test
    void aHeldHome_postsLiveOnlyOnceReleased_afterItsHistory() throws Exception {
        try (Meterbase server = Meterbase.start(TestConfigs.httpOnly(dir), Clock.systemUTC())) {
            ZoneId zone = ZoneId.of("Europe/Madrid");
            Customer first = server.registry().createCustomer("Home 01", "Home", null, null, "south", zone);
            Customer second = server.registry().createCustomer("Home 02", "Home", null, null, "north", zone);
            List<String> keys = List.of(
                    server.registry().createKey(first.id(), Role.CUSTOMER, "gw").secret(),
                    server.registry()
                            .createKey(second.id(), Role.CUSTOMER, "gw")
                            .secret());
            try (Simulator sim = new Simulator(URI.create("http://127.0.0.1:" + server.httpPort()), keys, zone)) {
                sim.holdAll();
                sim.start(Duration.ofMillis(200));
                sim.release(1);
                waitFor(() -> !server.registry().devices(second.id()).isEmpty());
                Thread.sleep(600); // several intervals: the held home stays silent
                assertThat(server.registry().devices(first.id())).isEmpty();

                long now = System.currentTimeMillis();
                assertThat(sim.backfill(0, now, 2, Duration.ofMinutes(1))).isPositive();
                sim.release(0);
                waitFor(() -> newest(server, first) > now);

                // its history came first, its live data after: no reading was refused as out of order
                assertThat(oldest(server, first)).isLessThan(now - 3_600_000L);
                assertThat(sim.failed()).isZero();
            }
        }
    }

    private static long newest(Meterbase server, Customer c) {
        return server.registry().devices(c.id()).stream()
                .flatMap(d -> server.registry().channels(d.id()).stream())
                .mapToLong(ch -> server.store().readings().readings(ch.id(), 0, Long.MAX_VALUE, 100_000).stream()
                        .mapToLong(r -> r.timestamp())
                        .max()
                        .orElse(0))
                .max()
                .orElse(0);
    }

    private static long oldest(Meterbase server, Customer c) {
        return server.registry().devices(c.id()).stream()
                .flatMap(d -> server.registry().channels(d.id()).stream())
                .mapToLong(ch -> server.store().readings().readings(ch.id(), 0, Long.MAX_VALUE, 1).stream()
                        .mapToLong(r -> r.timestamp())
                        .min()
                        .orElse(Long.MAX_VALUE))
                .min()
                .orElse(Long.MAX_VALUE);
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 15_000;
        while (!condition.getAsBoolean()) {
            assertThat(System.currentTimeMillis()).as("in time").isLessThan(deadline);
            Thread.sleep(100);
        }
    }
}
