package io.meterbase.store.postgres;

import java.time.Duration;
import java.time.Instant;

/** A process that packs every closed day of a database, a part of 2,000 readings at a time, printing each day done. */
public final class CompactionChild {

    private CompactionChild() {}

    public static void main(String[] args) {
        try (PostgresStore store = PostgresStore.open(new PostgresOptions(args[0], args[1], args[2], 2, false))) {
            System.out.println("compacting");
            System.out.flush();
            store.compaction(2_000).compact(Instant.now(), Duration.ofHours(1), line -> {
                System.out.println(line);
                System.out.flush();
            });
            System.out.println("done");
        }
    }
}
