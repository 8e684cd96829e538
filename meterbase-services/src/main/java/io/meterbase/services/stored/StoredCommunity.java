package io.meterbase.services.stored;

import io.meterbase.core.api.community.CommunitySettings;

/** A community's grid settings as stored. */
public record StoredCommunity(String community, Double capacityKw, Double peakAt, Double criticalAt) {

    public static StoredCommunity of(CommunitySettings s) {
        return new StoredCommunity(s.community(), s.capacityKw(), s.peakAt(), s.criticalAt());
    }

    public CommunitySettings toApi() {
        return new CommunitySettings(community, capacityKw, peakAt, criticalAt);
    }
}
