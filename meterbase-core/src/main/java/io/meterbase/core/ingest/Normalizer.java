package io.meterbase.core.ingest;

import static java.util.Objects.requireNonNull;

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
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Resolves the identity of every reading of an upload (device, channel), converts it to the canonical unit of its
 * quantity and validates it. Each refused reading gets a reason and a quarantine entry. New devices and channels of
 * an upload are registered together, in one commit (shared with other uploads registering at the same time), within
 * the customer's allowance of new devices. Thread-safe.
 */
public final class Normalizer {

    /** Whether a customer may register this many new devices and gateways now (and takes them if so). */
    public interface RegistrationBudget {
        boolean allow(long customerId, int count);

        RegistrationBudget UNLIMITED = (customer, count) -> true;
    }

    /** Channels a device may have at most. */
    public static final int MAX_CHANNELS_PER_DEVICE = 1000;

    private final Registry registry;
    private final IngestSettings settings;
    private final RegistrationBudget budget;

    public Normalizer(Registry registry, IngestSettings settings) {
        this(registry, settings, RegistrationBudget.UNLIMITED);
    }

    public Normalizer(Registry registry, IngestSettings settings, RegistrationBudget budget) {
        this.registry = registry;
        this.settings = settings;
        this.budget = budget;
    }

    public Normalized normalize(long customerId, String source, Upload upload) {
        return normalize(customerId, () -> source, upload);
    }

    /** As {@link #normalize(long, String, Upload)}, the source described only when a reading is refused. */
    public Normalized normalize(long customerId, java.util.function.Supplier<String> source, Upload upload) {
        return normalize(customerId, source, upload, null, null);
    }

    /**
     * As {@link #normalize(long, String, Upload)}, for a key that may upload for {@code onlyDevice} only, or through
     * {@code onlyGateway} only (for the devices behind it): other nodes are refused ({@link
     * RejectReason#OUTSIDE_KEY_SCOPE}).
     */
    public Normalized normalize(
            long customerId,
            java.util.function.Supplier<String> source,
            Upload upload,
            @Nullable String onlyDevice,
            @Nullable String onlyGateway) {
        Instant now = registry.clock().instant();
        List<NodeReport> nodes = upload.nodes();
        Device[] devices = new Device[nodes.size()];
        // new devices and the channels of their readings are made durable together, in one commit
        Registry.Registration registration = registry.registration();
        Outcome[] nodeRefusals = resolveDevices(customerId, upload, devices, registration, onlyDevice, onlyGateway);

        long newestAllowed = now.plus(settings.maxFuture()).toEpochMilli();
        long oldestAllowed = now.minus(settings.retention()).toEpochMilli();
        List<Slot> slots = new ArrayList<>(upload.readingCount());
        Map<String, List<Plan>> missingChannels = new LinkedHashMap<>();
        for (int n = 0; n < nodes.size(); n++) {
            NodeReport node = nodes.get(n);
            Map<PlanKey, Plan> plans = new HashMap<>();
            for (int i = 0; i < node.readings().size(); i++) {
                RawReading raw = node.readings().get(i);
                Slot slot = new Slot(n, i, raw);
                slots.add(slot);
                if (nodeRefusals[n] != null) {
                    slot.outcome = nodeRefusals[n];
                    continue;
                }
                check(devices[n], raw, newestAllowed, oldestAllowed, plans, slot, missingChannels);
            }
        }
        createChannels(missingChannels, registration);
        registration.await();

        List<Reading> accepted = new ArrayList<>(slots.size());
        List<Rejection> rejections = new ArrayList<>();
        List<QuarantineEntry> quarantine = new ArrayList<>();
        String described = null;
        for (Slot s : slots) {
            // a reading without an outcome of its own has a plan; a plan without a refusal has its channel
            Outcome refusal = s.outcome != null ? s.outcome : requireNonNull(s.plan).refusal;
            if (refusal == null) {
                Channel channel = requireNonNull(requireNonNull(s.plan).channel);
                accepted.add(new Reading(channel.id(), s.raw.timestamp(), s.value, Quality.GOOD));
                continue;
            }
            String ref = nodes.get(s.node).ref();
            rejections.add(new Rejection(ref, s.index, refusal.reason, refusal.detail));
            if (described == null) {
                described = source.get();
            }
            quarantine.add(new QuarantineEntry(
                    now, described, customerId, refusal.reason.key(), refusal.detail, ref + " " + s.raw.describe()));
        }
        return new Normalized(accepted, rejections, quarantine);
    }

