package io.meterbase.core.api.dr;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** Demand-response programs, customers' enrolments, events and what they reduced. */
public interface DemandResponseApi {

    Program putProgram(Program program);

    List<Program> programs();

    void enroll(long customerId, String programId, String deviceRef);

    void withdraw(long customerId, String programId, String deviceRef);

    /** A customer's enrolled devices by program. */
    Map<String, List<String>> enrolments(long customerId);

    /** Schedules an event of a program; {@code targetReductionKw} may be null. */
    Event createEvent(String programId, Instant start, Instant end, @Nullable Double targetReductionKw);

    List<Event> events();

    Optional<Event> event(String id);

    Event cancel(String id);

    /** A customer opts one device out of an event. */
    Event override(long customerId, String eventId, String deviceRef);

    /** What an event reduced against its baseline. */
    Reduction reduction(String eventId);
}
