package io.meterbase.app;

import io.meterbase.core.ingest.IngestSettings;
import io.meterbase.core.model.Quantity;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.commons.text.similarity.LevenshteinDistance;
import org.jspecify.annotations.Nullable;

/**
 * The typed configuration of a Meterbase server. Every key, its default and meaning are listed in {@link #SETTINGS};
 * values come from the defaults, then a properties file, then environment variables ({@code MB_HTTP_PORT} for
 * {@code http.port}), then explicit overrides (command-line options). A bad value fails at start with the key named.
 */
public final class MeterbaseConfig {

    public static final List<Setting> SETTINGS = List.of(
            new Setting("http.host", "127.0.0.1", "address the HTTP API binds to; 0.0.0.0 for all interfaces"),
            new Setting("http.port", "8080", "HTTP API port, 0 picks a free one"),
            new Setting("http.tls.port", "8443", "HTTPS port of the API and the web pages, 0 picks a free one"),
            new Setting(
                    "http.tls.keystore",
                    "",
                    "PKCS#12 keystore with the server's key and certificate; empty: no HTTPS unless self-signed"),
            new Setting("http.tls.keystore-password", "", "its password (prefer MB_HTTP_TLS_KEYSTORE_PASSWORD)"),
            new Setting(
                    "http.tls.self-signed",
                    "false",
                    "without a keystore, make a self-signed one in data.dir/tls, with a random password kept beside"
                            + " it (both mode 600; for a demo; browsers warn)"),
            Setting.choice(
                    "http.plain",
                    "on",
                    "plain HTTP beside HTTPS: on, loopback (served to this machine, others sent to HTTPS),"
                            + " redirect (every request sent to HTTPS) or off; with HTTPS, loopback or off is"
                            + " recommended",
                    "on",
                    "loopback",
                    "redirect",
                    "off"),
            new Setting("http.max-body-bytes", "16777216", "largest accepted request body in bytes (16 MiB)"),
            new Setting(
                    "http.idle-timeout",
                    "PT30S",
                    "a connection idle this long (no byte of a request, or between requests) is closed"),
            new Setting(
                    "http.header-timeout",
                    "PT10S",
                    "a request whose headers are not complete this long after they began is closed"),
            new Setting(
                    "http.min-body-bytes-per-second",
                    "0",
                    "a request body sent slower than this on average is refused (408); 0 (the default) turns the"
                            + " check off: the HTTP server's check also refuses small bodies read after a short"
                            + " pause of the server (a GC pause, load)"),
            Setting.choice(
                    "store",
                    "duckdb",
                    "duckdb (embedded, in data.dir) or postgres (store.postgres.*)",
                    "duckdb",
                    "postgres"),
            new Setting("data.dir", "data", "directory of the embedded store and the MQTT broker's sessions"),
            new Setting("mqtt.enabled", "true", "run the embedded MQTT broker (MQTT 3.1.1 and 5)"),
            new Setting("mqtt.host", "127.0.0.1", "address the MQTT broker binds to; 0.0.0.0 for all interfaces"),
            new Setting("mqtt.port", "1883", "MQTT port, 0 picks a free one"),
            Setting.choice(
                    "mqtt.plain",
                    "on",
                    "the plain MQTT listener (mqtt.port): on or off; off needs MQTT over TLS (an HTTPS keystore)",
                    "on",
                    "off"),
            Setting.choice(
                    "mqtt.tls",
                    "on",
                    "MQTT over TLS with the HTTPS keystore (http.tls.keystore or self-signed): on or off",
                    "on",
                    "off"),
            new Setting("mqtt.tls.port", "8883", "MQTT over TLS port, 0 picks a free one"),
            new Setting(
                    "mqtt.tls.websocket-port",
                    "8884",
                    "MQTT over WebSocket with TLS port (path /mqtt), 0 picks a free one, -1 turns it off"),
            new Setting(
                    "mqtt.max-packet-bytes",
                    "16MB",
                    "largest MQTT packet accepted (larger ones close the connection, MQTT 5: reason 0x95); KB, MB"),
            Setting.choice(
                    "mqtt.persistence",
                    "file",
                    "where the embedded broker keeps sessions and queued messages: file (in data.dir/mqtt, a few"
                            + " hundred KB) or in-memory (lost at restart)",
                    "file",
                    "in-memory"),
            new Setting(
                    "mqtt.external.url",
                    "",
                    "also read devices from this broker, e.g. mqtt://broker:1883 or mqtts://broker:8883 (empty: off)"),
            new Setting("mqtt.external.username", "", "Meterbase's username at the external broker"),
            new Setting("mqtt.external.password", "", "its password (prefer MB_MQTT_EXTERNAL_PASSWORD)"),
            new Setting("mqtt.external.client-id", "meterbase-1", "this node's client id there (unique per node)"),
            new Setting(
                    "mqtt.external.share-group",
                    "meterbase",
                    "shared-subscription group: nodes of one installation share the messages"),
            new Setting(
                    "mqtt.external.customer-key",
                    "",
                    "API key of the customer the external broker's devices belong to"),
            new Setting(
                    "tls.client-certificates",
                    "false",
                    "devices may authenticate with X.509 client certificates (MQTT over TLS, HTTPS), signed by their"
                            + " customer's certificate authority (POST /api/v1/certificate-authorities); needs HTTPS"),
            new Setting("coap.enabled", "true", "run the CoAP server (UDP and DTLS with device pre-shared keys)"),
            new Setting("coap.host", "127.0.0.1", "address the CoAP server binds to"),
            new Setting("coap.port", "5683", "CoAP UDP port (discovery only), 0 picks a free one"),
            new Setting("coap.dtls-port", "5684", "CoAP DTLS port for uploads, 0 picks a free one"),
            new Setting(
                    "coap.customer-psk",
                    "true",
                    "also take the older customer-wide PSK identities c<customer>:<device> (false: only the PSKs of"
                            + " device and gateway keys, k<key id>)"),
            new Setting("store.duckdb.memory-limit", "1GB", "DuckDB's memory limit (native memory, outside the heap)"),
            new Setting("store.duckdb.threads", "2", "DuckDB worker threads"),
            new Setting(
                    "store.duckdb.checkpoint-threshold",
                    "256MB",
                    "write-ahead log gathered before a checkpoint: larger compresses better, replays longer after a crash"),
            new Setting(
                    "store.postgres.url",
                    "jdbc:postgresql://127.0.0.1:5432/meterbase",
                    "JDBC URL of the PostgreSQL database"),
            new Setting("store.postgres.user", "meterbase", "PostgreSQL user"),
            new Setting("store.postgres.password", "", "PostgreSQL password (prefer MB_STORE_POSTGRES_PASSWORD)"),
            new Setting("store.postgres.pool-size", "8", "connections in the pool"),
            new Setting(
                    "store.postgres.migrate",
                    "true",
                    "apply pending schema migrations at start; false requires 'meterbase migrate' first"),
            new Setting(
                    "store.postgres.compaction",
                    "true",
                    "pack closed days of readings into one compressed row per channel and day (docs/postgres.md)"),
            new Setting(
                    "store.postgres.compact-after",
                    "PT2H",
                    "a day is packed this long after its end (at least PT1H); later readings of it are packed again"),
            new Setting("store.postgres.compact-every", "PT15M", "how often one node looks for closed days to pack"),
            new Setting("ingest.max-future", "PT5M", "readings further in the future are refused (ISO-8601 duration)"),
            new Setting("ingest.retention", "P3660D", "readings older than this are refused (ISO-8601 duration)"),
            Setting.choice(
                    "ingest.unknown-devices",
                    "register",
                    "unknown devices of a known customer: register (at first upload), hold (for approval) or reject",
                    "register",
                    "hold",
                    "reject"),
            new Setting(
                    "ingest.queue-capacity",
                    "2000000",
                    "readings waiting for durability before uploads are refused with 503"),
            new Setting("ingest.max-batch", "200000", "most readings in one group commit"),
            new Setting(
                    "ingest.answer-within",
                    "PT2S",
                    "an upload is answered within this time: refused at once (503, Retry-After) when the queue ahead"
                            + " of it would take more than three tenths of it, and refused if not stored in time"),
            new Setting(
                    "ingest.shutdown-drain",
                    "PT20S",
                    "at shutdown, how long queued readings are still written; the rest are refused (senders resend)"),
            new Setting("ingest.rollup-interval", "PT1S", "how often rollups are brought up to date"),
            Setting.decimal(
                    "ingest.rate-limit.readings-per-second",
                    "20000",
                    "readings a second allowed to each credential (API key, device key); 0 turns the limit off"),
            Setting.decimal(
                    "ingest.rate-limit.burst",
                    "0",
                    "readings a credential may send at once above its rate (0: ten seconds' worth)"),
            Setting.decimal(
                    "ingest.rate-limit.customer-readings-per-second",
                    "50000",
                    "readings a second allowed to each customer, all its credentials together; 0 turns it off"),
            Setting.decimal(
                    "ingest.rate-limit.customer-burst",
                    "0",
                    "readings a customer may send at once above its rate (0: ten seconds' worth)"),
            new Setting(
                    "ingest.rate-limit.new-devices-per-minute",
                    "30000",
                    "devices and gateways each customer may register a minute (readings of the others are refused"
                            + " with registration_limited and accepted when sent again); 0 turns it off"),
            new Setting(
                    "ingest.rate-limit.unauthenticated-per-minute",
                    "600",
                    "requests a minute from one address that fail to authenticate; beyond them they are refused"
                            + " (429) unread; 0 turns it off"),
            new Setting(
                    "quarantine.full-per-hour",
                    "100",
                    "refused inputs kept in full per source (customer or address) and reason an hour; the rest are"
                            + " counted in one summary entry"),
            new Setting("quarantine.retention", "P30D", "refused inputs are kept this long"),
            new Setting("quarantine.max-entries", "1000000", "refused inputs kept at most (the oldest go first)"),
            new Setting(
                    "storage.min-free",
                    "512MB",
                    "free space kept on the disk of data.dir: below it new readings are refused (503) until space"
                            + " is freed; KB, MB or GB"),
            new Setting(
                    "ingest.max-integration-gap",
                    "PT15M",
                    "longest gap between power readings that is integrated into energy"),
            new Setting(
                    "ingest.range.<quantity>",
                    "(per quantity)",
                    "accepted range in canonical units as min:max, e.g. ingest.range.voltage=0:300"),
            new Setting(
                    "emoncms.inputs.<node>",
                    "(emonTx layout)",
                    "names of an emoncms node's values by position, e.g. emoncms.inputs.10=power1,power2,vrms,pulse"),
            new Setting("live.stale-after", "PT5M", "live power ignores readings older than this"),
            new Setting(
                    "cluster.refresh-every",
                    "PT60S",
                    "with several nodes on one PostgreSQL: how often a node reads customers, devices, keys and accounts"
                            + " again, besides the changes the database announces at once"),
            new Setting(
                    "cluster.live-every",
                    "PT2S",
                    "with several nodes on one PostgreSQL: how often a node reads the newest readings the others"
                            + " stored (live values and live community ranks)"),
            new Setting(
                    "community.min-customers",
                    "5",
                    "community comparisons are withheld in communities with fewer customers (privacy)"),
            new Setting("community.energy-refresh", "PT60S", "how often energy today/this month is re-ranked"),
            new Setting("commands.ttl", "PT1H", "a command not confirmed within this time expires"),
            new Setting("commands.keep-finished", "P30D", "finished commands are kept this long"),
            new Setting(
                    "alarms.default-rules",
                    "true",
                    "start with over/under-voltage (EN 50160 band) and gas-leak rules when there are none"),
            new Setting(
                    "alarms.webhook-first-retry",
                    "PT1S",
                    "a failed webhook delivery is retried after this, then doubling, 6 attempts in all"),
            new Setting(
                    "notifications.smtp.host",
                    "",
                    "SMTP server for alarm e-mail (empty: no e-mail); who gets which alarms: /api/v1/notifications"),
            new Setting("notifications.smtp.port", "587", "its port (587 with starttls, 465 with tls)"),
            Setting.choice(
                    "notifications.smtp.security",
                    "starttls",
                    "starttls (required), tls, or none (a relay on this machine only)",
                    "starttls",
                    "tls",
                    "none"),
            new Setting("notifications.smtp.username", "", "username at the SMTP server (empty: none)"),
            new Setting("notifications.smtp.password", "", "its password (prefer MB_NOTIFICATIONS_SMTP_PASSWORD)"),
            new Setting("notifications.smtp.from", "meterbase@localhost", "the sender of alarm e-mail"),
            new Setting(
                    "notifications.push.contact",
                    "",
                    "how push services reach this server's operator, mailto: or https: (empty: notifications.smtp.from)"),
            new Setting(
                    "security.revoke-on-events",
                    "tamper",
                    "device events (type prefixes, comma-separated) that revoke the device's own keys at once;"
                            + " empty: none"),
            new Setting(
                    "webhooks.allow-ranges",
                    "",
                    "address ranges inside private networks that webhooks may post to, comma-separated (e.g."
                            + " 10.20.0.0/16); by default only public addresses"),
            new Setting("analytics.enabled", "true", "run forecasts, incident detection and clustering periodically"),
            new Setting("analytics.every", "PT1H", "how often meters are forecast and checked for incidents"),
            new Setting("analytics.first-run", "PT1M", "the first analytics run, this long after the start"),
            new Setting("analytics.retrain-every", "P1D", "the forecast models are retrained when this old"),
            new Setting("analytics.sample-meters", "500", "meters (at random) the forecast models are trained on"),
            new Setting("analytics.cluster-every", "P1D", "how often customers are clustered by load profile"),
            new Setting("analytics.cluster-days", "365", "days of history a customer's load profile is made of"),
            Setting.choice(
                    "analytics.jobs",
                    "server",
                    "who computes forecasts, incidents and clusters: server, or spark (the Spark jobs write them into"
                            + " the PostgreSQL store; the server reads them every analytics.every)",
                    "server",
                    "spark"));

