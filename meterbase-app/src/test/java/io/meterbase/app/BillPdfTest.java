package io.meterbase.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.lowagie.text.pdf.PdfReader;
import com.lowagie.text.pdf.parser.PdfTextExtractor;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A household downloads its bill as a PDF: the document holds the customer, the period, every line's amount and the
 * total, the same figures as the bill's JSON (read back from the PDF's text, as a reader of it would).
 */
class BillPdfTest {

    @TempDir
    Path dir;

    @Test
    void theBillAsPdf_holdsTheSameLinesAndTotalAsTheApi() throws Exception {
        try (Meterbase server = Meterbase.start(
                TestConfigs.httpOnly(dir).with("ingest.rollup-interval", "PT0.1S"), Clock.systemUTC())) {
            ApiClient api = new ApiClient(server.httpPort());
            String operator = server.newOperatorSecret().orElseThrow();
            HttpResponse<String> created = api.send("POST", "/api/v1/customers", operator, """
                    {"name":"Ana Flat 3","site":{"name":"Home","community":"east","zone":"UTC"}}""");
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            String customer = ApiClient.JSON
                    .readTree(created.body())
                    .at("/api_key/secret")
                    .asText();
            assertThat(api.send("POST", "/api/v1/tariffs", operator, """
                            {"id":"flat-25","name":"Flat","commodity":"electricity","currency":"EUR",
                             "versions":[{"effective_from":"2026-01-01","pricing":"flat","price":0.25,
                                          "standing_charge_per_day":0.3}]}""").statusCode())
                    .isEqualTo(201);
            // a main meter's register: 1.5 kWh an hour for four hours
            Instant start = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(5, ChronoUnit.HOURS);
            StringBuilder readings = new StringBuilder();
            for (int h = 0; h <= 4; h++) {
                readings.append(h == 0 ? "" : ",")
                        .append("""
                                {"ts":"%s","quantity":"energy_import","unit":"Wh","value":%d,"kind":"register"}""".formatted(start.plus(h, ChronoUnit.HOURS), 10_000 + 1_500 * h));
            }
            assertThat(api.send("POST", "/api/v1/upload", customer, """
                            {"nodes":[{"id":"main","type":"electricity_meter","category":"main","readings":[%s]}]}""".formatted(readings))
                            .statusCode())
                    .isEqualTo(200);
            String window = "from=" + start + "&to=" + start.plus(6, ChronoUnit.HOURS);
            JsonNode bill = ApiClient.await(
                    () -> api.json("GET", "/api/v1/bill?" + window, customer, null),
                    b -> b.path("consumption").asDouble() >= 6 - 1e-9,
                    15);

            HttpResponse<byte[]> pdf = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(api.base() + "/api/v1/bill.pdf?" + window))
                                    .header("Authorization", "Bearer " + customer)
                                    .build(),
                            HttpResponse.BodyHandlers.ofByteArray());
            assertThat(pdf.statusCode()).isEqualTo(200);
            assertThat(pdf.headers().firstValue("Content-Type").orElse("")).startsWith("application/pdf");
            assertThat(pdf.headers().firstValue("Content-Disposition").orElse(""))
                    .contains("meterbase-bill-")
                    .endsWith(".pdf\"");
            String text;
            try (PdfReader reader = new PdfReader(pdf.body())) {
                text = new PdfTextExtractor(reader).getTextFromPage(1);
            }
            assertThat(text).contains("Ana Flat 3").contains("flat-25").contains("EUR");
            assertThat(bill.get("lines").size()).isGreaterThanOrEqualTo(2);
            for (JsonNode line : bill.get("lines")) {
                assertThat(text).contains(line.get("description").asText());
                assertThat(text).contains(line.get("amount").decimalValue().toPlainString());
            }
            assertThat(text)
                    .contains("Total")
                    .contains(bill.get("total").decimalValue().toPlainString() + " EUR");
            assertThat(bill.get("total").decimalValue().signum()).isPositive();

            assertThat(api.send("GET", "/api/v1/bill.pdf", customer, null).statusCode())
                    .as("no period")
                    .isEqualTo(400);
        }
    }
}
