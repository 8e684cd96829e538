package io.meterbase.services.notify;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.meterbase.core.api.alarm.Alarm;
import io.meterbase.core.api.alarm.NotificationsApi.Settings;
import io.meterbase.core.api.alarm.Severity;
import io.meterbase.core.model.Customer;
import io.meterbase.core.registry.Registry;
import io.meterbase.core.store.memory.MemoryStore;
import jakarta.mail.internet.MimeMessage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Alarm e-mail through a real SMTP server (GreenMail on 127.0.0.1): what is sent, when, and together. */
class NotificationsTest {

    /** 22:30 in Madrid. */
    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-01T21:30:00Z"));

    private final Clock clock = new Clock() {
        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    };

    private final MemoryStore store = MemoryStore.open();
    private final Registry registry = new Registry(store.metadata(), store.documents(), clock);
    private final Customer ana =
            registry.createCustomer("Ana", "Flat", null, null, "north", ZoneId.of("Europe/Madrid"));
    private GreenMail smtp;
    private Notifications notifications;

    @BeforeEach
    void start() {
        smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
        smtp.start();
        notifications = new Notifications(
                store.documents(),
                registry,
                new SmtpMailer(
                        "127.0.0.1",
                        smtp.getSmtp().getPort(),
                        SmtpMailer.Security.NONE,
                        null,
                        null,
                        "meterbase@example.org"),
                clock);
    }

    @AfterEach
    void stop() {
        smtp.stop();
    }

    private Alarm alarm(String id, String type, Severity severity) {
        return new Alarm(
                id,
                "rule:" + type,
                ana.id(),
                "plug-1",
                type,
                severity,
                Alarm.State.ACTIVE,
                type + " seen",
                null,
                now.get(),
                now.get(),
                1,
                null,
                null,
                null);
    }

    private List<String> subjects() throws Exception {
        List<String> out = new java.util.ArrayList<>();
        for (MimeMessage m : smtp.getReceivedMessages()) {
            out.add(m.getSubject());
        }
        return out;
    }

    @Test
    void aNewAlarm_isMailed_once_andOnlyWhatTheSettingsTake() throws Exception {
        notifications.put(ana.id(), new Settings("ana@example.org", List.of("tamper"), Severity.ALARM, null, null, 0));
        Alarm tamper = alarm("a1", "tamper_case_open", Severity.CRITICAL);

        notifications.changed(tamper);
        notifications.changed(tamper.seenAgain(now.get(), null)); // a repeat: no second mail
        notifications.changed(alarm("a2", "over_voltage", Severity.CRITICAL)); // another type
        notifications.changed(alarm("a3", "tamper_cover", Severity.WARNING)); // below the least severity
        notifications.flush();

        assertThat(subjects()).containsExactly("[Meterbase] critical: tamper_case_open on plug-1");
        MimeMessage m = smtp.getReceivedMessages()[0];
        assertThat(m.getAllRecipients()[0].toString()).isEqualTo("ana@example.org");
        assertThat(((String) m.getContent())).contains("tamper_case_open seen");
    }

    @Test
    void inQuietHours_alarmsWait_untilTheyEnd() throws Exception {
        notifications.put(
                ana.id(),
                new Settings(
                        "ana@example.org", List.of(), Severity.WARNING, LocalTime.of(22, 0), LocalTime.of(7, 0), 0));

        notifications.changed(alarm("a1", "over_voltage", Severity.ALARM));
        notifications.flush(); // 22:30 in Madrid
        assertThat(subjects()).isEmpty();

        now.set(Instant.parse("2026-12-02T06:05:00Z")); // 07:05 in Madrid
        notifications.flush();
        assertThat(subjects()).containsExactly("[Meterbase] alarm: over_voltage on plug-1");
    }

    @Test
    void alarmsWithinTheDigestWindow_arriveAsOneMessage_andTheOperatorsHearOfEveryCustomer() throws Exception {
        notifications.put(ana.id(), new Settings("ana@example.org", List.of(), Severity.WARNING, null, null, 15));
        notifications.put(null, new Settings("ops@example.org", List.of(), Severity.CRITICAL, null, null, 0));

        notifications.changed(alarm("a1", "over_voltage", Severity.ALARM));
        now.set(now.get().plus(Duration.ofMinutes(2)));
        notifications.changed(alarm("a2", "under_voltage", Severity.ALARM));
        notifications.changed(alarm("a3", "gas_leak", Severity.CRITICAL));
        notifications.flush();
        assertThat(subjects()).containsExactly("[Meterbase] critical: gas_leak on plug-1"); // the operators'

        now.set(now.get().plus(Duration.ofMinutes(14)));
        notifications.flush();
        assertThat(subjects()).containsExactly("[Meterbase] critical: gas_leak on plug-1", "[Meterbase] 3 alarms");
        assertThat((String) smtp.getReceivedMessages()[1].getContent())
                .contains("over_voltage", "under_voltage", "gas_leak");
    }

    @Test
    void whenTheSmtpServerIsDown_theMessageWaits_andIsSentOnceItIsBack() throws Exception {
        notifications.put(ana.id(), new Settings("ana@example.org", List.of(), Severity.WARNING, null, null, 0));
        int port = smtp.getSmtp().getPort();
        smtp.stop();

        notifications.changed(alarm("a1", "over_voltage", Severity.ALARM));
        notifications.flush(); // refused: kept

        smtp = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        notifications.flush();
        assertThat(subjects()).containsExactly("[Meterbase] alarm: over_voltage on plug-1");
        notifications.flush();
        assertThat(subjects()).hasSize(1); // sent once
    }

    @Test
    void settingsAreKeptInTheStore_andCheckedWhenMade() {
        notifications.put(ana.id(), new Settings("ana@example.org", List.of("tamper"), Severity.ALARM, null, null, 5));

        Notifications again = new Notifications(store.documents(), registry, null, clock);
        assertThat(again.of(ana.id()).email()).isEqualTo("ana@example.org");
        assertThat(again.of(null).email()).isNull();
        assertThat(again.canSend()).isFalse();
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> new Settings("not an address", List.of(), Severity.ALARM, null, null, 0))
                .hasMessageContaining("email");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> new Settings(null, List.of(), Severity.ALARM, LocalTime.NOON, null, 0))
                .hasMessageContaining("quiet");
    }
}
