package io.meterbase.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every route the server answers × every kind of caller (no credentials, a customer, an operator, a third-party
 * application with a grant token, a customer signed in with a session cookie) → allowed, 401 or 403. The table below is the specification: a route that is
 * added without a line here fails the test, and so does any route whose gate differs from its line. "Allowed"
 * means the request got past authentication and authorization (any other answer: 2xx, 400, 404, 409...).
 */
class AuthorizationMatrixTest {

    /** Routes for admins only: other operators (and support) are refused. */
    private static final java.util.Set<String> ADMIN_ONLY = java.util.Set.of("GET /api/v1/node");

    /** Expected answers in the order none, customer, operator, third party: A allowed, U 401, F 403. */
    private static final Map<String, String> MATRIX = new TreeMap<>(Map.ofEntries(
            // a grant token is refused everywhere but /api/v1/shared and the API description (403)
            // operations: open to all, except the quarantine and rate-limit counters
            Map.entry("GET /health", "AAAA"),
            Map.entry("GET /metrics", "AAAA"),
            Map.entry("GET /api/v1/openapi.json", "AAAA"),
            Map.entry("GET /api/v1/quarantine", "UFAF"),
            Map.entry("GET /api/v1/rate-limits", "UFAF"),
            Map.entry("GET /api/v1/overview", "UFAF"),
            Map.entry("GET /api/v1/notices", "UAAF"),
            // people's sign-in: the form is open; a session needs a cookie; accounts are made by operators
            Map.entry("POST /api/v1/session", "UUUF"),
            Map.entry("GET /api/v1/session", "UUUF"),
            Map.entry("DELETE /api/v1/session", "AAAF"),
            // a key has no password to change (409); a grant token is refused as everywhere
            Map.entry("PUT /api/v1/session/password", "UAAF"),
            Map.entry("POST /api/v1/accounts", "UFAF"),
            Map.entry("GET /api/v1/accounts", "UFAF"),
            Map.entry("DELETE /api/v1/accounts/{username}", "UFAF"),
            Map.entry("GET /api/v1/node", "UFAF"),
            // first-run setup: open from this machine (the test's), refused to a customer's key
            Map.entry("GET /api/v1/setup", "AAAF"),
            Map.entry("POST /api/v1/setup", "AFAF"),
            // customers and keys
            Map.entry("POST /api/v1/customers", "UFAF"),
            Map.entry("GET /api/v1/customers", "UFAF"),
            Map.entry("GET /api/v1/me", "UAAF"),
            Map.entry("POST /api/v1/keys", "UAAF"),
            Map.entry("GET /api/v1/keys", "UAAF"),
            Map.entry("POST /api/v1/keys/{id}/rotate", "UAAF"),
            Map.entry("POST /api/v1/keys/{id}/psk", "UAAF"),
            // customers' certificate authorities for devices' client certificates
            Map.entry("POST /api/v1/certificate-authorities", "UAAF"),
            Map.entry("GET /api/v1/certificate-authorities", "UAAF"),
            Map.entry("DELETE /api/v1/certificate-authorities/{id}", "UAAF"),
            Map.entry("POST /api/v1/certificate-authorities/{id}/revocations", "UAAF"),
            Map.entry("DELETE /api/v1/keys/{id}", "UAAF"),
            // gateways and devices
            Map.entry("POST /api/v1/gateways", "UFAF"),
            Map.entry("GET /api/v1/gateways", "UAAF"),
            Map.entry("PATCH /api/v1/devices/{ref}", "UAAF"),
            Map.entry("GET /api/v1/devices", "UAAF"),
            Map.entry("POST /api/v1/devices/{ref}/psk", "UAFF"),
            Map.entry("GET /api/v1/devices/pending", "UAAF"),
            Map.entry("POST /api/v1/devices/{ref}/approve", "UAAF"),
            // uploads, device events and command acknowledgements come from a customer's devices, not operators
            Map.entry("POST /api/v1/upload", "UAFF"),
            Map.entry("GET /input/post", "UAUU"),
            Map.entry("POST /input/post", "UAUU"),
            Map.entry("GET /input/bulk", "UAUU"),
            Map.entry("POST /input/bulk", "UAUU"),
            Map.entry("GET /input/post.json", "UAUU"),
            Map.entry("POST /input/post.json", "UAUU"),
            Map.entry("GET /input/bulk.json", "UAUU"),
            Map.entry("POST /input/bulk.json", "UAUU"),
            // reading data
            Map.entry("GET /api/v1/latest", "UAAF"),
            Map.entry("GET /api/v1/live", "UAAF"),
            Map.entry("GET /api/v1/summary", "UAAF"),
            Map.entry("GET /api/v1/channels/{id}/history", "UAAF"),
            Map.entry("GET /api/v1/energy", "UAAF"),
            Map.entry("GET /api/v1/energy/balance", "UAAF"),
            Map.entry("GET /api/v1/input-maps/{format}", "UAAF"),
            // sites, sub-meters, virtual meters: the customer's own (operators name the customer); balances: operators
            Map.entry("GET /api/v1/sites", "UAAF"),
            Map.entry("POST /api/v1/sites", "UAAF"),
            Map.entry("PUT /api/v1/devices/{ref}/site", "UAAF"),
            Map.entry("PUT /api/v1/devices/{ref}/parent", "UAAF"),
            Map.entry("GET /api/v1/meters/parents", "UAAF"),
            Map.entry("GET /api/v1/meters/tree", "UAAF"),
            Map.entry("GET /api/v1/virtual-meters", "UAAF"),
            Map.entry("POST /api/v1/virtual-meters", "UAAF"),
            Map.entry("DELETE /api/v1/virtual-meters/{id}", "UAAF"),
            Map.entry("GET /api/v1/virtual-meters/{id}/energy", "UAAF"),
            Map.entry("GET /api/v1/balances", "UFAF"),
            Map.entry("PUT /api/v1/balances/{community}", "UFAF"),
            Map.entry("GET /api/v1/balances/{community}", "UFAF"),
            Map.entry("PUT /api/v1/input-maps/{format}", "UAAF"),
            Map.entry("GET /api/v1/export.csv", "UAAF"),
            Map.entry("GET /api/v1/export.parquet", "UAAF"),
            // tariffs, cost, community, grid
            Map.entry("GET /api/v1/tariffs", "UAAF"),
            Map.entry("POST /api/v1/tariffs", "UFAF"),
            Map.entry("GET /api/v1/tariffs/{id}", "UAAF"),
            Map.entry("POST /api/v1/tariffs/{id}/versions", "UFAF"),
            Map.entry("POST /api/v1/tariffs/{id}/prices", "UFAF"),
            Map.entry("GET /api/v1/tariffs/{id}/prices", "UAAF"),
            Map.entry("PUT /api/v1/customers/{id}/group", "UFAF"),
            Map.entry("GET /api/v1/cost", "UAAF"),
            Map.entry("GET /api/v1/bill.csv", "UAAF"),
            Map.entry("GET /api/v1/bill.pdf", "UAAF"),
            Map.entry("GET /api/v1/bill", "UAAF"),
            Map.entry("GET /api/v1/community", "UAAF"),
            Map.entry("GET /api/v1/community/trend", "UAAF"),
            Map.entry("GET /api/v1/grid", "UAAF"),
            Map.entry("GET /api/v1/communities/{name}/grid", "UFAF"),
            Map.entry("PUT /api/v1/communities/{name}", "UFAF"),
            // commands and schedules
            Map.entry("GET /api/v1/commands/signing-key", "AAAF"),
            Map.entry("POST /api/v1/devices/{ref}/commands", "UAAF"),
            Map.entry("GET /api/v1/commands", "UAAF"),
            Map.entry("GET /api/v1/commands/{id}", "UAAF"),
            Map.entry("POST /api/v1/commands/{id}/ack", "UAFF"),
            Map.entry("GET /api/v1/devices/{ref}/relay", "UAAF"),
            Map.entry("GET /api/v1/schedules", "UAAF"),
            Map.entry("POST /api/v1/schedules", "UAAF"),
            Map.entry("DELETE /api/v1/schedules/{id}", "UAAF"),
            // demand response
            Map.entry("GET /api/v1/dr/programs", "UAAF"),
            Map.entry("POST /api/v1/dr/programs", "UFAF"),
            Map.entry("POST /api/v1/dr/programs/{id}/enrolments", "UAAF"),
            Map.entry("DELETE /api/v1/dr/programs/{id}/enrolments/{device}", "UAAF"),
            Map.entry("GET /api/v1/dr/enrolments", "UAAF"),
            Map.entry("GET /api/v1/dr/events", "UAAF"),
            Map.entry("POST /api/v1/dr/events", "UFAF"),
            Map.entry("GET /api/v1/dr/events/{id}", "UAAF"),
            Map.entry("POST /api/v1/dr/events/{id}/cancel", "UFAF"),
            Map.entry("POST /api/v1/dr/events/{id}/override", "UAAF"),
            Map.entry("GET /api/v1/dr/events/{id}/reduction", "UFAF"),
            // alarms, rules, events, webhooks
            Map.entry("GET /api/v1/alarms", "UAAF"),
            Map.entry("GET /api/v1/alarms/{id}", "UAAF"),
            Map.entry("POST /api/v1/alarms/{id}/acknowledge", "UAAF"),
            Map.entry("POST /api/v1/alarms/{id}/clear", "UAAF"),
            Map.entry("GET /api/v1/alarm-rules", "UAAF"),
            Map.entry("POST /api/v1/alarm-rules", "UAAF"),
            Map.entry("DELETE /api/v1/alarm-rules/{id}", "UAAF"),
            Map.entry("POST /api/v1/events", "UAFF"),
            Map.entry("GET /api/v1/notifications", "UAAF"),
            Map.entry("PUT /api/v1/notifications", "UAAF"),
            Map.entry("POST /api/v1/notifications/push-subscriptions", "UAAF"),
            Map.entry("DELETE /api/v1/notifications/push-subscriptions/{id}", "UAAF"),
            Map.entry("GET /api/v1/webhooks", "UAAF"),
            Map.entry("POST /api/v1/webhooks", "UAAF"),
            Map.entry("POST /api/v1/webhooks/{id}/secret", "UAAF"),
            Map.entry("DELETE /api/v1/webhooks/{id}", "UAAF"),
            // analytics
            Map.entry("GET /api/v1/forecasts", "UAAF"),
            Map.entry("GET /api/v1/devices/{ref}/forecast", "UAAF"),
            Map.entry("GET /api/v1/communities/{name}/forecast", "UFAF"),
            Map.entry("GET /api/v1/incidents", "UAAF"),
            Map.entry("GET /api/v1/incidents/{id}", "UAAF"),
            Map.entry("GET /api/v1/clusters", "UFAF"),
            Map.entry("GET /api/v1/cluster", "UAAF"),
            Map.entry("POST /api/v1/analytics/run", "UFAF"),
            Map.entry("GET /api/v1/analytics", "UFAF"),
            // third-party grants: given by owners, read with the grant's token only
            Map.entry("POST /api/v1/grants", "UAFF"),
            Map.entry("GET /api/v1/grants", "UAAF"),
            Map.entry("DELETE /api/v1/grants/{id}", "UAAF"),
            Map.entry("GET /api/v1/grants/{id}/accesses", "UAAF"),
            Map.entry("GET /api/v1/shared", "UFFA"),
            Map.entry("GET /api/v1/shared/latest", "UFFA"),
            Map.entry("GET /api/v1/shared/channels/{id}/history", "UFFA")));

