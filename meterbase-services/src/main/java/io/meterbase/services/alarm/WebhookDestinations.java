package io.meterbase.services.alarm;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where webhooks may post. A webhook's host is resolved, and every address it resolves to must be a public one: not
 * loopback, private (10/8, 172.16/12, 192.168/16, fc00::/7), link-local (169.254/16, fe80::/10, where cloud metadata
 * services answer), shared (100.64/10), unspecified, multicast or reserved — unless it lies in a range the operator
 * allows ({@code webhooks.allow-ranges}, e.g. {@code 10.20.0.0/16} for a receiver on the local network). So a
 * customer cannot make the server call into the network it runs in. Checked when a webhook is added and again
 * before every delivery (the name may resolve elsewhere by then). Thread-safe.
 */
public final class WebhookDestinations {

    /** A range of addresses: the first {@code bits} bits of {@code network}. */
    private record Range(byte[] network, int bits) {

        boolean contains(InetAddress address) {
            byte[] a = address.getAddress();
            if (a.length != network.length) {
                return false;
            }
            for (int i = 0; i < bits; i++) {
                int mask = 0x80 >>> (i % 8);
                if ((a[i / 8] & mask) != (network[i / 8] & mask)) {
                    return false;
                }
            }
            return true;
        }
    }

    private static final List<Range> NOT_PUBLIC = List.of(
            range("0.0.0.0/8"),
            range("100.64.0.0/10"),
            range("192.0.0.0/24"),
            range("198.18.0.0/15"),
            range("240.0.0.0/4"),
            range("fc00::/7"),
            range("64:ff9b::/96"),
            range("::/96"),
            range("2002::/16"),
            range("64:ff9b:1::/48"));

    private final List<Range> allowed;

    private WebhookDestinations(List<Range> allowed) {
        this.allowed = List.copyOf(allowed);
    }

    /** Public addresses only. */
    public static WebhookDestinations publicOnly() {
        return new WebhookDestinations(List.of());
    }

    /**
     * Public addresses and the given ranges ({@code 10.20.0.0/16}, {@code 127.0.0.1/32}, {@code fd00::/8}; blank
     * entries ignored).
     *
     * @throws IllegalArgumentException naming the range that is not one
     */
    public static WebhookDestinations allowing(List<String> ranges) {
        List<Range> out = new ArrayList<>();
        for (String r : ranges) {
            if (!r.isBlank()) {
                out.add(range(r.trim()));
            }
        }
        return new WebhookDestinations(out);
    }

    /** Why the server may not post to {@code url}, or empty when it may. Resolves the host (blocking). */
    public Optional<String> refusal(String url) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            return Optional.of("not a URL");
        }
        String scheme = uri.getScheme();
        if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))) {
            return Optional.of("a webhook url starts with http:// or https://");
        }
        String host = uri.getHost();
        if (host == null || host.isBlank()) {
            return Optional.of("the url has no host");
        }
        if (uri.getUserInfo() != null) {
            return Optional.of("the url may not hold a user name or password");
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            return Optional.of("its host " + host + " does not resolve");
        }
        for (InetAddress a : addresses) {
            if (!isPublic(a) && allowed.stream().noneMatch(r -> r.contains(a))) {
                return Optional.of("its host " + host + " is at " + a.getHostAddress()
                        + ", an address inside a private network (loopback, private, link-local or reserved);"
                        + " an operator may allow a range with webhooks.allow-ranges");
            }
        }
        return Optional.empty();
    }

    private static boolean isPublic(InetAddress a) {
        return !(a.isLoopbackAddress()
                || a.isSiteLocalAddress()
                || a.isLinkLocalAddress()
                || a.isAnyLocalAddress()
                || a.isMulticastAddress()
                || NOT_PUBLIC.stream().anyMatch(r -> r.contains(a)));
    }

    private static Range range(String text) {
        int slash = text.indexOf('/');
        String address = slash < 0 ? text : text.substring(0, slash);
        // only literal addresses: a name here would be resolved, which a range must not need
        if (!address.matches("[0-9.]+|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*")) {
            throw new IllegalArgumentException("webhooks.allow-ranges: '" + text + "' is not an address range");
        }
        byte[] network;
        try {
            network = InetAddress.getByName(address).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("webhooks.allow-ranges: '" + text + "' is not an address range", e);
        }
        int bits;
        try {
            bits = slash < 0 ? network.length * 8 : Integer.parseInt(text.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("webhooks.allow-ranges: '" + text + "' has no prefix length", e);
        }
        if (bits < 0 || bits > network.length * 8) {
            throw new IllegalArgumentException(
                    "webhooks.allow-ranges: '" + text + "': a prefix of 0 to " + network.length * 8 + " bits");
        }
        return new Range(network, bits);
    }
}
