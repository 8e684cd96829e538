package io.meterbase.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.meterbase.core.model.Customer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The console's lists searched and paged on the server, and its overview. */
class ConsoleListsTest {

    @TempDir
    Path dir;

    @Test
    void customersAndGateways_areSearchedAndPaged_onTheServer() throws Exception {
        try (Meterbase server = Meterbase.start(TestConfigs.httpOnly(dir), Clock.systemUTC())) {
            ApiClient api = new ApiClient(server.httpPort());
            String operator = server.newOperatorSecret().orElseThrow();
            for (int i = 1; i <= 120; i++) {
                Customer c = server.registry()
                        .createCustomer(
                                "Customer " + i,
                                "Home",
                                i + " Main Street",
                                null,
                                i % 2 == 0 ? "north" : "south",
                                ZoneId.of("UTC"));
                if (i % 10 == 0) {
                    server.registry()
                            .registerGateway(
                                    c.id(),
                                    server.registry().defaultSite(c.id()).id(),
                                    "gw-" + i,
                                    "Gateway " + i,
                                    null,
                                    0);
                }
            }

            JsonNode first = api.json("GET", "/api/v1/customers?limit=50", operator, null);
            assertThat(first.get("total").asInt()).isEqualTo(120);
            assertThat(first.get("items")).hasSize(50);
            assertThat(first.at("/items/0/name").asText()).isEqualTo("Customer 1");
            JsonNode last = api.json("GET", "/api/v1/customers?limit=50&offset=100", operator, null);
            assertThat(last.get("items")).hasSize(20);
            assertThat(last.at("/items/19/name").asText()).isEqualTo("Customer 120");

            JsonNode found = api.json("GET", "/api/v1/customers?q=customer%2011&limit=50", operator, null);
            assertThat(names(found))
                    .containsExactly(
                            "Customer 11",
                            "Customer 110",
                            "Customer 111",
                            "Customer 112",
                            "Customer 113",
                            "Customer 114",
                            "Customer 115",
                            "Customer 116",
                            "Customer 117",
                            "Customer 118",
                            "Customer 119");
            assertThat(names(api.json("GET", "/api/v1/customers?q=77%20MAIN&limit=5", operator, null)))
                    .containsExactly("Customer 77");
            assertThat(api.json("GET", "/api/v1/customers?q=north", operator, null)
                            .get("total")
                            .asInt())
                    .isEqualTo(60);
            assertThat(api.send("GET", "/api/v1/customers?limit=501", operator, null)
                            .statusCode())
                    .isEqualTo(400);
            // without paging the whole list, as before
            assertThat(api.json("GET", "/api/v1/customers", operator, null)).hasSize(120);

            JsonNode gateways = api.json("GET", "/api/v1/gateways?q=gateway%2012&limit=10", operator, null);
            assertThat(gateways.get("total").asInt()).isEqualTo(1);
            assertThat(gateways.at("/items/0/ref").asText()).isEqualTo("gw-120");

            JsonNode overview = api.json("GET", "/api/v1/overview", operator, null);
            assertThat(overview.get("customers").asInt()).isEqualTo(120);
            assertThat(overview.get("gateways").asInt()).isEqualTo(12);
            assertThat(overview.get("devices").asInt()).isZero();
            assertThat(overview.get("open_alarms").asInt()).isZero();
        }
    }

    /** The customers' names on a page (not their sites'). */
    private static java.util.List<String> names(JsonNode page) {
        java.util.List<String> out = new java.util.ArrayList<>();
        page.get("items").forEach(c -> out.add(c.get("name").asText()));
        return out;
    }
}
