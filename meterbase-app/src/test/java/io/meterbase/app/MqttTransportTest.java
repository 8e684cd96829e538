package io.meterbase.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.meterbase.core.model.Channel;
import io.meterbase.core.model.Customer;
import io.meterbase.core.model.Reading;
import io.meterbase.core.model.Role;
import io.meterbase.core.store.QuarantineEntry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The embedded broker with the real mosquitto_pub, MQTT 3.1.1 and 5, QoS 1. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MqttTransportTest {

    @TempDir
    static Path dir;

    private Meterbase server;
    private Customer customer;
    private String key;

    @BeforeAll
    void start() throws Exception {
        boolean installed = new ProcessBuilder("sh", "-c", "command -v mosquitto_pub")
                        .start()
                        .waitFor()
                == 0;
        if (!installed) {
            if ("true".equals(System.getenv("CI"))) {
                throw new IllegalStateException("mosquitto_pub is missing (apt-get install mosquitto-clients)");
            }
            Assumptions.abort("mosquitto_pub is not installed (apt-get install mosquitto-clients)");
        }
        server = Meterbase.start(
                MeterbaseConfig.defaults()
                        .with("data.dir", dir.toString())
                        .with("http.port", "0")
                        .with("mqtt.port", "0")
                        .with("coap.enabled", "false"),
                Clock.systemUTC());
        customer = server.registry().createCustomer("Ana", "Flat", null, null, "north", ZoneId.of("UTC"));
        key = server.registry()
                .createKey(customer.id(), Role.CUSTOMER, "devices")
                .secret();
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** Runs mosquitto_pub; returns its exit code and output. */
    private Object[] pub(String version, String user, String password, String topic, String message) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
                "mosquitto_pub",
                "-h",
                "127.0.0.1",
                "-p",
                String.valueOf(server.mqttPort()),
                "-V",
                version,
                "-q",
                "1",
                "-i",
                user + "-" + version,
                "-u",
                user,
                "-P",
                password,
                "-t",
                topic,
                "-m",
                message));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Object[] {p.exitValue(), out};
    }

    private Optional<Reading> latest(String device, String channel) {
        return server.registry()
                .device(customer.id(), device)
                .flatMap(d -> server.registry().channel(d.id(), channel))
                .map(Channel::id)
                .flatMap(id -> server.store().readings().readings(id, 0, Long.MAX_VALUE, 1000).stream()
                        .reduce((a, b) -> b));
    }

    @Test
    void tasmotaOverMqtt311_isDurableWhenAcknowledged() throws Exception {
        Object[] r = pub(
                "mqttv311",
                "kitchen-plug",
                key,
                "tele/kitchen-plug/SENSOR",
                "{\"ENERGY\":{\"Total\":1.5,\"Power\":85,\"Voltage\":230}}");

        assertThat(r[0]).as((String) r[1]).isEqualTo(0);
        // the PUBACK came: the readings are in the store already, no waiting
        assertThat(latest("kitchen-plug", "energy"))
                .get()
                .extracting(Reading::value)
                .isEqualTo(1500.0);
        assertThat(latest("kitchen-plug", "active_power"))
                .get()
                .extracting(Reading::value)
                .isEqualTo(85.0);
    }

    @Test
    void nativeShellyAndEmonhubOverMqtt5() throws Exception {
        long now = System.currentTimeMillis();
        Object[] nativeUp = pub(
                "mqttv5",
                "gw-9",
                key,
                "meterbase/gw-9/up",
                "{\"ts\":" + now
                        + ",\"nodes\":[{\"id\":\"node-1\",\"readings\":[{\"quantity\":\"voltage\",\"unit\":\"V\","
                        + "\"value\":231.5}]}]}");
        Object[] senml = pub(
                "mqttv5",
                "gw-9",
                key,
                "meterbase/gw-9/up",
                "[{\"bn\":\"senml-node/\",\"n\":\"temperature\",\"u\":\"Cel\",\"v\":21.5}]");
        Object[] shelly = pub(
                "mqttv5",
                "shelly1",
                key,
                "shelly1/status/switch:0",
                "{\"id\":0,\"apower\":12.5,\"aenergy\":{\"total\":99.5}}");
        Object[] emon = pub("mqttv311", "emonpi", key, "emon/emontx/power1", "123");

        assertThat(List.of(nativeUp[0], senml[0], shelly[0], emon[0])).containsOnly(0);
        assertThat(latest("node-1", "voltage")).get().extracting(Reading::value).isEqualTo(231.5);
        assertThat(latest("senml-node", "temperature"))
                .get()
                .extracting(Reading::value)
                .isEqualTo(21.5);
        assertThat(latest("shelly1", "energy")).get().extracting(Reading::value).isEqualTo(99.5);
        assertThat(latest("emontx", "power1")).get().extracting(Reading::value).isEqualTo(123.0);
    }

    @Test
    void wrongPassword_isRefused() throws Exception {
        Object[] r = pub("mqttv5", "intruder", "mbk_wrong", "tele/intruder/SENSOR", "{\"ENERGY\":{\"Power\":1}}");

        assertThat(r[0]).isNotEqualTo(0);
        assertThat(server.registry().device(customer.id(), "intruder")).isEmpty();
        assertThat(server.store().readings().quarantined("unauthorized", 10))
                .extracting(QuarantineEntry::source)
                .anySatisfy(s -> assertThat(s).startsWith("mqtt"));
    }

    @Test
    void anonymousClient_isRefused() throws Exception {
        Process p = new ProcessBuilder(
                        "mosquitto_pub",
                        "-h",
                        "127.0.0.1",
                        "-p",
                        String.valueOf(server.mqttPort()),
                        "-V",
                        "mqttv5",
                        "-q",
                        "1",
                        "-t",
                        "tele/anon/SENSOR",
                        "-m",
                        "{\"ENERGY\":{\"Power\":1}}")
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes());

        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isNotZero();
        assertThat(server.registry().device(customer.id(), "anon")).isEmpty();
    }

    @Test
    void publishingOnAnotherDevicesTopic_isNotStored() throws Exception {
        pub("mqttv5", "plug-a", key, "tele/plug-b/SENSOR", "{\"ENERGY\":{\"Power\":1}}");
        pub("mqttv311", "plug-a", key, "tele/plug-b/SENSOR", "{\"ENERGY\":{\"Power\":1}}");

        assertThat(server.registry().device(customer.id(), "plug-b")).isEmpty();
    }

    @Test
    void malformedPayload_isQuarantinedWithItsReason() throws Exception {
        Object[] r = pub("mqttv5", "broken-plug", key, "tele/broken-plug/SENSOR", "{\"ENERGY\":");

        assertThat(server.store().readings().quarantined("malformed_payload", 10))
                .anySatisfy(q -> {
                    assertThat(q.source()).contains("tele/broken-plug/SENSOR");
                    assertThat(q.payload()).isEqualTo("{\"ENERGY\":");
                });
        assertThat((String) r[1]).containsIgnoringCase("payload format invalid");
    }

    @Test
    void presence_followsConnectionsAndLastWill() throws Exception {
        pub("mqttv311", "porch-light", key, "tele/porch-light/LWT", "Online");
        // mosquitto_pub has disconnected by now
        long deadline = System.currentTimeMillis() + 5000;
        while (server.presenceForTests()
                        .of(customer.id(), "porch-light")
                        .map(s -> s.online())
                        .orElse(true)
                && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        assertThat(server.presenceForTests().of(customer.id(), "porch-light"))
                .get()
                .satisfies(s -> assertThat(s.online()).isFalse());
    }

    private io.meterbase.core.api.command.Command command(String id) {
        return server.control().commands().get(customer.id(), id).orElseThrow();
    }

    private static void await(java.util.function.BooleanSupplier condition, int seconds) throws InterruptedException {
        long deadline = System.currentTimeMillis() + seconds * 1000L;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("not within " + seconds + " s");
            }
            Thread.sleep(50);
        }
    }

    @Test
    void aCommandToAnOfflineTasmotaPlugIsDeliveredWhenItReconnects_andItsConfirmationCompletesIt() throws Exception {
        assertThat(pub("mqttv311", "garage-plug", key, "tele/garage-plug/SENSOR", "{\"ENERGY\":{\"Power\":900}}")[0])
                .isEqualTo(0);
        var submitted = server.control()
                .commands()
                .submit(new io.meterbase.services.command.CommandService.Request(
                        customer.id(),
                        "garage-plug",
                        io.meterbase.core.api.command.CommandType.RELAY_OFF,
                        null,
                        "customer",
                        null,
                        null));
        Thread.sleep(2500); // a few delivery rounds while the plug is away
        assertThat(command(submitted.id()).status()).isEqualTo(io.meterbase.core.api.command.CommandStatus.QUEUED);

        // the plug comes back and subscribes to its command topics, as Tasmota does
        Process plug = new ProcessBuilder(
                        "mosquitto_sub",
                        "-h",
                        "127.0.0.1",
                        "-p",
                        String.valueOf(server.mqttPort()),
                        "-V",
                        "mqttv311",
                        "-i",
                        "garage-plug",
                        "-u",
                        "garage-plug",
                        "-P",
                        key,
                        "-q",
                        "1",
                        "-t",
                        "cmnd/garage-plug/#",
                        "-C",
                        "1",
                        "-v",
                        "-W",
                        "20")
                .redirectErrorStream(true)
                .start();
        assertThat(plug.waitFor(25, TimeUnit.SECONDS)).isTrue();
        assertThat(new String(plug.getInputStream().readAllBytes()).trim()).isEqualTo("cmnd/garage-plug/POWER OFF");
        await(() -> command(submitted.id()).status() != io.meterbase.core.api.command.CommandStatus.QUEUED, 5);
        var sent = command(submitted.id());
        assertThat(sent.status()).isEqualTo(io.meterbase.core.api.command.CommandStatus.SENT);
        assertThat(sent.via()).isEqualTo("mqtt");

        // Tasmota reports the new relay state
        assertThat(pub("mqttv311", "garage-plug", key, "stat/garage-plug/POWER", "OFF")[0])
                .isEqualTo(0);
        await(() -> command(submitted.id()).status() == io.meterbase.core.api.command.CommandStatus.DONE, 10);
        assertThat(server.control().commands().relay(customer.id(), "garage-plug"))
                .get()
                .satisfies(r -> assertThat(r.on()).isFalse());
    }

    @Test
    void aShellyGetsSwitchSetAndItsRpcAnswerCompletesTheCommand() throws Exception {
        assertThat(pub(
                        "mqttv5",
                        "shelly-boiler",
                        key,
                        "shelly-boiler/status/switch:0",
                        "{\"id\":0,\"apower\":1500,\"voltage\":230,\"output\":true}")[0])
                .isEqualTo(0);
        Process shelly = new ProcessBuilder(
                        "mosquitto_sub",
                        "-h",
                        "127.0.0.1",
                        "-p",
                        String.valueOf(server.mqttPort()),
                        "-V",
                        "mqttv5",
                        "-i",
                        "shelly-boiler",
                        "-u",
                        "shelly-boiler",
                        "-P",
                        key,
                        "-q",
                        "1",
                        "-t",
                        "shelly-boiler/rpc",
                        "-C",
                        "1",
                        "-W",
                        "20")
                .redirectErrorStream(true)
                .start();
        Thread.sleep(1000); // subscribed
        var submitted = server.control()
                .commands()
                .submit(new io.meterbase.services.command.CommandService.Request(
                        customer.id(),
                        "shelly-boiler",
                        io.meterbase.core.api.command.CommandType.RELAY_OFF,
                        null,
                        "customer",
                        null,
                        null));
        assertThat(shelly.waitFor(25, TimeUnit.SECONDS)).isTrue();
        var rpc = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(new String(shelly.getInputStream().readAllBytes()).trim());
        assertThat(rpc.path("method").asText()).isEqualTo("Switch.Set");
        assertThat(rpc.path("params").path("on").asBoolean(true)).isFalse();
        String answerTopic = rpc.path("src").asText() + "/rpc";
        assertThat(answerTopic).isEqualTo("shelly-boiler/meterbase/" + submitted.id() + "/rpc");

        assertThat(pub(
                        "mqttv5",
                        "shelly-boiler",
                        key,
                        answerTopic,
                        "{\"id\":" + rpc.path("id").asInt()
                                + ",\"src\":\"shelly-boiler\",\"result\":{\"was_on\":true}}")[0])
                .isEqualTo(0);
        await(() -> command(submitted.id()).status() == io.meterbase.core.api.command.CommandStatus.DONE, 10);
        assertThat(server.control().commands().relay(customer.id(), "shelly-boiler"))
                .get()
                .satisfies(r -> assertThat(r.on()).isFalse());
    }

    @Test
    void aNativeGatewayGetsCommandsOnItsDownTopicAndAcknowledgesOnItsAckTopic() throws Exception {
        String up = "{\"ts\":" + System.currentTimeMillis() + ",\"nodes\":[{\"id\":\"mq-heater\",\"readings\":["
                + "{\"quantity\":\"active_power\",\"unit\":\"W\",\"value\":2000}]}]}";
        assertThat(pub("mqttv5", "mq-gw", key, "meterbase/mq-gw/up", up)[0]).isEqualTo(0);
        Process gateway = new ProcessBuilder(
                        "mosquitto_sub",
                        "-h",
                        "127.0.0.1",
                        "-p",
                        String.valueOf(server.mqttPort()),
                        "-V",
                        "mqttv5",
                        "-i",
                        "mq-gw",
                        "-u",
                        "mq-gw",
                        "-P",
                        key,
                        "-q",
                        "1",
                        "-t",
                        "meterbase/mq-gw/down",
                        "-C",
                        "1",
                        "-W",
                        "20")
                .redirectErrorStream(true)
                .start();
        Thread.sleep(1000); // subscribed
        var submitted = server.control()
                .commands()
                .submit(new io.meterbase.services.command.CommandService.Request(
                        customer.id(),
                        "mq-heater",
                        io.meterbase.core.api.command.CommandType.SET_INTERVAL,
                        java.util.Map.of("seconds", 30),
                        "customer",
                        null,
                        null));
        assertThat(gateway.waitFor(25, TimeUnit.SECONDS)).isTrue();
        var wire = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(new String(gateway.getInputStream().readAllBytes()).trim());
        assertThat(wire.path("id").asText()).isEqualTo(submitted.id());
        assertThat(wire.path("type").asText()).isEqualTo("set_interval");
        assertThat(wire.at("/params/seconds").asInt()).isEqualTo(30);

        assertThat(pub(
                        "mqttv5",
                        "mq-gw",
                        key,
                        "meterbase/mq-gw/ack",
                        "{\"id\":\"" + submitted.id() + "\",\"status\":\"done\"}")[0])
                .isEqualTo(0);
        await(() -> command(submitted.id()).status() == io.meterbase.core.api.command.CommandStatus.DONE, 10);
    }
}
