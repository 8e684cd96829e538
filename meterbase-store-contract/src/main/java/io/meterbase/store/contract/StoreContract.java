package io.meterbase.store.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import io.meterbase.core.model.Accumulation;
import io.meterbase.core.model.ApiKey;
import io.meterbase.core.model.Category;
import io.meterbase.core.model.Channel;
import io.meterbase.core.model.Customer;
import io.meterbase.core.model.Device;
import io.meterbase.core.model.DeviceType;
import io.meterbase.core.model.GeoPosition;
import io.meterbase.core.model.Quality;
import io.meterbase.core.model.Quantity;
import io.meterbase.core.model.Reading;
import io.meterbase.core.model.Role;
import io.meterbase.core.model.Site;
import io.meterbase.core.store.Bucket;
import io.meterbase.core.store.DayKey;
import io.meterbase.core.store.DocumentStore;
import io.meterbase.core.store.QuarantineEntry;
import io.meterbase.core.store.ReadingKey;
import io.meterbase.core.store.Rollup;
import io.meterbase.core.store.Store;
import io.meterbase.core.store.WriteBatch;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every store must do, as tests. A store module extends this class and says how to open its store in a
 * directory; the same suite then runs against it unchanged.
 */
public abstract class StoreContract {

    protected static final long T0 = Instant.parse("2026-10-31T23:00:00Z").toEpochMilli();
    protected static final long HOUR = 3_600_000L;

    @TempDir
    protected Path dir;

    protected Store store;

    /** Opens the store under test with its data in {@code dir}; called again after close to test persistence. */
    protected abstract Store open(Path dir);

