/** The benchmark commands: load generators and JMH runs, with the ceilings they are measured against. */
@NullMarked
package io.meterbase.bench;

import org.jspecify.annotations.NullMarked;
