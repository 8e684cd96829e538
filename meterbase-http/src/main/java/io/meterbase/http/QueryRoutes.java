package io.meterbase.http;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.meterbase.core.auth.DevicePsk;
import io.meterbase.core.auth.Principal;
import io.meterbase.core.model.Channel;
import io.meterbase.core.model.Device;
import io.meterbase.core.model.Reading;
import io.meterbase.core.model.Site;
import io.meterbase.core.query.Commodity;
import io.meterbase.core.query.ConsumptionService.GroupBy;
import io.meterbase.core.query.ConsumptionService.Interval;
import io.meterbase.core.query.CustomerSummary;
import io.meterbase.core.query.EnergyBalance;
import io.meterbase.core.query.EnergyPoint;
import io.meterbase.core.query.History;
import io.meterbase.core.store.Bucket;
import io.meterbase.core.store.ExportChannel;
import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Reads: devices and channels, latest values, downsampled history, consumption per period, CSV export. */
final class QueryRoutes {

    private static final long DAY = 86_400_000L;
    private final ApiContext api;

    QueryRoutes(ApiContext api) {
        this.api = api;
    }

    void register(Javalin app) {
        app.get("/api/v1/devices", this::devices);
        app.post("/api/v1/devices/{ref}/psk", this::devicePsk);
        app.get("/api/v1/devices/pending", this::pendingDevices);
        app.post("/api/v1/devices/{ref}/approve", this::approveDevice);
        app.get("/api/v1/latest", this::latest);
        app.get("/api/v1/summary", this::summary);
        app.get("/api/v1/channels/{id}/history", this::history);
        app.get("/api/v1/energy", this::energy);
        app.get("/api/v1/energy/balance", this::balance);
        app.get("/api/v1/export.csv", this::export);
        app.get("/api/v1/export.parquet", this::exportParquet);
    }

    /** The devices the caller may see: its own, or (operators) all or one customer's. */
    private List<Device> visibleDevices(Context ctx) {
        Principal p = Requests.authenticate(ctx, api.registry());
        List<Device> devices;
        if (p.isOperator()) {
            long customer = Requests.longParam(ctx, "customer");
            devices =
                    customer == 0 ? api.registry().allDevices() : api.registry().devices(customer);
        } else {
            devices = api.registry().devices(p.customerId());
        }
        String ref = ctx.queryParam("device");
        if (ref != null) {
            devices = devices.stream()
                    .filter(d -> d.ref().equals(ref) || String.valueOf(d.id()).equals(ref))
                    .toList();
            if (devices.isEmpty()) {
                throw ApiException.notFound("no device '" + ref + "'");
            }
        }
        String category = ctx.queryParam("category");
        if (category != null) {
            devices = devices.stream()
                    .filter(d -> d.category().key().equals(category.toLowerCase(Locale.ROOT)))
                    .toList();
        }
        return devices;
    }

