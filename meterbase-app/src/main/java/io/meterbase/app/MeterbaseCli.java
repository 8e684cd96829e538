package io.meterbase.app;

import io.meterbase.core.model.Customer;
import io.meterbase.core.model.GeoPosition;
import io.meterbase.core.model.Role;
import io.meterbase.core.registry.Registry;
import io.meterbase.core.store.Store;
import io.meterbase.simulator.Simulator;
import io.meterbase.store.postgres.PostgresStore;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The command line: {@code serve}, {@code demo} and {@code settings}. The only class that prints to stdout. */
@Command(
        name = "meterbase",
        mixinStandardHelpOptions = true,
        version = "Meterbase 0.1.0",
        description = "Open-source smart energy metering platform.",
        subcommands = {
            MeterbaseCli.Serve.class,
            MeterbaseCli.Demo.class,
            MeterbaseCli.Migrate.class,
            MeterbaseCli.MoveToPostgres.class,
            MeterbaseCli.RebuildRollups.class,
            MeterbaseCli.Compact.class,
            MeterbaseCli.Analyst.class,
            MeterbaseCli.OperatorKey.class,
            MeterbaseCli.Settings.class
        })
public final class MeterbaseCli {

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /**
     * The command line, answering a failure in one line ({@code meterbase serve: http.port: must be a whole number;
     * was '80a80'}); {@code MB_TRACE=true} prints the stack trace too.
     */
    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new MeterbaseCli());
        cli.setExecutionExceptionHandler((e, command, parsed) -> {
            String message = e.getMessage();
            String what = message == null || message.isBlank()
                    ? e.getClass().getSimpleName()
                    : message.lines().findFirst().orElse("");
            command.getErr()
                    .println(
                            command.getCommandName().equals("meterbase")
                                    ? "meterbase: " + what
                                    : "meterbase " + command.getCommandName() + ": " + what);
            if ("true".equals(System.getenv("MB_TRACE"))) {
                e.printStackTrace(command.getErr());
            }
            return 2;
        });
        return cli;
    }

    static PrintStream out() {
        return System.out;
    }

    /** Options shared by commands that start a server. */
    static class ServerOptions {
        @Option(names = "--config", description = "properties file with settings (see 'meterbase settings')")
        Path config;

        @Option(names = "--port", description = "HTTP port (overrides http.port)")
        Integer port;

        @Option(names = "--host", description = "bind address (overrides http.host)")
        String host;

        @Option(names = "--data", description = "data directory (overrides data.dir)")
        Path data;

        @Option(names = "--https-port", description = "HTTPS port (overrides http.tls.port)")
        Integer httpsPort;

        @Option(names = "--mqtt-port", description = "MQTT port (overrides mqtt.port)")
        Integer mqttPort;

        @Option(names = "--mqtts-port", description = "MQTT over TLS port (overrides mqtt.tls.port)")
        Integer mqttsPort;

        @Option(
                names = "--mqtt-wss-port",
                description = "MQTT over WebSocket with TLS port, -1 off (overrides mqtt.tls.websocket-port)")
        Integer mqttWssPort;

        @Option(names = "--coap-port", description = "CoAP UDP port (overrides coap.port)")
        Integer coapPort;

        @Option(names = "--coaps-port", description = "CoAP DTLS port (overrides coap.dtls-port)")
        Integer coapsPort;

        MeterbaseConfig load(Map<String, String> extraDefaults) {
            Map<String, String> overrides = new HashMap<>();
            if (port != null) {
                overrides.put("http.port", port.toString());
            }
            Map<String, Integer> ports = new HashMap<>();
            ports.put("http.tls.port", httpsPort);
            ports.put("mqtt.port", mqttPort);
            ports.put("mqtt.tls.port", mqttsPort);
            ports.put("mqtt.tls.websocket-port", mqttWssPort);
            ports.put("coap.port", coapPort);
            ports.put("coap.dtls-port", coapsPort);
            ports.forEach((key, value) -> {
                if (value != null) {
                    overrides.put(key, value.toString());
                }
            });
            if (host != null) {
                overrides.put("http.host", host);
            }
            if (data != null) {
                overrides.put("data.dir", data.toString());
            }
            MeterbaseConfig c = MeterbaseConfig.load(config, System.getenv(), overrides);
            for (Map.Entry<String, String> e : extraDefaults.entrySet()) {
                if (!overrides.containsKey(e.getKey())
                        && System.getenv(new Setting(e.getKey(), "", "").envName()) == null) {
                    c = c.with(e.getKey(), e.getValue());
                }
            }
            return c.validate();
        }
    }

    static void awaitShutdown(Meterbase server) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }));
        stopped.await();
    }

    /**
     * What to change when keys and passwords would travel in clear: plain HTTP serving on an address other hosts
     * reach (docs/security.md).
     */
    static java.util.Optional<String> plainHttpAdvice(MeterbaseConfig config, boolean https) {
        String host = config.string("http.host");
        boolean loopback = host.equals("127.0.0.1") || host.equals("::1") || host.equals("localhost");
        if (loopback || "off".equals(config.string("http.plain")) || "loopback".equals(config.string("http.plain"))) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(
                https
                        ? "Plain HTTP is open on " + host + ": keys and passwords sent to it travel in clear."
                                + " Recommended: http.plain=loopback (or off). See docs/security.md."
                        : "Plain HTTP is open on " + host + " and HTTPS is off: keys and passwords travel in clear."
                                + " Recommended: http.tls.keystore (a certificate of yours) and http.plain=loopback."
                                + " See docs/security.md.");
    }

    @Command(
            name = "serve",
            mixinStandardHelpOptions = true,
            description = "Run the server with the given configuration.")
    static final class Serve implements Callable<Integer> {
        @CommandLine.Mixin
        ServerOptions options = new ServerOptions();

        @Override
        public Integer call() throws Exception {
            MeterbaseConfig config = options.load(Map.of());
            Meterbase server = Meterbase.start(config, Clock.systemUTC());
            String host = config.string("http.host");
            String web = server.httpsPort() >= 0
                    ? "https://" + host + ":" + server.httpsPort()
                    : "http://" + host + ":" + server.httpPort();
            // the key and the next steps before the "serving" lines, which tools wait for
            server.newOperatorSecret().ifPresent(key -> firstStart(web, key));
            if (server.httpPort() >= 0) {
                out().println("Meterbase is serving on http://" + host + ":" + server.httpPort()
                        + ("redirect".equals(config.string("http.plain")) ? " (redirecting to HTTPS)" : ""));
            }
            if (server.httpsPort() >= 0) {
                out().println("Meterbase is serving on https://" + host + ":" + server.httpsPort());
            }
            plainHttpAdvice(config, server.httpsPort() >= 0).ifPresent(out()::println);
            awaitShutdown(server);
            return 0;
        }
    }

    /** What a first start prints: the operator key, once, and what to do next. */
    static void firstStart(String web, String key) {
        PrintStream o = out();
        o.println();
        o.println("First operator key (shown once, keep it safe): " + key);
        o.println("Next steps:");
        o.println("  1. Make your web account (an operator): open " + web + "/ on this machine (first-run setup;");
        o.println("     from elsewhere it asks for this key), or:");
        o.println("     curl -sk -H 'Authorization: Bearer " + key + "' -H 'Content-Type: application/json' \\");
        o.println("       -d '{\"username\":\"admin\",\"password\":\"<10 characters or more>\"}' " + web
                + "/api/v1/accounts");
        o.println("  2. Add a customer (its first API key is in the answer):");
        o.println("     curl -sk -H 'Authorization: Bearer " + key + "' -H 'Content-Type: application/json' \\");
        o.println("       -d '{\"name\":\"Home 1\",\"site\":{\"community\":\"north\",\"zone\":\"Europe/Madrid\"}}' "
                + web + "/api/v1/customers");
        o.println("  3. Connect meters and plugs: docs/devices.md (HTTP, MQTT, CoAP, emonhub, Tasmota, Shelly).");
        o.println("  Lost the key? 'meterbase operator-key' makes another (with the embedded store, stop the server"
                + " first).");
        o.println();
    }

    @Command(
            name = "demo",
            mixinStandardHelpOptions = true,
            description = "Run embedded with demo customers and a simulator of homes with smart plugs.")
    static final class Demo implements Callable<Integer> {
        @CommandLine.Mixin
        ServerOptions options = new ServerOptions();

        @Option(names = "--homes", defaultValue = "50", description = "simulated homes (default ${DEFAULT-VALUE})")
        int homes;

        @Option(
                names = "--interval",
                defaultValue = "10",
                description = "seconds between uploads (default ${DEFAULT-VALUE})")
        int interval;

        @Option(
                names = "--backfill-hours",
                defaultValue = "24",
                description = "hours of past 1-minute data sent at start (default ${DEFAULT-VALUE})")
        int backfillHours;

        @Option(
                names = "--history-days",
                defaultValue = "35",
                description = "days of hourly data sent before that, so that forecasts, incidents and clusters have"
                        + " history (default ${DEFAULT-VALUE}; forecasts need 30)")
        int historyDays;

        @Override
        public Integer call() throws Exception {
            MeterbaseConfig config =
                    options.load(Map.of("data.dir", ".meterbase/demo", "http.tls.self-signed", "true"));
            Meterbase server = Meterbase.start(config, Clock.systemUTC());
            Registry registry = server.registry();
            String operator = server.newOperatorSecret()
                    .orElseGet(() -> registry.createKey(0, Role.OPERATOR, "demo operator")
                            .secret());
            List<String> keys = new ArrayList<>();
            ZoneId zone = ZoneId.of("Europe/Madrid");
            List<Customer> existing = registry.customers();
            List<Customer> customers = new ArrayList<>();
            for (int i = 1; i <= homes; i++) {
                Customer c = i <= existing.size()
                        ? existing.get(i - 1)
                        : registry.createCustomer(
                                String.format("Home %02d", i),
                                "Home",
                                i + " Demo Street",
                                new GeoPosition(40.40 + i * 0.001, -3.70 - i * 0.001),
                                i % 2 == 0 ? "north" : "south",
                                zone);
                keys.add(registry.createKey(c.id(), Role.CUSTOMER, "demo gateway")
                        .secret());
                customers.add(c);
            }
            String base = "http://127.0.0.1:" + server.httpPort();
            Simulator sim = new Simulator(URI.create(base), keys, zone);
            PrintStream o = out();
            String operatorPassword = DemoAccounts.password();
            String customerPassword = DemoAccounts.password();
            DemoAccounts.put(base, operator, "operator", operatorPassword, 0);
            DemoAccounts.put(base, operator, "home01", customerPassword, existingOrFirst(registry));
            String web = server.httpsPort() > 0 ? "https://localhost:" + server.httpsPort() : base;
            o.println();
            o.println("Meterbase demo is running at " + base + "  (Ctrl-C stops it; data in " + config.dataDir() + ")");
            o.println("  web pages:           " + web + "/  (self-signed certificate: the browser warns once;"
                    + " also at " + base + "/)");
            o.println("    sign in as customer  home01   / " + customerPassword);
            o.println("    sign in as operator  operator / " + operatorPassword + "   (new passwords each start)");
            if (server.mqttPort() >= 0 || server.mqttTlsPort() >= 0) {
                List<String> mqtt = new ArrayList<>();
                if (server.mqttPort() >= 0) {
                    mqtt.add("mqtt://127.0.0.1:" + server.mqttPort());
                }
                if (server.mqttTlsPort() >= 0) {
                    mqtt.add("mqtts://localhost:" + server.mqttTlsPort());
                }
                if (server.mqttWebsocketPort() >= 0) {
                    mqtt.add("wss://localhost:" + server.mqttWebsocketPort() + "/mqtt");
                }
                o.println("  MQTT broker:         " + String.join(", ", mqtt)
                        + "  (username: a device name, password: a customer key)");
            }
            o.println("  operator key:        " + operator);
            o.println("  customer 'Home 01':  " + keys.get(0));
            o.println("Try:");
            o.println("  curl -s -H 'Authorization: Bearer " + keys.get(0) + "' " + base + "/api/v1/latest");
            o.println("  curl -s -H 'Authorization: Bearer " + keys.get(0) + "' '" + base
                    + "/api/v1/energy?interval=hour&group=category'");
            o.println("  curl -s -H 'Authorization: Bearer " + operator + "' " + base + "/api/v1/quarantine");
            o.println("  curl -s " + base + "/metrics | grep meterbase_ingest");
            o.println("  API description: " + base + "/api/v1/openapi.json");
            DemoControl.setUp(server, zone); // tariff, feeders and program first: the pages are complete at once
            o.println("Insight and control (tariff 'demo-tou', feeders 'north' and 'south', program 'heaters'):");
            o.println("  curl -s -H 'Authorization: Bearer " + keys.get(0) + "' " + base + "/api/v1/cost");
            o.println("  curl -s -H 'Authorization: Bearer " + keys.get(0) + "' " + base + "/api/v1/community");
            o.println("  curl -s -H 'Authorization: Bearer " + keys.get(0) + "' -d '{\"type\":\"relay_toggle\"}' "
                    + base + "/api/v1/devices/plug-1/commands");
            o.println("  curl -s -H 'Authorization: Bearer " + operator + "' -d '{\"program\":\"heaters\",\"start\":\""
                    + java.time.Instant.now().plusSeconds(60).truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                    + "\",\"end\":\""
                    + java.time.Instant.now().plusSeconds(960).truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                    + "\"}' " + base + "/api/v1/dr/events   # then watch " + base
                    + "/api/v1/communities/north/grid");
            var evening = DemoControl.eveningEvent(server, zone, java.time.Instant.now());
            o.println("  Every evening " + DemoControl.EVENING_FROM + "-" + DemoControl.EVENING_TO
                    + " the north feeder's water heaters are switched off (program 'heaters', next event "
                    + evening.id() + "): compare the north and south feeders on the console.");
            Thread.ofVirtual().name("demo-evenings").start(() -> {
                while (!stopping) {
                    try {
                        Thread.sleep(Duration.ofMinutes(10));
                        DemoControl.eveningEvent(server, zone, java.time.Instant.now());
                    } catch (InterruptedException e) {
                        return;
                    } catch (RuntimeException e) {
                        if (!stopping) {
                            o.println("Demo evening event not planned: " + e.getMessage());
                        }
                    }
                }
            });
            o.println(
                    "Analytics (first run a minute after the start, then hourly; forecasts need 30 days of history):");
            o.println("  curl -s -H 'Authorization: Bearer " + keys.get(0) + "' " + base + "/api/v1/forecasts");
            o.println("  curl -s -H 'Authorization: Bearer " + keys.get(0) + "' " + base + "/api/v1/incidents");
            o.println("  curl -s -H 'Authorization: Bearer " + operator + "' " + base + "/api/v1/clusters");
            // each home's history first (Home 01 first, so its page is complete within seconds), then its live
            // data; the history of the others is written in the background, with a progress line
            sim.holdAll();
            sim.start(Duration.ofSeconds(interval));
            Thread history = Thread.ofPlatform()
                    .daemon()
                    .name("demo-history")
                    .start(() -> sendHistory(server, sim, customers, o));
            o.println("Simulator posting every " + interval + " s (each home once its history is in).");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                stopping = true;
                history.interrupt();
                sim.close();
            }));
            awaitShutdown(server);
            return 0;
        }

        /** The notice the pages show while the demo's history is being written. */
        static final String HISTORY_NOTICE = "demo-history";

        /** Set when the demo stops: the history thread then ends without a word. */
        private volatile boolean stopping;

        /**
         * Sends each home's history, Home 01 first, and lets it post live data once its history is in; says how far
         * it got every 15 s; trains the analytics on it at the end. Stops quietly when the demo stops.
         */
        private void sendHistory(Meterbase server, Simulator sim, List<Customer> customers, PrintStream o) {
            long began = System.nanoTime();
            long readings = 0;
            long lastSaid = 0;
            try {
                for (int h = 0; h < homes && !stopping; h++) {
                    if (historyDays > 0) {
                        server.control()
                                .notice(
                                        HISTORY_NOTICE,
                                        "Demo: writing " + historyDays + " days of history, " + h + " of " + homes
                                                + " homes done; charts and figures fill in as it arrives.");
                    }
                    long now = System.currentTimeMillis() - interval * 1000L;
                    if (historyDays > 0) {
                        readings += sim.backfill(
                                h, now - backfillHours * 3_600_000L, historyDays * 24, Duration.ofHours(1));
                    }
                    if (backfillHours > 0) {
                        readings += sim.backfill(h, now, backfillHours, Duration.ofMinutes(1));
                    }
                    sim.release(h);
                    DemoControl.enrol(server, customers.get(h));
                    long seconds = (System.nanoTime() - began) / 1_000_000_000L;
                    if (h == 0 || h == homes - 1 || seconds - lastSaid >= 15) {
                        lastSaid = seconds;
                        o.printf(
                                java.util.Locale.ROOT,
                                "History: %d of %d homes (%d days hourly, %d h of minutes): %,d readings in %d s%n",
                                h + 1,
                                homes,
                                historyDays,
                                backfillHours,
                                readings,
                                seconds);
                    }
                }
                server.control().notice(HISTORY_NOTICE, null);
                if (historyDays > 0 && !stopping) {
                    // the history just sent is there now: train on it rather than wait for the daily retraining
                    server.analytics().runNow(true);
                }
            } catch (RuntimeException e) {
                if (!stopping) {
                    o.println("History stopped: " + e.getMessage());
                }
            } finally {
                try {
                    server.control().notice(HISTORY_NOTICE, null);
                } catch (RuntimeException e) {
                    // the store is closing with the demo: the notice goes with it
                }
            }
        }
    }

    private static long existingOrFirst(Registry registry) {
        return registry.customers().get(0).id();
    }

    @Command(
            name = "migrate",
            mixinStandardHelpOptions = true,
            description = "Bring the PostgreSQL schema up to date (store=postgres).")
    static final class Migrate implements Callable<Integer> {
        @CommandLine.Mixin
        ServerOptions options = new ServerOptions();

        @Override
        public Integer call() {
            MeterbaseConfig config = options.load(Map.of());
            if (!config.string("store").equals("postgres")) {
                out().println("Nothing to migrate: store=" + config.string("store")
                        + " (the embedded store creates its tables itself).");
                return 0;
            }
            int ran = PostgresStore.migrate(Meterbase.postgresOptions(config));
            out().println("Schema migrations applied: " + ran);
            return 0;
        }
    }

    @Command(
            name = "rebuild-rollups",
            mixinStandardHelpOptions = true,
            description = "Recompute the hourly and daily consumption from the stored readings, by this version's"
                    + " rules (after an upgrade that changed how consumption is booked). Stop the server first.")
    static final class RebuildRollups implements Callable<Integer> {
        @CommandLine.Mixin
        ServerOptions options = new ServerOptions();

        @Option(
                names = "--from",
                description = "first day (UTC) to recompute, e.g. 2026-01-01 (default: all of the history)")
        java.time.LocalDate from;

        @Override
        public Integer call() {
            MeterbaseConfig config = options.load(Map.of());
            long start = from == null
                    ? 0
                    : from.atStartOfDay(java.time.ZoneOffset.UTC).toInstant().toEpochMilli();
            long began = System.nanoTime();
            try (Store store = Meterbase.openStore(config)) {
                // rollups of months whose readings retention dropped cannot be recomputed: they are kept
                List<java.time.YearMonth> months = store.readings().months();
                long firstStored = months.isEmpty()
                        ? Long.MAX_VALUE
                        : months.get(0)
                                .atDay(1)
                                .atStartOfDay(java.time.ZoneOffset.UTC)
                                .toInstant()
                                .toEpochMilli();
                if (start < firstStored) {
                    if (from != null || !months.isEmpty()) {
                        out().println("Readings are kept from " + (months.isEmpty() ? "no month" : months.get(0))
                                + " on: the rollups before are kept as they are (their readings are gone).");
                    }
                    start = firstStored;
                }
                io.meterbase.core.registry.Registry registry =
                        new io.meterbase.core.registry.Registry(store.metadata(), java.time.Clock.systemUTC());
                long removed = store.readings().deleteRollupsFrom(start);
                out().println("Removed " + removed + " hourly rollups from "
                        + (start == Long.MAX_VALUE ? "nothing" : java.time.Instant.ofEpochMilli(start))
                        + "; recomputing from the readings of "
                        + store.readings().newestTimestamps().size() + " channels…");
                new io.meterbase.core.energy.RollupTracker(
                                store.readings(),
                                Meterbase.channelInfo(registry),
                                new io.meterbase.core.energy.EnergyRules(config.ingestSettings()
                                        .maxIntegrationGap()
                                        .toMillis()))
                        .recover((done, total) -> out().printf(
                                        java.util.Locale.ROOT,
                                        "  %,d of %,d channels (%.0f s)%n",
                                        done,
                                        total,
                                        (System.nanoTime() - began) / 1e9));
                out().printf(
                                java.util.Locale.ROOT,
                                "Rollups rebuilt in %.1f s: now %d channels with hourly rollups.%n",
                                (System.nanoTime() - began) / 1e9,
                                store.readings().newestHourly().size());
            }
            return 0;
        }
    }

    @Command(
            name = "compact",
            mixinStandardHelpOptions = true,
            description = "Pack the closed days of readings in PostgreSQL now, one compressed row per channel and"
                    + " day (docs/postgres.md). Safe while servers run: one compaction runs at a time.")
    static final class Compact implements Callable<Integer> {
        @CommandLine.Mixin
        ServerOptions options = new ServerOptions();

        @Option(
                names = "--after",
                description = "pack the days that ended at least this long ago, ISO-8601 (default:"
                        + " store.postgres.compact-after; at least PT1H)")
        Duration after;

        @Override
        public Integer call() {
            MeterbaseConfig config = options.load(Map.of());
            Duration closed = after != null ? after : config.duration("store.postgres.compact-after");
            try (Store store = Meterbase.openStore(config)) {
                Optional<io.meterbase.core.store.Compaction> compaction = store.compaction();
                if (compaction.isEmpty()) {
                    out().println("The " + config.string("store")
                            + " store keeps its readings compressed already: nothing to pack.");
                    return 0;
                }
                out().println("Packing the days that ended before "
                        + java.time.Instant.now().minus(closed) + "…");
                io.meterbase.core.store.Compaction.Report r =
                        compaction.get().compact(java.time.Instant.now(), closed, line -> out().println("  " + line));
                out().printf(
                                java.util.Locale.ROOT,
                                "Packed %,d readings of %,d channel-days in %,d days in %.1f s (%,.0f readings/s): %,d bytes"
                                        + " packed, %,d bytes saved.%n",
                                r.readings(),
                                r.channelDays(),
                                r.days(),
                                r.millis() / 1000.0,
                                r.readingsPerSecond(),
                                r.packedBytes(),
                                r.bytesSaved());
                io.meterbase.core.store.StorageStats stats = store.readings().stats();
                out().printf(
                                java.util.Locale.ROOT,
                                "The store holds %,d readings in %,d bytes: %.2f bytes a reading.%n",
                                stats.readings(),
                                stats.bytesOnDisk(),
                                stats.bytesPerReading());
            }
            return 0;
        }
    }

    @Command(
            name = "move-to-postgres",
            mixinStandardHelpOptions = true,
            description = "Copy everything from the embedded store (--data) into an empty PostgreSQL database"
                    + " (store.postgres.* settings). Stop the server first.")
    static final class MoveToPostgres implements Callable<Integer> {
        @CommandLine.Mixin
        ServerOptions options = new ServerOptions();

        @Override
        public Integer call() {
            MeterbaseConfig config = options.load(Map.of());
            try (Store source = Meterbase.openStore(config.with("store", "duckdb"));
                    Store target = Meterbase.openStore(config.with("store", "postgres"))) {
                StoreMigration.Copied copied =
                        new StoreMigration(source, target, line -> out().println("  " + line)).run();
                out().println("Moved " + copied.readings() + " readings of " + copied.channels() + " channels and "
                        + copied.customers() + " customers to " + config.string("store.postgres.url")
                        + ". Start the server with store=postgres.");
            }
            return 0;
        }
    }

    @Command(
            name = "analyst",
            mixinStandardHelpOptions = true,
            description = "Read-only SQL logins for analysts on PostgreSQL, limited to granted customers.")
    static final class Analyst implements Callable<Integer> {
        @CommandLine.Mixin
        ServerOptions options = new ServerOptions();

        @CommandLine.Parameters(index = "0", description = "grant | revoke | list | wide-views")
        String action;

        @Option(names = "--name", description = "the analyst's login (lower case)")
        String name;

        @Option(names = "--customers", split = ",", description = "customer ids to grant")
        List<Long> customers = new ArrayList<>();

        @Option(names = "--month", description = "month of the wide views, e.g. 2026-11 (default: this month)")
        String month;

        @Override
        public Integer call() {
            MeterbaseConfig config = options.load(Map.of());
            if (!config.string("store").equals("postgres")) {
                out().println("Analyst logins need store=postgres; the embedded store offers /api/v1/export.csv"
                        + " and /api/v1/export.parquet instead.");
                return 2;
            }
            try (PostgresStore store = (PostgresStore) Meterbase.openStore(config)) {
                var analysts = store.analysts();
                switch (action) {
                    case "grant" -> {
                        String password = System.getenv("MB_ANALYST_PASSWORD");
                        if (password == null || password.isBlank()) {
                            password =
                                    io.meterbase.core.auth.ApiKeys.newSecret().substring(4, 28);
                            out().println("Password for " + name + " (shown once): " + password);
                        }
                        analysts.grant(name, password, customers);
                        out().println(name + " may read customers "
                                + analysts.grants().get(name));
                    }
                    case "revoke" -> {
                        analysts.revoke(name);
                        out().println(name + " has no access any more.");
                    }
                    case "list" -> analysts.grants().forEach((n, c) -> out().println(n + ": customers " + c));
                    case "wide-views" -> {
                        Registry registry = new Registry(store.metadata(), Clock.systemUTC());
                        Map<Long, List<io.meterbase.core.model.Channel>> channels = new java.util.HashMap<>();
                        registry.allDevices().forEach(d -> channels.put(d.id(), registry.channels(d.id())));
                        List<io.meterbase.core.model.Site> sites = new ArrayList<>();
                        registry.customers().forEach(c -> sites.addAll(registry.sites(c.id())));
                        java.time.YearMonth m = month == null
                                ? java.time.YearMonth.now(java.time.ZoneOffset.UTC)
                                : java.time.YearMonth.parse(month);
                        store.ensureMonth(m);
                        analysts.createWideViews(m, sites, registry.allDevices(), channels)
                                .forEach(v -> out().println("view " + v));
                    }
                    default -> {
                        out().println("action must be grant, revoke, list or wide-views");
                        return 2;
                    }
                }
            }
            return 0;
        }
    }

    @Command(
            name = "operator-key",
            mixinStandardHelpOptions = true,
            description = "Make a new operator (admin) key, from the machine that holds the data: for an operator who"
                    + " lost the first key. With the embedded store, stop the server first.")
    static final class OperatorKey implements Callable<Integer> {
        @CommandLine.Mixin
        ServerOptions options = new ServerOptions();

        @Option(names = "--label", defaultValue = "operator key (command line)", description = "what the key is for")
        String label;

        @Override
        public Integer call() {
            MeterbaseConfig config = options.load(Map.of());
            Store store;
            try {
                store = Meterbase.openStore(config);
            } catch (RuntimeException e) {
                String why = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
                throw new IllegalStateException(
                        "cannot open the store in " + config.dataDir() + " (" + why
                                + "); with the embedded store, stop the server first",
                        e);
            }
            try (store) {
                Registry registry = new Registry(store.metadata(), store.documents(), Clock.systemUTC());
                String secret = registry.createKey(0, Role.OPERATOR, label).secret();
                out().println("New operator key (admin; shown once, keep it safe): " + secret);
                out().println("Revoke lost ones: GET /api/v1/keys?operators=true, then DELETE /api/v1/keys/{id}.");
            }
            return 0;
        }
    }

    @Command(
            name = "settings",
            mixinStandardHelpOptions = true,
            description = "List every configuration key with its default and meaning.")
    static final class Settings implements Callable<Integer> {
        @Override
        public Integer call() {
            for (Setting s : MeterbaseConfig.SETTINGS) {
                out().printf("%-32s %-14s %s%n  env: %s%n", s.key(), s.defaultValue(), s.description(), s.envName());
            }
            return 0;
        }
    }
}
