package io.meterbase.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.time.Clock;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A customer's browser subscribes to Web Push; a tamper alarm reaches a push service on 127.0.0.1 that does what a
 * browser's push service and the browser do with it: checks the VAPID signature against the server's key, then
 * decrypts the message (RFC 8291, aes128gcm) with the subscription's private key. Alarm types the customer did not
 * ask for are not pushed; a push service's 410 removes the subscription.
 */
class AlarmPushTest {

    @TempDir
    Path dir;

    /** What the push service received. */
    record Delivery(String authorization, String contentEncoding, String ttl, byte[] body) {}

    @Test
    void aTamperAlarm_isPushedEncrypted_andSigned_toTheSubscribedBrowser() throws Exception {
        BlockingQueue<Delivery> received = new LinkedBlockingQueue<>();
        AtomicInteger answer = new AtomicInteger(201);
        HttpServer pushService = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        pushService.createContext("/push/", exchange -> {
            received.add(new Delivery(
                    exchange.getRequestHeaders().getFirst("Authorization"),
                    exchange.getRequestHeaders().getFirst("Content-Encoding"),
                    exchange.getRequestHeaders().getFirst("TTL"),
                    exchange.getRequestBody().readAllBytes()));
            exchange.sendResponseHeaders(answer.get(), -1);
            exchange.close();
        });
        pushService.start();

        // the browser's side of a subscription: its key pair and auth secret
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair browser = g.generateKeyPair();
        byte[] browserPublic = uncompressed((ECPublicKey) browser.getPublic());
        byte[] authSecret = new byte[16];
        new SecureRandom().nextBytes(authSecret);
        String endpoint = "http://127.0.0.1:" + pushService.getAddress().getPort() + "/push/browser-1";

        try (Meterbase server = Meterbase.start(
                TestConfigs.httpOnly(dir).with("webhooks.allow-ranges", "127.0.0.0/8"), Clock.systemUTC())) {
            ApiClient api = new ApiClient(server.httpPort());
            long customer = server.registry()
                    .createCustomer("Ana", "Flat", null, null, "north", ZoneId.of("UTC"))
                    .id();
            String key = server.registry()
                    .createKey(customer, io.meterbase.core.model.Role.CUSTOMER, "owner")
                    .secret();
            String serverKey = api.json("GET", "/api/v1/notifications", key, null)
                    .get("push_key")
                    .asText();
            assertThat(Base64.getUrlDecoder().decode(serverKey)).hasSize(65);

            // subscriptions the server cannot use are refused with a reason
            assertThat(api.send(
                                    "POST",
                                    "/api/v1/notifications/push-subscriptions",
                                    key,
                                    subscription(endpoint, "AAAA", authSecret))
                            .statusCode())
                    .isEqualTo(400);
            var privateEndpoint = api.send(
                    "POST",
                    "/api/v1/notifications/push-subscriptions",
                    key,
                    subscription("http://192.168.1.5/push/x", b64(browserPublic), authSecret));
            assertThat(privateEndpoint.statusCode()).isEqualTo(400);
            assertThat(privateEndpoint.body()).contains("private network");

            var subscribed = api.send(
                    "POST",
                    "/api/v1/notifications/push-subscriptions",
                    key,
                    subscription(endpoint, b64(browserPublic), authSecret));
            assertThat(subscribed.statusCode()).as(subscribed.body()).isEqualTo(201);
            JsonNode settings = api.json(
                    "PUT",
                    "/api/v1/notifications",
                    key,
                    ApiClient.JSON.writeValueAsString(
                            Map.of("push", true, "push_types", List.of("tamper"), "push_min_severity", "warning")));
            assertThat(settings.at("/settings/push").asBoolean()).isTrue();
            assertThat(settings.at("/push_subscriptions/0/service").asText())
                    .isEqualTo("http://127.0.0.1:" + pushService.getAddress().getPort());

            upload(api, key, "meter-1");
            upload(api, key, "meter-2");
            // a type the customer did not ask to be pushed, then one they did
            var leak = api.send("POST", "/api/v1/events", key, """
                            {"device":"meter-1","type":"leak_detected"}""");
            assertThat(leak.statusCode()).isBetween(200, 299);
            assertThat(leak.body()).as("an alarm was raised").contains("\"state\":\"active\"");
            assertThat(api.send("POST", "/api/v1/events", key, """
                            {"device":"meter-1","type":"tamper_case_open"}""").statusCode())
                    .isBetween(200, 299);

            Delivery d = received.poll(20, TimeUnit.SECONDS);
            assertThat(d).as("a push within 20 s").isNotNull();
            assertThat(d.contentEncoding()).isEqualTo("aes128gcm");
            assertThat(Integer.parseInt(d.ttl())).isPositive();
            checkVapid(
                    d.authorization(),
                    serverKey,
                    "http://127.0.0.1:" + pushService.getAddress().getPort());
            JsonNode message = ApiClient.JSON.readTree(decrypt(d.body(), browser, browserPublic, authSecret));
            assertThat(message.get("title").asText())
                    .contains("tamper_case_open")
                    .contains("meter-1");
            assertThat(message.get("url").asText()).isEqualTo("/customer.html#alarms");
            assertThat(received.poll(7, TimeUnit.SECONDS))
                    .as("the leak alarm is not pushed")
                    .isNull();

            // the browser unsubscribed: its push service answers 410, and the subscription goes
            answer.set(410);
            assertThat(api.send("POST", "/api/v1/events", key, """
                            {"device":"meter-2","type":"tamper_case_open"}""").statusCode())
                    .isBetween(200, 299);
            assertThat(received.poll(20, TimeUnit.SECONDS)).isNotNull();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (api.json("GET", "/api/v1/notifications", key, null)
                                    .get("push_subscriptions")
                                    .size()
                            > 0
                    && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(api.json("GET", "/api/v1/notifications", key, null)
                            .get("push_subscriptions")
                            .size())
                    .isZero();
            assertThat(api.send("DELETE", "/api/v1/notifications/push-subscriptions/0123", key, null)
                            .statusCode())
                    .isEqualTo(404);
        } finally {
            pushService.stop(0);
        }
    }

    @Test
    void aBrowserWhosePushServiceFails_getsItLater_andTheOthersGetItOnce() throws Exception {
        Map<String, java.util.List<Integer>> answered = new java.util.concurrent.ConcurrentHashMap<>();
        AtomicInteger flakyCalls = new AtomicInteger();
        HttpServer pushService = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        pushService.createContext("/push/", exchange -> {
            String who = exchange.getRequestURI().getPath().substring("/push/".length());
            exchange.getRequestBody().readAllBytes();
            int status = who.equals("flaky") && flakyCalls.incrementAndGet() <= 2 ? 503 : 201;
            answered.computeIfAbsent(who, w -> new java.util.concurrent.CopyOnWriteArrayList<>())
                    .add(status);
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        pushService.start();
        String base = "http://127.0.0.1:" + pushService.getAddress().getPort() + "/push/";
        try (Meterbase server = Meterbase.start(
                TestConfigs.httpOnly(dir).with("webhooks.allow-ranges", "127.0.0.0/8"), Clock.systemUTC())) {
            ApiClient api = new ApiClient(server.httpPort());
            String key = key(server, "Ana");
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            for (String who : List.of("steady", "flaky")) {
                byte[] pub = uncompressed((ECPublicKey) g.generateKeyPair().getPublic());
                assertThat(api.send(
                                        "POST",
                                        "/api/v1/notifications/push-subscriptions",
                                        key,
                                        subscription(base + who, b64(pub), new byte[16]))
                                .statusCode())
                        .isEqualTo(201);
            }
            api.json("PUT", "/api/v1/notifications", key, "{\"push\":true}");
            upload(api, key, "meter-1");
            assertThat(api.send("POST", "/api/v1/events", key, """
                            {"device":"meter-1","type":"tamper_case_open"}""").statusCode())
                    .isBetween(200, 299);

            // the flaky push service refuses twice (503), then takes it: three flushes, about 15 s
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
            while (!answered.getOrDefault("flaky", List.of()).contains(201) && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertThat(answered.get("flaky")).containsExactly(503, 503, 201);
            assertThat(answered.get("steady"))
                    .as("sent once, not again with each retry")
                    .containsExactly(201);
        } finally {
            pushService.stop(0);
        }
    }

    @Test
    void aSubscription_canBeRemoved_byItsOwnerOnly() throws Exception {
        try (Meterbase server = Meterbase.start(
                TestConfigs.httpOnly(dir).with("webhooks.allow-ranges", "127.0.0.0/8"), Clock.systemUTC())) {
            ApiClient api = new ApiClient(server.httpPort());
            String ana = key(server, "Ana");
            String ben = key(server, "Ben");
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            byte[] pub = uncompressed((ECPublicKey) g.generateKeyPair().getPublic());
            JsonNode s = ApiClient.JSON.readTree(api.send(
                            "POST",
                            "/api/v1/notifications/push-subscriptions",
                            ana,
                            subscription("http://127.0.0.1:9/push/a", b64(pub), new byte[16]))
                    .body());
            String id = s.get("id").asText();
            assertThat(api.send("DELETE", "/api/v1/notifications/push-subscriptions/" + id, ben, null)
                            .statusCode())
                    .isEqualTo(404);
            assertThat(api.send("DELETE", "/api/v1/notifications/push-subscriptions/" + id, ana, null)
                            .statusCode())
                    .isEqualTo(204);
            assertThat(api.json("GET", "/api/v1/notifications", ana, null)
                            .get("push_subscriptions")
                            .size())
                    .isZero();
        }
    }

    private static String key(Meterbase server, String name) {
        long customer = server.registry()
                .createCustomer(name, "Flat", null, null, "north", ZoneId.of("UTC"))
                .id();
        return server.registry()
                .createKey(customer, io.meterbase.core.model.Role.CUSTOMER, "owner")
                .secret();
    }

    private static void upload(ApiClient api, String key, String device) throws Exception {
        String upload = ApiClient.JSON.writeValueAsString(Map.of(
                "ts",
                System.currentTimeMillis(),
                "nodes",
                List.of(Map.of(
                        "id",
                        device,
                        "readings",
                        List.of(Map.of("quantity", "active_power", "unit", "W", "value", 5))))));
        assertThat(api.send("POST", "/api/v1/upload", key, upload).statusCode()).isEqualTo(200);
    }

    private static String subscription(String endpoint, String p256dh, byte[] auth) throws Exception {
        return ApiClient.JSON.writeValueAsString(
                Map.of("endpoint", endpoint, "keys", Map.of("p256dh", p256dh, "auth", b64(auth))));
    }

    /** The push service's check: {@code vapid t=<ES256 JWT>, k=<key>}, signed by that key, for this origin. */
    private static void checkVapid(String authorization, String serverKey, String origin) throws Exception {
        assertThat(authorization).startsWith("vapid ");
        Map<String, String> parts = new java.util.HashMap<>();
        for (String p : authorization.substring("vapid ".length()).split(",")) {
            String[] kv = p.strip().split("=", 2);
            parts.put(kv[0], kv[1]);
        }
        assertThat(parts.get("k")).isEqualTo(serverKey);
        String[] jwt = parts.get("t").split("\\.");
        Signature verify = Signature.getInstance("SHA256withECDSAinP1363Format");
        verify.initVerify(publicKey(Base64.getUrlDecoder().decode(serverKey)));
        verify.update((jwt[0] + "." + jwt[1]).getBytes(StandardCharsets.US_ASCII));
        assertThat(verify.verify(Base64.getUrlDecoder().decode(jwt[2])))
                .as("the VAPID token is signed by the server's key")
                .isTrue();
        JsonNode claims = ApiClient.JSON.readTree(Base64.getUrlDecoder().decode(jwt[1]));
        assertThat(claims.get("aud").asText()).isEqualTo(origin);
        assertThat(claims.get("exp").asLong()).isGreaterThan(System.currentTimeMillis() / 1000);
        assertThat(claims.get("sub").asText()).startsWith("mailto:");
    }

    /** What the browser does: RFC 8291 with the aes128gcm content coding of RFC 8188 (one record). */
    private static byte[] decrypt(byte[] body, KeyPair browser, byte[] browserPublic, byte[] authSecret)
            throws Exception {
        ByteBuffer b = ByteBuffer.wrap(body);
        byte[] salt = new byte[16];
        b.get(salt);
        b.getInt(); // record size
        byte[] serverPublic = new byte[b.get() & 0xff];
        b.get(serverPublic);
        byte[] ciphertext = new byte[b.remaining()];
        b.get(ciphertext);

        KeyAgreement ecdh = KeyAgreement.getInstance("ECDH");
        ecdh.init(browser.getPrivate());
        ecdh.doPhase(publicKey(serverPublic), true);
        byte[] shared = ecdh.generateSecret();
        byte[] keyInfo = concat("WebPush: info\0".getBytes(StandardCharsets.US_ASCII), browserPublic, serverPublic);
        byte[] ikm = expand(extract(authSecret, shared), keyInfo, 32);
        byte[] prk = extract(salt, ikm);
        byte[] cek = expand(prk, "Content-Encoding: aes128gcm\0".getBytes(StandardCharsets.US_ASCII), 16);
        byte[] nonce = expand(prk, "Content-Encoding: nonce\0".getBytes(StandardCharsets.US_ASCII), 12);
        Cipher aes = Cipher.getInstance("AES/GCM/NoPadding");
        aes.init(Cipher.DECRYPT_MODE, new SecretKeySpec(cek, "AES"), new GCMParameterSpec(128, nonce));
        byte[] padded = aes.doFinal(ciphertext);
        int end = padded.length - 1;
        while (end >= 0 && padded[end] == 0) {
            end--;
        }
        assertThat(padded[end]).as("the last record's delimiter").isEqualTo((byte) 2);
        return Arrays.copyOf(padded, end);
    }

    private static byte[] extract(byte[] salt, byte[] ikm) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(salt, "HmacSHA256"));
        return mac.doFinal(ikm);
    }

    private static byte[] expand(byte[] prk, byte[] info, int length) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(prk, "HmacSHA256"));
        mac.update(info);
        mac.update((byte) 1);
        return Arrays.copyOf(mac.doFinal(), length);
    }

    private static PublicKey publicKey(byte[] uncompressed) throws Exception {
        java.security.AlgorithmParameters p = java.security.AlgorithmParameters.getInstance("EC");
        p.init(new ECGenParameterSpec("secp256r1"));
        var spec = p.getParameterSpec(java.security.spec.ECParameterSpec.class);
        ECPoint w = new ECPoint(
                new java.math.BigInteger(1, Arrays.copyOfRange(uncompressed, 1, 33)),
                new java.math.BigInteger(1, Arrays.copyOfRange(uncompressed, 33, 65)));
        return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(w, spec));
    }

    private static byte[] uncompressed(ECPublicKey key) {
        byte[] out = new byte[65];
        out[0] = 4;
        byte[] x = key.getW().getAffineX().toByteArray();
        byte[] y = key.getW().getAffineY().toByteArray();
        System.arraycopy(x, Math.max(0, x.length - 32), out, 1 + Math.max(0, 32 - x.length), Math.min(32, x.length));
        System.arraycopy(y, Math.max(0, y.length - 32), out, 33 + Math.max(0, 32 - y.length), Math.min(32, y.length));
        return out;
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    private static String b64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
