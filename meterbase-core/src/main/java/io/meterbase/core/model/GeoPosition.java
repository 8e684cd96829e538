package io.meterbase.core.model;

/** A WGS84 position in decimal degrees. */
public record GeoPosition(double latitude, double longitude) {

    public GeoPosition {
        if (!(latitude >= -90 && latitude <= 90)) {
            throw new IllegalArgumentException("latitude: must be within [-90, 90], was " + latitude);
        }
        if (!(longitude >= -180 && longitude <= 180)) {
            throw new IllegalArgumentException("longitude: must be within [-180, 180], was " + longitude);
        }
    }
}
