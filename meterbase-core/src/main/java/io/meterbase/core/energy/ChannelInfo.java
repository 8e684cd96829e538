package io.meterbase.core.energy;

import io.meterbase.core.model.Channel;
import java.time.ZoneId;
import java.util.Optional;

/** What the rollup tracker needs to know about a channel: its definition and its site's time zone. */
public interface ChannelInfo {

    Optional<Channel> channel(int channelId);

    ZoneId zone(int channelId);
}
