package io.meterbase.core.api.community;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What the utility configures for a community (an area or feeder): its capacity, and the shares of it at which
 * the grid state becomes PEAK and CRITICAL.
 */
public record CommunitySettings(
        String community,
        @Nullable Double capacityKw,
        @Nullable Double peakAt,
        @Nullable Double criticalAt) {

    public CommunitySettings {
        if (community == null || community.isBlank()) {
            throw new IllegalArgumentException("community is required");
        }
        peakAt = peakAt == null ? 0.8 : peakAt;
        criticalAt = criticalAt == null ? 1.0 : criticalAt;
        if (capacityKw != null && !(capacityKw > 0)) {
            throw new IllegalArgumentException("capacity_kw must be positive");
        }
        if (!(peakAt > 0) || !(criticalAt > peakAt)) {
            throw new IllegalArgumentException("need 0 < peak_at < critical_at (shares of the capacity)");
        }
    }

    /** The share of the capacity from which the grid is at its peak (0.8 unless set). */
    public double peakShare() {
        return Objects.requireNonNull(peakAt, "set when made");
    }

    /** The share of the capacity from which the grid is critical (1.0 unless set). */
    public double criticalShare() {
        return Objects.requireNonNull(criticalAt, "set when made");
    }
}
