package io.meterbase.transport.mqtt;

import com.hivemq.extension.sdk.api.ExtensionMain;
import com.hivemq.extension.sdk.api.async.Async;
import com.hivemq.extension.sdk.api.async.TimeoutFallback;
import com.hivemq.extension.sdk.api.auth.SimpleAuthenticator;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthInput;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthOutput;
import com.hivemq.extension.sdk.api.auth.parameter.TopicPermission;
import com.hivemq.extension.sdk.api.client.parameter.ClientTlsInformation;
import com.hivemq.extension.sdk.api.events.client.ClientLifecycleEventListener;
import com.hivemq.extension.sdk.api.events.client.parameters.AuthenticationSuccessfulInput;
import com.hivemq.extension.sdk.api.events.client.parameters.ConnectionStartInput;
import com.hivemq.extension.sdk.api.events.client.parameters.DisconnectEventInput;
import com.hivemq.extension.sdk.api.interceptor.publish.parameter.PublishInboundInput;
import com.hivemq.extension.sdk.api.interceptor.publish.parameter.PublishInboundOutput;
import com.hivemq.extension.sdk.api.packets.auth.DefaultAuthorizationBehaviour;
import com.hivemq.extension.sdk.api.packets.connect.ConnackReasonCode;
import com.hivemq.extension.sdk.api.packets.general.MqttVersion;
import com.hivemq.extension.sdk.api.packets.general.Qos;
import com.hivemq.extension.sdk.api.packets.publish.AckReasonCode;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartOutput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopOutput;
import com.hivemq.extension.sdk.api.services.Services;
import com.hivemq.extension.sdk.api.services.builder.Builders;
import io.meterbase.core.auth.AuthResult;
import io.meterbase.core.auth.Principal;
import io.meterbase.core.ingest.IntakeResult;
import io.meterbase.core.ingest.Origin;
import io.meterbase.core.ingest.RejectReason;
import io.meterbase.core.ingest.Via;
import io.meterbase.core.model.KeyScope;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Meterbase inside the broker: authenticates every connection with a customer's API key as password (the
 * username names the device or gateway and fixes its topics), allows publishing only on the client's own topics
 * and on emonhub's {@code emon/#} (whose levels name emonhub's nodes, all of the client's customer), subscribing
 * only to its own command topics and its customer's alarms, and hands every publish to the intake, whose QoS 1/2
 * acknowledgement waits until the readings are durable. Bad payloads are quarantined and never cost the
 * connection; when the pipeline cannot take a message, an MQTT 5 client gets a negative PUBACK and an MQTT 3
 * client is disconnected without PUBACK, so it sends the message again.
 */
final class MeterbaseMqttExtension implements ExtensionMain {

    private static final Logger LOG = LoggerFactory.getLogger(MeterbaseMqttExtension.class);
    private static final Pattern USER = Pattern.compile("[A-Za-z0-9._:@-]{1,64}");

    /** Who a connected client is, what its key may do, and from where. */
    private record Session(
            long customerId,
            String credential,
            BooleanSupplier stillValid,
            KeyScope scope,
            @Nullable String target,
            String user,
            String address,
            boolean mqtt5,
            String token) {
        Origin origin(String clientId, String topic) {
            return new Origin("mqtt", address, customerId, credential, "client " + clientId + " topic " + topic)
                    .scoped(scope, target);
        }
    }

    /**
     * Which customer each client id was last connected for (while the broker runs): a client id is bound to its
     * customer, so another customer's connection with that id is refused instead of taking the session over.
     */
    private final Map<String, Long> owners = new ConcurrentHashMap<>();

    private static final int MAX_OWNERS = 1_000_000;

    /** Characters of a reason string sent to MQTT 5 clients at most (the rest is cut). */
    static final int MAX_REASON_CHARS = 256;

    private final MqttContext context;
    private final MqttPermissions permissions;
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    /**
     * Sessions by the token kept in their connection's attributes: when a newer connection has taken a client id
     * over, the older one's disconnect removes only its own session, not the newer one's.
     */
    private final Map<String, Session> sessionsByToken = new ConcurrentHashMap<>();

    private final java.util.concurrent.atomic.AtomicLong tokens = new java.util.concurrent.atomic.AtomicLong();
    private static final String TOKEN = "meterbase.session";
    private final java.util.concurrent.ExecutorService work =
            java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();

    MeterbaseMqttExtension(MqttContext context) {
        this.context = context;
        this.permissions = new MqttPermissions(context.intake().formats());
    }

