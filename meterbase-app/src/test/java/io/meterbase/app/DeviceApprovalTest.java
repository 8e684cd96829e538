package io.meterbase.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meterbase.core.model.Role;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ingest.unknown-devices=hold: a new device's readings wait until its owner approves it. */
class DeviceApprovalTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void heldDevice_isRefusedUntilApproved() throws Exception {
        try (Meterbase server = Meterbase.start(
                MeterbaseConfig.defaults()
                        .with("data.dir", dir.toString())
                        .with("http.port", "0")
                        .with("mqtt.enabled", "false")
                        .with("coap.enabled", "false")
                        .with("ingest.unknown-devices", "hold"),
                Clock.systemUTC())) {
            long customer = server.registry()
                    .createCustomer("Ana", "Flat", null, null, "north", ZoneId.of("UTC"))
                    .id();
            String key =
                    server.registry().createKey(customer, Role.CUSTOMER, "gw").secret();
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + server.httpPort();
            String body = "{\"gateway\":\"gw-1\",\"ts\":\"" + Instant.now() + "\",\"nodes\":[{\"id\":\"new-plug\","
                    + "\"name\":\"Dryer\",\"category\":\"washing_machine\",\"readings\":[{\"quantity\":\"active_power\","
                    + "\"unit\":\"W\",\"value\":700}]}]}";
            HttpRequest upload = HttpRequest.newBuilder(URI.create(base + "/api/v1/upload"))
                    .header("Authorization", "Bearer " + key)
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build();

            HttpResponse<String> held = http.send(upload, HttpResponse.BodyHandlers.ofString());
            JsonNode pending = JSON.readTree(http.send(
                            HttpRequest.newBuilder(URI.create(base + "/api/v1/devices/pending"))
                                    .header("Authorization", "Bearer " + key)
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body());
            HttpResponse<String> approved = http.send(
                    HttpRequest.newBuilder(URI.create(base + "/api/v1/devices/new-plug/approve"))
                            .header("Authorization", "Bearer " + key)
                            .POST(HttpRequest.BodyPublishers.noBody())
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> after = http.send(upload, HttpResponse.BodyHandlers.ofString());

            assertThat(held.statusCode()).isEqualTo(422);
            assertThat(JSON.readTree(held.body()).at("/rejections/0/reason").asText())
                    .isEqualTo("device_pending_approval");
            assertThat(pending.get(0).get("ref").asText()).isEqualTo("new-plug");
            assertThat(pending.get(0).get("category").asText()).isEqualTo("washing_machine");
            assertThat(approved.statusCode()).isEqualTo(201);
            assertThat(JSON.readTree(approved.body()).get("name").asText()).isEqualTo("Dryer");
            assertThat(after.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(after.body()).get("accepted").asInt()).isEqualTo(1);
            assertThat(server.store().readings().quarantined("device_pending_approval", 10))
                    .hasSize(1);
        }
    }
}
