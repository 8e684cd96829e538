package io.meterbase.core.ingest;

import java.util.List;

/**
 * The answer to one submission once it is durable: how many readings are stored (including re-sent ones that
 * were stored before, counted again in {@code duplicates}) and each refused reading with its reason.
 */
public record IngestReport(int accepted, int duplicates, List<Rejection> rejections) {

    public int rejected() {
        return rejections.size();
    }
}
