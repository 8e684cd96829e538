package io.meterbase.services.alarm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.meterbase.core.api.alarm.Alarm;
import io.meterbase.core.api.alarm.Severity;
import io.meterbase.core.api.alarm.WebhooksApi;
import io.meterbase.core.store.memory.MemoryStore;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** Webhooks post only to public addresses (or ranges an operator allows), follow no redirect, and sign. */
class WebhooksTest {

    private final MemoryStore store = MemoryStore.open();

    @Test
    void destinationsInsideThePrivateNetwork_areRefused_unlessAnOperatorAllowsTheirRange() {
        Webhooks hooks = new Webhooks(
                store.documents(), Duration.ofMillis(10), WebhookDestinations.publicOnly(), Clock.systemUTC());
        for (String url : List.of(
                "http://127.0.0.1:1/",
                "http://localhost:8080/hook",
                "http://[::1]/hook",
                "http://169.254.169.254/latest/meta-data/",
                "http://10.1.2.3/hook",
                "http://172.20.0.5/hook",
                "http://192.168.1.1/hook",
                "http://100.64.0.1/hook",
                "http://0.0.0.0:8080/hook",
                "http://[fd00::1]/hook",
                "http://[fe80::1]/hook",
                "http://[::ffff:127.0.0.1]/hook",
                "http://2130706433/hook",
                "ftp://203.0.113.7/hook",
                "http://user:secret@93.184.216.34/hook")) {
            assertThatThrownBy(() -> hooks.add(7L, url)).as(url).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(hooks.of(null)).isEmpty();
        // a public address is taken, and its secret shown
        WebhooksApi.Created ok = hooks.add(7L, "https://93.184.216.34/hook");
        assertThat(ok.secret()).startsWith("whsec_").hasSize(6 + 48);

        // an operator's range lets a receiver on the local network in, and nothing else
        WebhookDestinations lan = WebhookDestinations.allowing(List.of("10.20.0.0/16", " "));
        assertThat(lan.refusal("http://10.20.3.4/hook")).isEmpty();
        assertThat(lan.refusal("http://10.21.3.4/hook")).isPresent();
        assertThat(lan.refusal("http://127.0.0.1/hook")).isPresent();
        assertThatThrownBy(() -> WebhookDestinations.allowing(List.of("intranet.example/8")))
                .hasMessageContaining("webhooks.allow-ranges");
        assertThatThrownBy(() -> WebhookDestinations.allowing(List.of("10.0.0.0/33")))
                .hasMessageContaining("prefix");
    }

    @Test
    void deliveries_areSigned_withTheSecretShownOnce_andRedirectsAreNotFollowed() throws Exception {
        List<Map<String, String>> seen = new CopyOnWriteArrayList<>();
        AtomicInteger redirected = new AtomicInteger();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", ex -> {
            seen.add(Map.of(
                    "ts", ex.getRequestHeaders().getFirst("Meterbase-Timestamp"),
                    "sig", ex.getRequestHeaders().getFirst("Meterbase-Signature"),
                    "body", new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        receiver.createContext("/moved", ex -> {
            ex.getResponseHeaders()
                    .add("Location", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/inner");
            ex.sendResponseHeaders(302, -1);
            ex.close();
        });
        receiver.createContext("/inner", ex -> {
            redirected.incrementAndGet();
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        receiver.start();
        String base = "http://127.0.0.1:" + receiver.getAddress().getPort();
        try (Webhooks hooks = new Webhooks(
                store.documents(),
                Duration.ofMillis(10),
                WebhookDestinations.allowing(List.of("127.0.0.0/8")),
                Clock.systemUTC())) {
            WebhooksApi.Created hook = hooks.add(7L, base + "/hook");
            hooks.add(7L, base + "/moved");
            assertThat(hooks.of(7L)).hasSize(2); // listed without their secrets
            assertThat(store.documents().documents("webhook").values())
                    .anySatisfy(json -> assertThat(json).contains(hook.secret()));

            hooks.changed(alarm());
            long deadline = System.currentTimeMillis() + 10_000;
            while ((seen.isEmpty() || hooks.failed() < 1) && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }

            // the receiver checks the signature over the timestamp and the body with the secret it was shown
            assertThat(seen).singleElement().satisfies(d -> {
                assertThat(Long.parseLong(d.get("ts")))
                        .isCloseTo(Instant.now().getEpochSecond(), org.assertj.core.data.Offset.offset(60L));
                assertThat(d.get("sig")).isEqualTo("v1=" + hmac(hook.secret(), d.get("ts") + "." + d.get("body")));
            });
            // the redirect was not followed, and given up at once
            assertThat(redirected.get()).isZero();
            assertThat(hooks.failed()).isEqualTo(1);

            // WHEN the customer asks for a new secret, THEN the next delivery is signed with it
            WebhooksApi.Created renewed = hooks.newSecret(hook.id(), 7L).orElseThrow();
            assertThat(renewed.secret()).isNotEqualTo(hook.secret());
            assertThat(hooks.newSecret(hook.id(), 8L)).isEmpty(); // not another customer's
            hooks.changed(alarm());
            deadline = System.currentTimeMillis() + 10_000;
            while (seen.size() < 2 && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
            Map<String, String> second = seen.get(1);
            assertThat(second.get("sig"))
                    .isEqualTo("v1=" + hmac(renewed.secret(), second.get("ts") + "." + second.get("body")));
        } finally {
            receiver.stop(0);
        }
    }

    private static Alarm alarm() {
        Instant now = Instant.now();
        return new Alarm(
                "alm-1",
                "rule-1",
                7,
                "kitchen",
                "gas_leak",
                Severity.CRITICAL,
                Alarm.State.ACTIVE,
                "gas",
                1500.0,
                now,
                now,
                1,
                null,
                null,
                null);
    }

    private static String hmac(String secret, String text) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
    }
}
