package io.meterbase.core.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RawReadingTest {

    /** Reads a flat JSON object; fails when the text is not valid JSON. */
    private static Map<String, String> parse(String json) throws Exception {
        Map<String, String> fields = new HashMap<>();
        try (JsonParser p = new JsonFactory().createParser(json)) {
            assertThat(p.nextToken()).isEqualTo(JsonToken.START_OBJECT);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                fields.put(name, p.getValueAsString());
            }
            assertThat(p.currentToken()).isEqualTo(JsonToken.END_OBJECT);
            assertThat(p.nextToken()).isNull();
        }
        return fields;
    }

    @Test
    void theQuarantineFormOfAReading_isValidJson_whateverItsNamesAndValueHold() throws Exception {
        RawReading reading = new RawReading("say \"hi\"\\\n\u0000", "q\"uote", null, Double.NaN, 5, null);

        Map<String, String> fields = parse(reading.describe());

        assertThat(fields)
                .containsEntry("channel", "say \"hi\"\\\n\u0000")
                .containsEntry("quantity", "q\"uote")
                .containsEntry("unit", null)
                .containsEntry("value", "NaN")
                .containsEntry("ts", "5");
    }
}
