package io.meterbase.core.query;

import io.meterbase.core.store.Bucket;
import java.util.List;

/** A downsampled series: which data it came from ({@code raw}, {@code hourly}, {@code daily}), bucket width, points. */
public record History(String source, long bucketMillis, List<Bucket> points) {}
