package io.meterbase.formats.emoncms;

import io.meterbase.core.ingest.NodeReport;
import io.meterbase.core.ingest.RawReading;
import io.meterbase.core.ingest.References;
import io.meterbase.core.ingest.Upload;
import io.meterbase.core.model.Accumulation;
import io.meterbase.core.model.Category;
import io.meterbase.core.model.Quantity;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What a customer's emonhub inputs mean: each input name (of one node, or of every node) to a quantity, unit and
 * kind, a channel name, and the device it belongs to. emonhub's solar PV setup sends {@code use}, {@code solar} and
 * {@code import} from one node; Meterbase keeps generation and the grid connection on devices of their own
 * ({@code <node>-solar} of category solar, {@code <node>-grid} of category main), so that the home's balance knows
 * which is which. The customer's entries come first, then {@link #DEFAULTS}; an input neither names keeps the
 * meaning of its name ({@link EmoncmsInputs}).
 *
 * @param entries the customer's own entries, in the order they are tried
 */
public record EmoncmsMap(List<Entry> entries) {

    /**
     * One input's meaning. {@code node} null: the input of every node. {@code device} is a device reference, in which
     * {@code {node}} stands for the node's id (null: the node itself); {@code category} is given to that device when
     * it is first seen; {@code channel} names the channel (null: the input's name); {@code scale} multiplies the
     * value (-1 for an export power that emonhub sends positive).
     */
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    public record Entry(
            @Nullable String node,
            String input,
            String quantity,
            @Nullable String unit,
            @Nullable String kind,
            @Nullable String channel,
            @Nullable String device,
            @Nullable String category,
            @Nullable Double scale) {

        /** Whether this entry says what {@code input} of {@code nodeId} is. */
        boolean matches(String nodeId, String inputName) {
            return input.equalsIgnoreCase(inputName) && (node == null || node.equals(nodeId));
        }

        /** Why this entry cannot be used, or null when it can. */
        public @Nullable String problem() {
            if (input == null || input.isBlank() || input.length() > References.MAX_LENGTH) {
                return "input: the name of an emonhub input, 1 to " + References.MAX_LENGTH + " characters";
            }
            if (node != null && References.problem("node", node) != null) {
                return References.problem("node", node);
            }
            Optional<Quantity> q = Quantity.ofKey(quantity);
            if (q.isEmpty()) {
                return "quantity '" + quantity + "' of input '" + input + "' is not a quantity Meterbase knows";
            }
            if (unit != null && q.get().unit(unit).isEmpty()) {
                return "unit '" + unit + "' is no unit of " + q.get().key();
            }
            if (kind != null) {
                Accumulation a =
                        switch (kind.toLowerCase(Locale.ROOT)) {
                            case "register", "cumulative" -> Accumulation.CUMULATIVE;
                            case "interval" -> Accumulation.INTERVAL;
                            case "instant" -> Accumulation.INSTANT;
                            default -> null;
                        };
                if (a == null || !q.get().allows(a)) {
                    return "kind '" + kind + "' does not fit " + q.get().key();
                }
            }
            if (channel != null && References.channelProblem(channel) != null) {
                return References.channelProblem(channel);
            }
            if (device != null && References.problem("device", device.replace("{node}", "node")) != null) {
                return References.problem("device", device.replace("{node}", "node"));
            }
            if (category != null
                    && !category.equalsIgnoreCase(Category.parse(category).key())) {
                return "category '" + category + "' is not one of "
                        + java.util.Arrays.stream(Category.values())
                                .map(Category::key)
                                .toList();
            }
            if (scale != null && (!Double.isFinite(scale) || scale == 0)) {
                return "scale: a number other than 0";
            }
            return null;
        }
    }

