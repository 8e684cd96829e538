package io.meterbase.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A third party sees only what its grant names: the devices and quantities, within the period, as hourly
 * aggregates when so granted; a revoked grant reads nothing; every access, refused ones included, is in the owner's
 * access log, which survives a restart.
 */
class ThirdPartyGrantTest {

    private static final long HOUR = 3_600_000L;

    @TempDir
    Path dir;

    private Meterbase start() {
        return Meterbase.start(TestConfigs.httpOnly(dir), Clock.systemUTC());
    }

    @Test
    void grantShowsOnlyItsDevicesQuantitiesAndPeriod_revocationAndAccessLog() throws Exception {
        String customer;
        String token;
        String hourly;
        String grantId;
        long now = System.currentTimeMillis();
        try (Meterbase server = start()) {
            ApiClient api = new ApiClient(server.httpPort());
            String operator = server.newOperatorSecret().orElseThrow();
            customer = api.json("POST", "/api/v1/customers", operator, """
                            {"name":"Ana","site":{"name":"Home","community":"north","zone":"UTC"}}""")
                    .at("/api_key/secret")
                    .asText();
            String other = api.json("POST", "/api/v1/customers", operator, """
                            {"name":"Bo","site":{"name":"Home","community":"north","zone":"UTC"}}""")
                    .at("/api_key/secret")
                    .asText();
            // 6 hours of minute readings from two plugs
            StringBuilder nodes = new StringBuilder();
            for (String plug : new String[] {"plug-1", "plug-2"}) {
                StringBuilder readings = new StringBuilder();
                for (int m = 0; m < 360; m++) {
                    long t = now - 6 * HOUR + m * 60_000L;
                    readings.append(readings.isEmpty() ? "" : ",")
                            .append("{\"quantity\":\"active_power\",\"unit\":\"W\",\"value\":")
                            .append(100 + m % 60)
                            .append(",\"ts\":")
                            .append(t)
                            .append("},{\"quantity\":\"voltage\",\"unit\":\"V\",\"value\":230,\"ts\":")
                            .append(t)
                            .append('}');
                }
                nodes.append(nodes.isEmpty() ? "" : ",")
                        .append("{\"id\":\"")
                        .append(plug)
                        .append("\",\"type\":\"smart_plug\",\"readings\":[")
                        .append(readings)
                        .append("]}");
            }
            assertThat(api.send("POST", "/api/v1/upload", customer, "{\"gateway\":\"gw\",\"nodes\":[" + nodes + "]}")
                            .statusCode())
                    .isEqualTo(200);

            // a grant names devices of the owner only
            assertThat(api.send("POST", "/api/v1/grants", other, """
                            {"application":"coach","devices":["plug-1"],"quantities":["active_power"]}""").statusCode())
                    .isEqualTo(400);
            JsonNode grant = api.json("POST", "/api/v1/grants", customer, """
                    {"application":"Energy coach","devices":["plug-1"],"quantities":["active_power"]}""");
            token = grant.get("token").asText();
            grantId = grant.get("id").asText();
            assertThat(api.send("GET", "/api/v1/grants", customer, null).body()).doesNotContain(token);

            JsonNode shared = api.json("GET", "/api/v1/shared", token, null);
            assertThat(shared.get("channels")).hasSize(1);
            assertThat(shared.at("/channels/0/device").asText()).isEqualTo("plug-1");
            assertThat(shared.at("/channels/0/quantity").asText()).isEqualTo("active_power");
            int granted = shared.at("/channels/0/id").asInt();
            JsonNode latest = api.json("GET", "/api/v1/shared/latest", token, null);
            assertThat(latest).hasSize(1);
            assertThat(latest.get(0).get("value").asDouble()).isBetween(100.0, 160.0);
            JsonNode raw = api.json(
                    "GET",
                    "/api/v1/shared/channels/" + granted + "/history?from=" + (now - 2 * HOUR) + "&to=" + now,
                    token,
                    null);
            assertThat(raw.get("bucket_seconds").asDouble()).isLessThan(3600);

            // what the grant does not name: another quantity, another device, anything else in the API
            JsonNode devices = api.json("GET", "/api/v1/devices", customer, null);
            for (JsonNode d : devices) {
                for (JsonNode c : d.get("channels")) {
                    if (c.get("id").asInt() != granted) {
                        assertThat(api.send(
                                                "GET",
                                                "/api/v1/shared/channels/"
                                                        + c.get("id").asInt() + "/history",
                                                token,
                                                null)
                                        .statusCode())
                                .isEqualTo(403);
                    }
                }
            }
            assertThat(api.send("GET", "/api/v1/latest", token, null).statusCode())
                    .isEqualTo(403);
            assertThat(api.send("GET", "/api/v1/export.csv", token, null).statusCode())
                    .isEqualTo(403);

            // hourly aggregates only, within a period
            String from = Instant.ofEpochMilli(now - 4 * HOUR).toString();
            JsonNode agg = api.json("POST", "/api/v1/grants", customer, """
                    {"application":"Utility study","devices":["plug-1","plug-2"],"quantities":["active_power"],
                     "from":"%s","aggregated_only":true}""".formatted(from));
            hourly = agg.get("token").asText();
            assertThat(api.send("GET", "/api/v1/shared/latest", hourly, null).statusCode())
                    .isEqualTo(403);
            JsonNode h = api.json(
                    "GET",
                    "/api/v1/shared/channels/" + granted + "/history?from=" + (now - 6 * HOUR) + "&to=" + now
                            + "&points=5000",
                    hourly,
                    null);
            assertThat(h.get("bucket_seconds").asDouble()).isGreaterThanOrEqualTo(3600);
            assertThat(Instant.parse(h.get("from").asText())).isEqualTo(Instant.parse(from));
            assertThat(api.send(
                                    "GET",
                                    "/api/v1/shared/channels/" + granted + "/history?from=" + (now - 6 * HOUR) + "&to="
                                            + (now - 5 * HOUR),
                                    hourly,
                                    null)
                            .statusCode())
                    .isEqualTo(403);

            // the owner revokes: the token reads nothing; other customers never see the grant
            assertThat(api.send("DELETE", "/api/v1/grants/" + grantId, other, null)
                            .statusCode())
                    .isEqualTo(404);
            assertThat(api.send("DELETE", "/api/v1/grants/" + grantId, customer, null)
                            .statusCode())
                    .isEqualTo(200);
            assertThat(api.send("GET", "/api/v1/shared", token, null).statusCode())
                    .isEqualTo(401);
        }

        // after a restart: the revocation and the access log are kept
        try (Meterbase server = start()) {
            ApiClient api = new ApiClient(server.httpPort());
            assertThat(api.send("GET", "/api/v1/shared", token, null).statusCode())
                    .isEqualTo(401);
            assertThat(api.send("GET", "/api/v1/shared", hourly, null).statusCode())
                    .isEqualTo(200);
            JsonNode log = api.json("GET", "/api/v1/grants/" + grantId + "/accesses", customer, null);
            // shared, latest, history, 3 refused channels, latest, export, and the revoked read: 9 or more
            assertThat(log.get("total").asLong()).isGreaterThanOrEqualTo(9);
            assertThat(log.get("newest").get(0).get("status").asInt()).isEqualTo(401);
            assertThat(log.get("newest").findValuesAsText("path")).contains("/api/v1/latest", "/api/v1/shared");
            assertThat(log.get("newest").findValues("status").stream().map(JsonNode::asInt))
                    .contains(200, 403, 401);
        }
    }
}
