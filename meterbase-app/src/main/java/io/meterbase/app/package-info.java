/** The application: configuration, wiring of the stores, services, transports and web, and the command line. */
@NullMarked
package io.meterbase.app;

import org.jspecify.annotations.NullMarked;
