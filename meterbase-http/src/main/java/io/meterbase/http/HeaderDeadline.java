package io.meterbase.http;

import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.HttpConnection;
import org.eclipse.jetty.util.component.AbstractLifeCycle;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * Closes connections whose request headers do not complete in time. Jetty's idle timeout restarts with every byte,
 * so a client that sends its headers one byte at a time would keep its connection for hours; this looks at each
 * connection once a period and closes it when it has been in the middle of the same request's headers for a whole
 * period (so after one to two periods). Added to a connector as a bean; it sees every connection the connector
 * makes, also behind TLS.
 */
final class HeaderDeadline extends AbstractLifeCycle implements Connection.Listener {

    private final long periodMillis;
    private final Scheduler scheduler;

    HeaderDeadline(long periodMillis, Scheduler scheduler) {
        this.periodMillis = periodMillis;
        this.scheduler = scheduler;
    }

    @Override
    public void onOpened(Connection connection) {
        if (connection instanceof HttpConnection http) {
            schedule(http, -1);
        }
    }

    @Override
    public void onClosed(Connection connection) {}

    private void schedule(HttpConnection http, long requestsWhenMidHeader) {
        scheduler.schedule(() -> check(http, requestsWhenMidHeader), periodMillis, TimeUnit.MILLISECONDS);
    }

    /**
     * Closes the connection when it was already in the middle of the same headers at the last look (the count of
     * completed requests has not moved); otherwise looks again a period later.
     */
    private void check(HttpConnection http, long requestsBefore) {
        if (!http.getEndPoint().isOpen()) {
            return;
        }
        long requests = http.getMessagesIn();
        boolean midHeader = !http.getParser().isStart() && http.getParser().inHeaderState();
        if (midHeader && requests == requestsBefore) {
            http.getEndPoint().close();
            return;
        }
        schedule(http, midHeader ? requests : -1);
    }
}