    private void devices(Context ctx) {
        if (Pages.asked(ctx)) {
            // the console's search over every device: ?q= (reference, name, category, #customer), offset, limit
            ctx.json(Pages.page(
                    ctx,
                    visibleDevices(ctx),
                    d -> d.ref() + " " + d.name() + " " + d.category().key() + " #" + d.customerId(),
                    d -> {
                        Map<String, Object> m = deviceJson(d);
                        m.put("customer", d.customerId());
                        return m;
                    }));
            return;
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (Device d : visibleDevices(ctx)) {
            Map<String, Object> m = deviceJson(d);
            m.put(
                    "channels",
                    api.registry().channels(d.id()).stream()
                            .map(QueryRoutes::channelJson)
                            .toList());
            out.add(m);
        }
        ctx.json(out);
    }

    /**
     * The DTLS pre-shared key of one of the caller's devices (CoAP): identity and key, derived, not stored. The
     * device need not exist yet; it is registered on its first upload.
     */
    private void devicePsk(Context ctx) {
        Principal p = Requests.authenticate(ctx, api.registry());
        if (p.isOperator()) {
            throw ApiException.forbidden("device keys are made with the owner's key");
        }
        DevicePsk.Identity id = new DevicePsk.Identity(p.customerId(), ctx.pathParam("ref"));
        if (DevicePsk.parse(id.text()).isEmpty()) {
            throw ApiException.badRequest("a device name is 1-64 letters, digits or . _ : @ -");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("identity", id.text());
        out.put("key", api.devicePsk().key(id));
        out.put("note", "DTLS pre-shared key for coaps:// uploads to /up; keep it secret");
        ctx.status(201).json(out);
    }

    /** Devices that reported but wait for approval (ingest.unknown-devices=hold): the caller's, or all. */
    private void pendingDevices(Context ctx) {
        Principal p = Requests.authenticate(ctx, api.registry());
        long customer = p.isOperator() ? Requests.longParam(ctx, "customer") : p.customerId();
        ctx.json(api.registry().pending(customer).stream()
                .map(d -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("ref", d.ref());
                    m.put("customer_id", d.customerId());
                    m.put("name", d.name());
                    m.put("category", d.category().key());
                    m.put("gateway", d.gatewayRef());
                    m.put("first_seen", d.firstSeen().toString());
                    return m;
                })
                .toList());
    }

    /** Approves a held device: it is registered and its next uploads are stored. */
    private void approveDevice(Context ctx) {
        Principal p = Requests.authenticate(ctx, api.registry());
        long customer = p.isOperator() ? Requests.longParam(ctx, "customer") : p.customerId();
        String ref = ctx.pathParam("ref");
        Device d = api.registry()
                .approve(customer, ref)
                .orElseThrow(() -> ApiException.notFound("no device '" + ref + "' waits for approval"));
        ctx.status(201).json(deviceJson(d));
    }

    private Map<String, Object> deviceJson(Device d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", d.id());
        m.put("ref", d.ref());
        m.put("name", d.name());
        m.put("type", d.type().name().toLowerCase(Locale.ROOT));
        m.put("category", d.category().key());
        m.put("customer_id", d.customerId());
        api.presence().of(d.customerId(), d.ref()).ifPresent(p -> {
            m.put("online", p.online());
            m.put("online_since", p.since().toString());
        });
        Site site = api.registry().site(d.siteId()).orElse(null);
        m.put("site_id", d.siteId());
        m.put(
                "position",
                site == null || site.position() == null
                        ? null
                        : Map.of(
                                "lat",
                                site.position().latitude(),
                                "lon",
                                site.position().longitude()));
        return m;
    }

    private static Map<String, Object> channelJson(Channel c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", c.id());
        m.put("name", c.name());
        m.put("quantity", c.quantity().key());
        m.put("unit", c.unit().symbol());
        m.put("kind", c.accumulation().name().toLowerCase(Locale.ROOT));
        return m;
    }

    /** The standard reading (seed 001): identity, quantity, unit, value, time, quality and position. */
    private void latest(Context ctx) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Device d : visibleDevices(ctx)) {
            Map<String, Object> dev = deviceJson(d);
            List<Map<String, Object>> values = new ArrayList<>();
            for (Channel c : api.registry().channels(d.id())) {
                Reading r = api.live().latest(c.id()).orElse(null);
                if (r == null) {
                    continue;
                }
                Map<String, Object> v = channelJson(c);
                v.put("value", r.value());
                v.put("ts", Instant.ofEpochMilli(r.timestamp()).toString());
                v.put("quality", r.quality().name().toLowerCase(Locale.ROOT));
                values.add(v);
            }
            dev.put("readings", values);
            out.add(dev);
        }
        ctx.json(out);
    }

    private void summary(Context ctx) {
        Principal p = Requests.authenticate(ctx, api.registry());
        long customer = p.isOperator() ? Requests.longParam(ctx, "customer") : p.customerId();
        if (api.registry().customer(customer).isEmpty()) {
            throw ApiException.notFound("no customer " + customer);
        }
        CustomerSummary s = api.consumption().summary(customer);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("customer_id", customer);
        out.put("power_w", s.powerW());
        out.put("energy_today_wh", s.energyTodayWh());
        out.put("as_of", s.asOf() == null ? null : s.asOf().toString());
        ctx.json(out);
    }

    private void history(Context ctx) {
        Principal p = Requests.authenticate(ctx, api.registry());
        int id = (int) Requests.pathLong(ctx, "id");
        Channel channel = api.registry().channel(id).orElseThrow(() -> ApiException.notFound("no channel " + id));
        Device device = api.registry().device(channel.deviceId()).orElseThrow();
        if (!p.canAccess(device.customerId())) {
            throw ApiException.notFound("no channel " + id);
        }
        long to = Requests.time(ctx, "to", api.clock().millis());
        long from = Requests.time(ctx, "from", to - DAY);
        if (from >= to) {
            throw ApiException.badRequest("from must be before to");
        }
        int points = Requests.integer(ctx, "points", 1000, 2, 10_000);
        History h = api.history().history(id, from, to, points);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("channel", channelJson(channel));
        out.put("from", Instant.ofEpochMilli(from).toString());
        out.put("to", Instant.ofEpochMilli(to).toString());
        out.put("source", h.source());
        out.put("bucket_seconds", h.bucketMillis() / 1000.0);
        List<Object[]> rows = new ArrayList<>(h.points().size());
        for (Bucket b : h.points()) {
            rows.add(new Object[] {b.start(), b.avg(), b.min(), b.max(), b.count()});
        }
        out.put("columns", List.of("ts_ms", "avg", "min", "max", "count"));
        out.put("points", rows);
        ctx.json(out);
    }

    private void energy(Context ctx) {
        List<Device> devices = visibleDevices(ctx);
        Commodity commodity = Commodity.parse(ctx.queryParam("commodity"))
                .orElseThrow(() -> ApiException.badRequest("commodity must be electricity, water or gas"));
        Interval interval = parse(Interval.class, ctx.queryParam("interval"), Interval.DAY, "interval");
        GroupBy group = parse(GroupBy.class, ctx.queryParam("group"), GroupBy.DEVICE, "group");
        long to = Requests.time(ctx, "to", api.clock().millis());
        long from = Requests.time(ctx, "from", to - 7 * DAY);
        List<EnergyPoint> points = api.consumption().consumption(devices, commodity, interval, group, from, to);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("commodity", commodity.name().toLowerCase(Locale.ROOT));
        out.put("unit", commodity.unit().symbol());
        out.put("interval", interval.name().toLowerCase(Locale.ROOT));
        out.put("group", group.name().toLowerCase(Locale.ROOT));
        List<Map<String, Object>> rows = new ArrayList<>();
        for (EnergyPoint e : points) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("group", e.group());
            m.put("start", Instant.ofEpochMilli(e.periodStart()).toString());
            m.put("amount", e.amount());
            if (e.isEstimated()) {
                m.put("estimated", e.estimated());
                m.put("gap_hours", e.gapMillis() / 3_600_000.0);
            }
            rows.add(m);
        }
        out.put("points", rows);
        ctx.json(out);
    }

    /**
     * Electricity both ways for one customer (an operator names it with {@code customer}), optionally one site:
     * import, export, generation, battery, what the home used, self-consumption and self-sufficiency per period.
     */
    private void balance(Context ctx) {
        Principal p = Requests.authenticate(ctx, api.registry());
        if (p.isOperator() && Requests.longParam(ctx, "customer") == 0) {
            throw ApiException.badRequest("customer: a balance is one customer's (add ?customer=<id>)");
        }
        List<Device> devices = visibleDevices(ctx);
        long site = Requests.longParam(ctx, "site");
        if (site != 0) {
            devices = devices.stream().filter(d -> d.siteId() == site).toList();
        }
        Interval interval = parse(Interval.class, ctx.queryParam("interval"), Interval.DAY, "interval");
        long to = Requests.time(ctx, "to", api.clock().millis());
        long from = Requests.time(ctx, "from", to - 7 * DAY);
        EnergyBalance balance = new EnergyBalance(api.registry(), api.readings());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("unit", "Wh");
        out.put("interval", interval.name().toLowerCase(Locale.ROOT));
        out.put("applies", balance.applies(devices));
        List<Map<String, Object>> rows = new ArrayList<>();
        for (EnergyBalance.Point b : balance.balance(devices, interval, from, to)) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("start", Instant.ofEpochMilli(b.periodStart()).toString());
            m.put("imported", b.imported());
            m.put("exported", b.exported());
            m.put("generated", b.generated());
            m.put("charged", b.charged());
            m.put("discharged", b.discharged());
            m.put("consumed", b.consumed());
            m.put("self_consumed", b.selfConsumed());
            m.put("self_consumption", b.selfConsumption());
            m.put("self_sufficiency", b.selfSufficiency());
            m.put("net", b.net());
            m.put("estimated", b.estimated());
            rows.add(m);
        }
        out.put("points", rows);
        ctx.json(out);
    }

    private static <E extends Enum<E>> E parse(Class<E> type, @Nullable String text, E fallback, String name) {
        if (text == null || text.isBlank()) {
            return fallback;
        }
        try {
            return Enum.valueOf(type, text.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(name + " '" + text + "' is not one of "
                    + List.of(type.getEnumConstants()).toString().toLowerCase(Locale.ROOT));
        }
    }

    /** What an export covers: the caller's selected channels with their labels, and the time range. */
    private record Export(List<ExportChannel> channels, long from, long to) {}

    /** The selection of an export: devices as for every query; a range ({@code from}, {@code to}) or a UTC month. */
    private Export exportOf(Context ctx) {
        List<Device> devices = visibleDevices(ctx);
        long from;
        long to;
        String month = ctx.queryParam("month");
        if (month != null) {
            try {
                YearMonth m = YearMonth.parse(month);
                from = m.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC).toEpochMilli();
                to = m.plusMonths(1)
                        .atDay(1)
                        .atStartOfDay()
                        .toInstant(ZoneOffset.UTC)
                        .toEpochMilli();
            } catch (DateTimeParseException e) {
                throw ApiException.badRequest("month must look like 2026-11");
            }
        } else {
            to = Requests.time(ctx, "to", api.clock().millis());
            from = Requests.time(ctx, "from", to - DAY);
        }
        List<ExportChannel> channels = new ArrayList<>();
        for (Device d : devices) {
            for (Channel c : api.registry().channels(d.id())) {
                channels.add(new ExportChannel(
                        c.id(), d.ref(), c.name(), c.quantity().key(), c.unit().symbol()));
            }
        }
        return new Export(channels, from, to);
    }

    /** CSV of raw readings. */
    private void export(Context ctx) throws Exception {
        Export e = exportOf(ctx);
        Map<Integer, String> names = new LinkedHashMap<>();
        for (ExportChannel c : e.channels()) {
            names.put(c.channelId(), c.device() + "," + c.channel() + "," + c.quantity() + "," + c.unit());
        }
        ctx.contentType("text/csv; charset=utf-8");
        ctx.header("Content-Disposition", "attachment; filename=\"meterbase-export.csv\"");
        BufferedWriter out = new BufferedWriter(new OutputStreamWriter(ctx.outputStream(), StandardCharsets.UTF_8));
        out.write("device,channel,quantity,unit,channel_id,ts,value,quality\n");
        api.readings().exportCsv(names.keySet(), e.from(), e.to(), new LabelledCsv(out, names));
        out.flush();
    }

    /** The same readings as one Parquet file (columns as the CSV, {@code ts} a UTC timestamp). */
    private void exportParquet(Context ctx) throws Exception {
        Export e = exportOf(ctx);
        ctx.contentType("application/vnd.apache.parquet");
        ctx.header("Content-Disposition", "attachment; filename=\"meterbase-export.parquet\"");
        api.parquet().write(e.channels(), api.readings(), e.from(), e.to(), ctx.outputStream());
    }
}
