/** Fleet analytics as Apache Spark jobs: the server's detectors and clustering over a whole fleet's history. */
@NullMarked
package io.meterbase.spark;

import org.jspecify.annotations.NullMarked;
