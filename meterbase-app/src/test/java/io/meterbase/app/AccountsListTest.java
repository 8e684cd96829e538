package io.meterbase.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneId;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console's list of sign-in accounts: paged and searched on the server; removing one ends its sessions at once;
 * nobody removes the account they are signed in with; the node's settings never show a password.
 */
class AccountsListTest {

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void accounts_arePaged_searched_andRemovedWithTheirSessions() throws Exception {
        try (Meterbase server = Meterbase.start(
                TestConfigs.httpOnly(dir)
                        .with("store.postgres.password", "not shown")
                        .with("store.postgres.url", "jdbc:postgresql://meter:url-secret@db.example:5432/meterbase")
                        .with("mqtt.external.customer-key", "mbk_notshowneither"),
                Clock.systemUTC())) {
            ApiClient api = new ApiClient(server.httpPort());
            String admin = server.newOperatorSecret().orElseThrow();
            long customer = server.registry()
                    .createCustomer("Ana", "Flat", null, null, "north", ZoneId.of("UTC"))
                    .id();
            for (int i = 0; i < 30; i++) {
                assertThat(api.send("POST", "/api/v1/accounts", admin, body("tenant-" + i, customer))
                                .statusCode())
                        .isEqualTo(201);
            }
            assertThat(api.send("POST", "/api/v1/accounts", admin, body("olga", 0))
                            .statusCode())
                    .isEqualTo(201);

            JsonNode page = api.json("GET", "/api/v1/accounts?offset=10&limit=10", admin, null);
            assertThat(page.get("total").asInt()).isEqualTo(31);
            assertThat(page.get("items")).hasSize(10);
            JsonNode found = api.json("GET", "/api/v1/accounts?q=tenant-2", admin, null);
            assertThat(found.get("total").asInt())
                    .as("tenant-2 and tenant-20…29")
                    .isEqualTo(11);
            assertThat(found.at("/items/0/customer").asLong()).isEqualTo(customer);
            assertThat(found.at("/items/0/scope").asText()).isEqualTo("customer");
            assertThat(found.at("/items/0/password_hash").isMissingNode()).isTrue();

            // tenant-3 is signed in; removing the account ends the session at once
            String cookie = signIn(server.httpPort(), "tenant-3");
            assertThat(withCookie(server.httpPort(), "GET", "/api/v1/session", cookie, null)
                            .statusCode())
                    .isEqualTo(200);
            assertThat(api.send("DELETE", "/api/v1/accounts/tenant-3", admin, null)
                            .statusCode())
                    .isEqualTo(204);
            assertThat(withCookie(server.httpPort(), "GET", "/api/v1/session", cookie, null)
                            .statusCode())
                    .isEqualTo(401);
            assertThat(api.send("DELETE", "/api/v1/accounts/tenant-3", admin, null)
                            .statusCode())
                    .isEqualTo(404);
            assertThat(api.json("GET", "/api/v1/accounts", admin, null)
                            .get("total")
                            .asInt())
                    .isEqualTo(30);

            // signed in as olga, the console cannot remove olga
            String olga = signIn(server.httpPort(), "olga");
            String csrf = ApiClient.JSON
                    .readTree(withCookie(server.httpPort(), "GET", "/api/v1/session", olga, null)
                            .body())
                    .get("csrf_token")
                    .asText();
            var own = withCookie(server.httpPort(), "DELETE", "/api/v1/accounts/olga", olga, csrf);
            assertThat(own.statusCode()).isEqualTo(409);
            assertThat(own.body()).contains("signed in with");
            assertThat(withCookie(server.httpPort(), "DELETE", "/api/v1/accounts/tenant-4", olga, csrf)
                            .statusCode())
                    .isEqualTo(204);

            // the node's settings: a password is only said to be set
            JsonNode node = api.json("GET", "/api/v1/node", admin, null);
            String password = null;
            for (JsonNode s : node.get("settings")) {
                if (s.get("key").asText().equals("store.postgres.password")) {
                    password = s.get("value").asText();
                }
            }
            assertThat(password).isEqualTo("(set)");
            assertThat(node.toString())
                    .doesNotContain("not shown")
                    .doesNotContain("url-secret")
                    .doesNotContain("mbk_notshowneither")
                    .contains("jdbc:postgresql://***@db.example:5432/meterbase");

            // an operator who is not an admin removes customers' accounts, not operators', and does not see the node
            assertThat(api.send(
                                    "POST",
                                    "/api/v1/accounts",
                                    admin,
                                    ApiClient.JSON.writeValueAsString(Map.of(
                                            "username",
                                            "otto",
                                            "password",
                                            "a long enough password",
                                            "customer",
                                            0,
                                            "scope",
                                            "operator")))
                            .statusCode())
                    .isEqualTo(201);
            String otto = signIn(server.httpPort(), "otto");
            String ottoCsrf = ApiClient.JSON
                    .readTree(withCookie(server.httpPort(), "GET", "/api/v1/session", otto, null)
                            .body())
                    .get("csrf_token")
                    .asText();
            assertThat(withCookie(server.httpPort(), "DELETE", "/api/v1/accounts/olga", otto, ottoCsrf)
                            .statusCode())
                    .isEqualTo(403);
            assertThat(withCookie(server.httpPort(), "DELETE", "/api/v1/accounts/tenant-5", otto, ottoCsrf)
                            .statusCode())
                    .isEqualTo(204);
            assertThat(withCookie(server.httpPort(), "GET", "/api/v1/node", otto, null)
                            .statusCode())
                    .isEqualTo(403);
        }
    }

    private static String body(String username, long customer) throws Exception {
        return ApiClient.JSON.writeValueAsString(
                Map.of("username", username, "password", "a long enough password", "customer", customer));
    }

    private String signIn(int port, String username) throws Exception {
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/session"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(ApiClient.JSON.writeValueAsString(
                                Map.of("username", username, "password", "a long enough password"))))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        String cookie = r.headers().firstValue("Set-Cookie").orElseThrow();
        return cookie.substring(0, cookie.indexOf(';'));
    }

    private HttpResponse<String> withCookie(int port, String method, String path, String cookie, String csrf)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method(method, HttpRequest.BodyPublishers.noBody())
                .header("Cookie", cookie);
        if (csrf != null) {
            b.header("X-CSRF-Token", csrf);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
