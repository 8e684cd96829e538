package io.meterbase.transport.coap;

import io.meterbase.control.command.Command;
import io.meterbase.core.auth.DevicePsk;
import io.meterbase.core.ingest.DecodeContext;
import io.meterbase.core.ingest.DecodeException;
import io.meterbase.core.ingest.IngestAnswer;
import io.meterbase.core.ingest.IngestReport;
import io.meterbase.core.ingest.Origin;
import io.meterbase.core.ingest.PayloadDecoder;
import io.meterbase.core.ingest.RateLimitedException;
import io.meterbase.core.ingest.RejectReason;
import io.meterbase.core.ingest.Upload;
import io.meterbase.core.store.QuarantineEntry;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.elements.auth.PreSharedKeyIdentity;

/**
 * {@code POST coaps://…/up}: a device's readings as Meterbase JSON ({@code application/json}, 50), SenML JSON
 * (110) or SenML CBOR (112). The device is the one the DTLS pre-shared key identifies. The answer (2.04 with the
 * counts) is sent once the readings are durable; 5.03 when they cannot be taken now; 4.00 with the reason for
 * bad payloads, which are quarantined; 4.01 without DTLS.
 */
final class UploadResource extends CoapResource {

    private final CoapContext context;

    UploadResource(CoapContext context) {
        super("up");
        this.context = context;
        getAttributes().setTitle("Meterbase upload (coaps with a device pre-shared key)");
    }

    @Override
    public void handlePOST(CoapExchange exchange) {
        Principal peer = exchange.advanced().getRequest().getSourceContext().getPeerIdentity();
        Origin origin = Origin.anonymous(
                "coap", exchange.getSourceAddress().getHostAddress(), "port " + exchange.getSourcePort());
        Optional<DevicePsk.Identity> identity =
                peer instanceof PreSharedKeyIdentity psk ? DevicePsk.parse(psk.getIdentity()) : Optional.empty();
        if (identity.isEmpty()) {
            try {
                context.ingest().admitUnauthenticated(origin);
            } catch (RateLimitedException e) {
                exchange.respond(ResponseCode.TOO_MANY_REQUESTS, "too many requests without DTLS from this address");
                return;
            }
            exchange.accept();
            context.ingest()
                    .reject(origin, RejectReason.UNAUTHORIZED, "CoAP without DTLS pre-shared key", null)
                    .whenComplete((done, error) -> exchange.respond(
                            ResponseCode.UNAUTHORIZED, "use coaps:// with the device's pre-shared key"));
            return;
        }
        DevicePsk.Identity id = identity.get();
        Origin sender = origin.authenticated(id.customerId(), "psk/" + id.text());
        byte[] payload = exchange.getRequestPayload();
        String format = formatOf(exchange.getRequestOptions().getContentFormat(), payload);
        if (format == null) {
            exchange.respond(
                    ResponseCode.UNSUPPORTED_CONTENT_FORMAT,
                    "send application/json (50), senml+json (110)" + " or senml+cbor (112)");
            return;
        }
        Upload upload;
        try {
            PayloadDecoder decoder = context.formats().decoder(format).orElseThrow();
            upload = decoder.decode(
                    payload, new DecodeContext(id.deviceRef(), context.clock().millis()));
        } catch (DecodeException e) {
            String text = new String(
                    payload, 0, Math.min(payload.length, QuarantineEntry.MAX_PAYLOAD_CHARS), StandardCharsets.UTF_8);
            exchange.accept();
            context.ingest()
                    .reject(sender, RejectReason.MALFORMED_PAYLOAD, e.getMessage(), text)
                    .whenComplete((done, error) -> exchange.respond(ResponseCode.BAD_REQUEST, e.getMessage()));
            return;
        }
        exchange.accept();
        CompletableFuture<IngestReport> stored;
        try {
            stored = context.ingest().ingest(sender, upload);
        } catch (RuntimeException e) {
            // refused (busy, limited) or failed (the registry, the store): not stored, and answered so
            stored = CompletableFuture.failedFuture(e);
        }
        stored.whenComplete((report, error) -> {
            if (error != null) {
                IngestAnswer.NotStored refused = IngestAnswer.of(error);
                Response response = new Response(
                        refused.rateLimited() ? ResponseCode.TOO_MANY_REQUESTS : ResponseCode.SERVICE_UNAVAILABLE);
                response.setPayload("not stored: " + refused.reason());
                response.getOptions().setMaxAge(refused.retryAfterSeconds());
                exchange.respond(response);
                return;
            }
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("accepted", report.accepted());
            answer.put("duplicates", report.duplicates());
            answer.put("rejected", report.rejected());
            List<Map<String, Object>> due = new ArrayList<>();
            for (Command c : context.commands().collect(id.customerId(), id.deviceRef(), "coap")) {
                due.add(c.wire());
            }
            answer.put("commands", due);
            exchange.respond(ResponseCode.CHANGED, CoapJson.write(answer), MediaTypeRegistry.APPLICATION_JSON);
        });
    }

    private static String formatOf(int contentFormat, byte[] payload) {
        return switch (contentFormat) {
            case MediaTypeRegistry.APPLICATION_SENML_JSON -> "senml-json";
            case MediaTypeRegistry.APPLICATION_SENML_CBOR -> "senml-cbor";
            case MediaTypeRegistry.APPLICATION_JSON, MediaTypeRegistry.UNDEFINED ->
                payload.length > 0 && payload[0] == '[' ? "senml-json" : "meterbase-json";
            default -> null;
        };
    }
}
