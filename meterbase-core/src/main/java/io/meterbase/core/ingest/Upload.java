package io.meterbase.core.ingest;

import java.util.List;

/** A decoded payload: the readings of all nodes behind one gateway (or of one device), sent in one message. */
public record Upload(String gatewayRef, List<NodeReport> nodes) {

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
}
