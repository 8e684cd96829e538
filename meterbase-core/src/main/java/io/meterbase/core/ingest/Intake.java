package io.meterbase.core.ingest;

import io.meterbase.core.store.QuarantineEntry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way in for every transport: finds a payload's format ({@link FormatRegistry#route}), decodes it, stores
 * its readings through the {@link IngestService} or hands what else it says to {@link DeviceReports}, and keeps
 * refused input in the quarantine with its reason. The result is always given, never thrown, and a transport only
 * maps it to its own answer (an HTTP status, a PUBACK reason code, a CoAP code). Thread-safe.
 */
public final class Intake {

    private static final Logger LOG = LoggerFactory.getLogger(Intake.class);

    /**
     * How long a submission waits for a commit that was taken but does not end (a store that stopped answering).
     * Longer than any commit takes when the store works: the writer refuses what it cannot take within
     * {@code ingest.answer-within}, and a store that fails makes the commit fail.
     */
    public static final Duration STORE_HANGS_AFTER = Duration.ofMinutes(6);

    private final IngestService ingest;
    private final FormatRegistry formats;
    private final DeviceReports devices;
    private final InputMaps maps;
    private final Clock clock;

    public Intake(IngestService ingest, FormatRegistry formats, DeviceReports devices, Clock clock) {
        this(ingest, formats, devices, InputMaps.NONE, clock);
    }

    /** An intake that maps each decoded upload by its customer's own input names ({@link InputMaps}). */
    public Intake(IngestService ingest, FormatRegistry formats, DeviceReports devices, InputMaps maps, Clock clock) {
        this.ingest = ingest;
        this.formats = formats;
        this.devices = devices;
        this.maps = maps;
        this.clock = clock;
    }

    /** Each customer's own names for what their devices send. */
    public InputMaps inputMaps() {
        return maps;
    }

    public FormatRegistry formats() {
        return formats;
    }

    public IngestService ingest() {
        return ingest;
    }

    /**
     * Whether new readings are refused now, before a payload is read (the queue would not drain in time, the disk
     * is low): a busy server spends nothing on input it cannot take.
     */
    public Optional<IntakeResult.NotStored> busy() {
        try {
            ingest.admitNow();
            return Optional.empty();
        } catch (OverloadedException e) {
            return Optional.of(IntakeResult.notStored(e));
        }
    }

    /**
     * Takes one input of an authenticated sender. The future completes, never exceptionally, once the readings
     * are durable, the message was handed on, or the refusal is recorded.
     *
     * @param via how the transport names the format
     * @param fields what the transport knows besides the bytes: {@code device} when the channel names the device
     *     (a URL parameter, a DTLS identity), request fields a format needs
     */
    public CompletableFuture<IntakeResult> submit(Origin origin, Via via, byte[] payload, Map<String, String> fields) {
        try {
            return take(origin, via, payload, fields);
        } catch (RuntimeException | StackOverflowError e) {
            // the registry or the store failed: never an acknowledgement
            LOG.warn(
                    "An input of {} could not be handled; it is not acknowledged: {}", origin.describe(), e.toString());
            return CompletableFuture.completedFuture(
                    new IntakeResult.NotStored("not stored: the server failed on this input; send it again", 5, false));
        }
    }

    /**
     * Why a message other than readings is outside what the sender's key may speak for (a device key: its device; a
     * gateway key: the devices behind its gateway), or null when it is within (uploads are checked node by node).
     */
    private @Nullable String outsideScope(Origin origin, DeviceMessage message) {
        if (origin.onlyDevice() == null && origin.onlyGateway() == null) {
            return null;
        }
        String device =
                switch (message) {
                    case DeviceMessage.Connection c -> c.deviceRef();
                    case DeviceMessage.Events e -> e.deviceRef();
                    case DeviceMessage.RelayState r -> r.deviceRef();
                    case DeviceMessage.CommandReport r -> {
                        String of = devices.commandDevice(origin.customerId(), r.commandId());
                        yield of == null ? "" : of;
                    }
                    default -> null;
                };
        if (device == null) {
            return null;
        }
        String onlyDevice = origin.onlyDevice();
        String onlyGateway = origin.onlyGateway();
        boolean within = onlyDevice != null
                ? onlyDevice.equals(device)
                : onlyGateway != null
                        && (device.equals(onlyGateway)
                                || devices.behindGateway(origin.customerId(), device, onlyGateway));
        return within
                ? null
                : "this key speaks for "
                        + (origin.onlyDevice() != null
                                ? "device '" + origin.onlyDevice() + "'"
                                : "the devices behind gateway '" + origin.onlyGateway() + "'")
                        + " only, not for '" + device + "'";
    }

