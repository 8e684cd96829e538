package io.meterbase.services.notify;

/** Sends one plain-text e-mail; a failure is an exception with the reason, so that the message is sent again. */
@FunctionalInterface
public interface Mailer {

    void send(String to, String subject, String text) throws MailFailure;

    /** Why a message could not be sent now. */
    final class MailFailure extends Exception {
        private static final long serialVersionUID = 1L;

        public MailFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