    /**
     * Finds each node's device, registering the unknown ones (behind the upload's gateway, which is registered on
     * its own first when it is new) when the customer may, their commit left to {@code registration}; returns, per
     * node, why all its readings are refused, or null.
     */
    private Outcome[] resolveDevices(
            long customerId,
            Upload upload,
            Device[] devices,
            Registry.Registration registration,
            @Nullable String onlyDevice,
            @Nullable String onlyGateway) {
        List<NodeReport> nodes = upload.nodes();
        Outcome[] refusals = new Outcome[nodes.size()];
        String gatewayProblem = upload.gatewayRef() == null ? null : References.problem("gateway", upload.gatewayRef());
        Outcome outsideGateway = onlyGateway == null || onlyGateway.equals(upload.gatewayRef())
                ? null
                : new Outcome(
                        RejectReason.OUTSIDE_KEY_SCOPE,
                        "this key uploads through gateway '" + onlyGateway + "' only, not "
                                + (upload.gatewayRef() == null
                                        ? "without a gateway"
                                        : "'" + upload.gatewayRef() + "'"));
        long keyGateway = onlyGateway == null
                ? 0
                : registry.gateway(customerId, onlyGateway).map(g -> g.id()).orElse(-1L);
        List<Integer> unknown = new ArrayList<>();
        for (int n = 0; n < nodes.size(); n++) {
            NodeReport node = nodes.get(n);
            String problem = References.problem("device", node.ref());
            if (problem == null) {
                problem = References.nameProblem(node.name());
            }
            if (problem != null) {
                refusals[n] = new Outcome(RejectReason.INVALID_REFERENCE, problem);
                continue;
            }
            if (onlyDevice != null && !onlyDevice.equals(node.ref())) {
                refusals[n] = new Outcome(
                        RejectReason.OUTSIDE_KEY_SCOPE,
                        "this key uploads for device '" + onlyDevice + "' only, not '" + node.ref() + "'");
                continue;
            }
            if (outsideGateway != null) {
                refusals[n] = outsideGateway;
                continue;
            }
            Optional<Device> known = registry.device(customerId, node.ref());
            if (known.isPresent() && onlyGateway != null && known.get().gatewayId() != keyGateway) {
                refusals[n] = new Outcome(
                        RejectReason.OUTSIDE_KEY_SCOPE,
                        "device '" + node.ref() + "' is not behind gateway '" + onlyGateway + "', this key's gateway");
                continue;
            }
            if (known.isPresent()) {
                devices[n] = applyNodeChanges(known.get(), node);
            } else if (settings.autoRegisterDevices()) {
                if (gatewayProblem != null) {
                    refusals[n] = new Outcome(RejectReason.INVALID_REFERENCE, gatewayProblem);
                } else {
                    unknown.add(n);
                }
            } else if (settings.unknownDevices() == IngestSettings.UnknownDevices.HOLD) {
                registry.holdForApproval(
                        customerId,
                        node.ref(),
                        node.name(),
                        DeviceType.parse(node.type()),
                        Category.parse(node.category()),
                        upload.gatewayRef());
                refusals[n] = new Outcome(
                        RejectReason.DEVICE_PENDING_APPROVAL,
                        "device '" + node.ref() + "' waits for approval (POST /api/v1/devices/" + node.ref()
                                + "/approve)");
            } else {
                refusals[n] = new Outcome(RejectReason.UNKNOWN_DEVICE, "unknown device '" + node.ref() + "'");
            }
        }
        if (!unknown.isEmpty()) {
            register(customerId, upload, unknown, devices, refusals, registration);
        }
        return refusals;
    }

    private void register(
            long customerId,
            Upload upload,
            List<Integer> unknown,
            Device[] devices,
            Outcome[] out,
            Registry.Registration registration) {
        List<NodeReport> nodes = upload.nodes();
        Set<String> refs = new LinkedHashSet<>();
        for (int n : unknown) {
            refs.add(nodes.get(n).ref());
        }
        boolean newGateway = upload.gatewayRef() != null
                && registry.gateway(customerId, upload.gatewayRef()).isEmpty();
        if (!budget.allow(customerId, refs.size() + (newGateway ? 1 : 0))) {
            for (int n : unknown) {
                out[n] = new Outcome(
                        RejectReason.REGISTRATION_LIMITED,
                        "too many new devices for this customer now; device '"
                                + nodes.get(n).ref() + "' is registered when its readings are sent again later");
            }
            return;
        }
        Gateway gateway =
                upload.gatewayRef() == null ? null : registry.gatewayOrRegister(customerId, upload.gatewayRef());
        long siteId = gateway != null
                ? gateway.siteId()
                : registry.defaultSite(customerId).id();
        List<Registry.NewDevice> wanted = new ArrayList<>(unknown.size());
        for (int n : unknown) {
            NodeReport node = nodes.get(n);
            wanted.add(new Registry.NewDevice(
                    node.ref(), node.name(), DeviceType.parse(node.type()), Category.parse(node.category())));
        }
        List<Device> registered = registry.devicesOrRegister(
                customerId, siteId, gateway == null ? 0 : gateway.id(), wanted, registration);
        for (int k = 0; k < unknown.size(); k++) {
            devices[unknown.get(k)] = registered.get(k);
        }
    }

