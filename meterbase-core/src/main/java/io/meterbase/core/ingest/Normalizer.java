package io.meterbase.core.ingest;

import io.meterbase.core.model.Accumulation;
import io.meterbase.core.model.Category;
import io.meterbase.core.model.Channel;
import io.meterbase.core.model.Device;
import io.meterbase.core.model.DeviceType;
import io.meterbase.core.model.Gateway;
import io.meterbase.core.model.Quality;
import io.meterbase.core.model.Quantity;
import io.meterbase.core.model.Reading;
import io.meterbase.core.model.Unit;
import io.meterbase.core.registry.Registry;
import io.meterbase.core.store.QuarantineEntry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Resolves the identity of every reading of an upload (device, channel), converts it to the canonical unit of its
 * quantity and validates it. Each refused reading gets a reason and a quarantine entry. Thread-safe.
 */
public final class Normalizer {

    private final Registry registry;
    private final IngestSettings settings;

    public Normalizer(Registry registry, IngestSettings settings) {
        this.registry = registry;
        this.settings = settings;
    }

    public Normalized normalize(long customerId, String source, Upload upload) {
        Instant now = registry.clock().instant();
        long newestAllowed = now.plus(settings.maxFuture()).toEpochMilli();
        long oldestAllowed = now.minus(settings.retention()).toEpochMilli();
        List<Reading> accepted = new ArrayList<>(upload.readingCount());
        List<Rejection> rejections = new ArrayList<>();
        List<QuarantineEntry> quarantine = new ArrayList<>();
        Gateway gateway = null;
        for (NodeReport node : upload.nodes()) {
            Optional<Device> device = registry.device(customerId, node.ref());
            if (device.isEmpty()
                    && settings.autoRegisterDevices()
                    && node.ref() != null
                    && !node.ref().isBlank()) {
                if (gateway == null && upload.gatewayRef() != null) {
                    gateway = registry.gatewayOrRegister(customerId, upload.gatewayRef());
                }
                long siteId = gateway != null
                        ? gateway.siteId()
                        : registry.defaultSite(customerId).id();
                device = Optional.of(registry.registerDevice(
                        customerId,
                        siteId,
                        gateway == null ? 0 : gateway.id(),
                        node.ref(),
                        node.name(),
                        DeviceType.parse(node.type()),
                        Category.parse(node.category())));
            } else if (device.isPresent()) {
                device = Optional.of(applyNodeChanges(device.get(), node));
            }
            Map<PlanKey, Plan> plans = new HashMap<>();
            for (int i = 0; i < node.readings().size(); i++) {
                RawReading raw = node.readings().get(i);
                String problem;
                RejectReason reason;
                if (device.isEmpty()) {
                    if (settings.unknownDevices() == IngestSettings.UnknownDevices.HOLD) {
                        registry.holdForApproval(
                                customerId,
                                node.ref(),
                                node.name(),
                                DeviceType.parse(node.type()),
                                Category.parse(node.category()),
                                upload.gatewayRef());
                        reason = RejectReason.DEVICE_PENDING_APPROVAL;
                        problem = "device '" + node.ref() + "' waits for approval (POST /api/v1/devices/" + node.ref()
                                + "/approve)";
                    } else {
                        reason = RejectReason.UNKNOWN_DEVICE;
                        problem = "unknown device '" + node.ref() + "'";
                    }
                } else {
                    Outcome outcome = check(device.get(), raw, newestAllowed, oldestAllowed, plans);
                    if (outcome.reading != null) {
                        accepted.add(outcome.reading);
                        continue;
                    }
                    reason = outcome.reason;
                    problem = outcome.detail;
                }
                rejections.add(new Rejection(node.ref(), i, reason, problem));
                quarantine.add(new QuarantineEntry(
                        now, source, customerId, reason.key(), problem, node.ref() + " " + raw.describe()));
            }
        }
        return new Normalized(accepted, rejections, quarantine);
    }

    private Device applyNodeChanges(Device device, NodeReport node) {
        String name = node.name() == null || node.name().isBlank() ? device.name() : node.name();
        Category category = node.category() == null ? device.category() : Category.parse(node.category());
        if (name.equals(device.name()) && category == device.category()) {
            return device;
        }
        return registry.updateDevice(device.withNameAndCategory(name, category));
    }

