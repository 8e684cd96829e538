package io.meterbase.gateway;

import org.jspecify.annotations.Nullable;

/** A sensor node the gateway polls: its name, REST address and category (seed 000's node registration). */
public record Node(String name, String address, @Nullable String category) {

    public Node {
        if (name == null || !name.matches("[A-Za-z0-9._:@-]{1,64}")) {
            throw new IllegalArgumentException("name: 1-64 letters, digits or . _ : @ -, was " + name);
        }
        if (address == null || !(address.startsWith("http://") || address.startsWith("https://"))) {
            throw new IllegalArgumentException("address: an http(s) URL, was " + address);
        }
    }
}
