/** The JSON mapper of the services' stored documents. */
@NullMarked
package io.meterbase.services.json;

import org.jspecify.annotations.NullMarked;