    /** emonhub's usual names that {@link EmoncmsInputs} does not give a meaning. */
    public static final List<Entry> DEFAULTS = List.of(
            new Entry(null, "solar", "active_power", "W", null, "active_power", "{node}-solar", "solar", null),
            new Entry(null, "import", "active_power", "W", null, "active_power", "{node}-grid", "main", null),
            new Entry(null, "grid", "active_power", "W", null, "active_power", "{node}-grid", "main", null),
            // an export power sent positive is a negative power through a grid meter; it has a meter of its own, as
            // emonhub sends import and export at the same moment (one channel would keep only one of the two)
            new Entry(null, "export", "active_power", "W", null, "active_power", "{node}-grid-export", "main", -1.0),
            new Entry(null, "use", "active_power", "W", null, "use", null, null, null),
            new Entry(null, "battery", "active_power", "W", null, "active_power", "{node}-battery", "battery", null),
            new Entry(null, "soc", "state_of_charge", "%", null, "state_of_charge", "{node}-battery", "battery", null),
            new Entry(
                    null,
                    "battery_soc",
                    "state_of_charge",
                    "%",
                    null,
                    "state_of_charge",
                    "{node}-battery",
                    "battery",
                    null),
            new Entry(null, "solar_kwh", "energy_export", "kWh", "register", "energy", "{node}-solar", "solar", null),
            new Entry(
                    null,
                    "import_kwh",
                    "energy_import",
                    "kWh",
                    "register",
                    "energy_import",
                    "{node}-grid",
                    "main",
                    null),
            new Entry(
                    null,
                    "export_kwh",
                    "energy_export",
                    "kWh",
                    "register",
                    "energy_export",
                    "{node}-grid",
                    "main",
                    null));

    /** The type of a device made from mapped inputs, by what it measures. */
    private static String typeOf(List<RawReading> readings) {
        for (RawReading r : readings) {
            String q = String.valueOf(r.quantity());
            if (q.equals("water_volume")) {
                return "water_meter";
            }
            if (q.equals("gas_volume")) {
                return "gas_meter";
            }
            if (q.startsWith("heat") || q.equals("cooling_energy")) {
                return "heat_meter";
            }
        }
        return "electricity_meter";
    }

    public EmoncmsMap {
        entries = List.copyOf(entries);
    }

    /** The entry that says what {@code input} of {@code nodeId} is: the customer's first, then the defaults. */
    public Optional<Entry> entry(String nodeId, String input) {
        for (Entry e : entries) {
            if (e.matches(nodeId, input)) {
                return Optional.of(e);
            }
        }
        for (Entry e : DEFAULTS) {
            if (e.matches(nodeId, input)) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    /**
     * The upload with each mapped input renamed and moved to its device; readings of inputs no entry names are
     * passed on as they are.
     */
    public Upload apply(Upload upload) {
        List<NodeReport> out = new ArrayList<>();
        for (NodeReport node : upload.nodes()) {
            Map<String, List<RawReading>> byDevice = new LinkedHashMap<>();
            Map<String, @Nullable String> categories = new LinkedHashMap<>();
            byDevice.put(node.ref(), new ArrayList<>());
            for (RawReading r : node.readings()) {
                String input = r.channel();
                Entry e = input == null ? null : entry(node.ref(), input).orElse(null);
                if (e == null) {
                    byDevice.get(node.ref()).add(r);
                    continue;
                }
                String device = e.device() == null ? node.ref() : e.device().replace("{node}", node.ref());
                double scale = e.scale() == null ? 1 : e.scale();
                byDevice.computeIfAbsent(device, d -> new ArrayList<>())
                        .add(new RawReading(
                                e.channel() == null ? input : e.channel(),
                                e.quantity(),
                                e.unit(),
                                r.value() * scale,
                                r.timestamp(),
                                e.kind()));
                if (!device.equals(node.ref())) {
                    categories.putIfAbsent(device, e.category());
                }
            }
            byDevice.forEach((device, readings) -> {
                if (device.equals(node.ref())) {
                    if (!readings.isEmpty() || byDevice.size() == 1) {
                        out.add(new NodeReport(node.ref(), node.name(), node.type(), node.category(), readings));
                    }
                } else {
                    out.add(new NodeReport(device, null, typeOf(readings), categories.get(device), readings));
                }
            });
        }
        return new Upload(upload.gatewayRef(), out);
    }
}
