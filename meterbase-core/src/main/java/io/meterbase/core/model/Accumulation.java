package io.meterbase.core.model;

/** How the values of a channel relate over time. */
public enum Accumulation {
    /** A value at an instant: power, voltage, temperature. */
    INSTANT,
    /** A cumulative register that only grows, except at rollover, reset or meter replacement. */
    CUMULATIVE,
    /** The amount consumed since the previous reading of the channel. */
    INTERVAL
}
