package io.meterbase.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** First-run setup: the first operator account, once, from this machine or with the printed operator key. */
class FirstRunSetupTest {

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> post(int port, Map<String, String> headers, Object body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/setup"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(ApiClient.JSON.writeValueAsString(body)));
        headers.forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theFirstOperatorAccount_isMadeOnce_fromThisMachineOrWithTheKey() throws Exception {
        try (Meterbase server = Meterbase.start(TestConfigs.httpOnly(dir), Clock.systemUTC())) {
            ApiClient api = new ApiClient(server.httpPort());
            String operatorKey = server.newOperatorSecret().orElseThrow();
            Map<String, String> account = Map.of("username", "boss", "password", "a long enough password");
            assertThat(api.json("GET", "/api/v1/setup", null, null)
                            .get("needed")
                            .asBoolean())
                    .isTrue();

            // through a proxy on this machine, without the key: refused; a customer's key: refused
            HttpResponse<String> proxied = post(server.httpPort(), Map.of("X-Forwarded-For", "203.0.113.9"), account);
            assertThat(proxied.statusCode()).isEqualTo(403);
            assertThat(proxied.body()).contains("operator key");
            long customer = server.registry()
                    .createCustomer("Ana", "Flat", null, null, "north", java.time.ZoneId.of("UTC"))
                    .id();
            String customerKey = server.registry()
                    .createKey(customer, io.meterbase.core.model.Role.CUSTOMER, "owner")
                    .secret();
            assertThat(post(server.httpPort(), Map.of("Authorization", "Bearer " + customerKey), account)
                            .statusCode())
                    .isEqualTo(403);
            // a password too short: the reason
            assertThat(post(server.httpPort(), Map.of(), Map.of("username", "boss", "password", "short"))
                            .body())
                    .contains("password");

            // with the operator key from anywhere: made, an admin who signs in
            HttpResponse<String> made = post(
                    server.httpPort(),
                    Map.of("X-Forwarded-For", "203.0.113.9", "Authorization", "Bearer " + operatorKey),
                    account);
            assertThat(made.statusCode()).as(made.body()).isEqualTo(201);
            assertThat(api.send("POST", "/api/v1/session", null, ApiClient.JSON.writeValueAsString(account))
                            .body())
                    .contains("\"role\":\"operator\"");

            // once: afterwards setup is not needed and refused, even from this machine
            assertThat(api.json("GET", "/api/v1/setup", null, null)
                            .get("needed")
                            .asBoolean())
                    .isFalse();
            HttpResponse<String> again =
                    post(server.httpPort(), Map.of(), Map.of("username", "eve", "password", "another long password"));
            assertThat(again.statusCode()).isEqualTo(409);
            assertThat(server.newOperatorSecret()).isPresent();
        }
    }

    @Test
    void fromThisMachine_noKeyIsNeeded() throws Exception {
        try (Meterbase server = Meterbase.start(TestConfigs.httpOnly(dir), Clock.systemUTC())) {
            HttpResponse<String> made =
                    post(server.httpPort(), Map.of(), Map.of("username", "boss", "password", "a long enough password"));
            assertThat(made.statusCode()).as(made.body()).isEqualTo(201);
        }
    }
}
