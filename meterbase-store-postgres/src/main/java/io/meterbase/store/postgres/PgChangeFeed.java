package io.meterbase.store.postgres;

import io.meterbase.core.store.StoreChanges;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens on PostgreSQL's {@code meterbase_changes} channel (fed by the triggers of migration V8) on a connection of
 * its own, and tells a listener what other nodes changed, a batch at a time. After connecting (and after every
 * reconnection) it first tells {@link StoreChanges#everything()}, since changes made while it was not listening
 * were not announced to it. A connection that fails is opened again after a second; a connection that stays quiet
 * is checked every few seconds, so that a dead one is noticed.
 */
final class PgChangeFeed implements AutoCloseable {

    static final String CHANNEL = "meterbase_changes";
    /** The application name of the feed's connection: one per node, so the nodes can be counted. */
    static final String APPLICATION = "meterbase-change-feed";

    private static final Logger LOG = LoggerFactory.getLogger(PgChangeFeed.class);
    /** How long one wait for notifications lasts; after a quiet wait the connection is checked. */
    private static final int WAIT_MILLIS = 2_000;
    /** After a first notification, how long more are gathered into the same batch. */
    private static final int GATHER_MILLIS = 20;

    private static final int BATCH = 10_000;

    private final String url;
    private final String user;
    private final String password;
    private final Consumer<StoreChanges> listener;
    private final Thread thread;
    private volatile boolean closed;

    PgChangeFeed(String url, String user, String password, Consumer<StoreChanges> listener) {
        this.url = url;
        this.user = user;
        this.password = password;
        this.listener = listener;
        this.thread =
                Thread.ofPlatform().name("meterbase-change-feed").daemon(true).unstarted(this::run);
    }

    PgChangeFeed start() {
        thread.start();
        return this;
    }

    private void run() {
        while (!closed) {
            try (Connection c =
                    DriverManager.getConnection(url, PostgresStore.ownConnection(user, password, APPLICATION))) {
                try (Statement s = c.createStatement()) {
                    s.execute("LISTEN " + CHANNEL);
                }
                tell(StoreChanges.everything());
                listen(c);
            } catch (SQLException | RuntimeException e) {
                if (!closed) {
                    LOG.warn("Change feed lost its connection; listening again in 1 s: {}", e.toString());
                    sleep();
                }
            }
        }
    }

    private void listen(Connection c) throws SQLException {
        PGConnection pg = c.unwrap(PGConnection.class);
        while (!closed) {
            PGNotification[] first = pg.getNotifications(WAIT_MILLIS);
            if (first == null || first.length == 0) {
                try (Statement s = c.createStatement()) {
                    s.execute("SELECT 1"); // a dead connection fails here
                }
                continue;
            }
            Map<String, Set<Long>> rows = new HashMap<>();
            Set<String> documents = new HashSet<>();
            int n = add(first, rows, documents);
            PGNotification[] more;
            while (n < BATCH && (more = pg.getNotifications(GATHER_MILLIS)) != null && more.length > 0) {
                n += add(more, rows, documents);
            }
            tell(new StoreChanges(rows, documents, false));
        }
    }

    /** Adds notifications to the batch; a payload that names nothing known is ignored. */
    private static int add(PGNotification[] notifications, Map<String, Set<Long>> rows, Set<String> documents) {
        for (PGNotification n : notifications) {
            String payload = n.getParameter();
            int colon = payload.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String table = payload.substring(0, colon);
            String id = payload.substring(colon + 1);
            if (table.equals("documents")) {
                documents.add(id);
                continue;
            }
            try {
                rows.computeIfAbsent(table, t -> new HashSet<>()).add(Long.parseLong(id));
            } catch (NumberFormatException e) {
                LOG.debug("Change feed: ignored payload {}", payload);
            }
        }
        return notifications.length;
    }

    private void tell(StoreChanges changes) {
        try {
            listener.accept(changes);
        } catch (RuntimeException e) {
            // the listener failed to read what changed: what it holds may be out of date until it reads all again
            LOG.warn("Taking in other nodes' changes failed; reading everything again next: {}", e.toString());
            throw e;
        }
    }

    private void sleep() {
        try {
            Thread.sleep(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
