package io.meterbase.core.model;

import java.time.ZoneId;
import org.jspecify.annotations.Nullable;

/**
 * A place where devices are installed: an address, a position, the community (area or feeder) it is compared
 * with, and the time zone in which its days and bills are counted.
 */
public record Site(
        long id,
        long customerId,
        String name,
        @Nullable String address,
        @Nullable GeoPosition position,
        String community,
        ZoneId zone) {

    public Site {
        Checks.positive(id, "id");
        Checks.positive(customerId, "customerId");
        Checks.notBlank(name, "name");
        Checks.notBlank(community, "community");
        Checks.notNull(zone, "zone");
    }
}