    @Override
    public void extensionStart(ExtensionStartInput input, ExtensionStartOutput output) {
        Services.securityRegistry().setAuthenticatorProvider(in -> (SimpleAuthenticator) this::authenticate);
        Services.initializerRegistry()
                .setClientInitializer((in, client) -> client.addPublishInboundInterceptor(this::onPublish));
        Services.eventRegistry().setClientLifecycleEventListener(in -> new Lifecycle());
    }

    /** The id of the client connected as {@code user} for the customer, if one is. */
    Optional<String> clientOf(long customerId, String user) {
        for (Map.Entry<String, Session> e : sessions.entrySet()) {
            if (e.getValue().customerId() == customerId && e.getValue().user().equals(user)) {
                return Optional.of(e.getKey());
            }
        }
        return Optional.empty();
    }

    @Override
    public void extensionStop(ExtensionStopInput input, ExtensionStopOutput output) {}

    private void authenticate(SimpleAuthInput in, SimpleAuthOutput out) {
        String clientId = in.getClientInformation().getClientId();
        Optional<String> user = in.getConnectPacket().getUserName();
        Optional<ByteBuffer> password = in.getConnectPacket().getPassword();
        String address = in.getConnectionInformation()
                .getInetAddress()
                .map(InetAddress::getHostAddress)
                .orElse("-");
        Origin origin = Origin.anonymous("mqtt", address, "client " + bounded(clientId));
        Optional<X509Certificate[]> chain = in.getConnectionInformation()
                .getClientTlsInformation()
                .flatMap(ClientTlsInformation::getClientCertificateChain)
                .filter(c -> c.length > 0);
        if (password.isEmpty() && chain.isPresent()) {
            byCertificate(in, out, origin, clientId, address, user, chain.get());
            return;
        }
        if (user.isEmpty() || password.isEmpty()) {
            refuse(
                    out,
                    origin,
                    "a username (the device) and a password (an API key) are required, or a client certificate over"
                            + " TLS");
            return;
        }
        if (!USER.matcher(user.get()).matches()) {
            refuse(out, origin, "the username must be 1-64 letters, digits or . _ : @ -");
            return;
        }
        ByteBuffer pw = password.get().asReadOnlyBuffer();
        byte[] bytes = new byte[Math.min(pw.remaining(), 1024)];
        pw.get(bytes);
        AuthResult auth = context.registry().authenticate(new String(bytes, StandardCharsets.UTF_8));
        if (!(auth instanceof AuthResult.Accepted accepted)
                || accepted.principal().isOperator()) {
            refuse(
                    out,
                    origin,
                    auth instanceof AuthResult.Refused r ? r.reason() : "an operator key cannot connect devices");
            return;
        }
        Principal principal = accepted.principal();
        if (principal.scope().readOnly()) {
            refuse(out, origin, "a read-only key cannot connect devices");
            return;
        }
        if (principal.scope().uploadsOnly() && !user.get().equals(principal.target())) {
            refuse(
                    out,
                    origin,
                    "this key is for " + principal.scope().key() + " '" + principal.target()
                            + "': connect with that username");
            return;
        }
        long keyId = principal.keyId();
        admit(in, out, origin, clientId, address, principal, user.get(), "key/" + keyId, () -> keyStillValid(keyId));
    }

    /**
     * A connection with an X.509 client certificate and no password: the device its chain names ({@link
     * io.meterbase.core.auth.ClientCertificates}), its username that device's or none; the chain is checked again at
     * each publish, so a revoked certificate or authority ends the connection.
     */
    private void byCertificate(
            SimpleAuthInput in,
            SimpleAuthOutput out,
            Origin origin,
            String clientId,
            String address,
            Optional<String> user,
            X509Certificate[] chain) {
        AuthResult auth = context.certificates().authenticate(chain);
        if (!(auth instanceof AuthResult.Accepted accepted)) {
            refuse(out, origin, ((AuthResult.Refused) auth).reason());
            return;
        }
        Principal principal = accepted.principal();
        String device = java.util.Objects.requireNonNull(principal.target(), "a certificate names its device");
        if (user.isPresent() && !user.get().equals(device)) {
            refuse(out, origin, "this certificate is for device '" + device + "': connect with that username or none");
            return;
        }
        admit(
                in,
                out,
                origin,
                clientId,
                address,
                principal,
                device,
                io.meterbase.core.auth.ClientCertificates.credential(principal.customerId(), chain[0]),
                () -> context.certificates().authenticate(chain) instanceof AuthResult.Accepted);
    }

