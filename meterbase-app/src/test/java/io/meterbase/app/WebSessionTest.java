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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signing in as a person: an operator makes an account for a customer; the customer signs in with the password and
 * gets an HttpOnly, Secure, SameSite=Strict session cookie; changes made with the cookie need the CSRF token;
 * signing out ends the session; wrong passwords lock the account; only an Argon2id hash is stored.
 */
class WebSessionTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();
    private int port;

    private HttpResponse<String> call(String method, String path, String cookie, String csrf, String body)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        if (csrf != null) {
            b.header("X-CSRF-Token", csrf);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void signInWithCookieAndCsrf_signOut_lockout() throws Exception {
        Meterbase server = Meterbase.start(TestConfigs.httpOnly(dir), Clock.systemUTC());
        try {
            port = server.httpPort();
            ApiClient api = new ApiClient(port);
            String operator = server.newOperatorSecret().orElseThrow();
            JsonNode customer = api.json("POST", "/api/v1/customers", operator, """
                    {"name":"Ana","site":{"name":"Home","community":"north","zone":"UTC"}}""");
            long id = customer.get("id").asLong();

            // accounts: operators only, passwords of 10 characters or more
            String account =
                    "{\"username\":\"Ana@example.org\",\"password\":\"correct horse\",\"customer\":" + id + "}";
            String key = customer.at("/api_key/secret").asText();
            assertThat(api.send("POST", "/api/v1/accounts", key, account).statusCode())
                    .isEqualTo(403);
            assertThat(api.send("POST", "/api/v1/accounts", operator, account.replace("correct horse", "short"))
                            .statusCode())
                    .isEqualTo(400);
            assertThat(api.send("POST", "/api/v1/accounts", operator, account).statusCode())
                    .isEqualTo(201);
            assertThat(server.store().documents().documents("account").get("ana@example.org"))
                    .contains("$argon2id$v=19$m=19456,t=2,p=1$")
                    .doesNotContain("correct horse");

            // sign in: the cookie is HttpOnly, Secure, SameSite=Strict
            HttpResponse<String> in = call(
                    "POST",
                    "/api/v1/session",
                    null,
                    null,
                    "{\"username\":\"ana@example.org\",\"password\":\"correct horse\"}");
            assertThat(in.statusCode()).as(in.body()).isEqualTo(200);
            String setCookie = in.headers().firstValue("Set-Cookie").orElseThrow();
            assertThat(setCookie).contains("HttpOnly", "Secure", "SameSite=Strict", "Path=/");
            String cookie = setCookie.substring(0, setCookie.indexOf(';'));
            String csrf = JSON.readTree(in.body()).get("csrf_token").asText();
            assertThat(JSON.readTree(in.body()).get("customer").asLong()).isEqualTo(id);

            // the cookie reads the customer's data, and only theirs
            HttpResponse<String> me = call("GET", "/api/v1/me", cookie, null, null);
            assertThat(me.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(me.body()).get("id").asLong()).isEqualTo(id);
            assertThat(call("GET", "/api/v1/customers", cookie, null, null).statusCode())
                    .isEqualTo(403);
            // a change needs the CSRF token
            String newKey = "{\"label\":\"from the browser\"}";
            assertThat(call("POST", "/api/v1/keys", cookie, null, newKey).statusCode())
                    .isEqualTo(403);
            assertThat(call("POST", "/api/v1/keys", cookie, "wrong", newKey).statusCode())
                    .isEqualTo(403);
            assertThat(call("POST", "/api/v1/keys", cookie, csrf, newKey).statusCode())
                    .isEqualTo(201);

            // sign out: the cookie no longer works
            assertThat(call("DELETE", "/api/v1/session", cookie, csrf, null).statusCode())
                    .isEqualTo(204);
            assertThat(call("GET", "/api/v1/me", cookie, null, null).statusCode())
                    .isEqualTo(401);
            assertThat(call("GET", "/api/v1/session", cookie, null, null).statusCode())
                    .isEqualTo(401);

            // wrong passwords: 401 four times, then locked (429 with Retry-After), even for the right password
            String wrong = "{\"username\":\"ana@example.org\",\"password\":\"wrong horse!\"}";
            for (int i = 0; i < 4; i++) {
                assertThat(call("POST", "/api/v1/session", null, null, wrong).statusCode())
                        .isEqualTo(401);
            }
            HttpResponse<String> locked = call("POST", "/api/v1/session", null, null, wrong);
            assertThat(locked.statusCode()).isEqualTo(429);
            assertThat(locked.headers()
                            .firstValue("Retry-After")
                            .map(Integer::parseInt)
                            .orElseThrow())
                    .isBetween(1, 30);
            assertThat(call(
                                    "POST",
                                    "/api/v1/session",
                                    null,
                                    null,
                                    "{\"username\":\"ana@example.org\",\"password\":\"correct horse\"}")
                            .statusCode())
                    .isEqualTo(429);
            // an unknown name is answered exactly like a real one: 401 four times, then locked, so the answers do
            // not tell which names have accounts
            String unknown = "{\"username\":\"nobody@example.org\",\"password\":\"correct horse\"}";
            for (int i = 0; i < 4; i++) {
                assertThat(call("POST", "/api/v1/session", null, null, unknown).statusCode())
                        .isEqualTo(401);
            }
            HttpResponse<String> lockedToo = call("POST", "/api/v1/session", null, null, unknown);
            assertThat(lockedToo.statusCode()).isEqualTo(429);
            assertThat(lockedToo.body().replaceAll("\\d+ s more", "N s more"))
                    .isEqualTo(locked.body().replaceAll("\\d+ s more", "N s more"));
        } finally {
            server.close();
        }
    }
}
