package io.meterbase.core.store;

import java.util.Set;

/**
 * What {@link MetadataStore#saveAll} did not save because another process sharing the store had registered the
 * same thing first: the same (customer, ref) of a gateway or device, or the same (device, name) of a channel. Those
 * rows are {@code skipped} (with the devices behind a skipped gateway and the channels of a skipped device), and
 * {@code stored} holds the rows that were there first, for the registry to use instead.
 */
public record SaveConflicts(MetadataBatch stored, Set<Long> skipped, Set<Integer> skippedChannels) {

    /** Everything was saved. */
    public static final SaveConflicts NONE = new SaveConflicts(
            new MetadataBatch(java.util.List.of(), java.util.List.of(), java.util.List.of()), Set.of(), Set.of());

    public SaveConflicts {
        skipped = Set.copyOf(skipped);
        skippedChannels = Set.copyOf(skippedChannels);
    }

    public boolean isEmpty() {
        return skipped.isEmpty() && skippedChannels.isEmpty();
    }

    /** Whether any row of {@code batch} was not saved. */
    public boolean hits(MetadataBatch batch) {
        return batch.gateways().stream().anyMatch(g -> skipped.contains(g.id()))
                || batch.devices().stream().anyMatch(d -> skipped.contains(d.id()))
                || batch.channels().stream().anyMatch(c -> skippedChannels.contains(c.id()));
    }
}
