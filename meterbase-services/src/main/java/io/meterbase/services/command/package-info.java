/** Commands to devices: queued, signed when they switch supply, handed to a transport, acknowledged. */
@NullMarked
package io.meterbase.services.command;

import org.jspecify.annotations.NullMarked;