    @BeforeEach
    void openStore() {
        store = open(dir);
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    protected void reopen() {
        store.close();
        store = open(dir);
    }

    private static WriteBatch readings(List<Reading> readings) {
        return new WriteBatch(readings, List.of(), List.of());
    }

    @Test
    void append_thenRead_givesReadingsInTimeOrder() {
        store.readings()
                .append(readings(List.of(
                        new Reading(1, T0 + 2000, 3.5),
                        new Reading(1, T0, 1.5),
                        new Reading(2, T0 + 1000, 7, Quality.SUSPECT))));

        assertThat(store.readings().readings(1, T0, T0 + 10_000, 100))
                .containsExactly(new Reading(1, T0, 1.5), new Reading(1, T0 + 2000, 3.5));
        assertThat(store.readings().readings(2, T0, T0 + 10_000, 100))
                .containsExactly(new Reading(2, T0 + 1000, 7, Quality.SUSPECT));
        assertThat(store.readings().readings(1, T0, T0 + 2000, 100)).hasSize(1);
        assertThat(store.readings().readings(1, T0, T0 + 10_000, 1)).hasSize(1);
    }

    @Test
    void unboundedRanges_meanEverything() {
        store.readings().append(readings(List.of(new Reading(1, T0, 1), new Reading(1, T0 + 2 * HOUR, 2))));
        store.readings().upsertHourly(List.of(new Rollup(1, T0, 1, 1, 1, 1, 0)));
        store.readings().rebuildDaily(List.of(new DayKey(1, T0, T0 + 24 * HOUR)));

        assertThat(store.readings().readings(1, Long.MIN_VALUE, Long.MAX_VALUE, 10))
                .hasSize(2);
        assertThat(store.readings().existing(List.of(1), Long.MIN_VALUE, Long.MAX_VALUE))
                .hasSize(2);
        assertThat(store.readings().hourly(List.of(1), Long.MIN_VALUE, Long.MAX_VALUE))
                .hasSize(1);
        assertThat(store.readings().daily(List.of(1), Long.MIN_VALUE, Long.MAX_VALUE))
                .hasSize(1);
        assertThat(store.readings().readingBefore(1, Long.MAX_VALUE)).contains(new Reading(1, T0 + 2 * HOUR, 2));
        assertThat(store.readings().readingAfter(1, Long.MIN_VALUE)).contains(new Reading(1, T0, 1));
    }

    @Test
    void append_acrossMonths_keepsEachReadingInItsMonth() {
        long november = T0 + 2 * HOUR;
        store.readings().append(readings(List.of(new Reading(1, T0, 1), new Reading(1, november, 2))));

        assertThat(store.readings().months()).containsExactly(YearMonth.of(2026, 10), YearMonth.of(2026, 11));
        assertThat(store.readings().readings(1, T0 - HOUR, november + 1, 10))
                .extracting(Reading::value)
                .containsExactly(1.0, 2.0);

        store.readings().dropMonth(YearMonth.of(2026, 10));

        assertThat(store.readings().months()).containsExactly(YearMonth.of(2026, 11));
        assertThat(store.readings().readings(1, T0 - HOUR, november + 1, 10))
                .extracting(Reading::value)
                .containsExactly(2.0);
    }

    @Test
    void append_survivesReopen() {
        store.readings()
                .append(new WriteBatch(
                        List.of(new Reading(5, T0, 230.1)),
                        List.of(new QuarantineEntry(
                                Instant.ofEpochMilli(T0), "test", 7, "unit_mismatch", "bad unit", "{}")),
                        List.of(new ReadingKey(5, T0))));

        reopen();

        assertThat(store.readings().readings(5, T0, T0 + 1, 10)).containsExactly(new Reading(5, T0, 230.1));
        assertThat(store.readings().quarantined(null, 10))
                .extracting(QuarantineEntry::reason)
                .containsExactly("unit_mismatch");
        assertThat(store.readings().staleHours()).containsExactly(new ReadingKey(5, T0));
    }

    @Test
    void existing_findsStoredKeysOnlyInRange() {
        store.readings()
                .append(readings(List.of(new Reading(1, T0, 1), new Reading(1, T0 + 1000, 2), new Reading(2, T0, 3))));

        Set<ReadingKey> found = store.readings().existing(List.of(1), T0, T0 + 500);

        assertThat(found).containsExactly(new ReadingKey(1, T0));
        assertThat(store.readings().existing(List.of(1, 2), T0, T0 + 1000))
                .containsExactlyInAnyOrder(new ReadingKey(1, T0), new ReadingKey(1, T0 + 1000), new ReadingKey(2, T0));
        assertThat(store.readings().existing(List.of(3), T0, T0 + 1000)).isEmpty();
    }

    @Test
    void newest_givesNewestTimestampAndReadingPerChannel() {
        store.readings()
                .append(readings(
                        List.of(new Reading(1, T0, 1), new Reading(1, T0 + 5000, 2), new Reading(2, T0 + 100, 9))));

        assertThat(store.readings().newestTimestamps()).isEqualTo(Map.of(1, T0 + 5000, 2, T0 + 100));
        assertThat(store.readings().newestReadings())
                .containsExactlyInAnyOrder(new Reading(1, T0 + 5000, 2), new Reading(2, T0 + 100, 9));
    }

    @Test
    void neighbours_areFoundAcrossMonths() {
        store.readings().append(readings(List.of(new Reading(1, T0, 1), new Reading(1, T0 + 3 * HOUR, 2))));

        assertThat(store.readings().readingBefore(1, T0 + 3 * HOUR)).contains(new Reading(1, T0, 1));
        assertThat(store.readings().readingAfter(1, T0)).contains(new Reading(1, T0 + 3 * HOUR, 2));
        assertThat(store.readings().readingBefore(1, T0)).isEmpty();
        assertThat(store.readings().readingAfter(1, T0 + 3 * HOUR)).isEmpty();
    }

    @Test
    void hourlyRollups_areReplacedAndRolledIntoDays() {
        store.readings()
                .upsertHourly(List.of(new Rollup(1, T0, 2, 10, 4, 6, 100), new Rollup(1, T0 + HOUR, 1, 5, 5, 5, 50)));
        store.readings().upsertHourly(List.of(new Rollup(1, T0, 3, 12, 2, 6, 120)));
        store.readings().rebuildDaily(List.of(new DayKey(1, T0, T0 + 24 * HOUR)));

        assertThat(store.readings().hourly(List.of(1), T0, T0 + 2 * HOUR))
                .containsExactly(new Rollup(1, T0, 3, 12, 2, 6, 120), new Rollup(1, T0 + HOUR, 1, 5, 5, 5, 50));
        assertThat(store.readings().daily(List.of(1), T0, T0 + 1)).containsExactly(new Rollup(1, T0, 4, 17, 2, 6, 170));
        assertThat(store.readings().newestHourly()).isEqualTo(Map.of(1, T0 + HOUR));
    }

    @Test
    void rollupsFromAnHourOn_areDeleted_withTheDaysFromThen() {
        long day2 = T0 + 24 * HOUR;
        store.readings()
                .upsertHourly(List.of(
                        new Rollup(1, T0, 1, 1, 1, 1, 10),
                        new Rollup(1, day2, 1, 2, 2, 2, 20),
                        new Rollup(1, day2 + 5 * HOUR, 1, 3, 3, 3, 30),
                        new Rollup(2, day2 + 6 * HOUR, 1, 4, 4, 4, 40)));
        store.readings()
                .rebuildDaily(List.of(
                        new DayKey(1, T0, day2),
                        new DayKey(1, day2, day2 + 24 * HOUR),
                        new DayKey(2, day2, day2 + 24 * HOUR)));

        long removed = store.readings().deleteRollupsFrom(day2 + 5 * HOUR);

        assertThat(removed).isEqualTo(2);
        assertThat(store.readings().hourly(List.of(1, 2), T0, day2 + 24 * HOUR))
                .containsExactly(new Rollup(1, T0, 1, 1, 1, 1, 10), new Rollup(1, day2, 1, 2, 2, 2, 20));
        assertThat(store.readings().newestHourly()).isEqualTo(Map.of(1, day2));
        // the days that start before the first deleted hour stay (the one that holds it is rebuilt from its hours
        // when they are recomputed; a day of another zone may start a few hours before it)
        assertThat(store.readings().daily(List.of(1, 2), T0 - 24 * HOUR, day2 + 24 * HOUR))
                .extracting(Rollup::start)
                .containsExactly(T0, day2, day2);
        // from the start of a day on, that day goes too
        assertThat(store.readings().deleteRollupsFrom(day2)).isEqualTo(1);
        assertThat(store.readings().daily(List.of(1, 2), T0 - 24 * HOUR, day2 + 24 * HOUR))
                .extracting(Rollup::start)
                .containsExactly(T0);
    }

    @Test
    void hoursWithOnlyAShareOfConsumption_keepTheirEstimateAndGap_andNoValues() {
        store.readings()
                .upsertHourly(List.of(
                        new Rollup(1, T0, 2, 10, 4, 6, 100, 40, 0),
                        new Rollup(1, T0 + HOUR, 0, 0, Double.NaN, Double.NaN, 60, 60, 0),
                        new Rollup(1, T0 + 2 * HOUR, 0, 0, Double.NaN, Double.NaN, 0, 0, 1_800_000)));
        store.readings().rebuildDaily(List.of(new DayKey(1, T0, T0 + 24 * HOUR)));

        List<Rollup> hours = store.readings().hourly(List.of(1), T0, T0 + 3 * HOUR);
        assertThat(hours.get(1).count()).isZero();
        assertThat(hours.get(1).min()).isNaN();
        assertThat(hours.get(1).max()).isNaN();
        assertThat(hours.get(1).energy()).isEqualTo(60);
        assertThat(hours.get(1).estimated()).isEqualTo(60);
        assertThat(hours.get(2).gapMillis()).isEqualTo(1_800_000);
        assertThat(store.readings().daily(List.of(1), T0, T0 + 1))
                .containsExactly(new Rollup(1, T0, 2, 10, 4, 6, 160, 100, 1_800_000));
        assertThat(store.readings().bucketsFromHourly(1, T0, T0 + 3 * HOUR, 3 * HOUR))
                .containsExactly(new Bucket(Math.floorDiv(T0, 3 * HOUR) * 3 * HOUR, 5, 4, 6, 2));
    }

    @Test
    void energyAgainstTheChannelsDirection_isKeptBesideTheEnergy_andAddsUpIntoDays() {
        store.readings()
                .upsertHourly(List.of(
                        new Rollup(1, T0, 2, -300, -600, 300, 112.5, 0, 0, 225),
                        new Rollup(1, T0 + HOUR, 1, -50, -50, -50, 0, 0, 0, 50)));
        store.readings().rebuildDaily(List.of(new DayKey(1, T0, T0 + 24 * HOUR)));

        assertThat(store.readings().hourly(List.of(1), T0, T0 + 2 * HOUR))
                .extracting(Rollup::energyOut)
                .containsExactly(225.0, 50.0);
        Rollup day = store.readings().daily(List.of(1), T0, T0 + 1).get(0);
        assertThat(day.energy()).isEqualTo(112.5);
        assertThat(day.energyOut()).isEqualTo(275.0);
        assertThat(day.net()).isEqualTo(-162.5);
        // a writer's running totals and a recompute keep it too
        store.readings().upsertHourlyOf(7, List.of(new Rollup(1, T0 + 2 * HOUR, 1, -10, -10, -10, 0, 0, 0, 10)));
        store.readings()
                .replaceHourly(
                        7,
                        List.of(new Rollup(1, T0 + HOUR, 1, -50, -50, -50, 0, 0, 0, 60)),
                        Map.of(
                                new ReadingKey(1, T0 + HOUR),
                                store.readings()
                                        .hourlyVersions(1, T0 + HOUR, T0 + 2 * HOUR)
                                        .getOrDefault(T0 + HOUR, 0L)));
        assertThat(store.readings().hourly(List.of(1), T0, T0 + 3 * HOUR))
                .extracting(Rollup::energyOut)
                .containsExactly(225.0, 60.0, 10.0);
    }

    @Test
    void rollupWithoutEnergy_keepsNaN() {
        store.readings().upsertHourly(List.of(new Rollup(3, T0, 1, 230, 230, 230, Double.NaN)));

        assertThat(store.readings().hourly(List.of(3), T0, T0 + 1).get(0).hasEnergy())
                .isFalse();
    }

    @Test
    void staleHours_canBeCleared() {
        store.readings()
                .append(new WriteBatch(List.of(), List.of(), List.of(new ReadingKey(1, T0), new ReadingKey(2, T0))));

        store.readings().clearStaleHours(List.of(new ReadingKey(1, T0)));

        assertThat(store.readings().staleHours()).containsExactly(new ReadingKey(2, T0));
    }

    @Test
    void bucketsFromReadings_aggregatePerBucket() {
        List<Reading> rs = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            rs.add(new Reading(1, T0 + i * 1000L, i));
        }
        store.readings().append(readings(rs));

        List<Bucket> buckets = store.readings().bucketsFromReadings(1, T0, T0 + 120_000, 60_000);

        assertThat(buckets).hasSize(2);
        assertThat(buckets.get(0)).isEqualTo(new Bucket(T0, 29.5, 0, 59, 60));
        assertThat(buckets.get(1)).isEqualTo(new Bucket(T0 + 60_000, 89.5, 60, 119, 60));
    }

