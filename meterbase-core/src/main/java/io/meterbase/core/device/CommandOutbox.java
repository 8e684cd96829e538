package io.meterbase.core.device;

import java.util.List;
import java.util.Map;

/** The commands waiting for devices, as transports deliver them; the command service implements it. */
public interface CommandOutbox {

    /**
     * The commands due for a sender that polls (the device or gateway of an upload), in their wire form; they count
     * as sent through {@code channel}.
     */
    List<Map<String, Object>> collect(long customerId, String senderRef, String channel);

    /** Adds a channel that pushes commands to connected devices as soon as they are due. */
    void addPush(CommandPush push);
}
