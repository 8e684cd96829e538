package io.meterbase.core.api.alarm;

import java.time.LocalTime;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Who hears of alarms by e-mail: a customer's settings, or (customer null) the operators'. Each names an address,
 * the alarm types (none: all) and the least severity that reach it, quiet hours (in the customer's time zone; the
 * operators': UTC) during which alarms wait, and a digest window: alarms raised within it arrive as one message.
 */
public interface NotificationsApi {

    /**
     * @param email where alarms are sent; null: nowhere
     * @param types the alarm types sent (e.g. {@code over_voltage}, or a prefix such as {@code tamper}); empty: all
     * @param minSeverity the least severity sent
     * @param quietFrom the start of quiet hours, or null for none
     * @param quietTo their end
     * @param digestMinutes alarms raised within this many minutes of the first are sent together (0: as they come)
     */
    record Settings(
            @Nullable String email,
            List<String> types,
            Severity minSeverity,
            @Nullable LocalTime quietFrom,
            @Nullable LocalTime quietTo,
            int digestMinutes) {

        public Settings {
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

        /** Nothing is sent. */
        public static Settings none() {
            return new Settings(null, List.of(), Severity.WARNING, null, null, 0);
        }
    }

    /** A customer's settings, or (null) the operators'. */
    Settings of(@Nullable Long customerId);

    /** Replaces them. */
    Settings put(@Nullable Long customerId, Settings settings);

    /** Whether the server has an SMTP server to send through ({@code notifications.smtp.host}). */
    boolean canSend();
}