    @Test
    void bucketsFromRollups_weightAveragesByCount() {
        long midnight = T0 + HOUR;
        store.readings()
                .upsertHourly(List.of(
                        new Rollup(1, midnight, 1, 10, 10, 10, 0), new Rollup(1, midnight + HOUR, 3, 6, 1, 3, 0)));
        store.readings().rebuildDaily(List.of(new DayKey(1, midnight, midnight + 24 * HOUR)));

        assertThat(store.readings().bucketsFromHourly(1, midnight, midnight + 2 * HOUR, 2 * HOUR))
                .containsExactly(new Bucket(midnight, 4, 1, 10, 4));
        assertThat(store.readings().bucketsFromDaily(1, midnight, midnight + 1, 24 * HOUR))
                .containsExactly(new Bucket(midnight, 4, 1, 10, 4));
    }

    @Test
    void exportCsv_writesOneLinePerReading() throws Exception {
        store.readings()
                .append(readings(
                        List.of(new Reading(1, T0, 1.5), new Reading(2, T0 + 1000, 2.5), new Reading(3, T0, 9))));
        StringWriter out = new StringWriter();

        long n = store.readings().exportCsv(List.of(1, 2), T0, T0 + 2000, out);

        assertThat(n).isEqualTo(2);
        assertThat(out.toString()).isEqualTo("1,2026-10-31T23:00:00Z,1.5,good\n2,2026-10-31T23:00:01Z,2.5,good\n");
    }