    private Outcome check(
            Device device, RawReading raw, long newestAllowed, long oldestAllowed, Map<PlanKey, Plan> plans) {
        PlanKey key = new PlanKey(raw.channelName(), raw.quantity(), raw.unit(), raw.accumulation());
        Plan plan = plans.get(key);
        if (plan == null) {
            plan = plan(raw);
            plans.put(key, plan);
        }
        if (plan.refusal != null) {
            return plan.refusal;
        }
        Quantity quantity = plan.quantity;
        if (!Double.isFinite(raw.value())) {
            return Outcome.refused(RejectReason.NOT_FINITE, "value is " + raw.value());
        }
        if (raw.timestamp() > newestAllowed) {
            return Outcome.refused(
                    RejectReason.TIMESTAMP_IN_FUTURE,
                    "timestamp " + Instant.ofEpochMilli(raw.timestamp()) + " is more than "
                            + settings.maxFuture().toMinutes() + " min in the future");
        }
        if (raw.timestamp() < oldestAllowed) {
            return Outcome.refused(
                    RejectReason.TIMESTAMP_TOO_OLD,
                    "timestamp " + Instant.ofEpochMilli(raw.timestamp()) + " is older than the retention of "
                            + settings.retention().toDays() + " days");
        }
        double value = plan.unit == quantity.canonicalUnit()
                ? raw.value()
                : plan.unit.convert(raw.value(), quantity.canonicalUnit());
        if (value < plan.min || value > plan.max) {
            return Outcome.refused(
                    RejectReason.OUT_OF_RANGE,
                    quantity.key() + " " + value + " "
                            + quantity.canonicalUnit().symbol() + " is outside [" + plan.min + ", " + plan.max + "]");
        }
        if (plan.channel == null) {
            Channel channel = registry.channelOrCreate(device.id(), raw.channelName(), quantity, plan.accumulation);
            if (channel.quantity() != quantity || channel.accumulation() != plan.accumulation) {
                plan.refusal = Outcome.refused(
                        RejectReason.CHANNEL_CONFLICT,
                        "channel '" + channel.name() + "' holds "
                                + channel.quantity().key() + " ("
                                + channel.accumulation().name().toLowerCase(Locale.ROOT) + "), not "
                                + quantity.key() + " ("
                                + plan.accumulation.name().toLowerCase(Locale.ROOT) + ")");
                return plan.refusal;
            }
            plan.channel = channel;
        }
        return new Outcome(new Reading(plan.channel.id(), raw.timestamp(), value, Quality.GOOD), null, null);
    }

    /** What every reading with the same channel, quantity, unit and kind resolves to. */
    private Plan plan(RawReading raw) {
        Optional<Quantity> q = Quantity.ofKey(raw.quantity());
        if (q.isEmpty()) {
            return Plan.refused(
                    Outcome.refused(RejectReason.UNKNOWN_QUANTITY, "unknown quantity '" + raw.quantity() + "'"));
        }
        Quantity quantity = q.get();
        Optional<Unit> unit = quantity.unit(raw.unit());
        if (unit.isEmpty()) {
            return Plan.refused(Outcome.refused(
                    RejectReason.UNIT_MISMATCH,
                    "unit '" + raw.unit() + "' does not fit " + quantity.key() + " (expected "
                            + quantity.canonicalUnit().symbol() + " or a multiple)"));
        }
        Accumulation accumulation = accumulation(raw.accumulation(), quantity);
        if (accumulation == null || !quantity.allows(accumulation)) {
            return Plan.refused(Outcome.refused(
                    RejectReason.ACCUMULATION_MISMATCH,
                    "'" + raw.accumulation() + "' is no kind of " + quantity.key()
                            + " (instant, register or interval)"));
        }
        return new Plan(quantity, unit.get(), accumulation, settings.min(quantity), settings.max(quantity));
    }

    private record PlanKey(String channel, String quantity, String unit, String accumulation) {}

    /** A resolved combination; the channel is found on the first valid value so refused input creates none. */
    private static final class Plan {
        final Quantity quantity;
        final Unit unit;
        final Accumulation accumulation;
        final double min;
        final double max;
        Channel channel;
        Outcome refusal;

        Plan(Quantity quantity, Unit unit, Accumulation accumulation, double min, double max) {
            this.quantity = quantity;
            this.unit = unit;
            this.accumulation = accumulation;
            this.min = min;
            this.max = max;
        }

        static Plan refused(Outcome refusal) {
            Plan p = new Plan(null, null, null, 0, 0);
            p.refusal = refusal;
            return p;
        }
    }

    /** Parses a payload's accumulation word; null text gives the quantity's default, an unknown word null. */
    static Accumulation accumulation(String text, Quantity quantity) {
        if (text == null || text.isBlank()) {
            return quantity.defaultAccumulation();
        }
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "instant", "gauge" -> Accumulation.INSTANT;
            case "register", "cumulative", "total" -> Accumulation.CUMULATIVE;
            case "interval", "delta" -> Accumulation.INTERVAL;
            default -> null;
        };
    }

    private record Outcome(Reading reading, RejectReason reason, String detail) {
        static Outcome refused(RejectReason reason, String detail) {
            return new Outcome(null, reason, detail);
        }
    }
}
