package io.meterbase.core.store;

/**
 * The id spaces of the metadata: customers, sites, gateways, devices and API keys share one (a number names one
 * thing of any of those kinds); channels have their own (an {@code int}, as readings carry it).
 */
public enum IdKind {
    ENTITY("meterbase_ids"),
    CHANNEL("meterbase_channel_ids");

    private final String sequence;

    IdKind(String sequence) {
        this.sequence = sequence;
    }

    /** The name of the database sequence that hands out these ids, where the store has sequences. */
    public String sequence() {
        return sequence;
    }
}