    private Device applyNodeChanges(Device device, NodeReport node) {
        String name = node.name() == null || node.name().isBlank() ? device.name() : node.name();
        Category category = node.category() == null ? device.category() : Category.parse(node.category());
        if (name.equals(device.name()) && category == device.category()) {
            return device;
        }
        return registry.updateDevice(device.withNameAndCategory(name, category));
    }

    /**
     * Validates one reading into its slot: a refusal, or its value and plan; a plan whose channel does not exist yet
     * is noted in {@code missing} (one per device and channel name) to be created with the others.
     */
    private void check(
            Device device,
            RawReading raw,
            long newestAllowed,
            long oldestAllowed,
            Map<PlanKey, Plan> plans,
            Slot slot,
            Map<String, List<Plan>> missing) {
        PlanKey key = new PlanKey(raw.channelName(), raw.quantity(), raw.unit(), raw.accumulation());
        Plan plan = plans.get(key);
        if (plan == null) {
            plan = plan(device, raw);
            plans.put(key, plan);
        }
        slot.plan = plan;
        if (plan.refusal != null) {
            return;
        }
        // a plan that is not refused is resolved: its quantity, unit and kind are known
        Quantity quantity = requireNonNull(plan.quantity);
        Unit unit = requireNonNull(plan.unit);
        if (!Double.isFinite(raw.value())) {
            slot.outcome = new Outcome(RejectReason.NOT_FINITE, "value is " + raw.value());
            return;
        }
        if (raw.timestamp() > newestAllowed) {
            slot.outcome = new Outcome(
                    RejectReason.TIMESTAMP_IN_FUTURE,
                    "timestamp " + Instant.ofEpochMilli(raw.timestamp()) + " is more than "
                            + settings.maxFuture().toMinutes() + " min in the future");
            return;
        }
        if (raw.timestamp() < oldestAllowed) {
            slot.outcome = new Outcome(
                    RejectReason.TIMESTAMP_TOO_OLD,
                    "timestamp " + Instant.ofEpochMilli(raw.timestamp()) + " is older than the retention of "
                            + settings.retention().toDays() + " days");
            return;
        }
        double value =
                unit == quantity.canonicalUnit() ? raw.value() : unit.convert(raw.value(), quantity.canonicalUnit());
        if (value < plan.min || value > plan.max) {
            slot.outcome = new Outcome(
                    RejectReason.OUT_OF_RANGE,
                    quantity.key() + " " + value + " "
                            + quantity.canonicalUnit().symbol() + " is outside [" + plan.min + ", " + plan.max + "]");
            return;
        }
        slot.value = value;
        if (plan.channel == null) {
            List<Plan> sharing = missing.computeIfAbsent(device.id() + "/" + plan.channelName, k -> new ArrayList<>());
            if (!sharing.contains(plan)) {
                sharing.add(plan);
            }
        }
    }

    /**
     * Creates the missing channels of the upload, their commit left to {@code registration}, within each device's
     * channel limit (counted among the channels saved: uploads adding channels to one device at the same moment may
     * pass it by a few). Plans that name the same channel (another unit, say) share it; the first plan's quantity
     * creates it.
     */
    private void createChannels(Map<String, List<Plan>> missing, Registry.Registration registration) {
        if (missing.isEmpty()) {
            return;
        }
        Map<Long, Integer> added = new HashMap<>();
        List<List<Plan>> creating = new ArrayList<>();
        List<Registry.NewChannel> wanted = new ArrayList<>();
        for (List<Plan> sharing : missing.values()) {
            Plan first = sharing.get(0);
            int count = registry.channelCount(first.deviceId) + added.merge(first.deviceId, 1, Integer::sum);
            if (count > MAX_CHANNELS_PER_DEVICE) {
                for (Plan plan : sharing) {
                    plan.refusal = new Outcome(
                            RejectReason.CHANNEL_LIMIT,
                            "device has " + MAX_CHANNELS_PER_DEVICE + " channels, the most allowed; '"
                                    + plan.channelName + "' is not created");
                }
                continue;
            }
            creating.add(sharing);
            wanted.add(first.toNewChannel());
        }
        List<Channel> channels = registry.channelsOrCreate(wanted, registration);
        for (int i = 0; i < creating.size(); i++) {
            for (Plan plan : creating.get(i)) {
                adopt(plan, channels.get(i));
            }
        }
    }

