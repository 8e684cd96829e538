package io.meterbase.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;

/** Sign-in accounts for the demo's people, made through the API as an operator would make them. */
final class DemoAccounts {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String LETTERS = "abcdefghijkmnpqrstuvwxyz23456789";

    private DemoAccounts() {}

    /** A password of 14 letters and digits that are hard to confuse. */
    static String password() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 14; i++) {
            b.append(LETTERS.charAt(RANDOM.nextInt(LETTERS.length())));
        }
        return b.toString();
    }

    /** Creates (or resets) an account; {@code customer} 0 makes an operator. */
    static void put(String base, String operatorKey, String username, String password, long customer)
            throws IOException, InterruptedException {
        String body = new ObjectMapper()
                .createObjectNode()
                .put("username", username)
                .put("password", password)
                .put("customer", customer)
                .toString();
        HttpResponse<String> r = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(base + "/api/v1/accounts"))
                                .header("Authorization", "Bearer " + operatorKey)
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(body))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 201) {
            throw new IOException("could not make the demo account " + username + ": " + r.body());
        }
    }
}
