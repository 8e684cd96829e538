package io.meterbase.core.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterbase.core.model.Channel;
import io.meterbase.core.model.Customer;
import io.meterbase.core.model.Device;
import io.meterbase.core.model.Gateway;
import io.meterbase.core.model.Reading;
import io.meterbase.core.registry.Registry;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The normalizer is total: any upload a decoder could produce (references with control characters, {@code $SYS},
 * path steps or 200 characters; unknown quantities and units; NaN, infinite and extreme values and times) gives
 * each reading exactly one outcome, stored or refused with a reason, and registers only devices, gateways and
 * channels whose references are allowed.
 */
class NormalizerFuzzTest {

    private static final Instant NOW = Instant.parse("2026-11-21T12:00:00Z");

    @Property
    void everyReadingGetsOneOutcome_andOnlyAllowedNamesAreRegistered(@ForAll("uploads") Upload upload) {
        Registry registry = new Registry(new MemoryMetadataStore(), Clock.fixed(NOW, ZoneOffset.UTC));
        Customer customer = registry.createCustomer("Ana", "Home", null, null, "north", ZoneId.of("UTC"));
        Normalizer normalizer = new Normalizer(registry, IngestSettings.defaults());

        Normalized out = normalizer.normalize(customer.id(), "fuzz", upload);

        assertThat(out.readings().size() + out.rejections().size()).isEqualTo(upload.readingCount());
        for (Rejection r : out.rejections()) {
            assertThat(r.reason()).isNotNull();
            assertThat(r.detail()).isNotBlank();
        }
        assertThat(out.quarantine()).hasSameSizeAs(out.rejections());
        for (Reading r : out.readings()) {
            assertThat(Double.isFinite(r.value())).isTrue();
            assertThat(r.timestamp()).isLessThanOrEqualTo(NOW.plusSeconds(300).toEpochMilli());
        }
        for (Device d : registry.devices(customer.id())) {
            assertThat(References.problem("device", d.ref())).isNull();
            assertThat(References.nameProblem(d.name())).isNull();
        }
        for (Gateway g : registry.gateways(customer.id())) {
            assertThat(References.problem("gateway", g.ref())).isNull();
        }
        for (Channel c : registry.allChannels()) {
            assertThat(References.channelProblem(c.name())).isNull();
        }
    }

    @Provide
    Arbitrary<Upload> uploads() {
        Arbitrary<String> refs = Arbitraries.oneOf(
                Arbitraries.of(
                        "plug-1",
                        "gw-1",
                        "urn:dev:mac:0024befffe80",
                        "meter@home",
                        "\u0000",
                        "\u202eplug",
                        "$SYS",
                        "../../etc/passwd",
                        "a/b",
                        "..",
                        "",
                        " ",
                        "x".repeat(65),
                        "x".repeat(200),
                        "plug\n1",
                        "+",
                        "#",
                        "Küche",
                        "\ud83d\udd0c"),
                Arbitraries.strings().ofMaxLength(10));
        Arbitrary<String> quantities = Arbitraries.oneOf(
                Arbitraries.of(
                        "active_power",
                        "voltage",
                        "energy_import",
                        "water_volume",
                        "gas_volume",
                        "temperature",
                        "heat_energy",
                        "",
                        "ACTIVE_POWER"),
                Arbitraries.strings().ofMaxLength(8));
        Arbitrary<String> units = Arbitraries.of("W", "kW", "V", "kWh", "Wh", "L", "m3", "Cel", "degC", "", "%", "x");
        Arbitrary<Double> values = Arbitraries.oneOf(
                Arbitraries.of(
                        Double.NaN,
                        Double.POSITIVE_INFINITY,
                        Double.NEGATIVE_INFINITY,
                        Double.MAX_VALUE,
                        -Double.MAX_VALUE,
                        Double.MIN_VALUE,
                        -0.0,
                        230.0),
                Arbitraries.doubles());
        Arbitrary<Long> times = Arbitraries.oneOf(
                Arbitraries.of(
                        Long.MIN_VALUE,
                        Long.MAX_VALUE,
                        0L,
                        NOW.toEpochMilli(),
                        NOW.toEpochMilli() - 1,
                        NOW.plusSeconds(301).toEpochMilli()),
                Arbitraries.longs().between(NOW.toEpochMilli() - 86_400_000L, NOW.toEpochMilli()));
        Arbitrary<String> kinds = Arbitraries.of(null, "instant", "register", "interval", "delta", "bogus");
        Arbitrary<RawReading> readings = Combinators.combine(
                        Arbitraries.oneOf(refs, Arbitraries.just((String) null)),
                        quantities,
                        units,
                        values,
                        times,
                        kinds)
                .as(RawReading::new);
        Arbitrary<NodeReport> nodes = Combinators.combine(
                        refs,
                        Arbitraries.oneOf(refs, Arbitraries.just((String) null)),
                        readings.list().ofMaxSize(6))
                .as((ref, name, rs) -> new NodeReport(ref, name, "smart_plug", null, rs));
        return Combinators.combine(
                        Arbitraries.oneOf(refs, Arbitraries.just((String) null)),
                        nodes.list().ofMaxSize(4))
                .as((gateway, ns) -> new Upload(gateway, new ArrayList<>(List.copyOf(ns))));
    }
}
