package io.meterbase.formats;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import io.meterbase.core.ingest.DecodeContext;
import io.meterbase.core.ingest.DecodeException;
import io.meterbase.core.ingest.DeviceMessage;
import io.meterbase.core.ingest.FormatRegistry;
import io.meterbase.core.ingest.MessageDecoder;
import io.meterbase.core.ingest.NodeReport;
import io.meterbase.core.ingest.PayloadDecoder;
import io.meterbase.core.ingest.RawReading;
import io.meterbase.core.ingest.Upload;
import io.meterbase.core.ingest.Via;
import io.meterbase.formats.emoncms.EmoncmsDecoder;
import io.meterbase.formats.emoncms.EmoncmsInputs;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Every decoder is total over its input: whatever bytes come (random, JSON or CBOR of the format's own fields with
 * extreme values, mutated valid payloads, deep nesting), it returns an upload or refuses with a reason; no other
 * exception escapes. The number of cases per property comes from {@code jqwik.tries.default} (a short run in CI;
 * {@code scripts/fuzz} runs a million and more).
 */
class DecoderFuzzTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper CBOR = new ObjectMapper(new CBORFactory());
    private static final FormatRegistry FORMATS = Formats.builtIn();
    private static final EmoncmsDecoder EMONCMS =
            new EmoncmsDecoder(new EmoncmsInputs(Map.of("5", List.of("vrms", "temp"))));

    /** Field names the decoders look for, so that generated payloads reach past the first check. */
    private static final List<String> KEYS = List.of(
            "gateway",
            "ts",
            "nodes",
            "id",
            "name",
            "type",
            "category",
            "readings",
            "quantity",
            "unit",
            "value",
            "kind",
            "channel",
            "bn",
            "bt",
            "bu",
            "bv",
            "bs",
            "bver",
            "n",
            "u",
            "v",
            "vs",
            "vb",
            "vd",
            "s",
            "t",
            "ut",
            "ENERGY",
            "Power",
            "Voltage",
            "Current",
            "Total",
            "Today",
            "Factor",
            "ApparentPower",
            "Time",
            "TempUnit",
            "AM2301",
            "Temperature",
            "Humidity",
            "switch:0",
            "apower",
            "voltage",
            "current",
            "pf",
            "aenergy",
            "total",
            "minute_ts",
            "by_minute",
            "temperature",
            "tC",
            "params",
            "method",
            "src",
            "result",
            "power1");

    /** Values meant to break parsers of times, numbers and names. */
    private static final List<Object> NASTY = List.of(
            "+999999999-12-31T23:59:59Z",
            "-999999999-01-01T00:00:00Z",
            "2026-13-45T99:99:99Z",
            "2026-11-21T10:00:00Z",
            "1e400",
            "-1e400",
            "NaN",
            "Infinity",
            "-0",
            "",
            "\u0000",
            "\u202e plug",
            "$SYS/broker",
            "../../etc/passwd",
            "x".repeat(200),
            "\ud83d\udd0c",
            "\ud800",
            Long.MAX_VALUE,
            Long.MIN_VALUE,
            Double.MAX_VALUE,
            -Double.MAX_VALUE,
            Double.MIN_VALUE,
            0,
            -1,
            1.5,
            true,
            false);

    @Property
    void randomBytes_decodeOrRefuseWithAReason(
            @ForAll("decoders") String format, @ForAll("bytes") byte[] payload, @ForAll("contexts") DecodeContext ctx) {
        assertTotal(FORMATS.decoder(format).orElseThrow(), payload, ctx);
    }

    @Property
    void structuredPayloads_decodeOrRefuseWithAReason(
            @ForAll("decoders") String format, @ForAll("trees") JsonNode tree, @ForAll("contexts") DecodeContext ctx)
            throws Exception {
        byte[] payload = JSON.writeValueAsBytes(tree);
        if (format.equals("senml-cbor")) {
            try {
                payload = CBOR.writeValueAsBytes(tree);
            } catch (com.fasterxml.jackson.core.JsonGenerationException e) {
                // CBOR cannot hold a lone surrogate: the decoder gets the JSON bytes instead
            }
        }
        assertTotal(FORMATS.decoder(format).orElseThrow(), payload, ctx);
    }

    @Property
    void payloadsOfTheFormatsShape_decodeOrRefuseWithAReason(
            @ForAll("seeds") Seed seed, @ForAll long leafSeed, @ForAll("contexts") DecodeContext ctx) throws Exception {
        JsonNode template =
                seed.format().equals("senml-cbor") ? CBOR.readTree(seed.payload()) : JSON.readTree(seed.payload());
        JsonNode shaped = withNastyLeaves(template, new Random(leafSeed));
        byte[] payload = JSON.writeValueAsBytes(shaped);
        if (seed.format().equals("senml-cbor")) {
            try {
                payload = CBOR.writeValueAsBytes(shaped);
            } catch (com.fasterxml.jackson.core.JsonGenerationException e) {
                // CBOR cannot hold a lone surrogate: the decoder gets the JSON bytes instead
            }
        }
        assertTotal(FORMATS.decoder(seed.format()).orElseThrow(), payload, ctx);
    }

    /** The template with some of its leaves (and arrays' lengths) replaced by nasty values. */
    private static JsonNode withNastyLeaves(JsonNode template, Random random) {
        if (template.isObject()) {
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            template.properties().forEach(e -> {
                if (random.nextInt(10) > 0) {
                    out.set(e.getKey(), withNastyLeaves(e.getValue(), random));
                }
            });
            return out;
        }
        if (template.isArray()) {
            ArrayNode out = JsonNodeFactory.instance.arrayNode();
            int copies = random.nextInt(8) == 0 ? 1 + random.nextInt(3) : 1;
            for (int c = 0; c < copies; c++) {
                template.forEach(item -> out.add(withNastyLeaves(item, random)));
            }
            return out;
        }
        return random.nextInt(3) == 0 ? JSON.valueToTree(NASTY.get(random.nextInt(NASTY.size()))) : template;
    }

    @Property
    void mutatedValidPayloads_decodeOrRefuseWithAReason(
            @ForAll("seeds") Seed seed, @ForAll long mutationSeed, @ForAll("contexts") DecodeContext ctx) {
        assertTotal(FORMATS.decoder(seed.format()).orElseThrow(), mutate(seed.payload(), mutationSeed), ctx);
    }

    @Property
    void emoncmsInputs_decodeOrRefuseWithAReason(
            @ForAll("emoncmsTexts") String node,
            @ForAll("emoncmsTexts") String json,
            @ForAll("emoncmsTexts") String csv,
            @ForAll("emoncmsTexts") String time,
            @ForAll("emoncmsTexts") String bulk,
            @ForAll long now) {
        try {
            check(EMONCMS.post(node, json, null, null, time, now));
            check(EMONCMS.post(node, null, json, null, time, now));
            check(EMONCMS.post(node, null, null, csv, time, now));
        } catch (DecodeException e) {
            assertThat(e.getMessage()).isNotBlank();
        }
        try {
            check(EMONCMS.bulk(bulk, time, csv, node, now));
        } catch (DecodeException e) {
            assertThat(e.getMessage()).isNotBlank();
        }
    }

    @net.jqwik.api.Example
    void deepNestingHugeNumbersAndPoisonTimes_areRefusedWithAReason() {
        List<String> payloads = List.of(
                "[".repeat(200_000),
                "{\"nodes\":" + "[".repeat(100_000),
                "{\"ts\":\"+999999999-12-31T23:59:59Z\",\"nodes\":[{\"id\":\"p\",\"readings\":[{\"quantity\":"
                        + "\"voltage\",\"value\":230}]}]}",
                "{\"nodes\":[{\"id\":\"p\",\"readings\":[{\"ts\":1e400,\"quantity\":\"voltage\",\"value\":1}]}]}",
                "{\"nodes\":[{\"id\":\"p\",\"readings\":[{\"ts\":99999999999999999999999,\"value\":1}]}]}",
                "[{\"bn\":\"d:\",\"bt\":1e400,\"n\":\"v\",\"v\":1}]",
                "[{\"bn\":\"d:\",\"bt\":-1e300,\"t\":1e300,\"n\":\"v\",\"v\":1e308,\"s\":1e308}]",
                "{\"Time\":\"+999999999-12-31T23:59:59\",\"ENERGY\":{\"Power\":1e400}}",
                "{\"aenergy\":{\"total\":1,\"minute_ts\":1e300,\"by_minute\":[1e400]},\"apower\":1}");
        DecodeContext ctx = new DecodeContext("plug-1", 1_764_000_000_000L);
        for (String format : FORMATS.formats()) {
            for (String p : payloads) {
                assertTotal(FORMATS.decoder(format).orElseThrow(), bytes(p), ctx);
            }
        }
    }

    @net.jqwik.api.Example
    void epochZeroAndTheSmallestLong_areTimestamps_notMissingOnes() throws Exception {
        PayloadDecoder json = (PayloadDecoder) FORMATS.decoder("meterbase-json").orElseThrow();
        for (long ts : new long[] {0L, Long.MIN_VALUE}) {
            Upload u = json.decode(
                    bytes("{\"nodes\":[{\"id\":\"p\",\"readings\":[{\"ts\":" + ts
                            + ",\"quantity\":\"voltage\",\"value\":1}]}]}"),
                    DecodeContext.at(1_764_000_000_000L));
            assertThat(u.nodes().get(0).readings().get(0).timestamp()).isEqualTo(ts);
        }
    }

    /**
     * Any MQTT topic (the schemes' own words, wildcards, {@code $SYS}, control characters, empty and long levels)
     * with any payload finds a format or none, and that format decodes it or says why, without an exception.
     */
    @Property
    void anyTopic_routesAndDecodes_withoutException(@ForAll("topics") String topic, @ForAll byte[] payload) {
        java.util.Optional<FormatRegistry.Routed> routed =
                FORMATS.route(Via.topic(topic), payload, DecodeContext.at(1_700_000_000_000L));
        routed.ifPresent(r -> assertTotal(r.decoder(), payload, r.context()));
    }

    @Provide
    Arbitrary<String> topics() {
        Arbitrary<String> level = Arbitraries.oneOf(
                Arbitraries.of(
                        "tele",
                        "stat",
                        "cmnd",
                        "tasmota",
                        "shellies",
                        "shellyplus1pm-a8",
                        "events",
                        "rpc",
                        "status",
                        "switch:0",
                        "switch:",
                        "emon",
                        "emontx",
                        "meterbase",
                        "up",
                        "ack",
                        "event",
                        "SENSOR",
                        "STATE",
                        "RESULT",
                        "POWER",
                        "LWT",
                        "MARGINS",
                        "plug-1",
                        "gw-1",
                        "+",
                        "#",
                        "$SYS",
                        "",
                        "..",
                        "\u0000",
                        "\u202e",
                        "x".repeat(300)),
                Arbitraries.strings().ofMaxLength(12));
        return level.list().ofMinSize(1).ofMaxSize(6).map(levels -> String.join("/", levels));
    }

    /** The decoder returns a well-formed upload or a {@link DecodeException} with a reason; nothing else. */
    private static void assertTotal(MessageDecoder decoder, byte[] payload, DecodeContext ctx) {
        DeviceMessage message;
        try {
            message = decoder.decode(payload, ctx);
        } catch (DecodeException e) {
            assertThat(e.getMessage()).as(decoder.format() + " refusal reason").isNotBlank();
            return;
        } catch (RuntimeException | StackOverflowError e) {
            throw new AssertionError(
                    decoder.format() + " threw " + e + " on " + new String(payload, StandardCharsets.UTF_8), e);
        }
        assertThat(message).isNotNull();
        if (message instanceof Upload upload) {
            check(upload);
        }
    }

    private static void check(Upload upload) {
        assertThat(upload).isNotNull();
        for (NodeReport node : upload.nodes()) {
            for (RawReading r : node.readings()) {
                assertThat(r).isNotNull();
                r.describe(); // the quarantine's text form of any reading is total too
            }
        }
    }

    @Provide
    Arbitrary<String> decoders() {
        return Arbitraries.of(List.copyOf(FORMATS.formats()));
    }

    @Provide
    Arbitrary<byte[]> bytes() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(600);
    }

    @Provide
    Arbitrary<DecodeContext> contexts() {
        Arbitrary<String> device = Arbitraries.oneOf(
                Arbitraries.just((String) null),
                Arbitraries.of("plug-1", "gw-1", "\u0000", "$SYS", "x".repeat(200)),
                Arbitraries.strings().ofMaxLength(20));
        Arbitrary<Long> at = Arbitraries.oneOf(
                Arbitraries.of(Long.MIN_VALUE, Long.MAX_VALUE, 0L, -1L, 1_764_000_000_000L), Arbitraries.longs());
        return Combinators.combine(device, at).as(DecodeContext::new);
    }

    @Provide
    Arbitrary<JsonNode> trees() {
        return Arbitraries.longs().map(seed -> tree(new Random(seed), 0));
    }

    @Provide
    Arbitrary<String> emoncmsTexts() {
        return Arbitraries.oneOf(
                Arbitraries.just((String) null),
                Arbitraries.of(
                        "{\"power1\":100,\"vrms\":230}",
                        "[[0,5,230,21.5],[10,5,231]]",
                        "100,200,300",
                        "emontx",
                        "5",
                        "1764000000",
                        "-9223372036854775808",
                        "1e400",
                        "[[",
                        "{\"a\":{\"b\":{\"c\":[1,[2,[3]]]}}}"),
                Arbitraries.longs().map(seed -> tree(new Random(seed), 0).toString()),
                Arbitraries.strings().withChars("[]{},:\"0123456789.-eE ").ofMaxLength(60));
    }

    /** A random JSON value built of the formats' own field names and nasty values. */
    private static JsonNode tree(Random random, int depth) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        int kind = depth > 5 ? 2 + random.nextInt(2) : random.nextInt(4);
        switch (kind) {
            case 0 -> {
                ObjectNode o = f.objectNode();
                int n = random.nextInt(6);
                for (int i = 0; i < n; i++) {
                    o.set(KEYS.get(random.nextInt(KEYS.size())), tree(random, depth + 1));
                }
                return o;
            }
            case 1 -> {
                ArrayNode a = f.arrayNode();
                int n = random.nextInt(5);
                for (int i = 0; i < n; i++) {
                    a.add(tree(random, depth + 1));
                }
                return a;
            }
            case 2 -> {
                return JSON.valueToTree(NASTY.get(random.nextInt(NASTY.size())));
            }
            default -> {
                return random.nextBoolean()
                        ? f.numberNode(random.nextGaussian() * Math.pow(10, random.nextInt(20)))
                        : f.textNode(KEYS.get(random.nextInt(KEYS.size())));
            }
        }
    }

    /** A valid payload of a format, to be mutated. */
    record Seed(String format, byte[] payload) {}

    @Provide
    Arbitrary<Seed> seeds() {
        return Arbitraries.of(
                new Seed(
                        "meterbase-json",
                        bytes("{\"gateway\":\"gw-1\",\"ts\":\"2026-11-21T10:00:00Z\",\"nodes\":[{\"id\":\"plug-1\","
                                + "\"name\":\"Fridge\",\"readings\":[{\"quantity\":\"active_power\",\"unit\":\"W\","
                                + "\"value\":85.2},{\"channel\":\"energy\",\"quantity\":\"energy_import\",\"unit\":"
                                + "\"kWh\",\"value\":12.5,\"kind\":\"register\",\"ts\":1763719200000}]}]}")),
                new Seed(
                        "senml-json",
                        bytes("[{\"bn\":\"urn:dev:mac:0024befffe804ff1:\",\"bt\":1.276020076001e+09,\"bu\":\"A\","
                                + "\"bver\":5,\"n\":\"voltage\",\"u\":\"V\",\"v\":120.1},{\"n\":\"current\",\"t\":-5,"
                                + "\"v\":1.2},{\"n\":\"energy\",\"u\":\"Wh\",\"s\":1200}]")),
                new Seed("senml-cbor", cbor("[{\"bn\":\"dev:\",\"n\":\"temperature\",\"u\":\"Cel\",\"v\":21.5}]")),
                new Seed(
                        "tasmota",
                        bytes(
                                "{\"Time\":\"2026-11-21T10:00:00\",\"ENERGY\":{\"Total\":12.5,\"Today\":1.2,\"Power\":[85,"
                                        + "20],\"ApparentPower\":90,\"Factor\":0.95,\"Voltage\":230,\"Current\":0.37}}")),
                new Seed(
                        "shelly-gen2",
                        bytes("{\"id\":0,\"source\":\"timer\",\"output\":true,\"apower\":85.2,\"voltage\":230.1,"
                                + "\"current\":0.37,\"pf\":0.95,\"aenergy\":{\"total\":1234.5,\"by_minute\":[1,2,3],"
                                + "\"minute_ts\":1763719200},\"temperature\":{\"tC\":40.1}}")));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] cbor(String json) {
        try {
            return CBOR.writeValueAsBytes(JSON.readTree(json));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final String STRUCTURE = "{}[],:\"0-9eE.+";

    /** A few random edits: flipped, inserted, deleted and duplicated bytes, or a cut. */
    private static byte[] mutate(byte[] payload, long seed) {
        Random random = new Random(seed);
        byte[] out = payload.clone();
        int edits = 1 + random.nextInt(4);
        for (int e = 0; e < edits && out.length > 0; e++) {
            int at = random.nextInt(out.length);
            switch (random.nextInt(5)) {
                case 0 -> out[at] = (byte) random.nextInt(256);
                case 1 -> out[at] = (byte) STRUCTURE.charAt(random.nextInt(STRUCTURE.length()));
                case 2 -> out = java.util.Arrays.copyOf(out, at);
                case 3 -> {
                    byte[] longer = new byte[out.length + 1];
                    System.arraycopy(out, 0, longer, 0, at);
                    longer[at] = (byte) random.nextInt(256);
                    System.arraycopy(out, at, longer, at + 1, out.length - at);
                    out = longer;
                }
                default -> {
                    int len = Math.min(out.length - at, 1 + random.nextInt(16));
                    byte[] longer = new byte[out.length + len];
                    System.arraycopy(out, 0, longer, 0, at + len);
                    System.arraycopy(out, at, longer, at + len, out.length - at);
                    out = longer;
                }
            }
        }
        return out;
    }
}
