package io.meterbase.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP API on loopback, as a gateway, a customer and an operator use it. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    private Meterbase server;
    private final HttpClient http = HttpClient.newHttpClient();
    private String base;
    private String operator;
    private String customerKey;
    private long customerId;

    @BeforeAll
    void start() throws Exception {
        MeterbaseConfig config = MeterbaseConfig.defaults()
                .with("data.dir", dir.toString())
                .with("http.port", "0")
                .with("mqtt.enabled", "false")
                .with("coap.enabled", "false")
                .with("http.max-body-bytes", "65536")
                .with("ingest.rollup-interval", "PT0.1S");
        server = Meterbase.start(config, Clock.systemUTC());
        base = "http://127.0.0.1:" + server.httpPort();
        operator = server.newOperatorSecret().orElseThrow();
        HttpResponse<String> created = send("POST", "/api/v1/customers", operator, """
                {"name":"Ana","site":{"name":"Flat","address":"1 Main St","lat":40.4,"lon":-3.7,
                 "community":"north","zone":"Europe/Madrid"}}""");
        assertThat(created.statusCode()).isEqualTo(201);
        JsonNode c = JSON.readTree(created.body());
        customerKey = c.at("/api_key/secret").asText();
        customerId = c.get("id").asLong();
    }

    @AfterAll
    void stop() {
        server.close();
    }

    private HttpResponse<String> send(String method, String path, String key, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body());
    }

    private static String upload(String node, Instant ts, double watts) {
        return "{\"gateway\":\"gw-1\",\"ts\":\"" + ts + "\",\"nodes\":[{\"id\":\"" + node
                + "\",\"name\":\"Fridge\",\"category\":\"fridge\",\"readings\":["
                + "{\"quantity\":\"active_power\",\"unit\":\"W\",\"value\":" + watts + "},"
                + "{\"quantity\":\"voltage\",\"unit\":\"V\",\"value\":231.5},"
                + "{\"quantity\":\"energy_import\",\"unit\":\"kWh\",\"value\":12.5,\"kind\":\"register\"}]}]}";
    }

    @Test
    void upload_withCustomerKey_isAcknowledgedWithLiveFigures() throws Exception {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);

        HttpResponse<String> r = send("POST", "/api/v1/upload", customerKey, upload("plug-a", now, 120));

        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = json(r);
        assertThat(body.get("accepted").asInt()).isEqualTo(3);
        assertThat(body.get("rejected").asInt()).isZero();
        assertThat(body.at("/customer/power_w").asDouble()).isGreaterThanOrEqualTo(120);

        JsonNode latest = json(send("GET", "/api/v1/latest?device=plug-a", customerKey, null));
        assertThat(latest.get(0).get("category").asText()).isEqualTo("fridge");
        assertThat(latest.get(0).get("position").get("lat").asDouble()).isEqualTo(40.4);
        assertThat(latest.get(0).get("readings")).anySatisfy(v -> {
            assertThat(v.get("quantity").asText()).isEqualTo("energy_import");
            assertThat(v.get("unit").asText()).isEqualTo("Wh");
            assertThat(v.get("value").asDouble()).isEqualTo(12500);
        });
    }

    @Test
    void upload_resent_isCountedAsDuplicate() throws Exception {
        String body = upload("plug-dup", Instant.now().truncatedTo(ChronoUnit.SECONDS), 50);
        send("POST", "/api/v1/upload", customerKey, body);

        JsonNode again = json(send("POST", "/api/v1/upload", customerKey, body));

        assertThat(again.get("accepted").asInt()).isEqualTo(3);
        assertThat(again.get("duplicates").asInt()).isEqualTo(3);
    }

    @Test
    void upload_withWrongKey_isRefusedAndQuarantined() throws Exception {
        HttpResponse<String> r = send("POST", "/api/v1/upload", "mbk_not-a-key", upload("x", Instant.now(), 1));

        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(json(r).get("error").asText()).isEqualTo("unauthorized");
        assertThat(r.headers().firstValue("WWW-Authenticate")).contains("Bearer");
        JsonNode q = json(send("GET", "/api/v1/quarantine?reason=unauthorized", operator, null));
        assertThat(q.size()).isPositive();
        assertThat(q.get(0).get("source").asText()).contains("127.0.0.1");
    }

    @Test
    void upload_withoutKey_isRefused() throws Exception {
        assertThat(send("POST", "/api/v1/upload", null, upload("x", Instant.now(), 1))
                        .statusCode())
                .isEqualTo(401);
    }

    @Test
    void upload_withRevokedKey_isRejected() throws Exception {
        JsonNode key = json(send("POST", "/api/v1/keys", customerKey, "{\"label\":\"old gateway\"}"));
        String secret = key.get("secret").asText();
        assertThat(send("POST", "/api/v1/upload", secret, upload("plug-r", Instant.now(), 1))
                        .statusCode())
                .isEqualTo(200);

        HttpResponse<String> revoked =
                send("DELETE", "/api/v1/keys/" + key.get("id").asLong(), customerKey, null);
        HttpResponse<String> r = send("POST", "/api/v1/upload", secret, upload("plug-r", Instant.now(), 1));

        assertThat(revoked.statusCode()).isEqualTo(200);
        assertThat(json(revoked).get("revoked_at").isNull()).isFalse();
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(json(r).get("error").asText()).isEqualTo("key_revoked");
    }

    @Test
    void keys_areListedWithoutSecretsAndOnlyShownOnce() throws Exception {
        JsonNode created = json(send("POST", "/api/v1/keys", customerKey, "{\"label\":\"second\"}"));
        JsonNode list = json(send("GET", "/api/v1/keys", customerKey, null));

        assertThat(created.get("secret").asText()).startsWith("mbk_").hasSizeGreaterThan(40);
        assertThat(list).allSatisfy(k -> assertThat(k.has("secret")).isFalse());
        assertThat(list).anySatisfy(k -> assertThat(k.get("label").asText()).isEqualTo("second"));
    }

    @Test
    void upload_malformedJson_isRefusedWithReasonAndQuarantined() throws Exception {
        HttpResponse<String> r = send("POST", "/api/v1/upload", customerKey, "{\"nodes\":[{\"id\":");

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(json(r).get("error").asText()).isEqualTo("malformed_payload");
        JsonNode q = json(send("GET", "/api/v1/quarantine?reason=malformed_payload", operator, null));
        assertThat(q.get(0).get("payload").asText()).isEqualTo("{\"nodes\":[{\"id\":");
        assertThat(q.get(0).get("customer_id").asLong()).isEqualTo(customerId);
    }

    @Test
    void upload_oversized_isRefusedWith413() throws Exception {
        String big = "{\"nodes\":[],\"pad\":\"" + "x".repeat(70_000) + "\"}";

        HttpResponse<String> r = send("POST", "/api/v1/upload", customerKey, big);

        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(json(r).get("error").asText()).isEqualTo("payload_too_large");
        assertThat(json(send("GET", "/api/v1/quarantine?reason=payload_too_large", operator, null))
                        .size())
                .isPositive();
    }

    @Test
    void upload_withOnlyInvalidReadings_answers422WithReasons() throws Exception {
        String body = "{\"ts\":\"" + Instant.now() + "\",\"nodes\":[{\"id\":\"plug-bad\",\"readings\":["
                + "{\"quantity\":\"voltage\",\"unit\":\"kWh\",\"value\":230}]}]}";

        HttpResponse<String> r = send("POST", "/api/v1/upload", customerKey, body);

        assertThat(r.statusCode()).isEqualTo(422);
        JsonNode rej = json(r).get("rejections").get(0);
        assertThat(rej.get("reason").asText()).isEqualTo("unit_mismatch");
        assertThat(rej.get("node").asText()).isEqualTo("plug-bad");
    }

    @Test
    void keyInUrl_isRefused() throws Exception {
        HttpResponse<String> r = send("GET", "/api/v1/latest?api_key=" + customerKey, null, null);

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(json(r).get("error").asText()).isEqualTo("key_in_url");
    }

    @Test
    void operatorRoutes_refuseCustomers() throws Exception {
        assertThat(send("GET", "/api/v1/quarantine", customerKey, null).statusCode())
                .isEqualTo(403);
        assertThat(send("GET", "/api/v1/customers", customerKey, null).statusCode())
                .isEqualTo(403);
        assertThat(send("GET", "/api/v1/customers", operator, null).statusCode())
                .isEqualTo(200);
        assertThat(send("POST", "/api/v1/upload", operator, upload("p", Instant.now(), 1))
                        .statusCode())
                .isEqualTo(403);
    }

    @Test
    void customer_cannotSeeAnotherCustomersData() throws Exception {
        JsonNode other = json(send("POST", "/api/v1/customers", operator, "{\"name\":\"Ben\"}"));
        String otherKey = other.at("/api_key/secret").asText();
        send("POST", "/api/v1/upload", customerKey, upload("plug-own", Instant.now(), 10));
        int channel = json(send("GET", "/api/v1/devices?device=plug-own", customerKey, null))
                .get(0)
                .get("channels")
                .get(0)
                .get("id")
                .asInt();

        assertThat(send("GET", "/api/v1/channels/" + channel + "/history", otherKey, null)
                        .statusCode())
                .isEqualTo(404);
        assertThat(json(send("GET", "/api/v1/devices", otherKey, null)).size()).isZero();
        assertThat(send("GET", "/api/v1/devices?device=plug-own", otherKey, null)
                        .statusCode())
                .isEqualTo(404);
    }

    @Test
    void historyEnergyAndExport_answerForUploadedData() throws Exception {
        Instant start = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(2, ChronoUnit.HOURS);
        StringBuilder readings = new StringBuilder();
        for (int m = 0; m <= 60; m++) {
            readings.append(m == 0 ? "" : ",")
                    .append("{\"ts\":\"")
                    .append(start.plusSeconds(m * 60L))
                    .append("\",")
                    .append("\"quantity\":\"active_power\",\"unit\":\"W\",\"value\":600}");
        }
        String body = "{\"nodes\":[{\"id\":\"plug-h\",\"category\":\"kettle\",\"readings\":[" + readings + "]}]}";
        assertThat(json(send("POST", "/api/v1/upload", customerKey, body))
                        .get("accepted")
                        .asInt())
                .isEqualTo(61);
        int channel = json(send("GET", "/api/v1/devices?device=plug-h", customerKey, null))
                .get(0)
                .get("channels")
                .get(0)
                .get("id")
                .asInt();

        JsonNode history = json(send(
                "GET",
                "/api/v1/channels/" + channel + "/history?points=20&from=" + start + "&to=" + start.plusSeconds(3600),
                customerKey,
                null));
        assertThat(history.get("source").asText()).isEqualTo("raw");
        assertThat(history.get("points").size()).isBetween(2, 20);
        assertThat(history.get("points").get(0).get(1).asDouble()).isEqualTo(600);

        long deadline = System.currentTimeMillis() + 10_000;
        double wh = 0;
        while (System.currentTimeMillis() < deadline && wh < 600) {
            JsonNode energy = json(send(
                    "GET",
                    "/api/v1/energy?device=plug-h&interval=hour&group=category&from=" + start + "&to="
                            + start.plusSeconds(7200),
                    customerKey,
                    null));
            wh = energy.get("points").findValues("amount").stream()
                    .mapToDouble(JsonNode::asDouble)
                    .sum();
            Thread.sleep(100);
        }
        assertThat(wh).isEqualTo(600.0); // 600 W for one hour

        HttpResponse<String> csv = send(
                "GET",
                "/api/v1/export.csv?device=plug-h&from=" + start + "&to=" + start.plusSeconds(120),
                customerKey,
                null);
        assertThat(csv.headers().firstValue("Content-Type").orElse("")).startsWith("text/csv");
        assertThat(csv.body().lines())
                .containsExactly(
                        "device,channel,quantity,unit,channel_id,ts,value,quality",
                        "plug-h,active_power,active_power,W," + channel + "," + start + ",600.0,good",
                        "plug-h,active_power,active_power,W," + channel + "," + start.plusSeconds(60) + ",600.0,good");

        HttpResponse<byte[]> parquet = http.send(
                HttpRequest.newBuilder(URI.create(base + "/api/v1/export.parquet?device=plug-h&from=" + start + "&to="
                                + start.plusSeconds(120)))
                        .header("Authorization", "Bearer " + customerKey)
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(parquet.statusCode()).isEqualTo(200);
        Path file = dir.resolve("export.parquet");
        java.nio.file.Files.write(file, parquet.body());
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:duckdb:");
                java.sql.ResultSet rs = c.createStatement()
                        .executeQuery("SELECT device, quantity, unit, epoch_ms(ts), value FROM read_parquet('" + file
                                + "') ORDER BY ts")) {
            List<String> rows = new java.util.ArrayList<>();
            while (rs.next()) {
                rows.add(rs.getString(1) + " " + rs.getString(2) + " " + rs.getString(3) + " " + rs.getLong(4) + " "
                        + rs.getDouble(5));
            }
            assertThat(rows)
                    .containsExactly(
                            "plug-h active_power W " + start.toEpochMilli() + " 600.0",
                            "plug-h active_power W " + start.plusSeconds(60).toEpochMilli() + " 600.0");
        }
    }

    @Test
    void upload_inOtherFormats_isDecodedByItsFormat() throws Exception {
        HttpResponse<String> tasmota = send(
                "POST",
                "/api/v1/upload?format=tasmota&device=tasmota-kitchen",
                customerKey,
                "{\"ENERGY\":{\"Total\":12.5,\"Power\":85,\"Voltage\":231}}");
        // SenML CBOR: [{-2: "senml-meter/", 0: "voltage", 1: "V", 2: 230.5}]
        byte[] cbor = java.util.HexFormat.of()
                .parseHex("81a4216c73656e6d6c2d6d657465722f0067766f6c7461676501615602fb406cd00000000000");
        HttpResponse<String> senml = http.send(
                HttpRequest.newBuilder(URI.create(base + "/api/v1/upload?format=senml-cbor"))
                        .header("Authorization", "Bearer " + customerKey)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(cbor))
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(tasmota.statusCode()).isEqualTo(200);
        assertThat(json(tasmota).get("accepted").asInt()).isEqualTo(3);
        assertThat(json(senml).get("accepted").asInt()).as(senml.body()).isEqualTo(1);
        JsonNode latest = json(send("GET", "/api/v1/latest?device=tasmota-kitchen", customerKey, null));
        assertThat(latest.get(0).get("readings")).anySatisfy(v -> {
            assertThat(v.get("name").asText()).isEqualTo("energy");
            assertThat(v.get("value").asDouble()).isEqualTo(12500);
        });
        assertThat(json(send("GET", "/api/v1/latest?device=senml-meter", customerKey, null))
                        .get(0)
                        .get("readings")
                        .get(0)
                        .get("value")
                        .asDouble())
                .isEqualTo(230.5);
        assertThat(json(send("POST", "/api/v1/upload?format=modbus", customerKey, "{}"))
                        .get("error")
                        .asText())
                .isEqualTo("unknown_format");
    }

    /** Runs the real curl with a form body, as emonhub's HTTP interfacer posts; returns status and body. */
    private String[] curlForm(String path, String... fields) throws Exception {
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of(
                "curl", "-s", "-o", "/dev/stdout", "-w", "\n%{http_code}", "-X", "POST", base + path));
        for (String f : fields) {
            cmd.add("--data-urlencode");
            cmd.add(f);
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        int nl = out.lastIndexOf('\n');
        return new String[] {out.substring(nl + 1), out.substring(0, nl)};
    }

    @Test
    void emoncmsBulk_postedLikeEmonhub_isStoredAndAnsweredOk() throws Exception {
        JsonNode key =
                json(send("POST", "/api/v1/keys", customerKey, "{\"label\":\"emonhub\",\"format\":\"emoncms\"}"));
        String apikey = key.get("secret").asText();
        assertThat(apikey).matches("[0-9a-f]{32}");
        long now = System.currentTimeMillis() / 1000;

        String[] ok = curlForm(
                "/input/bulk.json",
                "apikey=" + apikey,
                "data=[[" + (now - 20) + ",10,150,250,0,0,231.2],[" + (now - 10) + ",10,151,251,0,0,231.0]]",
                "sentat=" + now);
        String[] wrong = curlForm("/input/bulk.json", "apikey=" + "0".repeat(32), "data=[[" + now + ",10,1]]");
        String[] post = curlForm("/input/post", "apikey=" + apikey, "node=emontx2", "fulljson={\"power1\":42}");
        HttpResponse<String> inUrl = send("GET", "/input/post?node=1&csv=1&apikey=" + apikey, null, null);

        assertThat(ok).containsExactly("200", "ok");
        assertThat(post).containsExactly("200", "ok");
        assertThat(wrong[0]).isEqualTo("401");
        assertThat(inUrl.statusCode()).isEqualTo(400);
        JsonNode node =
                json(send("GET", "/api/v1/latest?device=10", customerKey, null)).get(0);
        assertThat(node.get("readings"))
                .anySatisfy(v -> {
                    assertThat(v.get("name").asText()).isEqualTo("power1");
                    assertThat(v.get("value").asDouble()).isEqualTo(151);
                })
                .anySatisfy(v -> {
                    assertThat(v.get("name").asText()).isEqualTo("vrms");
                    assertThat(v.get("unit").asText()).isEqualTo("V");
                });
    }

    @Test
    void pendingDevices_andApprovalOfAnUnknownDevice_areAnsweredClearly() throws Exception {
        assertThat(send("GET", "/api/v1/devices/pending", customerKey, null).statusCode())
                .isEqualTo(200);
        assertThat(send("POST", "/api/v1/devices/nobody/approve", customerKey, null)
                        .statusCode())
                .isEqualTo(404);
    }

    @Test
    void badQueryParameters_getClearErrors() throws Exception {
        HttpResponse<String> r = send("GET", "/api/v1/energy?interval=fortnight", customerKey, null);

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(json(r).get("message").asText()).contains("interval 'fortnight'");
        assertThat(send("GET", "/api/v1/channels/999999/history", customerKey, null)
                        .statusCode())
                .isEqualTo(404);
        assertThat(send("GET", "/api/v1/channels/1/history?from=yesterday", customerKey, null)
                        .statusCode())
                .isIn(400, 404);
    }

    @Test
    void healthMetricsAndOpenApi_areServed() throws Exception {
        assertThat(json(send("GET", "/health", null, null)).get("status").asText())
                .isEqualTo("UP");
        String metrics = send("GET", "/metrics", null, null).body();
        assertThat(metrics)
                .contains(
                        "meterbase_ingest_readings_total",
                        "meterbase_ingest_rejected_total",
                        "meterbase_store_write_seconds",
                        "meterbase_ingest_queue_readings");
        JsonNode api = json(send("GET", "/api/v1/openapi.json", null, null));
        assertThat(api.get("openapi").asText()).startsWith("3.");
        assertThat(api.get("paths").has("/api/v1/dr/events/{id}/reduction")).isTrue();
        assertThat(api.get("paths").has("/api/v1/devices/{ref}/commands")).isTrue();
        assertThat(api.get("paths").has("/api/v1/bill")).isTrue();
        assertThat(api.get("paths").has("/api/v1/upload")).isTrue();
    }
}
