package io.meterbase.services.stored;

import io.meterbase.core.api.community.CommunitySettings;
import org.jspecify.annotations.Nullable;

/** A community's grid settings as stored. */
public record StoredCommunity(
        String community,
        @Nullable Double capacityKw,
        @Nullable Double peakAt,
        @Nullable Double criticalAt) {

    public static StoredCommunity of(CommunitySettings s) {
        return new StoredCommunity(s.community(), s.capacityKw(), s.peakAt(), s.criticalAt());
    }

    public CommunitySettings toApi() {
        return new CommunitySettings(community, capacityKw, peakAt, criticalAt);
    }
}
