package io.meterbase.app;

import io.meterbase.core.api.command.Command;
import io.meterbase.core.device.CommandOutbox;
import io.meterbase.core.device.CommandPush;
import io.meterbase.services.command.CommandService;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The command service as the transports see it: commands to collect in upload answers, channels to push on. */
final class ServiceCommandOutbox implements CommandOutbox {

    private final CommandService commands;

    ServiceCommandOutbox(CommandService commands) {
        this.commands = commands;
    }

    @Override
    public List<Map<String, Object>> collect(long customerId, String senderRef, String channel) {
        List<Map<String, Object>> due = new ArrayList<>();
        for (Command c : commands.collect(customerId, senderRef, channel)) {
            due.add(c.wire());
        }
        return due;
    }

    @Override
    public void addPush(CommandPush push) {
        commands.addChannel(push);
    }
}
