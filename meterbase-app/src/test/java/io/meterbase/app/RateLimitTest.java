package io.meterbase.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterbase.core.model.Role;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seed 002's denial-of-service resistance: a sender over its limit is refused clearly and counted, by its credential,
 * whatever gateway names it uses.
 */
class RateLimitTest {

    @TempDir
    Path dir;

    @Test
    void senderOverItsLimit_gets429WithRetryAfter_andTheOperatorSeesIt() throws Exception {
        try (Meterbase server = Meterbase.start(
                MeterbaseConfig.defaults()
                        .with("data.dir", dir.toString())
                        .with("http.port", "0")
                        .with("mqtt.enabled", "false")
                        .with("coap.enabled", "false")
                        .with("ingest.rate-limit.readings-per-second", "10")
                        .with("ingest.rate-limit.burst", "60"),
                Clock.systemUTC())) {
            long customer = server.registry()
                    .createCustomer("Ana", "Flat", null, null, "north", ZoneId.of("UTC"))
                    .id();
            String key =
                    server.registry().createKey(customer, Role.CUSTOMER, "gw").secret();
            String operator = server.newOperatorSecret().orElseThrow();
            HttpClient http = HttpClient.newHttpClient();
            long t = System.currentTimeMillis() - 60_000;
            StringBuilder readings = new StringBuilder();
            for (int i = 0; i < 40; i++) {
                readings.append(i == 0 ? "" : ",")
                        .append("{\"ts\":")
                        .append(t + i)
                        .append(",\"quantity\":\"voltage\",\"unit\":\"V\",\"value\":230}");
            }
            String body = "{\"gateway\":\"noisy-gw\",\"nodes\":[{\"id\":\"n1\",\"readings\":[" + readings + "]}]}";
            HttpRequest upload = HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + server.httpPort() + "/api/v1/upload"))
                    .header("Authorization", "Bearer " + key)
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build();

            HttpResponse<String> first = http.send(upload, HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> second = http.send(upload, HttpResponse.BodyHandlers.ofString());
            // a new gateway name per upload gets no new allowance: the limit is the key's
            HttpResponse<String> renamed = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + "/api/v1/upload"))
                            .header("Authorization", "Bearer " + key)
                            .POST(HttpRequest.BodyPublishers.ofString(body.replace("noisy-gw", "fresh-gw-1")))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> limits = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + "/api/v1/rate-limits"))
                            .header("Authorization", "Bearer " + operator)
                            .build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(first.statusCode()).isEqualTo(200);
            assertThat(second.statusCode()).isEqualTo(429);
            assertThat(second.body()).contains("rate_limited", "exceeds 10 readings/s");
            assertThat(second.headers().firstValue("Retry-After")).isPresent();
            assertThat(renamed.statusCode()).isEqualTo(429);
            assertThat(server.registry().gateway(customer, "fresh-gw-1")).isEmpty();
            long keyId = server.registry().keys(customer).get(0).id();
            assertThat(limits.body()).contains("\"key/" + keyId + "\":2");
        }
    }
}
