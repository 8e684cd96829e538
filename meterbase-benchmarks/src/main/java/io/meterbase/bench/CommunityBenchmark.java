package io.meterbase.bench;

import io.meterbase.core.api.community.Metric;
import io.meterbase.services.community.CommunityStats;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Community comparison at scale: {@code customers} customers in one community (the worst case: one tree holds
 * them all), each with a live power value. Measures one update (a customer's new value) and one read (a
 * customer's minimum, maximum, average, rank and percentile). Run with {@code scripts/bench-community}.
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.AverageTime, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgs = {"-Xmx4g"})
public class CommunityBenchmark {

    @Param({"1000", "1000000"})
    int customers;

    private CommunityStats stats;
    private SplittableRandom random;

    @Setup(Level.Trial)
    public void fill() {
        stats = new CommunityStats(5);
        random = new SplittableRandom(1);
        for (long c = 0; c < customers; c++) {
            stats.update(c, "feeder-1", Metric.POWER, power());
        }
    }

    /** Household power: mostly a few hundred watts, some kilowatts, rounded to 0.1 W so that ties occur. */
    private double power() {
        return Math.round(random.nextDouble() * random.nextDouble() * 8000) / 10.0 * 10;
    }

    @Benchmark
    public void update() {
        stats.update(random.nextLong(customers), "feeder-1", Metric.POWER, power());
    }

    @Benchmark
    public void read(Blackhole bh) {
        bh.consume(stats.compare(random.nextLong(customers), Metric.POWER));
    }
}
