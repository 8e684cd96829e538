package io.meterbase.spark;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * A fleet's hourly history as the jobs read it: one row per meter and hour, {@code meter} (a key such as
 * {@code device:42/plug-1}), {@code hour} (the hour's start, a UTC timestamp) and {@code amount} (the consumption
 * in the hour, in the commodity's unit). Read from Parquet files, or straight from Meterbase's PostgreSQL store.
 */
public final class FleetHistory {

    /** The columns every input has. */
    public static final StructType SCHEMA = new StructType()
            .add("meter", DataTypes.StringType, false)
            .add("hour", DataTypes.TimestampType, false)
            .add("amount", DataTypes.DoubleType, true);

    private FleetHistory() {}

    /** Parquet files (a file or a directory of them) with at least the columns of {@link #SCHEMA}. */
    public static Dataset<Row> parquet(SparkSession spark, String path) {
        return spark.read().parquet(path).select("meter", "hour", "amount");
    }

    /**
     * The hourly consumption of every meter of one quantity (e.g. {@code WATER_VOLUME}, {@code GAS_VOLUME},
     * {@code ENERGY_IMPORT}) from Meterbase's PostgreSQL store, in {@code [from, to)} (ISO-8601 instants), read over
     * one JDBC connection and spread over {@code partitions} partitions by meter.
     */
    public static Dataset<Row> postgres(
            SparkSession spark,
            String jdbcUrl,
            String user,
            String password,
            String quantity,
            String from,
            String to,
            int partitions) {
        if (!quantity.matches("[A-Z_]+")) {
            throw new IllegalArgumentException("quantity: a Meterbase quantity such as WATER_VOLUME, was " + quantity);
        }
        String query =
                "(SELECT 'device:' || d.customer_id || '/' || d.ref AS meter, h.start AS hour, h.energy AS amount,"
                        + " h.channel_id FROM rollup_hourly h JOIN channels c ON c.id = h.channel_id"
                        + " JOIN devices d ON d.id = c.device_id WHERE c.quantity = '" + quantity + "'"
                        + " AND h.energy IS NOT NULL AND h.start >= timestamptz '" + java.time.Instant.parse(from) + "'"
                        + " AND h.start < timestamptz '" + java.time.Instant.parse(to) + "') AS fleet";
        java.util.Properties p = new java.util.Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        p.setProperty("driver", "org.postgresql.Driver");
        return spark.read()
                .jdbc(jdbcUrl, query, p)
                .groupBy("meter", "hour")
                .agg(org.apache.spark.sql.functions.sum("amount").as("amount"))
                .repartition(partitions, org.apache.spark.sql.functions.col("meter"));
    }
}
