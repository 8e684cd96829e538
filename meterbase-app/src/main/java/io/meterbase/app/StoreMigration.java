package io.meterbase.app;

import io.meterbase.core.model.ApiKey;
import io.meterbase.core.model.Channel;
import io.meterbase.core.model.Customer;
import io.meterbase.core.model.Device;
import io.meterbase.core.model.Reading;
import io.meterbase.core.model.Site;
import io.meterbase.core.store.DayKey;
import io.meterbase.core.store.QuarantineEntry;
import io.meterbase.core.store.Rollup;
import io.meterbase.core.store.Store;
import io.meterbase.core.store.WriteBatch;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Copies everything from one store into another, empty one: metadata (API keys keep working, their hashes move
 * along), every month of readings, hourly rollups and the daily rollups rebuilt from them (so history whose raw
 * readings retention already dropped survives), stale-hour marks and the quarantine. Used to move from the
 * embedded store to PostgreSQL. The source must not be written meanwhile.
 */
public final class StoreMigration {

    private static final int BATCH = 100_000;

    private final Store from;
    private final Store to;
    private final Consumer<String> progress;

    public StoreMigration(Store from, Store to, Consumer<String> progress) {
        this.from = from;
        this.to = to;
        this.progress = progress;
    }

    /** What was copied. */
    public record Copied(int customers, int devices, int channels, long readings, int hourlyRollups, int rejected) {}

    public Copied run() {
        if (!to.metadata().customers().isEmpty() || to.readings().stats().readings() > 0) {
            throw new IllegalStateException("the target store is not empty; refusing to mix two histories");
        }
        List<Customer> customers = from.metadata().customers();
        customers.forEach(to.metadata()::save);
        List<Site> sites = from.metadata().sites();
        sites.forEach(to.metadata()::save);
        from.metadata().gateways().forEach(to.metadata()::save);
        List<Device> devices = from.metadata().devices();
        devices.forEach(to.metadata()::save);
        List<Channel> channels = from.metadata().channels();
        channels.forEach(to.metadata()::save);
        List<ApiKey> keys = from.metadata().apiKeys();
        keys.forEach(to.metadata()::save);
        // the copied rows keep their ids: the target's sequences must hand out only larger ones
        to.metadata().passCopiedIds();
        for (String kind : from.documents().documentKinds()) {
            from.documents().documents(kind).forEach((id, json) -> to.documents()
                    .saveDocument(kind, id, json));
        }
        progress.accept("metadata: " + customers.size() + " customers, " + devices.size() + " devices, "
                + channels.size() + " channels, " + keys.size() + " keys");

        List<Integer> channelIds = new ArrayList<>();
        for (Channel c : channels) {
            channelIds.add(c.id());
        }
        for (Integer id : from.readings().newestTimestamps().keySet()) {
            if (!channelIds.contains(id)) {
                channelIds.add(id);
            }
        }
        long readings = 0;
        for (YearMonth month : from.readings().months()) {
            to.readings().ensureMonth(month);
            long start = month.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC).toEpochMilli();
            long end = month.plusMonths(1)
                    .atDay(1)
                    .atStartOfDay()
                    .toInstant(ZoneOffset.UTC)
                    .toEpochMilli();
            long inMonth = 0;
            for (int channel : channelIds) {
                long cursor = start;
                while (true) {
                    List<Reading> page = from.readings().readings(channel, cursor, end, BATCH);
                    if (page.isEmpty()) {
                        break;
                    }
                    to.readings().append(new WriteBatch(page, List.of(), List.of()));
                    inMonth += page.size();
                    if (page.size() < BATCH) {
                        break;
                    }
                    cursor = page.get(page.size() - 1).timestamp() + 1;
                }
            }
            readings += inMonth;
            progress.accept(month + ": " + inMonth + " readings");
        }

        List<Rollup> hourly = from.readings().hourly(channelIds, Long.MIN_VALUE, Long.MAX_VALUE);
        for (int i = 0; i < hourly.size(); i += BATCH) {
            to.readings().upsertHourly(hourly.subList(i, Math.min(hourly.size(), i + BATCH)));
        }
        to.readings()
                .rebuildDaily(days(
                        from.readings().daily(channelIds, Long.MIN_VALUE, Long.MAX_VALUE),
                        zones(sites, devices, channels)));
        to.readings()
                .append(new WriteBatch(List.of(), List.of(), from.readings().staleHours()));
        List<QuarantineEntry> rejected = new ArrayList<>(from.readings().quarantined(null, Integer.MAX_VALUE));
        java.util.Collections.reverse(rejected);
        if (!rejected.isEmpty()) {
            to.readings().quarantine(rejected);
        }
        progress.accept("rollups: " + hourly.size() + " hours; quarantine: " + rejected.size() + " entries");
        return new Copied(customers.size(), devices.size(), channels.size(), readings, hourly.size(), rejected.size());
    }

    private static Map<Integer, ZoneId> zones(List<Site> sites, List<Device> devices, List<Channel> channels) {
        Map<Long, ZoneId> siteZone = new HashMap<>();
        sites.forEach(s -> siteZone.put(s.id(), s.zone()));
        Map<Long, ZoneId> deviceZone = new HashMap<>();
        devices.forEach(d -> deviceZone.put(d.id(), siteZone.getOrDefault(d.siteId(), ZoneOffset.UTC)));
        Map<Integer, ZoneId> out = new HashMap<>();
        channels.forEach(c -> out.put(c.id(), deviceZone.getOrDefault(c.deviceId(), ZoneOffset.UTC)));
        return out;
    }

    /** The local days of the source's daily rollups, to rebuild them in the target from the copied hours. */
    private static List<DayKey> days(List<Rollup> daily, Map<Integer, ZoneId> zones) {
        List<DayKey> out = new ArrayList<>(daily.size());
        for (Rollup d : daily) {
            ZoneId zone = zones.getOrDefault(d.channelId(), ZoneOffset.UTC);
            LocalDate date = Instant.ofEpochMilli(d.start()).atZone(zone).toLocalDate();
            long end = date.plusDays(1).atStartOfDay(zone).toInstant().toEpochMilli();
            out.add(new DayKey(d.channelId(), d.start(), end));
        }
        return out;
    }
}
