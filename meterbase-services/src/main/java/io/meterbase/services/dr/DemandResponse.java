package io.meterbase.services.dr;

import io.meterbase.core.api.command.CommandType;
import io.meterbase.core.api.dr.DemandResponseApi;
import io.meterbase.core.api.dr.Event;
import io.meterbase.core.api.dr.Program;
import io.meterbase.core.api.dr.Reduction;
import io.meterbase.core.model.Device;
import io.meterbase.core.model.Site;
import io.meterbase.core.query.ConsumptionService;
import io.meterbase.core.registry.Registry;
import io.meterbase.core.store.DocumentCache;
import io.meterbase.core.store.DocumentStore;
import io.meterbase.core.store.ReadingStore;
import io.meterbase.core.store.StoreChanges;
import io.meterbase.services.command.CommandService;
import io.meterbase.services.json.ControlJson;
import io.meterbase.services.stored.StoredEvent;
import io.meterbase.services.stored.StoredProgram;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Demand-response programs, customers' opt-in of devices, and events: at an event's start every enrolled device
 * still opted in is switched off, the switch-offs spread over the program's stagger; at its end they are switched
 * on again, spread the same way. A customer may take a device out during an event (override): it is switched on
 * at once. Afterwards {@link #reduction} measures the effect against a baseline. Thread-safe.
 */
public final class DemandResponse implements DemandResponseApi {

    private static final String PROGRAMS = "dr-program";
    private static final String ENROLLMENTS = "dr-enrollment";
    private static final String EVENTS = "dr-event";
    private static final int BASELINE_DAYS = 10;
    private static final int BASELINE_LOOKBACK_DAYS = 42;

    private final Registry registry;
    private final DocumentStore store;
    private final CommandService commands;
    private final WindowEnergy energy;
    private final Clock clock;
    private final Map<String, Program> programs = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> enrolled = new ConcurrentHashMap<>();
    private final Map<String, Event> events = new ConcurrentHashMap<>();

    public DemandResponse(
            Registry registry,
            DocumentStore store,
            ReadingStore readings,
            ConsumptionService consumption,
            CommandService commands,
            Clock clock) {
        this.registry = registry;
        this.store = store;
        this.commands = commands;
        this.energy = new WindowEnergy(consumption, readings);
        this.clock = clock;
        store.documents(PROGRAMS).values().forEach(json -> {
            Program p = ControlJson.read(json, StoredProgram.class).toApi();
            programs.put(p.id(), p);
        });
        store.documents(ENROLLMENTS).keySet().forEach(key -> {
            int slash = key.indexOf('/');
            enrolled.computeIfAbsent(key.substring(0, slash), k -> ConcurrentHashMap.newKeySet())
                    .add(key.substring(slash + 1));
        });
        store.documents(EVENTS).values().forEach(json -> {
            Event e = ControlJson.read(json, StoredEvent.class).toApi();
            events.put(e.id(), e);
        });
    }

    /** Takes in the programs, enrolments and events other nodes sharing the store changed. */
    public void refresh(StoreChanges changes) {
        DocumentCache.refresh(
                store,
                PROGRAMS,
                changes,
                programs.keySet(),
                (id, json) -> programs.put(
                        id, ControlJson.read(json, StoredProgram.class).toApi()),
                programs::remove);
        Set<String> enrolments = new java.util.HashSet<>();
        enrolled.forEach((program, members) -> members.forEach(m -> enrolments.add(program + "/" + m)));
        DocumentCache.refresh(
                store,
                ENROLLMENTS,
                changes,
                enrolments,
                (key, json) -> {
                    int slash = key.indexOf('/');
                    enrolled.computeIfAbsent(key.substring(0, slash), k -> ConcurrentHashMap.newKeySet())
                            .add(key.substring(slash + 1));
                },
                key -> {
                    int slash = key.indexOf('/');
                    Set<String> members = enrolled.get(key.substring(0, slash));
                    if (members != null) {
                        members.remove(key.substring(slash + 1));
                    }
                });
        DocumentCache.refresh(
                store,
                EVENTS,
                changes,
                events.keySet(),
                (id, json) ->
                        events.put(id, ControlJson.read(json, StoredEvent.class).toApi()),
                events::remove);
    }

    // ---- programs and enrolment

    public Program putProgram(Program p) {
        store.saveDocument(PROGRAMS, p.id(), ControlJson.write(StoredProgram.of(p)));
        programs.put(p.id(), p);
        return p;
    }

    public List<Program> programs() {
        return List.copyOf(new TreeMap<>(programs).values());
    }

    public Optional<Program> program(String id) {
        return Optional.ofNullable(programs.get(id));
    }

    /** Opts a customer's device into a program; the device must be of an allowed category and in its community. */
    public void enroll(long customerId, String programId, String deviceRef) {
        Program p = program(programId).orElseThrow(() -> new IllegalArgumentException("no program " + programId));
        Device d = registry.device(customerId, deviceRef)
                .orElseThrow(() -> new IllegalArgumentException("no device " + deviceRef));
        if (!p.categories().contains(d.category())) {
            throw new IllegalArgumentException("program " + programId + " switches only " + p.categories() + "; "
                    + deviceRef + " is " + d.category());
        }
        String community = registry.site(d.siteId()).map(Site::community).orElse(null);
        if (!p.community().equals(community)) {
            throw new IllegalArgumentException(
                    "program " + programId + " is for community " + p.community() + "; the device is in " + community);
        }
        String member = customerId + "/" + deviceRef;
        store.saveDocument(ENROLLMENTS, programId + "/" + member, "true");
        enrolled.computeIfAbsent(programId, k -> ConcurrentHashMap.newKeySet()).add(member);
    }

    public void withdraw(long customerId, String programId, String deviceRef) {
        String member = customerId + "/" + deviceRef;
        store.deleteDocument(ENROLLMENTS, programId + "/" + member);
        Set<String> members = enrolled.get(programId);
        if (members != null) {
            members.remove(member);
        }
    }

    /** The devices a customer has enrolled, per program. */
    public Map<String, List<String>> enrolments(long customerId) {
        Map<String, List<String>> out = new TreeMap<>();
        enrolled.forEach((program, members) -> {
            List<String> mine = members.stream()
                    .filter(m -> m.startsWith(customerId + "/"))
                    .map(m -> m.substring(m.indexOf('/') + 1))
                    .sorted()
                    .toList();
            if (!mine.isEmpty()) {
                out.put(program, mine);
            }
        });
        return out;
    }

    // ---- events

    public Event createEvent(String programId, Instant start, Instant end, @Nullable Double targetReductionKw) {
        if (program(programId).isEmpty()) {
            throw new IllegalArgumentException("no program " + programId);
        }
        if (!end.isAfter(clock.instant())) {
            throw new IllegalArgumentException("the event would already be over");
        }
        byte[] b = new byte[6];
        new SecureRandom().nextBytes(b);
        Event e = new Event(
                "dr-" + HexFormat.of().formatHex(b),
                programId,
                start,
                end,
                targetReductionKw,
                Event.Status.SCHEDULED,
                Set.of(),
                Set.of());
        save(e);
        tick();
        return events.getOrDefault(e.id(), e);
    }

    public Optional<Event> event(String id) {
        return Optional.ofNullable(events.get(id));
    }

    public List<Event> events() {
        return events.values().stream()
                .sorted((a, b) -> b.start().compareTo(a.start()))
                .toList();
    }

    public synchronized Event cancel(String id) {
        Event e = event(id).orElseThrow(() -> new IllegalArgumentException("no event " + id));
        if (e.status() == Event.Status.ACTIVE) {
            restore(e, clock.instant());
        }
        Event cancelled = e.with(
                e.status() == Event.Status.ACTIVE ? Event.Status.ENDED : Event.Status.CANCELLED,
                e.switched(),
                e.overrides());
        save(cancelled);
        return cancelled;
    }

    /** A customer takes a device out of an event: it is switched on now if the event had switched it off. */
    public synchronized Event override(long customerId, String eventId, String deviceRef) {
        Event e = event(eventId).orElseThrow(() -> new IllegalArgumentException("no event " + eventId));
        String member = customerId + "/" + deviceRef;
        if (!enrolled.getOrDefault(e.programId(), Set.of()).contains(member)) {
            throw new IllegalArgumentException(deviceRef + " is not enrolled in this event's program");
        }
        Set<String> overrides = new HashSet<>(e.overrides());
        overrides.add(member);
        if (e.status() == Event.Status.ACTIVE && e.switched().contains(member)) {
            commands.submit(new CommandService.Request(
                    customerId,
                    deviceRef,
                    CommandType.RELAY_ON,
                    null,
                    "dr-override:" + e.id(),
                    Duration.ofMinutes(15),
                    null));
        }
        Event changed = e.with(e.status(), e.switched(), overrides);
        save(changed);
        return changed;
    }

    /** The events in progress in a community. */
    public List<String> activeEvents(String community) {
        return events.values().stream()
                .filter(e -> e.status() == Event.Status.ACTIVE)
                .filter(e -> program(e.programId())
                        .map(p -> p.community().equals(community))
                        .orElse(false))
                .map(Event::id)
                .sorted()
                .toList();
    }

    /** Starts and ends events whose time has come. */
    public synchronized void tick() {
        Instant now = clock.instant();
        for (Event e : List.copyOf(events.values())) {
            if (e.status() == Event.Status.SCHEDULED && !now.isBefore(e.end())) {
                save(e.with(Event.Status.ENDED, Set.of(), e.overrides())); // missed entirely (server was down)
            } else if (e.status() == Event.Status.SCHEDULED && !now.isBefore(e.start())) {
                start(e, now);
            } else if (e.status() == Event.Status.ACTIVE && !now.isBefore(e.end())) {
                restore(e, now);
                save(e.with(Event.Status.ENDED, e.switched(), e.overrides()));
            }
        }
    }

    private void start(Event e, Instant now) {
        Program p = programOf(e);
        List<String> members = new ArrayList<>(new TreeSet<>(enrolled.getOrDefault(e.programId(), Set.of())));
        members.removeAll(e.overrides());
        Set<String> switched = new HashSet<>();
        for (int i = 0; i < members.size(); i++) {
            String member = members.get(i);
            long customerId = Long.parseLong(member.substring(0, member.indexOf('/')));
            String device = member.substring(member.indexOf('/') + 1);
            Instant at = now.plusMillis(staggerOffset(p, i, members.size()));
            try {
                commands.submit(new CommandService.Request(
                        customerId,
                        device,
                        CommandType.RELAY_OFF,
                        null,
                        "dr:" + e.id(),
                        Duration.between(at, e.end()).plusSeconds(1),
                        at));
                switched.add(member);
            } catch (IllegalArgumentException gone) {
                // the device was removed since it was enrolled: nothing to switch
            }
        }
        save(e.with(Event.Status.ACTIVE, switched, e.overrides()));
    }

    private void restore(Event e, Instant now) {
        Program p = programOf(e);
        List<String> members = new ArrayList<>(new TreeSet<>(e.switched()));
        members.removeAll(e.overrides());
        for (int i = 0; i < members.size(); i++) {
            String member = members.get(i);
            long customerId = Long.parseLong(member.substring(0, member.indexOf('/')));
            String device = member.substring(member.indexOf('/') + 1);
            try {
                commands.submit(new CommandService.Request(
                        customerId,
                        device,
                        CommandType.RELAY_ON,
                        null,
                        "dr:" + e.id(),
                        Duration.ofHours(6),
                        now.plusMillis(staggerOffset(p, i, members.size()))));
            } catch (IllegalArgumentException gone) {
                // removed meanwhile
            }
        }
    }

    /** The i-th of n switchings happens this many ms after the first: evenly over the program's stagger. */
    private static long staggerOffset(Program p, int i, int n) {
        return n <= 1 ? 0 : p.staggerSeconds() * 1000L * i / n;
    }

    private void save(Event e) {
        store.saveDocument(EVENTS, e.id(), ControlJson.write(StoredEvent.of(e)));
        events.put(e.id(), e);
    }

    // ---- measured reduction

    /**
     * The reduction an event achieved (so far, while it runs): for each customer with a switched device, the
     * energy used in the event's window against the mean of the same local window on up to 10 previous similar
     * days.
     */
    public Reduction reduction(String eventId) {
        Event e = event(eventId).orElseThrow(() -> new IllegalArgumentException("no event " + eventId));
        Program p = programOf(e);
        Instant now = clock.instant();
        Instant end = e.end().isAfter(now) ? now : e.end();
        if (!end.isAfter(e.start())) {
            throw new IllegalArgumentException("the event has not started");
        }
        Set<Long> customers = new TreeSet<>();
        for (String member : e.switched()) {
            customers.add(Long.parseLong(member.substring(0, member.indexOf('/'))));
        }
        List<Reduction.CustomerReduction> rows = new ArrayList<>();
        double baselineSum = 0;
        double actualSum = 0;
        boolean allBaselines = !customers.isEmpty();
        for (long customerId : customers) {
            ZoneId zone = registry.sites(customerId).stream()
                    .findFirst()
                    .map(Site::zone)
                    .orElse(ZoneId.of("UTC"));
            double actual = energy.energy(customerId, e.start().toEpochMilli(), end.toEpochMilli())
                    .orElse(0);
            Baseline b = baseline(customerId, e.start(), end, zone);
            Double baseline = b.wh();
            rows.add(new Reduction.CustomerReduction(
                    customerId, b.days(), baseline, actual, baseline == null ? null : baseline - actual));
            actualSum += actual;
            if (baseline == null) {
                allBaselines = false;
            } else {
                baselineSum += baseline;
            }
        }
        double hours = (end.toEpochMilli() - e.start().toEpochMilli()) / 3_600_000.0;
        Double reduction = allBaselines ? baselineSum - actualSum : null;
        return new Reduction(
                e.id(),
                p.community(),
                e.targetReductionKw(),
                hours,
                rows,
                allBaselines ? baselineSum : null,
                actualSum,
                reduction,
                reduction == null ? null : reduction / 1000.0 / hours);
    }

    private record Baseline(int days, @Nullable Double wh) {}

    /** An event's program: programs are never removed, and an event is made only for an existing one. */
    private Program programOf(Event e) {
        Program p = programs.get(e.programId());
        if (p == null) {
            throw new IllegalStateException("event " + e.id() + " names no known program " + e.programId());
        }
        return p;
    }

    private Baseline baseline(long customerId, Instant start, Instant end, ZoneId zone) {
        ZonedDateTime s = start.atZone(zone);
        ZonedDateTime t = end.atZone(zone);
        boolean weekend = isWeekend(s.getDayOfWeek());
        double sum = 0;
        int days = 0;
        for (int back = 1; back <= BASELINE_LOOKBACK_DAYS && days < BASELINE_DAYS; back++) {
            LocalDate day = s.toLocalDate().minusDays(back);
            if (isWeekend(day.getDayOfWeek()) != weekend) {
                continue;
            }
            long from = s.with(day).toInstant().toEpochMilli();
            long to = t.with(day.plusDays(
                            t.toLocalDate().toEpochDay() - s.toLocalDate().toEpochDay()))
                    .toInstant()
                    .toEpochMilli();
            OptionalDouble wh = energy.energy(customerId, from, to);
            if (wh.isPresent()) {
                sum += wh.getAsDouble();
                days++;
            }
        }
        return new Baseline(days, days == 0 ? null : sum / days);
    }

    private static boolean isWeekend(DayOfWeek d) {
        return d == DayOfWeek.SATURDAY || d == DayOfWeek.SUNDAY;
    }
}