    private final Map<String, String> values;

    private MeterbaseConfig(Map<String, String> values) {
        this.values = values;
    }

    /** Defaults, then {@code file} (if not null), then {@code env}, then {@code overrides}. */
    public static MeterbaseConfig load(@Nullable Path file, Map<String, String> env, Map<String, String> overrides) {
        Map<String, String> v = new HashMap<>();
        for (Setting s : SETTINGS) {
            if (!s.key().contains("<")) {
                v.put(s.key(), s.defaultValue());
            }
        }
        if (file != null) {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(file)) {
                p.load(r);
            } catch (IOException e) {
                throw new IllegalArgumentException("config: cannot read " + file + ": " + e.getMessage(), e);
            }
            p.stringPropertyNames().forEach(k -> v.put(k, p.getProperty(k).trim()));
        }
        for (Setting s : SETTINGS) {
            String e = env.get(s.envName());
            if (e != null && !s.key().contains("<")) {
                v.put(s.key(), e);
            }
        }
        for (Quantity q : Quantity.values()) {
            String e = env.get("MB_INGEST_RANGE_" + q.name());
            if (e != null) {
                v.put("ingest.range." + q.key(), e);
            }
        }
        v.putAll(overrides);
        return new MeterbaseConfig(v);
    }

    /**
     * Checks every key and value before anything starts: an unknown key is refused with the nearest known one, a
     * value of the wrong kind with what it must be. All problems together, in one line.
     *
     * @throws IllegalArgumentException naming each problem
     */
    public MeterbaseConfig validate() {
        Map<String, Setting> known = new HashMap<>();
        SETTINGS.forEach(s -> known.put(s.key(), s));
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, String> e : new TreeMap<>(values).entrySet()) {
            String key = e.getKey();
            String value = e.getValue();
            if (key.startsWith("emoncms.inputs.")) {
                continue;
            }
            if (key.startsWith("ingest.range.")) {
                String quantity = key.substring("ingest.range.".length());
                if (Quantity.ofKey(quantity).isEmpty()) {
                    problems.add(key + ": no quantity '" + quantity + "' (see docs/devices.md)");
                } else if (!value.matches("\\s*-?[0-9.eE+-]+\\s*:\\s*-?[0-9.eE+-]+\\s*")) {
                    problems.add(key + ": must be min:max, e.g. 0:50000; was '" + value + "'");
                }
                continue;
            }
            Setting setting = known.get(key);
            if (setting == null) {
                problems.add("unknown setting '" + key + "'" + nearest(key, known.keySet()));
                continue;
            }
            String problem = setting.problem(value);
            if (problem != null) {
                problems.add(problem);
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        return this;
    }

    /** " (did you mean 'x'?)" for the known key nearest a misspelt one, or where to find them all. */
    private static String nearest(String key, java.util.Set<String> known) {
        LevenshteinDistance distance = LevenshteinDistance.getDefaultInstance();
        @Nullable String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : new java.util.TreeSet<>(known)) {
            int d = distance.apply(key, k);
            if (d < bestDistance) {
                best = k;
                bestDistance = d;
            }
        }
        return best != null && bestDistance <= Math.max(2, key.length() / 4)
                ? " (did you mean '" + best + "'?)"
                : " (see 'meterbase settings' for every key)";
    }

    public static MeterbaseConfig defaults() {
        return load(null, Map.of(), Map.of());
    }

    public MeterbaseConfig with(String key, String value) {
        Map<String, String> copy = new HashMap<>(values);
        copy.put(key, value);
        return new MeterbaseConfig(copy);
    }

    /**
     * Every setting in effect, in the order of {@link #SETTINGS}: key, value (a password or secret only as
     * {@code "(set)"}), default, whether it differs from the default, its environment variable and meaning.
     */
    public List<Map<String, Object>> described() {
        List<Map<String, Object>> out = new java.util.ArrayList<>();
        for (Setting s : SETTINGS) {
            String v = values.getOrDefault(s.key(), s.defaultValue());
            Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("key", s.key());
            m.put("value", secret(s.key()) ? (v.isEmpty() ? "" : "(set)") : withoutUserInfo(v));
            m.put("default", s.defaultValue());
            m.put("changed", !v.equals(s.defaultValue()));
            m.put("env", s.envName());
            m.put("description", s.description());
            out.add(m);
        }
        return out;
    }

    /** Settings whose value is a credential: shown only as set or not. */
    static boolean secret(String key) {
        return key.endsWith("password")
                || key.endsWith("secret")
                || key.endsWith("-key")
                || key.endsWith(".key")
                || key.contains("token");
    }

    /** A URL's user name and password (scheme://user:pass@host…) replaced by {@code ***}; other values as they are. */
    static String withoutUserInfo(String value) {
        return value.replaceAll("(?i)^((?:[a-z][a-z0-9+.-]*:)+//)[^/@\\s]*@", "$1***@")
                .replaceAll("(?i)([?&;](password|user|key|token)=)[^&;]*", "$1***");
    }

    public String string(String key) {
        String v = values.get(key);
        if (v == null) {
            throw new IllegalArgumentException(key + ": not set");
        }
        return v;
    }

    public int integer(String key, int min, int max) {
        try {
            int n = Integer.parseInt(string(key));
            if (n < min || n > max) {
                throw new IllegalArgumentException(key + ": must be within [" + min + ", " + max + "], was " + n);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + ": not a whole number: " + string(key));
        }
    }

    public Duration duration(String key) {
        try {
            return Duration.parse(string(key));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(key + ": not an ISO-8601 duration such as PT5M: " + string(key));
        }
    }

    /** A size in bytes, written as a number of bytes or with KB, MB or GB (powers of 1024). */
    public long bytes(String key) {
        String v = string(key).trim().toUpperCase(java.util.Locale.ROOT);
        long unit = 1;
        for (String[] suffix : new String[][] {{"KB", "1024"}, {"MB", "1048576"}, {"GB", "1073741824"}, {"B", "1"}}) {
            if (v.endsWith(suffix[0])) {
                unit = Long.parseLong(suffix[1]);
                v = v.substring(0, v.length() - suffix[0].length()).trim();
                break;
            }
        }
        try {
            long n = Long.parseLong(v);
            if (n < 0) {
                throw new NumberFormatException();
            }
            return Math.multiplyExact(n, unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException(key + ": not a size such as 512MB: " + string(key));
        }
    }

    /** A duration of at least a millisecond. */
    public Duration positiveMillis(String key) {
        Duration d = duration(key);
        if (d.toMillis() < 1) {
            throw new IllegalArgumentException(key + ": must be positive, was " + string(key));
        }
        return d;
    }

    /** A duration of at least a second. */
    public Duration positiveDuration(String key) {
        Duration d = duration(key);
        if (d.toSeconds() < 1) {
            throw new IllegalArgumentException(key + ": must be at least a second (PT1S), was " + string(key));
        }
        return d;
    }

    public boolean bool(String key) {
        String v = string(key);
        if (!v.equals("true") && !v.equals("false")) {
            throw new IllegalArgumentException(key + ": must be true or false, was " + v);
        }
        return Boolean.parseBoolean(v);
    }

    /** A setting that takes one of a few words, in lower case. */
    public String choice(String key, String... allowed) {
        String v = string(key).trim().toLowerCase(java.util.Locale.ROOT);
        if (!List.of(allowed).contains(v)) {
            throw new IllegalArgumentException(
                    key + ": must be " + String.join(" or ", allowed) + ", was " + string(key));
        }
        return v;
    }

    private IngestSettings.UnknownDevices unknownDevices() {
        String v = string("ingest.unknown-devices");
        try {
            return IngestSettings.UnknownDevices.valueOf(v.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("ingest.unknown-devices: must be register, hold or reject, was " + v);
        }
    }

    /** Per-node names of emoncms bulk values, from the {@code emoncms.inputs.<node>} keys. */
    public Map<String, List<String>> emoncmsLayouts() {
        Map<String, List<String>> out = new HashMap<>();
        values.forEach((k, v) -> {
            if (k.startsWith("emoncms.inputs.")) {
                out.put(k.substring("emoncms.inputs.".length()), List.of(v.split("\\s*,\\s*")));
            }
        });
        return out;
    }

    public Path dataDir() {
        return Path.of(string("data.dir"));
    }

    /** The pipeline's settings from the {@code ingest.*} keys. */
    public IngestSettings ingestSettings() {
        IngestSettings s = new IngestSettings(
                duration("ingest.max-future"),
                duration("ingest.retention"),
                Map.of(),
                unknownDevices(),
                integer("ingest.queue-capacity", 1, Integer.MAX_VALUE),
                integer("ingest.max-batch", 1, 10_000_000),
                duration("ingest.rollup-interval"),
                duration("ingest.max-integration-gap"),
                positiveMillis("ingest.answer-within"),
                duration("ingest.shutdown-drain"));
        for (Quantity q : Quantity.values()) {
            String range = values.get("ingest.range." + q.key());
            if (range != null) {
                String[] parts = range.split(":");
                try {
                    s = s.withRange(q, Double.parseDouble(parts[0]), Double.parseDouble(parts[1]));
                } catch (RuntimeException e) {
                    throw new IllegalArgumentException(
                            "ingest.range." + q.key() + ": must be min:max, was " + range, e);
                }
            }
        }
        return s;
    }
}
