package io.meterbase.transport.mqtt;

import io.meterbase.core.ingest.FormatRegistry;
import io.meterbase.core.ingest.TopicPattern;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which topics a client may use, from the formats' topic patterns: it publishes on the topics of patterns whose
 * {@code {device}} level is its own user name, and on those of patterns that name no device (emonhub's
 * {@code emon/<node>/...}, whose levels name emonhub's nodes, all of the client's customer); it subscribes only to
 * its own command topics. A format registered with a topic is therefore open to MQTT clients with no other change.
 */
final class MqttPermissions {

    private final FormatRegistry formats;
    private final List<TopicPattern> patterns;

    MqttPermissions(FormatRegistry formats) {
        this.formats = formats;
        this.patterns = formats.topicPatterns();
    }

    /** The topic filters a client named {@code user} may publish to. */
    List<String> publishFilters(String user) {
        Set<String> filters = new LinkedHashSet<>();
        for (TopicPattern p : patterns) {
            filters.add(p.filter(user));
        }
        return new ArrayList<>(filters);
    }

    /** Whether a client named {@code user} may publish on {@code topic}. */
    boolean mayPublish(String user, String topic) {
        String[] levels = TopicPattern.levels(topic);
        for (TopicPattern p : formats.topicPatterns(levels)) {
            if (p.matches(levels) && (!p.namesDevice() || user.equals(p.device(levels)))) {
                return true;
            }
        }
        return false;
    }

    /** The topic filters a client named {@code user} may subscribe to: its own command topics. */
    static String[] subscribeFilters(String user) {
        return new String[] {"meterbase/" + user + "/down", "cmnd/" + user + "/#", user + "/rpc"};
    }
}
