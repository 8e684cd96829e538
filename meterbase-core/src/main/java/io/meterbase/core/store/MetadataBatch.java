package io.meterbase.core.store;

import io.meterbase.core.model.Channel;
import io.meterbase.core.model.Device;
import io.meterbase.core.model.Gateway;
import java.util.List;

/**
 * Gateways, devices and channels registered together and saved in one transaction: a fleet of new meters costs one
 * commit, not one per meter.
 */
public record MetadataBatch(List<Gateway> gateways, List<Device> devices, List<Channel> channels) {

    public MetadataBatch {
        gateways = List.copyOf(gateways);
        devices = List.copyOf(devices);
        channels = List.copyOf(channels);
    }

    public boolean isEmpty() {
        return gateways.isEmpty() && devices.isEmpty() && channels.isEmpty();
    }

    public int size() {
        return gateways.size() + devices.size() + channels.size();
    }
}
