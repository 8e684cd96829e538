package io.meterbase.services.notify;

import jakarta.mail.Authenticator;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.PasswordAuthentication;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.time.Duration;
import java.util.Date;
import java.util.Properties;
import org.jspecify.annotations.Nullable;

/**
 * E-mail through an SMTP server (Jakarta Mail, Eclipse Angus): {@code none} (plain, for a relay on this machine),
 * {@code starttls} (required, port 587) or {@code tls} (port 465); with a username and password when given.
 */
public final class SmtpMailer implements Mailer {

    /** How the connection to the SMTP server is protected. */
    public enum Security {
        NONE,
        STARTTLS,
        TLS
    }

    private final Session session;
    private final InternetAddress from;

    public SmtpMailer(
            String host,
            int port,
            Security security,
            @Nullable String username,
            @Nullable String password,
            String from) {
        Properties p = new Properties();
        String protocol = security == Security.TLS ? "smtps" : "smtp";
        p.put("mail.transport.protocol", protocol);
        p.put("mail." + protocol + ".host", host);
        p.put("mail." + protocol + ".port", String.valueOf(port));
        long timeout = Duration.ofSeconds(20).toMillis();
        p.put("mail." + protocol + ".connectiontimeout", String.valueOf(timeout));
        p.put("mail." + protocol + ".timeout", String.valueOf(timeout));
        p.put("mail." + protocol + ".writetimeout", String.valueOf(timeout));
        if (security == Security.STARTTLS) {
            p.put("mail.smtp.starttls.enable", "true");
            p.put("mail.smtp.starttls.required", "true");
        }
        if (security != Security.NONE) {
            p.put("mail." + protocol + ".ssl.checkserveridentity", "true");
        }
        boolean auth = username != null && !username.isBlank();
        p.put("mail." + protocol + ".auth", String.valueOf(auth));
        this.session = Session.getInstance(
                p,
                auth
                        ? new Authenticator() {
                            @Override
                            protected PasswordAuthentication getPasswordAuthentication() {
                                return new PasswordAuthentication(username, password == null ? "" : password);
                            }
                        }
                        : null);
        try {
            this.from = new InternetAddress(from, true);
        } catch (jakarta.mail.internet.AddressException e) {
            throw new IllegalArgumentException("notifications.smtp.from: not an address: " + from, e);
        }
    }

    @Override
    public void send(String to, String subject, String text) throws MailFailure {
        try {
            MimeMessage m = new MimeMessage(session);
            m.setFrom(from);
            m.setRecipient(Message.RecipientType.TO, new InternetAddress(to, true));
            m.setSubject(subject, "UTF-8");
            m.setText(text, "UTF-8");
            m.setSentDate(new Date());
            Transport.send(m);
        } catch (MessagingException e) {
            throw new MailFailure("could not send to " + to + ": " + e.getMessage(), e);
        }
    }
}
