package io.meterbase.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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

    /**
     * A signed-in person changes their own password: the current one is needed (and a wrong one counts towards the
     * lock), every other session of the account ends, this browser gets a new session, the old password no longer
     * signs in and the new one does; an API key has no password to change.
     */
    @Test
    void changeOwnPassword_endsOtherSessions() throws Exception {
        Meterbase server = Meterbase.start(TestConfigs.httpOnly(dir), Clock.systemUTC());
        try {
            port = server.httpPort();
            ApiClient api = new ApiClient(port);
            String operator = server.newOperatorSecret().orElseThrow();
            JsonNode customer = api.json("POST", "/api/v1/customers", operator, """
                    {"name":"Ben","site":{"name":"Home","community":"north","zone":"UTC"}}""");
            long id = customer.get("id").asLong();
            ObjectNode account = JSON.createObjectNode()
                    .put("username", "ben@example.org")
                    .put("password", "first password")
                    .put("customer", id);
            assertThat(api.send("POST", "/api/v1/accounts", operator, JSON.writeValueAsString(account))
                            .statusCode())
                    .isEqualTo(201);
            HttpResponse<String> phone = signIn("ben@example.org", "first password");
            HttpResponse<String> laptop = signIn("ben@example.org", "first password");
            String phoneCookie = cookieOf(phone);
            String laptopCookie = cookieOf(laptop);
            String laptopCsrf = JSON.readTree(laptop.body()).get("csrf_token").asText();

            // an API key has no password
            assertThat(api.send("PUT", "/api/v1/session/password", operator, change("x", "second password"))
                            .statusCode())
                    .isEqualTo(409);
            // the CSRF token is needed, the current password must be right, the new one long enough
            assertThat(call(
                                    "PUT",
                                    "/api/v1/session/password",
                                    laptopCookie,
                                    null,
                                    change("first password", "second password"))
                            .statusCode())
                    .isEqualTo(403);
            HttpResponse<String> wrong = call(
                    "PUT",
                    "/api/v1/session/password",
                    laptopCookie,
                    laptopCsrf,
                    change("not the password", "second password"));
            assertThat(wrong.statusCode()).isEqualTo(400);
            assertThat(wrong.body()).contains("current_password: wrong password");
            assertThat(server.store().documents().documents("account").get("ben@example.org"))
                    .contains("\"failures\":1");
            HttpResponse<String> tooShort = call(
                    "PUT", "/api/v1/session/password", laptopCookie, laptopCsrf, change("first password", "short"));
            assertThat(tooShort.statusCode()).isEqualTo(400);
            assertThat(tooShort.body()).contains("new_password: at least 10 characters");

            HttpResponse<String> changed = call(
                    "PUT",
                    "/api/v1/session/password",
                    laptopCookie,
                    laptopCsrf,
                    change("first password", "second password"));
            assertThat(changed.statusCode()).as(changed.body()).isEqualTo(200);
            String newCookie = cookieOf(changed);
            assertThat(newCookie).isNotEqualTo(laptopCookie);
            assertThat(JSON.readTree(changed.body()).get("customer").asLong()).isEqualTo(id);
            // the other browser and the old session are signed out; the new session works
            assertThat(call("GET", "/api/v1/me", phoneCookie, null, null).statusCode())
                    .isEqualTo(401);
            assertThat(call("GET", "/api/v1/me", laptopCookie, null, null).statusCode())
                    .isEqualTo(401);
            assertThat(call("GET", "/api/v1/me", newCookie, null, null).statusCode())
                    .isEqualTo(200);
            // the old password no longer signs in, the new one does; the failure count was reset
            assertThat(signIn("ben@example.org", "first password").statusCode()).isEqualTo(401);
            assertThat(signIn("ben@example.org", "second password").statusCode())
                    .isEqualTo(200);
            assertThat(server.store().documents().documents("account").get("ben@example.org"))
                    .contains("\"failures\":0")
                    .contains("\"customer\":" + id);
        } finally {
            server.close();
        }
    }

    private HttpResponse<String> signIn(String username, String password) throws Exception {
        ObjectNode body = JSON.createObjectNode().put("username", username).put("password", password);
        return call("POST", "/api/v1/session", null, null, JSON.writeValueAsString(body));
    }

    private static String cookieOf(HttpResponse<String> response) {
        String setCookie = response.headers().firstValue("Set-Cookie").orElseThrow();
        return setCookie.substring(0, setCookie.indexOf(';'));
    }

    private static String change(String current, String next) throws Exception {
        return JSON.writeValueAsString(
                JSON.createObjectNode().put("current_password", current).put("new_password", next));
    }
}