    @Test
    void quarantine_listsNewestFirstAndFiltersByReason() {
        store.readings()
                .quarantine(List.of(
                        new QuarantineEntry(Instant.ofEpochMilli(T0), "http", 1, "malformed_payload", "bad json", "{"),
                        new QuarantineEntry(
                                Instant.ofEpochMilli(T0 + 1), "http", 1, "unauthorized", "unknown key", "")));

        assertThat(store.readings().quarantined(null, 10))
                .extracting(QuarantineEntry::reason)
                .containsExactly("unauthorized", "malformed_payload");
        assertThat(store.readings().quarantined("malformed_payload", 10)).hasSize(1);
    }

    @Test
    void pruneQuarantine_removesTheOldAndKeepsAtMostTheNewest() {
        List<QuarantineEntry> entries = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            entries.add(new QuarantineEntry(Instant.ofEpochMilli(T0 + i * 1000L), "http", 1, "unauthorized", "x", ""));
        }
        store.readings().quarantine(entries);

        long removed = store.readings().pruneQuarantine(Instant.ofEpochMilli(T0 + 2000), 5);

        assertThat(removed).isEqualTo(5);
        assertThat(store.readings().quarantineSize()).isEqualTo(5);
        assertThat(store.readings().quarantined(null, 100))
                .extracting(e -> e.receivedAt().toEpochMilli())
                .containsExactly(T0 + 9000, T0 + 8000, T0 + 7000, T0 + 6000, T0 + 5000);
    }

    @Test
    void saveAll_savesManyRegistrationsAtOnce() {
        Instant at = Instant.parse("2026-11-01T00:00:00Z");
        store.metadata().save(new Customer(1, "Ana", at));
        store.metadata().save(new Site(2, 1, "Home", null, null, "north", ZoneId.of("UTC")));
        List<Device> devices = new ArrayList<>();
        List<Channel> channels = new ArrayList<>();
        for (int i = 0; i < 1200; i++) {
            devices.add(new Device(
                    10 + i,
                    1,
                    2,
                    0,
                    "meter-" + i,
                    "Meter " + i + " 'quoted'",
                    DeviceType.ELECTRICITY_METER,
                    Category.OTHER));
            channels.add(new Channel(i + 1, 10 + i, "energy", Quantity.ENERGY_IMPORT, Accumulation.CUMULATIVE));
        }

        store.metadata().saveAll(new io.meterbase.core.store.MetadataBatch(List.of(), devices, channels));

        assertThat(store.metadata().devices()).hasSize(1200).contains(devices.get(1199));
        assertThat(store.metadata().channels()).hasSize(1200).contains(channels.get(0));
    }

    @Test
    void stats_countReadingsAndBytes() {
        store.readings().append(readings(List.of(new Reading(1, T0, 1), new Reading(1, T0 + 1, 2))));

        assertThat(store.readings().stats().readings()).isEqualTo(2);
        assertThat(store.readings().stats().bytesOnDisk()).isPositive();
    }

    @Test
    void metadata_roundTripsAndSurvivesReopen() {
        Instant at = Instant.parse("2026-11-01T00:00:00Z");
        store.metadata().save(new Customer(1, "Ana", at));
        store.metadata()
                .save(new Site(
                        2, 1, "Home", "1 Main St", new GeoPosition(41.4, 2.17), "north", ZoneId.of("Europe/Madrid")));
        store.metadata().save(new Device(3, 1, 2, 0, "plug-1", "Fridge", DeviceType.SMART_PLUG, Category.FRIDGE));
        store.metadata().save(new Channel(4, 3, "active_power", Quantity.ACTIVE_POWER, Accumulation.INSTANT));
        store.metadata().save(new ApiKey(5, 1, Role.CUSTOMER, "gw", "mbk_abc", "deadbeef", at, null));
        store.metadata().save(new ApiKey(5, 1, Role.CUSTOMER, "gw", "mbk_abc", "deadbeef", at, at.plusSeconds(5)));
        ApiKey device = new ApiKey(
                6,
                1,
                Role.CUSTOMER,
                "plug",
                "mbk_def",
                "cafe",
                at,
                null,
                io.meterbase.core.model.KeyScope.DEVICE,
                "plug-1",
                at.plusSeconds(3600));
        store.metadata().save(device);

        reopen();

        assertThat(store.metadata().customers()).containsExactly(new Customer(1, "Ana", at));
        assertThat(store.metadata().sites())
                .containsExactly(new Site(
                        2, 1, "Home", "1 Main St", new GeoPosition(41.4, 2.17), "north", ZoneId.of("Europe/Madrid")));
        assertThat(store.metadata().devices())
                .containsExactly(new Device(3, 1, 2, 0, "plug-1", "Fridge", DeviceType.SMART_PLUG, Category.FRIDGE));
        assertThat(store.metadata().channels())
                .containsExactly(new Channel(4, 3, "active_power", Quantity.ACTIVE_POWER, Accumulation.INSTANT));
        assertThat(store.metadata().apiKeys()).hasSize(2).first().satisfies(k -> {
            assertThat(k.revoked()).isTrue();
            assertThat(k.scope()).isEqualTo(io.meterbase.core.model.KeyScope.CUSTOMER);
        });
        assertThat(store.metadata().apiKeys()).contains(device); // scope, target and expiry kept
    }

    @Test
    void documents_replaceDeleteAndSurviveReopen() {
        store.documents().saveDocument("tariff", "b", "{\"v\":1}");
        store.documents().saveDocument("tariff", "a", "{\"v\":2}");
        store.documents().saveDocument("tariff", "b", "{\"v\":3}");
        store.documents().saveDocument("command", "a", "{\"other\":true}");
        store.documents().saveDocument("tariff", "gone", "{}");
        store.documents().deleteDocument("tariff", "gone");

        reopen();

        assertThat(store.documents().documents("tariff"))
                .containsExactly(entry("a", "{\"v\":2}"), entry("b", "{\"v\":3}"));
        assertThat(store.documents().documents("command")).containsOnlyKeys("a");
        assertThat(store.documents().documents("nothing")).isEmpty();
        assertThat(store.documents().documentKinds()).containsExactly("command", "tariff");
    }

    @Test
    void documents_savedIfAbsent_replacedIfPresent_orIfUnchanged() {
        DocumentStore docs = store.documents();

        assertThat(docs.saveDocumentIfAbsent("claim", "x", "{\"by\":1}")).isEmpty();
        assertThat(docs.saveDocumentIfAbsent("claim", "x", "{\"by\":2}")).contains("{\"by\":1}");
        assertThat(docs.replaceDocument("claim", "missing", "{}")).isFalse();
        assertThat(docs.document("claim", "missing")).isEmpty();

        // a count read as 1 is replaced once; a second writer who also read 1 is refused and reads again
        docs.saveDocument("account", "ann", "{\"failures\":1}");
        assertThat(docs.compareAndReplace("account", "ann", "{\"failures\":1}", "{\"failures\":2}"))
                .isTrue();
        assertThat(docs.compareAndReplace("account", "ann", "{\"failures\":1}", "{\"failures\":2}"))
                .isFalse();
        assertThat(docs.compareAndReplace("account", "nobody", "{}", "{\"failures\":1}"))
                .isFalse();

        reopen();

        assertThat(store.documents().document("claim", "x")).contains("{\"by\":1}");
        assertThat(store.documents().document("account", "ann")).contains("{\"failures\":2}");
        assertThat(store.documents().document("account", "nobody")).isEmpty();
    }

    @Test
    void documents_savedManyAtOnce_replaceOldOnes() {
        store.documents().saveDocument("forecast", "device:a", "{\"v\":1}");
        java.util.Map<String, String> many = new java.util.LinkedHashMap<>();
        for (int i = 0; i < 500; i++) {
            many.put("device:" + (char) ('a' + i % 26) + i, "{\"v\":" + i + "}");
        }
        many.put("device:a", "{\"v\":2}");

        store.documents().saveDocuments("forecast", many);
        store.documents().saveDocuments("forecast", java.util.Map.of());
        reopen();

        assertThat(store.documents().documents("forecast")).hasSize(501).containsEntry("device:a", "{\"v\":2}");
        assertThat(store.documents().documents("forecast")).containsEntry("device:c2", "{\"v\":2}");
    }
}
