package io.meterbase.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM while uploads keep coming and readings are queued: the server stops taking requests, writes what it
 * accepted (within its drain time), refuses the rest, closes in order and exits, with no error in its log; what it
 * acknowledged is there after a restart.
 */
class ShutdownTest {

    @TempDir
    Path tmp;

    @Test
    void sigtermWithABacklog_drainsAndExits_withoutErrors() throws Exception {
        Path data = tmp.resolve("data");
        int port = ServerProcess.freePort();
        Ledger ledger = new Ledger();
        // small group commits and a large queue: a backlog builds up
        Map<String, String> env = Map.of(
                "MB_INGEST_MAX_BATCH", "500", "MB_INGEST_ANSWER_WITHIN", "PT30S", "MB_INGEST_SHUTDOWN_DRAIN", "PT5S");
        ServerProcess server = ServerProcess.start(data, port, env);
        String key = Ledger.customerKey(port, server.operatorKey);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong next = new AtomicLong(System.currentTimeMillis() - 3_600_000L);
        ExecutorService senders = Executors.newFixedThreadPool(8);
        for (int s = 0; s < 8; s++) {
            String node = "n-" + s;
            senders.submit(() -> {
                while (!stop.get()) {
                    ledger.post(port, key, new Ledger.Batch(node, next.getAndAdd(5_000), 5_000));
                }
                return null;
            });
        }
        Thread.sleep(3_000);
        long stopping = System.nanoTime();
        server.process.destroy(); // SIGTERM
        boolean exited = server.process.waitFor(30, TimeUnit.SECONDS);
        long took = System.nanoTime() - stopping;
        stop.set(true);
        senders.shutdown();
        assertThat(senders.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        if (!exited) {
            server.process.destroyForcibly();
        }
        String log = Files.readString(server.log());
        System.err.printf(
                "shutdown with a backlog: exited after %d ms; %d batches acknowledged, answers %s%n",
                TimeUnit.NANOSECONDS.toMillis(took), ledger.acked.size(), ledger.statuses);

        assertThat(exited).as("the server exited within 30 s").isTrue();
        assertThat(log).contains("Stopping: no new requests").contains("Stopped");
        List<String> bad = log.lines()
                .filter(l -> l.contains(" ERROR ")
                        || l.contains("Exception")
                        || l.contains("failed")
                        || l.contains("Statement was closed"))
                .toList();
        assertThat(bad).as("error lines in the log").isEmpty();
        assertThat(ledger.acked).isNotEmpty();

        try (ServerProcess again = ServerProcess.start(data, ServerProcess.freePort())) {
            assertThat(again.process.isAlive()).isTrue();
        }
        ledger.assertAcknowledgedStoredOnce(Ledger.storedInDuckDb(data));
    }
}