    /** Admits an authenticated connection: its client id bound to its customer, its topics granted. */
    private void admit(
            SimpleAuthInput in,
            SimpleAuthOutput out,
            Origin origin,
            String clientId,
            String address,
            Principal principal,
            String user,
            String credential,
            BooleanSupplier stillValid) {
        Long owner = owners.get(clientId);
        if (owner != null && owner != principal.customerId()) {
            // the client id belongs to another customer's device: refused, and that device stays connected
            refuse(
                    out,
                    origin,
                    "the client id is in use by another account's device",
                    ConnackReasonCode.CLIENT_IDENTIFIER_NOT_VALID);
            return;
        }
        var granted = out.getDefaultPermissions();
        for (String filter : permissions.publishFilters(user)) {
            granted.add(permission(filter, TopicPermission.MqttActivity.PUBLISH));
        }
        for (String filter : MqttPermissions.subscribeFilters(user)) {
            granted.add(permission(filter, TopicPermission.MqttActivity.SUBSCRIBE));
        }
        if (!principal.scope().uploadsOnly()) {
            // a device or gateway key hears its own commands only, not the customer's alarms
            granted.add(permission(
                    MqttAlarmPublisher.topicFilter(principal.customerId()), TopicPermission.MqttActivity.SUBSCRIBE));
        }
        granted.setDefaultBehaviour(DefaultAuthorizationBehaviour.DENY);
        boolean mqtt5 = in.getConnectionInformation().getMqttVersion() == MqttVersion.V_5;
        String token = Long.toString(tokens.incrementAndGet());
        Session session = new Session(
                principal.customerId(),
                credential,
                stillValid,
                principal.scope(),
                principal.target(),
                user,
                address,
                mqtt5,
                token);
        if (owners.size() < MAX_OWNERS || owners.containsKey(clientId)) {
            owners.put(clientId, principal.customerId());
        }
        in.getConnectionInformation().getConnectionAttributeStore().putAsString(TOKEN, token);
        sessionsByToken.put(token, session);
        sessions.put(clientId, session);
        out.authenticateSuccessfully();
    }

    /** Whether the key a client connected with still works (checked at every publish; the registry is in memory). */
    private boolean keyStillValid(long keyId) {
        return context.registry()
                .key(keyId)
                .map(k -> !k.revoked() && !k.expired(java.time.Instant.now()))
                .orElse(false);
    }

    private static TopicPermission permission(String filter, TopicPermission.MqttActivity activity) {
        return Builders.topicPermission()
                .topicFilter(filter)
                .activity(activity)
                .type(TopicPermission.PermissionType.ALLOW)
                .build();
    }

    /**
     * Refuses the connection once the refusal is recorded (within its quota); an address that failed too often is
     * refused at once, unrecorded.
     */
    private void refuse(SimpleAuthOutput out, Origin origin, String why) {
        refuse(out, origin, why, ConnackReasonCode.NOT_AUTHORIZED);
    }

    private void refuse(SimpleAuthOutput out, Origin origin, String why, ConnackReasonCode code) {
        Async<SimpleAuthOutput> async = out.async(Duration.ofSeconds(30), TimeoutFallback.FAILURE);
        context.intake()
                .refuseUnauthenticated(origin, RejectReason.UNAUTHORIZED, why, () -> null)
                .thenAccept(result -> {
                    if (result instanceof IntakeResult.NotStored) {
                        async.getOutput()
                                .failAuthentication(
                                        ConnackReasonCode.QUOTA_EXCEEDED,
                                        "too many failed connections from this address");
                    } else {
                        async.getOutput().failAuthentication(code, bounded(why));
                    }
                    async.resume();
                });
    }

    /** A reason string short enough for any client (MQTT 5 allows 64 KiB, which breaks some). */
    static String bounded(String reason) {
        if (reason == null || reason.length() <= MAX_REASON_CHARS) {
            return reason;
        }
        int end = MAX_REASON_CHARS - 1;
        if (Character.isHighSurrogate(reason.charAt(end - 1))) {
            end--;
        }
        return reason.substring(0, end) + "…";
    }

