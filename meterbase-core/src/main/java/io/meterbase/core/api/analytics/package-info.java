/**
 * The port through which the edges (the HTTP API, pages) ask the analytics for their results, and the records of
 * its answers. The analytics module implements it and maps its stored documents to these records, so the answers
 * and the stored form can change separately; answers are serialized at the edge.
 */
@NullMarked
package io.meterbase.core.api.analytics;

import org.jspecify.annotations.NullMarked;