    /** Takes the channel for the plan, or refuses the plan when the channel holds another quantity or kind. */
    private static void adopt(Plan plan, Channel channel) {
        if (channel.quantity() != plan.quantity || channel.accumulation() != plan.accumulation) {
            plan.refusal = new Outcome(
                    RejectReason.CHANNEL_CONFLICT,
                    "channel '" + channel.name() + "' holds "
                            + channel.quantity().key() + " ("
                            + channel.accumulation().name().toLowerCase(Locale.ROOT) + "), not "
                            + requireNonNull(plan.quantity).key() + " ("
                            + requireNonNull(plan.accumulation).name().toLowerCase(Locale.ROOT) + ")");
            return;
        }
        plan.channel = channel;
    }

    /** What every reading of the device with the same channel, quantity, unit and kind resolves to. */
    private Plan plan(Device device, RawReading raw) {
        String channelProblem = References.channelProblem(raw.channelName());
        if (channelProblem != null) {
            return Plan.refused(new Outcome(RejectReason.INVALID_REFERENCE, channelProblem));
        }
        Optional<Quantity> q = Quantity.ofKey(raw.quantity());
        if (q.isEmpty()) {
            return Plan.refused(
                    new Outcome(RejectReason.UNKNOWN_QUANTITY, "unknown quantity '" + raw.quantity() + "'"));
        }
        Quantity quantity = q.get();
        Optional<Unit> unit = quantity.unit(raw.unit());
        if (unit.isEmpty()) {
            return Plan.refused(new Outcome(
                    RejectReason.UNIT_MISMATCH,
                    "unit '" + raw.unit() + "' does not fit " + quantity.key() + " (expected "
                            + quantity.canonicalUnit().symbol() + " or a multiple)"));
        }
        Accumulation accumulation = accumulation(raw.accumulation(), quantity);
        if (accumulation == null || !quantity.allows(accumulation)) {
            return Plan.refused(new Outcome(
                    RejectReason.ACCUMULATION_MISMATCH,
                    "'" + raw.accumulation() + "' is no kind of " + quantity.key()
                            + " (instant, register or interval)"));
        }
        String channel = Objects.requireNonNull(raw.channelName(), "a channel that passed its check has a name");
        Plan plan = new Plan(
                device.id(),
                channel,
                quantity,
                unit.get(),
                accumulation,
                settings.min(quantity),
                settings.max(quantity));
        registry.channel(device.id(), channel).ifPresent(existing -> adopt(plan, existing));
        return plan;
    }

    private record PlanKey(
            @Nullable String channel,
            @Nullable String quantity,
            @Nullable String unit,
            @Nullable String accumulation) {}

    /** A refusal: why and in words. */
    private record Outcome(RejectReason reason, String detail) {}

    /** One reading of the upload on its way: its plan and value, or why it is refused. */
    private static final class Slot {
        final int node;
        final int index;
        final RawReading raw;

        @Nullable
        Plan plan;

        double value;

        @Nullable
        Outcome outcome;

        Slot(int node, int index, RawReading raw) {
            this.node = node;
            this.index = index;
            this.raw = raw;
        }
    }

    /** A resolved combination; its channel is created only for valid values, so refused input creates none. */
    private static final class Plan {
        final long deviceId;
        final @Nullable String channelName;
        final @Nullable Quantity quantity;
        final @Nullable Unit unit;
        final @Nullable Accumulation accumulation;
        final double min;
        final double max;

        @Nullable
        Channel channel;

        @Nullable
        Outcome refusal;

        Plan(
                long deviceId,
                @Nullable String channelName,
                @Nullable Quantity quantity,
                @Nullable Unit unit,
                @Nullable Accumulation accumulation,
                double min,
                double max) {
            this.deviceId = deviceId;
            this.channelName = channelName;
            this.quantity = quantity;
            this.unit = unit;
            this.accumulation = accumulation;
            this.min = min;
            this.max = max;
        }

        /** The channel this plan creates; only a plan that is not refused has one. */
        Registry.NewChannel toNewChannel() {
            return new Registry.NewChannel(
                    deviceId,
                    Objects.requireNonNull(channelName, "a plan that creates a channel has its name"),
                    Objects.requireNonNull(quantity, "a plan that creates a channel has its quantity"),
                    Objects.requireNonNull(accumulation, "a plan that creates a channel has its accumulation"));
        }

        static Plan refused(Outcome refusal) {
            Plan p = new Plan(0, null, null, null, null, 0, 0);
            p.refusal = refusal;
            return p;
        }
    }

    /** Parses a payload's accumulation word; null text gives the quantity's default, an unknown word null. */
    static @Nullable Accumulation accumulation(@Nullable String text, Quantity quantity) {
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
}