    private void onPublish(PublishInboundInput in, PublishInboundOutput out) {
        String clientId = in.getClientInformation().getClientId();
        // a connection's client id maps to its own session: a newer connection with the same id closes this one
        Session session = sessions.get(clientId);
        if (session == null) {
            // never passed through unhandled: that would acknowledge a message nobody stored
            if (in.getConnectionInformation().getMqttVersion() == MqttVersion.V_5) {
                out.preventPublishDelivery(AckReasonCode.NOT_AUTHORIZED, "no session; connect again");
            } else {
                out.preventPublishDelivery();
                Services.clientService().disconnectClient(clientId);
            }
            return;
        }
        if (!session.stillValid().getAsBoolean()) {
            // revoked (by its owner, a tamper event) or past its rotation overlap since the client connected
            if (in.getConnectionInformation().getMqttVersion() == MqttVersion.V_5) {
                out.preventPublishDelivery(
                        AckReasonCode.NOT_AUTHORIZED, "the key or certificate was revoked or has expired");
            } else {
                out.preventPublishDelivery();
            }
            Services.clientService().disconnectClient(clientId);
            return;
        }
        String topic = in.getPublishPacket().getTopic();
        byte[] payload = in.getPublishPacket()
                .getPayload()
                .map(b -> {
                    ByteBuffer r = b.asReadOnlyBuffer();
                    byte[] a = new byte[r.remaining()];
                    r.get(a);
                    return a;
                })
                .orElse(new byte[0]);
        Origin origin = session.origin(clientId, topic);
        if (!permissions.mayPublish(session.user(), topic)) {
            // interceptors run before the broker's own permission check, so the check is made here
            context.intake()
                    .refuse(
                            origin,
                            RejectReason.UNAUTHORIZED,
                            session.user() + " may not publish on " + bounded(topic),
                            null);
            if (session.mqtt5()) {
                out.preventPublishDelivery(AckReasonCode.NOT_AUTHORIZED, "not your topic");
            } else {
                out.preventPublishDelivery();
                Services.clientService().disconnectClient(clientId);
            }
            return;
        }
        boolean atMostOnce = in.getPublishPacket().getQos() == Qos.AT_MOST_ONCE;
        if (atMostOnce) {
            work.execute(() -> context.intake().submit(origin, Via.topic(topic), payload, Map.of()));
            return;
        }
        // the broker runs interceptors on a few threads in per-client order: answer asynchronously and do the
        // decoding and validation on Meterbase's own threads
        Async<PublishInboundOutput> async = out.async(
                Duration.ofSeconds(60),
                TimeoutFallback.FAILURE,
                AckReasonCode.IMPLEMENTATION_SPECIFIC_ERROR,
                "not stored in time; send again");
        work.execute(() -> context.intake()
                .submit(origin, Via.topic(topic), payload, Map.of())
                .thenAccept(result -> answer(clientId, session, async, result))
                .exceptionally(e -> {
                    LOG.warn("Answering a publish of {} failed", clientId, e);
                    notStored(clientId, session, async, "not stored: the server failed on this message; send again");
                    return null;
                }));
    }

    /** Answers a QoS 1/2 publish once its outcome is known: PUBACK only when durable or deliberately taken. */
    private void answer(String clientId, Session session, Async<PublishInboundOutput> async, IntakeResult result) {
        switch (result) {
            case IntakeResult.Stored stored -> async.resume();
            case IntakeResult.Taken taken -> async.resume();
            case IntakeResult.Refused refused -> {
                // quarantined with its reason: sending it again would not help, so an MQTT 3 client gets its PUBACK
                if (session.mqtt5()) {
                    async.getOutput()
                            .preventPublishDelivery(
                                    refused.reason() == RejectReason.UNKNOWN_FORMAT
                                            ? AckReasonCode.TOPIC_NAME_INVALID
                                            : AckReasonCode.PAYLOAD_FORMAT_INVALID,
                                    bounded(refused.detail()));
                }
                async.resume();
            }
            case IntakeResult.NotStored refused -> notStored(clientId, session, async, refused.reason());
        }
    }

    /** Not durable: no positive acknowledgement, so the client sends the message again. */
    private void notStored(String clientId, Session session, Async<PublishInboundOutput> async, String why) {
        if (session.mqtt5()) {
            async.getOutput().preventPublishDelivery(AckReasonCode.QUOTA_EXCEEDED, bounded("not stored: " + why));
            async.resume();
            return;
        }
        Services.clientService().disconnectClient(clientId).whenComplete((done, e) -> async.resume());
    }

    /** Presence from connections. */
    private final class Lifecycle implements ClientLifecycleEventListener {
        @Override
        public void onMqttConnectionStart(ConnectionStartInput input) {}

        @Override
        public void onAuthenticationSuccessful(AuthenticationSuccessfulInput input) {
            Session s = sessions.get(input.getClientInformation().getClientId());
            if (s != null) {
                context.presence()
                        .online(s.customerId(), s.user(), context.clock().instant());
            }
        }

        @Override
        public void onDisconnect(DisconnectEventInput input) {
            Session s = input.getConnectionInformation()
                    .getConnectionAttributeStore()
                    .getAsString(TOKEN)
                    .map(sessionsByToken::remove)
                    .orElse(null);
            // the client id may belong to a newer connection by now: only this connection's session goes
            if (s != null && sessions.remove(input.getClientInformation().getClientId(), s)) {
                context.presence()
                        .offline(s.customerId(), s.user(), context.clock().instant());
            }
        }
    }
}