    private static final String[] CALLERS = {
        "none",
        "customer",
        "operator",
        "third party",
        "customer session",
        "device key",
        "gateway key",
        "read-only key",
        "support operator",
        "operator (not admin)"
    };

    @TempDir
    Path dir;

    /** The channel the grant shares, for the route that reads it. */
    private String sharedChannel;

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void everyRoute_everyCaller_isAllowedOrRefusedAsSpecified() throws Exception {
        try (Meterbase server = Meterbase.start(TestConfigs.httpOnly(dir), Clock.systemUTC())) {
            ApiClient api = new ApiClient(server.httpPort());
            String operator = server.newOperatorSecret().orElseThrow();
            JsonNode ana = api.json("POST", "/api/v1/customers", operator, """
                    {"name":"Ana","site":{"name":"Home","community":"north","zone":"UTC"}}""");
            String customer = ana.at("/api_key/secret").asText();
            assertThat(api.send("POST", "/api/v1/upload", customer, """
                            {"gateway":"gw","ts":%d,"nodes":[{"id":"plug-1","type":"smart_plug","readings":[
                              {"quantity":"active_power","unit":"W","value":50}]}]}""".formatted(System.currentTimeMillis()))
                            .statusCode())
                    .isEqualTo(200);
            String thirdParty = api.json("POST", "/api/v1/grants", customer, """
                            {"application":"coach","devices":["plug-1"],"quantities":["active_power"]}""")
                    .get("token")
                    .asText();
            assertThat(api.send("POST", "/api/v1/accounts", operator, """
                            {"username":"ana","password":"ana's long password","customer":%d}""".formatted(
                                            ana.get("id").asLong()))
                            .statusCode())
                    .isEqualTo(201);
            String device = api.json("POST", "/api/v1/keys", customer, """
                            {"scope":"device","device":"plug-1"}""")
                    .get("secret")
                    .asText();
            String gateway = api.json("POST", "/api/v1/keys", customer, """
                            {"scope":"gateway","gateway":"gw"}""")
                    .get("secret")
                    .asText();
            String readOnly = api.json("POST", "/api/v1/keys", customer, """
                            {"scope":"read_only"}""")
                    .get("secret")
                    .asText();
            String support = api.json("POST", "/api/v1/keys", operator, """
                            {"scope":"support"}""")
                    .get("secret")
                    .asText();
            String operatorOnly = api.json("POST", "/api/v1/keys", operator, """
                            {"scope":"operator"}""")
                    .get("secret")
                    .asText();
            String[] credentials = {
                null,
                customer,
                operator,
                thirdParty,
                signIn(server.httpPort()),
                device,
                gateway,
                readOnly,
                support,
                operatorOnly
            };
            sharedChannel = api.json("GET", "/api/v1/shared", thirdParty, null)
                    .at("/channels/0/id")
                    .asText();

            List<String> routes = server.httpRoutes();
            assertThat(new TreeMap<>(MATRIX).keySet())
                    .as("every route has a line in the matrix, and every line a route")
                    .containsExactlyInAnyOrderElementsOf(routes);

            Map<String, String> observed = new LinkedHashMap<>();
            List<String> wrong = new ArrayList<>();
            for (String route : routes) {
                StringBuilder row = new StringBuilder();
                for (int i = 0; i < credentials.length; i++) {
                    int status = call(server.httpPort(), route, credentials[i]);
                    // a server error is never the answer a route is specified to give
                    char got = status == 401 ? 'U' : status == 403 ? 'F' : status >= 500 ? 'E' : 'A';
                    char expected = i < 4 ? MATRIX.get(route).charAt(i) : derived(route, i);
                    row.append(got);
                    if (got != expected) {
                        wrong.add(route + " as " + CALLERS[i] + ": " + status + ", expected " + expected);
                    }
                }
                if (route.equals("DELETE /api/v1/session")) {
                    credentials[4] = signIn(server.httpPort()); // that request signed the session out
                }
                observed.put(route, row.toString());
            }
            assertThat(wrong).as("observed matrix: " + observed).isEmpty();
        }
    }

