package io.meterbase.transport.coap;

import com.fasterxml.jackson.databind.JsonNode;
import io.meterbase.control.command.CommandStatus;
import io.meterbase.core.auth.DevicePsk;
import java.security.Principal;
import java.util.Locale;
import java.util.Optional;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.elements.auth.PreSharedKeyIdentity;

/**
 * {@code POST /ack}: a device's answer to a command it was handed in an upload's answer, as
 * {@code {"id": ..., "status": "acknowledged|done|failed", "relay": "on|off", "detail": ...}}, over DTLS with the
 * device's pre-shared key.
 */
final class AckResource extends CoapResource {

    private final CoapContext context;

    AckResource(CoapContext context) {
        super("ack");
        this.context = context;
    }

    @Override
    public void handlePOST(CoapExchange exchange) {
        Principal peer = exchange.advanced().getRequest().getSourceContext().getPeerIdentity();
        Optional<DevicePsk.Identity> identity =
                peer instanceof PreSharedKeyIdentity psk ? DevicePsk.parse(psk.getIdentity()) : Optional.empty();
        if (identity.isEmpty()) {
            exchange.respond(ResponseCode.UNAUTHORIZED, "use coaps:// with the device's pre-shared key");
            return;
        }
        JsonNode ack;
        try {
            ack = CoapJson.MAPPER.readTree(exchange.getRequestPayload());
        } catch (java.io.IOException e) {
            exchange.respond(ResponseCode.BAD_REQUEST, "not JSON");
            return;
        }
        CommandStatus status =
                switch (ack.path("status").asText("").toLowerCase(Locale.ROOT)) {
                    case "acknowledged" -> CommandStatus.ACKNOWLEDGED;
                    case "done" -> CommandStatus.DONE;
                    case "failed" -> CommandStatus.FAILED;
                    default -> null;
                };
        if (status == null || !ack.hasNonNull("id")) {
            exchange.respond(ResponseCode.BAD_REQUEST, "send {\"id\": ..., \"status\": \"done|failed|acknowledged\"}");
            return;
        }
        Boolean relay =
                ack.hasNonNull("relay") ? "on".equalsIgnoreCase(ack.get("relay").asText()) : null;
        boolean known = context.commands()
                .report(
                        identity.get().customerId(),
                        ack.get("id").asText(),
                        status,
                        ack.path("detail").asText(null),
                        relay)
                .isPresent();
        exchange.respond(known ? ResponseCode.CHANGED : ResponseCode.NOT_FOUND);
    }
}