    private CompletableFuture<IntakeResult> take(Origin origin, Via via, byte[] payload, Map<String, String> fields) {
        DecodeContext context = new DecodeContext(fields.get("device"), clock.millis(), fields);
        Optional<FormatRegistry.Routed> routed = formats.route(via, payload, context);
        if (routed.isEmpty()) {
            return refuse(origin, RejectReason.UNKNOWN_FORMAT, unknown(via), payload);
        }
        DeviceMessage message;
        try {
            message = routed.get().decoder().decode(payload, routed.get().context());
        } catch (DecodeException e) {
            return refuse(origin, RejectReason.MALFORMED_PAYLOAD, String.valueOf(e.getMessage()), payload);
        }
        long customer = origin.customerId();
        Instant now = clock.instant();
        String outside = outsideScope(origin, message);
        if (outside != null) {
            return refuse(origin, RejectReason.OUTSIDE_KEY_SCOPE, outside, payload);
        }
        switch (message) {
            case Upload upload -> {
                return store(origin, maps.map(customer, routed.get().decoder().format(), upload));
            }
            case DeviceMessage.Connection c -> devices.connection(customer, c.deviceRef(), c.online(), now);
            case DeviceMessage.Events events -> {
                for (DeviceMessage.Event e : events.events()) {
                    devices.event(customer, events.deviceRef(), e.type(), e.on(), now, e.detail());
                }
            }
            case DeviceMessage.RelayState r -> devices.relayState(customer, r.deviceRef(), r.on(), r.source());
            case DeviceMessage.CommandReport report -> {
                return CompletableFuture.completedFuture(
                        new IntakeResult.Taken(devices.commandReport(customer, report)));
            }
            case DeviceMessage.Ignored ignored -> {
                // taken without acting on it
            }
        }
        return CompletableFuture.completedFuture(new IntakeResult.Taken(true));
    }

    /** Stores an upload that is already decoded (tools, and transports that decode themselves). */
    public CompletableFuture<IntakeResult> store(Origin origin, Upload upload) {
        CompletableFuture<IngestReport> stored;
        try {
            stored = ingest.ingest(origin, upload);
        } catch (OverloadedException | RateLimitedException e) {
            return CompletableFuture.completedFuture(IntakeResult.notStored(e));
        }
        return stored.handle((report, error) ->
                error == null ? new IntakeResult.Stored(report, upload.sender()) : IntakeResult.notStored(error));
    }

    /**
     * Waits for a result, for transports that answer on the thread that asked. Only when the store hangs in the
     * commit for {@link #STORE_HANGS_AFTER} is the sender told that nothing was acknowledged while the outcome is
     * unknown (sending again is safe: readings are stored once). Transports that answer asynchronously have their
     * own bound (the MQTT broker's) or none (a commit always ends, or the store fails it). No timer is set per
     * submission.
     */
    public static IntakeResult await(CompletableFuture<IntakeResult> result) throws InterruptedException {
        try {
            return result.get(STORE_HANGS_AFTER.toSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            return new IntakeResult.NotStored(
                    "the store did not finish within " + STORE_HANGS_AFTER.toMinutes() + " min; nothing was"
                            + " acknowledged, and sending again is safe (readings are stored once)",
                    30,
                    false);
        } catch (ExecutionException e) {
            return IntakeResult.notStored(e); // the intake's futures do not fail; kept total all the same
        }
    }

    /**
     * Refuses an input as a whole (too large, of no known format, malformed, from a sender that may not send it):
     * records it in the quarantine with its reason and the first part of its payload, within the quota of its
     * source and reason. Completes once the record is durable or was not to be kept.
     *
     * @param payload the input's bytes as far as they were read, or null
     */
    public CompletableFuture<IntakeResult> refuse(
            Origin origin, RejectReason reason, String detail, byte @Nullable [] payload) {
        IntakeResult refused = new IntakeResult.Refused(reason, detail);
        return ingest.reject(origin, reason, detail, quarantined(payload)).handle((done, error) -> refused);
    }

    /**
     * Refuses an input whose sender did not authenticate: at once, without reading or keeping anything, when its
     * address failed too often ({@link IntakeResult.NotStored}, rate limited); else recorded as {@link #refuse}
     * does, with the first part of the payload read from {@code head} (null when nothing is to be kept).
     */
    public CompletableFuture<IntakeResult> refuseUnauthenticated(
            Origin origin, RejectReason reason, String detail, Supplier<byte @Nullable []> head) {
        try {
            ingest.admitUnauthenticated(origin);
        } catch (RateLimitedException e) {
            return CompletableFuture.completedFuture(IntakeResult.notStored(e));
        }
        return refuse(origin, reason, detail, head.get());
    }

    /** The text kept of a refused payload: its first {@link QuarantineEntry#MAX_PAYLOAD_CHARS} bytes. */
    static @Nullable String quarantined(byte @Nullable [] payload) {
        if (payload == null) {
            return null;
        }
        return new String(
                Arrays.copyOf(payload, Math.min(payload.length, QuarantineEntry.MAX_PAYLOAD_CHARS)),
                StandardCharsets.UTF_8);
    }

    private String unknown(Via via) {
        return switch (via) {
            case Via.Format f -> "unknown format '" + f.name() + "'; known: " + formats.formats();
            case Via.Topic t -> "no topic scheme knows " + t.topic();
            case Via.MediaType m -> "no format is sent as " + m.type() + "; known: " + formats.mediaTypes();
        };
    }

    /** The fields of a submission that names its device, e.g. a CoAP upload under a device's DTLS identity. */
    public static Map<String, String> device(@Nullable String deviceRef) {
        Map<String, String> fields = new HashMap<>();
        if (deviceRef != null) {
            fields.put("device", deviceRef);
        }
        return fields;
    }
}