    /** What the callers after the fourth may do, derived from the matrix by their scopes' rules. */
    private static char derived(String route, int caller) {
        if (route.equals("POST /api/v1/setup")) {
            return 'F'; // open to this machine without a credential; a credential presented must be an admin's
        }
        return switch (CALLERS[caller]) {
            case "customer session" -> sessionExpectation(route);
            case "device key", "gateway key" -> uploadKeyExpectation(route);
            case "read-only key" -> readOnlyExpectation(route, 1);
            case "support operator" -> ADMIN_ONLY.contains(route) ? 'F' : readOnlyExpectation(route, 2);
            // everything an admin may, but operator accounts (and operator keys, which this body does not ask for)
            case "operator (not admin)" ->
                route.equals("POST /api/v1/accounts") || ADMIN_ONLY.contains(route)
                        ? 'F'
                        : MATRIX.get(route).charAt(2);
            default -> throw new IllegalArgumentException(CALLERS[caller]);
        };
    }

    private static boolean isUpload(String route) {
        return route.contains(" /input/") || route.equals("POST /api/v1/upload");
    }

    /**
     * A device or gateway key uploads, answers its commands and reports its events (each checked to be its own
     * device's), and reaches what anyone may; nothing else.
     */
    private static char uploadKeyExpectation(String route) {
        if (MATRIX.get(route).charAt(0) == 'A') {
            return 'A';
        }
        if (MATRIX.get(route).charAt(1) == 'U') {
            return 'U'; // a route that takes no key (the session's)
        }
        if (isUpload(route) || route.equals("POST /api/v1/commands/{id}/ack") || route.equals("POST /api/v1/events")) {
            return 'A';
        }
        return 'F';
    }

