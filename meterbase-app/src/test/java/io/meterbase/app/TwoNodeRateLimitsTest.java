package io.meterbase.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meterbase.core.model.Role;
import io.meterbase.store.contract.PgCluster;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two whole servers on one PostgreSQL: a key's rate limit holds for both together. Before, each node counted its
 * own, so a key sent its allowance once through each node.
 */
class TwoNodeRateLimitsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @TempDir
    Path tmp;

    @Test
    void aKeysAllowanceSpentOnOneNode_isSpentOnTheOther() throws Exception {
        try (PgCluster pg = PgCluster.start()) {
            // GIVEN two nodes where a key may send 5 readings a second, 100 at once
            try (Meterbase one = Meterbase.start(config(pg, "one"), Clock.systemUTC());
                    Meterbase two = Meterbase.start(config(pg, "two"), Clock.systemUTC())) {
                long customer = one.registry()
                        .createCustomer("limits", "limits", null, null, "north", ZoneId.of("UTC"))
                        .id();
                String key = one.registry()
                        .createKey(customer, Role.CUSTOMER, "uploads")
                        .secret();
                long start = Instant.now().minus(Duration.ofHours(1)).toEpochMilli() / 1000 * 1000;

                // WHEN the key sends its whole burst through node one
                assertThat(upload(one, key, start, 100).statusCode()).isEqualTo(200);
                // (each node tells what it spent, and learns what the other spent, every second)
                Thread.sleep(3_000);

                // THEN node two refuses more than the few readings refilled since, and says when to come back
                HttpResponse<String> refused = upload(two, key, start + 100_000, 60);
                assertThat(refused.statusCode()).as(refused.body()).isEqualTo(429);
                assertThat(refused.headers().firstValue("Retry-After")).isPresent();
                // while a key of its own still sends through node two
                String other = one.registry()
                        .createKey(customer, Role.CUSTOMER, "other uploads")
                        .secret();
                Thread.sleep(1_000); // the new key reaches node two through the change feed
                assertThat(upload(two, other, start + 200_000, 60).statusCode()).isEqualTo(200);
            }
        }
    }

    private MeterbaseConfig config(PgCluster pg, String node) {
        return MeterbaseConfig.defaults()
                .with("data.dir", tmp.resolve(node).toString())
                .with("store", "postgres")
                .with("store.postgres.url", pg.url("meterbase"))
                .with("store.postgres.user", PgCluster.USER)
                .with("store.postgres.password", PgCluster.PASSWORD)
                .with("http.port", "0")
                .with("mqtt.enabled", "false")
                .with("coap.enabled", "false")
                .with("ingest.rate-limit.readings-per-second", "5")
                .with("ingest.rate-limit.burst", "100");
    }

    private HttpResponse<String> upload(Meterbase node, String key, long first, int count) throws Exception {
        ArrayNode readings = JSON.createArrayNode();
        for (int i = 0; i < count; i++) {
            readings.addObject()
                    .put("ts", first + i * 1000L)
                    .put("quantity", "active_power")
                    .put("unit", "W")
                    .put("value", 100);
        }
        ObjectNode body = JSON.createObjectNode();
        body.putArray("nodes").addObject().put("id", "plug").set("readings", readings);
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort() + "/api/v1/upload"))
                        .header("Authorization", "Bearer " + key)
                        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
