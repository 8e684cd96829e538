package io.meterbase.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meterbase.core.store.DayKey;
import io.meterbase.core.store.Rollup;
import io.meterbase.core.store.Store;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code meterbase rebuild-rollups}: rollups booked by other rules (an older version's) are recomputed from the
 * stored readings, all of them or from a day on, and come out as the server books them.
 */
class RebuildRollupsTest {

    private static final long HOUR = 3_600_000L;

    @TempDir
    Path dir;

    @Test
    void rollupsBookedOtherwise_areRecomputedFromTheReadings() throws Exception {
        // GIVEN a register read at midnight on four days, stored and rolled up by the server
        MeterbaseConfig config = TestConfigs.httpOnly(dir).with("ingest.rollup-interval", "PT0.1S");
        Instant today = Instant.now().truncatedTo(ChronoUnit.DAYS);
        Instant first = today.minus(4, ChronoUnit.DAYS);
        try (Meterbase server = Meterbase.start(config, Clock.systemUTC())) {
            ApiClient api = new ApiClient(server.httpPort());
            String operator = server.newOperatorSecret().orElseThrow();
            ObjectNode body = ApiClient.JSON.createObjectNode().put("name", "Flat 9");
            body.putObject("site").put("name", "Home").put("zone", "UTC");
            HttpResponse<String> created = api.send("POST", "/api/v1/customers", operator, body.toString());
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            String customer = ApiClient.JSON
                    .readTree(created.body())
                    .at("/api_key/secret")
                    .asText();
            ObjectNode upload = ApiClient.JSON.createObjectNode();
            ArrayNode readings =
                    upload.putArray("nodes").addObject().put("id", "meter-1").putArray("readings");
            double[] register = {1_000, 3_400, 5_800, 6_100, 9_000};
            for (int d = 0; d < register.length; d++) {
                readings.addObject()
                        .put("quantity", "energy_import")
                        .put("unit", "Wh")
                        .put("kind", "register")
                        .put("value", register[d])
                        .put("ts", first.plus(d, ChronoUnit.DAYS).toString());
            }
            HttpResponse<String> up = api.send("POST", "/api/v1/upload", customer, upload.toString());
            assertThat(up.statusCode()).as(up.body()).isEqualTo(200);
            String path = "/api/v1/energy?interval=day&group=device&device=meter-1&from=" + first + "&to=" + today;
            ApiClient.await(
                    () -> api.json("GET", path, customer, null),
                    e -> e.get("points").findValues("amount").stream()
                                    .mapToDouble(n -> n.asDouble())
                                    .sum()
                            >= 8_000 - 1e-6,
                    15);
        }
        List<Rollup> booked;
        List<Integer> channels;
        try (Store store = Meterbase.openStore(config)) {
            channels = new ArrayList<>(store.readings().newestHourly().keySet());
            booked = store.readings().hourly(channels, first.toEpochMilli(), today.toEpochMilli());
            assertThat(booked).hasSize(4 * 24);

            // AND then booked otherwise: every hour's energy tripled, and the days with it
            store.readings().upsertHourly(tripled(booked));
            List<DayKey> days = new ArrayList<>();
            for (int d = 0; d < 5; d++) {
                long start = first.plus(d, ChronoUnit.DAYS).toEpochMilli();
                days.add(new DayKey(channels.get(0), start, start + 24 * HOUR));
            }
            store.readings().rebuildDaily(days);
        }

        // WHEN the rollups from the third day on are rebuilt
        LocalDate third = LocalDate.ofInstant(first.plus(2, ChronoUnit.DAYS), ZoneOffset.UTC);
        int exit = new CommandLine(new MeterbaseCli())
                .execute("rebuild-rollups", "--data", config.string("data.dir"), "--from", third.toString());

        // THEN those hours are the server's again (and the hour before them, where the recomputation starts), and
        // the hours before are left as they were
        assertThat(exit).isZero();
        long split = first.plus(2, ChronoUnit.DAYS).toEpochMilli() - HOUR;
        try (Store store = Meterbase.openStore(config)) {
            List<Rollup> now = store.readings().hourly(channels, first.toEpochMilli(), today.toEpochMilli());
            assertThat(now.stream().filter(r -> r.start() >= split).toList())
                    .hasSize(2 * 24 + 1)
                    .isEqualTo(booked.stream().filter(r -> r.start() >= split).toList());
            assertThat(now.stream().filter(r -> r.start() < split).toList())
                    .hasSize(2 * 24 - 1)
                    .isEqualTo(tripled(booked).stream()
                            .filter(r -> r.start() < split)
                            .toList());
        }

        // WHEN all of the history is rebuilt
        exit = new CommandLine(new MeterbaseCli()).execute("rebuild-rollups", "--data", config.string("data.dir"));

        // THEN every hour and day is the server's again: 2,400 Wh on each of the first two days
        assertThat(exit).isZero();
        try (Store store = Meterbase.openStore(config)) {
            assertThat(store.readings().hourly(channels, first.toEpochMilli(), today.toEpochMilli()))
                    .isEqualTo(booked);
            List<Rollup> days = store.readings()
                    .daily(
                            channels,
                            first.toEpochMilli(),
                            first.plus(2, ChronoUnit.DAYS).toEpochMilli());
            assertThat(days).extracting(Rollup::energy).containsExactly(2_400.0, 2_400.0);
        }
    }

    private static List<Rollup> tripled(List<Rollup> rollups) {
        return rollups.stream()
                .map(r -> new Rollup(
                        r.channelId(),
                        r.start(),
                        r.count(),
                        r.sum(),
                        r.min(),
                        r.max(),
                        r.energy() * 3,
                        r.estimated(),
                        r.gapMillis()))
                .toList();
    }
}
