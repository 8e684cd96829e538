/**
 * The forms in which the services keep their documents in the store: tariffs, prices, community settings, alarms
 * and their rules, webhooks, schedules, demand-response programs and events, commands and relay states.
 *
 * <p>Each record maps to and from the API record of the same thing ({@code of} and {@code toApi}). The API's
 * records in {@code io.meterbase.core.api} may be renamed or reshaped for clients; these records keep the stored
 * JSON as it is, and only a deliberate change here (with a reader for the old form) changes what is on disk.
 * {@code StoredFormTest} pins each form to a document written by an earlier release. The enumerations (severity,
 * pricing, status…) are shared vocabulary: their lower-case names are both the API's values and the stored ones.
 */
@NullMarked
package io.meterbase.services.stored;

import org.jspecify.annotations.NullMarked;
