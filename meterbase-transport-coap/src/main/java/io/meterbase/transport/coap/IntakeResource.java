package io.meterbase.transport.coap;

import io.meterbase.core.ingest.Intake;
import io.meterbase.core.ingest.IntakeResult;
import io.meterbase.core.ingest.Origin;
import io.meterbase.core.ingest.RejectReason;
import io.meterbase.core.ingest.Via;
import java.security.Principal;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.elements.auth.PreSharedKeyIdentity;
import org.jspecify.annotations.Nullable;

/**
 * A resource devices post to over DTLS, the device being the one its pre-shared key identifies ({@link
 * PskIdentities}, asked again at each request):
 * <ul>
 *   <li>{@code POST coaps://…/up}: readings in the format their Content-Format names (Meterbase JSON or SenML JSON
 *       as {@code application/json}, 50, told apart by the payload; SenML JSON, 110; SenML CBOR, 112; any format
 *       registered with a media type). Answered 2.04 with the counts and the device's due commands once durable;
 *   <li>{@code POST coaps://…/ack}: a device's answer to a command it was handed, as {@code meterbase-ack}. 2.04 when
 *       the command is known, 4.04 when not.
 * </ul>
 * Both answer 4.00 with the reason for bad payloads, which are quarantined (4.15 for a Content-Format no format is
 * sent as), 5.03 or 4.29 with Max-Age when the input cannot be taken now, and 4.01 without DTLS.
 */
final class IntakeResource extends CoapResource {

    private final CoapContext context;
    /** The format this resource takes, or null when the Content-Format says it. */
    private final @Nullable String format;

    private IntakeResource(String name, String title, CoapContext context, @Nullable String format) {
        super(name);
        this.context = context;
        this.format = format;
        getAttributes().setTitle(title);
    }

    static IntakeResource uploads(CoapContext context) {
        return new IntakeResource("up", "Meterbase upload (coaps with a device pre-shared key)", context, null);
    }

    static IntakeResource acks(CoapContext context) {
        return new IntakeResource(
                "ack", "Answers to commands (coaps with a device pre-shared key)", context, "meterbase-ack");
    }

    @Override
    public void handlePOST(CoapExchange exchange) {
        Principal peer = exchange.advanced().getRequest().getSourceContext().getPeerIdentity();
        Origin origin = Origin.anonymous(
                "coap",
                exchange.getSourceAddress().getHostAddress(),
                "port " + exchange.getSourcePort() + " /" + getName());
        Optional<PskIdentities.Sender> identity = peer instanceof PreSharedKeyIdentity psk
                ? context.identities().resolve(psk.getIdentity())
                : Optional.empty();
        exchange.accept();
        if (identity.isEmpty()) {
            // no DTLS, or a key revoked, expired or rotated away since this DTLS session began
            String why = peer instanceof PreSharedKeyIdentity psk
                    ? "PSK identity " + psk.getIdentity() + " no longer works (its key was revoked or expired)"
                    : "CoAP without DTLS pre-shared key";
            context.intake()
                    .refuseUnauthenticated(origin, RejectReason.UNAUTHORIZED, why, () -> null)
                    .thenAccept(result -> exchange.respond(
                            result instanceof IntakeResult.NotStored
                                    ? ResponseCode.TOO_MANY_REQUESTS
                                    : ResponseCode.UNAUTHORIZED,
                            result instanceof IntakeResult.NotStored
                                    ? "too many requests without DTLS from this address"
                                    : peer instanceof PreSharedKeyIdentity
                                            ? "this pre-shared key no longer works"
                                            : "use coaps:// with the device's pre-shared key"));
            return;
        }
        PskIdentities.Sender sender = identity.get();
        context.intake()
                .submit(
                        sender.origin(origin),
                        via(exchange),
                        exchange.getRequestPayload(),
                        Intake.device(sender.sender()))
                .thenAccept(result -> respond(exchange, sender, result));
    }

    private Via via(CoapExchange exchange) {
        if (format != null) {
            return Via.format(format);
        }
        int contentFormat = exchange.getRequestOptions().getContentFormat();
        return Via.mediaType(
                contentFormat == MediaTypeRegistry.UNDEFINED
                        ? "application/json"
                        : MediaTypeRegistry.toString(contentFormat));
    }

    private void respond(CoapExchange exchange, PskIdentities.Sender sender, IntakeResult result) {
        switch (result) {
            case IntakeResult.Stored stored -> {
                Map<String, Object> answer = new LinkedHashMap<>();
                answer.put("accepted", stored.report().accepted());
                answer.put("duplicates", stored.report().duplicates());
                answer.put("rejected", stored.report().rejected());
                answer.put("commands", context.commands().collect(sender.customerId(), sender.sender(), "coap"));
                exchange.respond(ResponseCode.CHANGED, CoapJson.write(answer), MediaTypeRegistry.APPLICATION_JSON);
            }
            case IntakeResult.Taken taken ->
                exchange.respond(taken.known() ? ResponseCode.CHANGED : ResponseCode.NOT_FOUND);
            case IntakeResult.Refused refused ->
                exchange.respond(
                        refused.reason() == RejectReason.UNKNOWN_FORMAT
                                ? ResponseCode.UNSUPPORTED_CONTENT_FORMAT
                                : ResponseCode.BAD_REQUEST,
                        refused.detail());
            case IntakeResult.NotStored refused -> {
                Response response = new Response(
                        refused.rateLimited() ? ResponseCode.TOO_MANY_REQUESTS : ResponseCode.SERVICE_UNAVAILABLE);
                response.setPayload("not stored: " + refused.reason());
                response.getOptions().setMaxAge(refused.retryAfterSeconds());
                exchange.respond(response);
            }
        }
    }
}
