package io.meterbase.core.ingest;

import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** A decoded payload: the readings of all nodes behind one gateway (or of one device), sent in one message. */
public record Upload(@Nullable String gatewayRef, List<NodeReport> nodes) implements DeviceMessage {

    public Upload {
        nodes = List.copyOf(nodes);
    }

    public int readingCount() {
        int n = 0;
        for (NodeReport node : nodes) {
            n += node.readings().size();
        }
        return n;
    }

    /** Who sent the upload: the gateway it names, else its single device; commands for it ride on the answer. */
    public Optional<String> sender() {
        if (gatewayRef != null) {
            return Optional.of(gatewayRef);
        }
        return nodes.size() == 1 ? Optional.of(nodes.get(0).ref()) : Optional.empty();
    }
}
