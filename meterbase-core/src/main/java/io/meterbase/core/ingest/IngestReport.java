package io.meterbase.core.ingest;

import java.util.List;

/**
 * The answer to one submission once it is durable: how many readings are stored (including re-sent ones that
 * were stored before, counted again in {@code duplicates}) and each refused reading with its reason.
 */
public record IngestReport(int accepted, int duplicates, List<Rejection> rejections) {

    /** Nothing stored, nothing refused: the report of a message without readings. */
    public static final IngestReport EMPTY = new IngestReport(0, 0, List.of());

    public IngestReport {
        rejections = List.copyOf(rejections);
    }

    public int rejected() {
        return rejections.size();
    }
}
