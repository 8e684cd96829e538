package io.meterbase.transport.mqtt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meterbase.control.command.CommandService;
import io.meterbase.control.command.CommandStatus;
import io.meterbase.core.ingest.DecodeContext;
import io.meterbase.core.ingest.DecodeException;
import io.meterbase.core.ingest.IngestReport;
import io.meterbase.core.ingest.Origin;
import io.meterbase.core.ingest.OverloadedException;
import io.meterbase.core.ingest.PayloadDecoder;
import io.meterbase.core.ingest.RateLimitedException;
import io.meterbase.core.ingest.RejectReason;
import io.meterbase.core.ingest.Upload;
import io.meterbase.core.store.QuarantineEntry;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * What every MQTT message goes through, whichever broker it came from: its topic's route, presence, decoding,
 * and submission to the pipeline. Bad input is quarantined here with its reason. Thread-safe.
 */
final class MqttIngest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(MqttIngest.class);

    /** What became of a message. */
    enum Kind {
        /** Submitted; {@link Handled#stored()} completes when durable (or fails: send again). */
        SUBMITTED,
        /** Taken without storing: presence, relay state. */
        TAKEN,
        /** Refused and quarantined; {@link Handled#detail()} says why. */
        BAD_INPUT
    }

    /**
     * The outcome of one message; for bad input, {@code recorded} completes once its quarantine record is
     * durable, and only then is the sender answered.
     */
    record Handled(
            Kind kind,
            CompletableFuture<IngestReport> stored,
            CompletableFuture<Void> recorded,
            RejectReason reason,
            String detail) {}

    private final MqttContext context;

    MqttIngest(MqttContext context) {
        this.context = context;
    }

    /**
     * Handles one message of an authenticated sender. Total: whatever the topic and payload, it returns an outcome,
     * so the sender is always answered. Bad input is decided by the decoders and the pipeline; anything else that
     * fails (the registry, the store) is "not stored", never an acknowledgement.
     */
    Handled handle(Origin origin, String topic, byte[] payload) {
        try {
            return route(origin, topic, payload);
        } catch (RuntimeException | StackOverflowError e) {
            LOG.warn(
                    "A message of {} could not be handled; it is not acknowledged: {}",
                    origin.describe(),
                    e.toString());
            return new Handled(
                    Kind.SUBMITTED,
                    CompletableFuture.failedFuture(new OverloadedException("not stored: " + e.getMessage(), 5)),
                    null,
                    null,
                    null);
        }
    }

    private Handled route(Origin origin, String topic, byte[] payload) {
        long customerId = origin.customerId();
        long now = context.clock().millis();
        Optional<MqttRoute> route = MqttRoute.of(topic, payload);
        if (route.isEmpty()) {
            return bad(origin, RejectReason.UNKNOWN_FORMAT, "no topic scheme knows " + topic, payload);
        }
        MqttRoute r = route.get();
        switch (r.kind()) {
            case IGNORED -> {
                return new Handled(Kind.TAKEN, null, null, null, null);
            }
            case PRESENCE -> {
                String text = new String(payload, StandardCharsets.UTF_8).trim();
                if (text.equalsIgnoreCase("Online")) {
                    context.presence()
                            .online(customerId, r.deviceRef(), context.clock().instant());
                } else {
                    context.presence()
                            .offline(customerId, r.deviceRef(), context.clock().instant());
                }
                return new Handled(Kind.TAKEN, null, null, null, null);
            }
            case DEVICE_EVENT -> {
                try {
                    deviceEvent(customerId, r, payload);
                } catch (DecodeException e) {
                    return bad(origin, RejectReason.MALFORMED_PAYLOAD, e.getMessage(), payload);
                }
                return new Handled(Kind.TAKEN, null, null, null, null);
            }
            case RELAY_STATE, RPC_RESPONSE, COMMAND_ACK -> {
                try {
                    confirmation(customerId, r, payload);
                } catch (DecodeException e) {
                    return bad(origin, RejectReason.MALFORMED_PAYLOAD, e.getMessage(), payload);
                }
                return new Handled(Kind.TAKEN, null, null, null, null);
            }
            default -> {
                // readings, below
            }
        }
        Upload upload;
        try {
            upload = decode(r, payload, now);
        } catch (DecodeException e) {
            return bad(origin, RejectReason.MALFORMED_PAYLOAD, e.getMessage(), payload);
        }
        CompletableFuture<IngestReport> stored;
        try {
            stored = context.ingest().ingest(origin, upload);
        } catch (OverloadedException | RateLimitedException e) {
            stored = CompletableFuture.failedFuture(e);
        }
        return new Handled(Kind.SUBMITTED, stored, null, null, null);
    }

    /**
     * A device event: Tasmota's margins ({@code {"MARGINS": {"PowerLow": "ON"}}} → {@code power_low} raised, "OFF"
     * clears it) or a native event ({@code {"type": "tamper_case_open", "on": true, "detail": "..."}}).
     */
    private void deviceEvent(long customerId, MqttRoute r, byte[] payload) throws DecodeException {
        JsonNode event = json(new String(payload, StandardCharsets.UTF_8));
        java.time.Instant at = context.clock().instant();
        if (r.format().equals("tasmota")) {
            for (Map.Entry<String, JsonNode> e : event.path("MARGINS").properties()) {
                String type = e.getKey().replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
                context.alarms()
                        .event(
                                customerId,
                                r.deviceRef(),
                                type,
                                e.getValue().asText().equalsIgnoreCase("ON"),
                                at,
                                null);
            }
            return;
        }
        String type = event.path("type").asText(null);
        if (type == null) {
            throw new DecodeException("an event needs a type: {\"type\": \"tamper_case_open\"}");
        }
        context.alarms()
                .event(
                        customerId,
                        r.deviceRef(),
                        type,
                        event.path("on").asBoolean(true),
                        at,
                        event.path("detail").asText(null));
    }

    /** A device's answer to a command: the relay state it reports, or the outcome of a command it names. */
    private void confirmation(long customerId, MqttRoute r, byte[] payload) throws DecodeException {
        CommandService commands = context.commands();
        String text = new String(payload, StandardCharsets.UTF_8).trim();
        switch (r.kind()) {
            case RELAY_STATE -> {
                String state = text;
                if (r.key().equals("RESULT")) {
                    JsonNode power = json(text).path("POWER");
                    if (power.isMissingNode()) {
                        return; // a RESULT about something else than the relay
                    }
                    state = power.asText();
                }
                if (!state.equalsIgnoreCase("ON") && !state.equalsIgnoreCase("OFF")) {
                    throw new DecodeException("relay state must be ON or OFF, was '" + state + "'");
                }
                commands.relayConfirmed(
                        customerId,
                        r.deviceRef(),
                        state.equalsIgnoreCase("ON"),
                        "stat/" + r.deviceRef() + "/" + r.key());
            }
            case RPC_RESPONSE -> {
                JsonNode answer = json(text);
                boolean failed = answer.has("error");
                commands.report(
                        customerId,
                        r.key(),
                        failed ? CommandStatus.FAILED : CommandStatus.DONE,
                        failed ? answer.path("error").path("message").asText("the device refused") : null,
                        null);
            }
            case COMMAND_ACK -> {
                JsonNode ack = json(text);
                String id = ack.path("id").asText(null);
                if (id == null) {
                    throw new DecodeException("an ack names the command: {\"id\": ..., \"status\": ...}");
                }
                CommandStatus status =
                        switch (ack.path("status").asText("").toLowerCase(java.util.Locale.ROOT)) {
                            case "acknowledged" -> CommandStatus.ACKNOWLEDGED;
                            case "done" -> CommandStatus.DONE;
                            case "failed" -> CommandStatus.FAILED;
                            default -> throw new DecodeException("an ack's status is acknowledged, done or failed");
                        };
                Boolean relay = ack.hasNonNull("relay")
                        ? "on".equalsIgnoreCase(ack.get("relay").asText())
                        : null;
                commands.report(customerId, id, status, ack.path("detail").asText(null), relay);
            }
            default -> throw new IllegalStateException(r.kind().name());
        }
    }

    private static JsonNode json(String text) throws DecodeException {
        try {
            return JSON.readTree(text);
        } catch (java.io.IOException e) {
            throw new DecodeException("not JSON: " + e.getMessage());
        }
    }

    private Handled bad(Origin origin, RejectReason reason, String detail, byte[] payload) {
        String text = new String(
                payload, 0, Math.min(payload.length, QuarantineEntry.MAX_PAYLOAD_CHARS), StandardCharsets.UTF_8);
        CompletableFuture<Void> recorded = context.ingest().reject(origin, reason, detail, text);
        return new Handled(Kind.BAD_INPUT, null, recorded, reason, detail);
    }

    private Upload decode(MqttRoute r, byte[] payload, long now) throws DecodeException {
        String text = new String(payload, StandardCharsets.UTF_8);
        return switch (r.kind()) {
            case EMONCMS_VALUE ->
                context.emoncms()
                        .post(
                                r.deviceRef(),
                                JSON.createObjectNode()
                                        .put(r.key(), number(text))
                                        .toString(),
                                null,
                                null,
                                null,
                                now);
            case EMONCMS_OBJECT -> context.emoncms().post(r.deviceRef(), text, null, null, null, now);
            default -> {
                PayloadDecoder decoder = context.formats()
                        .decoder(r.format())
                        .orElseThrow(() -> new DecodeException("format " + r.format() + " is not installed"));
                yield decoder.decode(payload, new DecodeContext(r.deviceRef(), now));
            }
        };
    }

    private static double number(String text) throws DecodeException {
        try {
            return Double.parseDouble(text.trim());
        } catch (NumberFormatException e) {
            throw new DecodeException("'" + text.trim() + "' is not a number");
        }
    }
}