    /**
     * A read-only key (customer) or a support operator reads what the customer's or the operator's key reads, and
     * changes nothing (uploads included).
     */
    private static char readOnlyExpectation(String route, int like) {
        if (MATRIX.get(route).charAt(0) == 'A') {
            return 'A';
        }
        if (MATRIX.get(route).charAt(like) == 'U') {
            return 'U'; // a route that takes no key of this kind
        }
        if (isUpload(route) || !route.startsWith("GET ")) {
            return 'F';
        }
        return MATRIX.get(route).charAt(like);
    }

    /**
     * A signed-in customer (session cookie, with the CSRF token on changes) may do what the customer's key may, and
     * also read and end its session; uploads (API v1 and the emoncms input API) take keys only: they come from devices
     * and gateways, not browsers.
     */
    private static char sessionExpectation(String route) {
        if (route.equals("GET /api/v1/session") || route.equals("DELETE /api/v1/session")) {
            return 'A';
        }
        if (route.contains(" /input/") || route.equals("POST /api/v1/upload")) {
            return 'U';
        }
        return MATRIX.get(route).charAt(1);
    }

    /** Signs Ana in; the credential is "session:" + cookie + "|" + CSRF token. */
    private String signIn(int port) throws Exception {
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/session"))
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "{\"username\":\"ana\",\"password\":\"ana's long password\"}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        String cookie = r.headers().firstValue("Set-Cookie").orElseThrow();
        String csrf = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(r.body())
                .get("csrf_token")
                .asText();
        return "session:" + cookie.substring(0, cookie.indexOf(';')) + "|" + csrf;
    }

    /** One request with concrete path values and a small body; only the status is read (streams are closed). */
    private int call(int port, String route, String key) throws Exception {
        String method = route.substring(0, route.indexOf(' '));
        String path = route.substring(route.indexOf(' ') + 1)
                .replace("{ref}", "plug-1")
                .replace("{device}", "plug-1")
                .replace("{name}", "north")
                .replace("{username}", "nobody-here")
                .replace("{format}", "emoncms")
                .replace("{community}", "north")
                .replace("{id}", route.contains("/shared/") ? sharedChannel : "999999");
        boolean body = method.equals("POST") || method.equals("PUT") || method.equals("PATCH");
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(20))
                .method(method, body ? HttpRequest.BodyPublishers.ofString("{}") : HttpRequest.BodyPublishers.noBody());
        if (body) {
            b.header("Content-Type", "application/json");
        }
        if (key != null && key.startsWith("session:")) {
            b.header("Cookie", key.substring(8, key.indexOf('|')));
            if (!method.equals("GET")) {
                b.header("X-CSRF-Token", key.substring(key.indexOf('|') + 1));
            }
        } else if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        HttpResponse<InputStream> r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        r.body().close();
        return r.statusCode();
    }
}
