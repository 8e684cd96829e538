package io.meterbase.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A customer asks for alarm e-mail through the API; a device's tamper event reaches a real SMTP server. */
class AlarmEmailTest {

    @TempDir
    Path dir;

    @Test
    void aCustomersAlarm_arrivesByEmail_asTheirSettingsSay() throws Exception {
        GreenMail smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
        smtp.start();
        try (Meterbase server = Meterbase.start(
                TestConfigs.httpOnly(dir)
                        .with("notifications.smtp.host", "127.0.0.1")
                        .with(
                                "notifications.smtp.port",
                                String.valueOf(smtp.getSmtp().getPort()))
                        .with("notifications.smtp.security", "none")
                        .with("notifications.smtp.from", "alarms@meterbase.example"),
                Clock.systemUTC())) {
            ApiClient api = new ApiClient(server.httpPort());
            long customer = server.registry()
                    .createCustomer("Ana", "Flat", null, null, "north", java.time.ZoneId.of("UTC"))
                    .id();
            String key = server.registry()
                    .createKey(customer, io.meterbase.core.model.Role.CUSTOMER, "owner")
                    .secret();
            assertThat(api.json("GET", "/api/v1/notifications", key, null)
                            .get("can_send")
                            .asBoolean())
                    .isTrue();

            JsonNode saved = api.json(
                    "PUT",
                    "/api/v1/notifications",
                    key,
                    ApiClient.JSON.writeValueAsString(Map.of(
                            "email",
                            "ana@example.org",
                            "types",
                            List.of("tamper"),
                            "min_severity",
                            "warning",
                            "digest_minutes",
                            0)));
            assertThat(saved.at("/settings/email").asText())
                    .as(saved.toString())
                    .isEqualTo("ana@example.org");
            assertThat(api.send("PUT", "/api/v1/notifications", key, "{\"email\":\"nope\"}")
                            .statusCode())
                    .isEqualTo(400);

            // a device reports a tamper event: an alarm, then an e-mail within the flush period
            String upload = ApiClient.JSON.writeValueAsString(Map.of(
                    "ts", System.currentTimeMillis(),
                    "nodes",
                            List.of(Map.of(
                                    "id",
                                    "meter-1",
                                    "readings",
                                    List.of(Map.of("quantity", "active_power", "unit", "W", "value", 5))))));
            assertThat(api.send("POST", "/api/v1/upload", key, upload).statusCode())
                    .isEqualTo(200);
            assertThat(api.send("POST", "/api/v1/events", key, """
                            {"device":"meter-1","type":"tamper_case_open"}""").statusCode())
                    .isBetween(200, 299);

            assertThat(smtp.waitForIncomingEmail(20_000, 1))
                    .as("an e-mail within 20 s")
                    .isTrue();
            var message = smtp.getReceivedMessages()[0];
            assertThat(message.getSubject()).contains("tamper_case_open").contains("meter-1");
            assertThat(message.getAllRecipients()[0].toString()).isEqualTo("ana@example.org");
            assertThat(message.getFrom()[0].toString()).isEqualTo("alarms@meterbase.example");
        } finally {
            smtp.stop();
        }
    }
}
