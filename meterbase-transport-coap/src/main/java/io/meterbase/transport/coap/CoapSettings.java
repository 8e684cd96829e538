package io.meterbase.transport.coap;

/** Where the CoAP server listens: plain UDP (discovery only) and DTLS. Port 0 picks a free one. */
public record CoapSettings(String host, int port, int dtlsPort) {}
