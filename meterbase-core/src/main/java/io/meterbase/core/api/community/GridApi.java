package io.meterbase.core.api.community;

/** The state of a community's grid (a feeder or area) against the limits its operator sets. */
public interface GridApi {

    /** Sets a community's limits; returns them as stored. */
    CommunitySettings configure(CommunitySettings settings);

    GridState state(String community);
}
