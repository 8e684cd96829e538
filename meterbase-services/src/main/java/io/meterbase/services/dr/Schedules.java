package io.meterbase.services.dr;

import io.meterbase.core.api.command.CommandType;
import io.meterbase.core.api.dr.Schedule;
import io.meterbase.core.api.dr.SchedulesApi;
import io.meterbase.core.model.Category;
import io.meterbase.core.model.Device;
import io.meterbase.core.model.Site;
import io.meterbase.core.registry.Registry;
import io.meterbase.core.store.DocumentCache;
import io.meterbase.core.store.DocumentStore;
import io.meterbase.core.store.StoreChanges;
import io.meterbase.services.command.CommandService;
import io.meterbase.services.json.ControlJson;
import io.meterbase.services.stored.StoredSchedule;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Customers' switching rules ("water heater off 18:00-22:00 on weekdays"): when a window opens its devices are
 * switched off, when it closes on again. After a restart a window that is open is applied again. Thread-safe.
 */
public final class Schedules implements SchedulesApi {

    private static final String KIND = "schedule";

    private final Registry registry;
    private final DocumentStore store;
    private final CommandService commands;
    private final Clock clock;
    private final Map<String, Schedule> schedules = new ConcurrentHashMap<>();
    private final Map<String, Boolean> open = new ConcurrentHashMap<>();

    public Schedules(Registry registry, DocumentStore store, CommandService commands, Clock clock) {
        this.registry = registry;
        this.store = store;
        this.commands = commands;
        this.clock = clock;
        store.documents(KIND).values().forEach(json -> {
            Schedule s = ControlJson.read(json, StoredSchedule.class).toApi();
            schedules.put(s.id(), s);
        });
    }

    /** Takes in the schedules other nodes sharing the store changed. */
    public void refresh(StoreChanges changes) {
        DocumentCache.refresh(
                store,
                KIND,
                changes,
                schedules.keySet(),
                (id, json) -> schedules.put(
                        id, ControlJson.read(json, StoredSchedule.class).toApi()),
                schedules::remove);
    }

    /** Adds a rule; its id is made here. */
    public Schedule add(Schedule s) {
        if (targets(s).isEmpty()) {
            throw new IllegalArgumentException(
                    s.device() != null
                            ? "no device " + s.device()
                            : "the customer has no device of category " + s.category());
        }
        byte[] b = new byte[6];
        new SecureRandom().nextBytes(b);
        String id = "sch-" + HexFormat.of().formatHex(b);
        Schedule stored = new Schedule(id, s.customerId(), s.device(), s.category(), s.days(), s.from(), s.to());
        store.saveDocument(KIND, id, ControlJson.write(StoredSchedule.of(stored)));
        schedules.put(id, stored);
        tick();
        return stored;
    }

    public List<Schedule> of(long customerId) {
        return schedules.values().stream()
                .filter(s -> s.customerId() == customerId)
                .sorted(Comparator.comparing(s -> String.valueOf(s.id())))
                .toList();
    }

    /** Removes a rule; if its window is open the devices are switched on again. */
    public boolean remove(long customerId, String id) {
        Schedule s = schedules.get(id);
        if (s == null || s.customerId() != customerId) {
            return false;
        }
        store.deleteDocument(KIND, id);
        schedules.remove(id);
        if (Boolean.TRUE.equals(open.remove(id))) {
            switchAll(s, CommandType.RELAY_ON);
        }
        return true;
    }

    /** Opens and closes windows. */
    public synchronized void tick() {
        for (Schedule s : List.copyOf(schedules.values())) {
            ZoneId zone = registry.sites(s.customerId()).stream()
                    .findFirst()
                    .map(Site::zone)
                    .orElse(ZoneId.of("UTC"));
            ZonedDateTime now = clock.instant().atZone(zone);
            boolean inside = s.covers(now.getDayOfWeek(), now.toLocalTime());
            Boolean was = open.put(s.id(), inside);
            if (inside && !Boolean.TRUE.equals(was)) {
                switchAll(s, CommandType.RELAY_OFF);
            } else if (!inside && Boolean.TRUE.equals(was)) {
                switchAll(s, CommandType.RELAY_ON);
            }
        }
    }

    private void switchAll(Schedule s, CommandType type) {
        for (Device d : targets(s)) {
            commands.submit(new CommandService.Request(
                    s.customerId(), d.ref(), type, null, "schedule:" + s.id(), Duration.ofHours(1), null));
        }
    }

    private List<Device> targets(Schedule s) {
        if (s.device() != null) {
            return registry.device(s.customerId(), s.device()).stream().toList();
        }
        Category c = Category.parse(s.category());
        return registry.devices(s.customerId()).stream()
                .filter(d -> d.category() == c)
                .toList();
    }
}
