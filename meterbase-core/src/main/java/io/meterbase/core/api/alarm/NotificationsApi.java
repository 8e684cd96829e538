package io.meterbase.core.api.alarm;

import java.time.LocalTime;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Who hears of alarms by e-mail and by Web Push: a customer's settings, or (customer null) the operators'. Each
 * channel has its own alarm types (none: all) and least severity; e-mail names an address, push goes to every
 * browser subscribed for the recipient. Quiet hours (in the customer's time zone; the operators': UTC) hold both,
 * and a digest window makes the alarms raised within it arrive as one message.
 */
public interface NotificationsApi {

    /**
     * @param email where alarms are sent; null: nowhere
     * @param types the alarm types sent (e.g. {@code over_voltage}, or a prefix such as {@code tamper}); empty: all
     * @param minSeverity the least severity sent
     * @param quietFrom the start of quiet hours, or null for none
     * @param quietTo their end
     * @param digestMinutes alarms raised within this many minutes of the first are sent together (0: as they come)
     * @param push whether alarms are pushed to the recipient's subscribed browsers
     * @param pushTypes the alarm types pushed; empty: all
     * @param pushMinSeverity the least severity pushed
     */
    record Settings(
            @Nullable String email,
            List<String> types,
            Severity minSeverity,
            @Nullable LocalTime quietFrom,
            @Nullable LocalTime quietTo,
            int digestMinutes,
            boolean push,
            List<String> pushTypes,
            Severity pushMinSeverity) {

        public Settings {
            pushTypes = pushTypes == null ? List.of() : List.copyOf(pushTypes);
            pushMinSeverity = pushMinSeverity == null ? Severity.WARNING : pushMinSeverity;
            types = types == null ? List.of() : List.copyOf(types);
            minSeverity = minSeverity == null ? Severity.WARNING : minSeverity;
            if (email != null && !email.isBlank() && !email.matches("[^@\\s]+@[^@\\s]+\\.[^@\\s]+")) {
                throw new IllegalArgumentException("email: an address such as ana@example.org, was '" + email + "'");
            }
            email = email == null || email.isBlank() ? null : email.strip();
            if ((quietFrom == null) != (quietTo == null)) {
                throw new IllegalArgumentException("quiet_from and quiet_to: both or neither");
            }
            if (digestMinutes < 0 || digestMinutes > 1440) {
                throw new IllegalArgumentException("digest_minutes: from 0 to 1440, was " + digestMinutes);
            }
        }

        /** E-mail only. */
        public Settings(
                @Nullable String email,
                List<String> types,
                Severity minSeverity,
                @Nullable LocalTime quietFrom,
                @Nullable LocalTime quietTo,
                int digestMinutes) {
            this(email, types, minSeverity, quietFrom, quietTo, digestMinutes, false, List.of(), Severity.WARNING);
        }

        /** Nothing is sent. */
        public static Settings none() {
            return new Settings(null, List.of(), Severity.WARNING, null, null, 0);
        }
    }

    /**
     * A browser subscribed to Web Push for a recipient: its push service's endpoint (only its origin is shown back)
     * and when it was added.
     */
    record PushSubscription(String id, String service, java.time.Instant added) {}

    /** A customer's settings, or (null) the operators'. */
    Settings of(@Nullable Long customerId);

    /** Replaces them. */
    Settings put(@Nullable Long customerId, Settings settings);

    /** Whether the server has an SMTP server to send through ({@code notifications.smtp.host}). */
    boolean canSend();

    /** The server's VAPID public key (uncompressed P-256 point, base64url): a browser subscribes with it. */
    String pushKey();

    /** The browsers subscribed for a customer or (null) the operators. */
    java.util.List<PushSubscription> pushSubscriptions(@Nullable Long customerId);

    /**
     * Subscribes a browser, as its {@code PushSubscription} gives it: the endpoint and its keys {@code p256dh} and
     * {@code auth} (base64url). The same endpoint again replaces the earlier subscription.
     *
     * @throws IllegalArgumentException why the endpoint or keys cannot be used
     */
    PushSubscription subscribe(@Nullable Long customerId, String endpoint, String p256dh, String auth);

    /** Removes one of a recipient's subscriptions; false when it has none by that id. */
    boolean unsubscribe(@Nullable Long customerId, String id);
}
