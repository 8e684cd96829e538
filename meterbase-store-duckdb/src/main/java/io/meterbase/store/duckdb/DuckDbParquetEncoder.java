package io.meterbase.store.duckdb;

import io.meterbase.core.model.Reading;
import io.meterbase.core.store.ExportChannel;
import io.meterbase.core.store.ParquetEncoder;
import io.meterbase.core.store.ReadingStore;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * Parquet through an in-memory DuckDB: readings are read from any {@link ReadingStore} page by page, appended to
 * a temporary in-memory table and written with DuckDB's Parquet writer (zstd). Works on top of either store.
 */
public final class DuckDbParquetEncoder implements ParquetEncoder {

    private static final int PAGE = 100_000;

    @Override
    public long write(List<ExportChannel> channels, ReadingStore store, long from, long to, OutputStream out)
            throws IOException {
        Path file = Files.createTempFile("meterbase-export", ".parquet");
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
                Statement s = c.createStatement()) {
            s.execute("SET threads = 1");
            s.execute("CREATE TABLE export (device VARCHAR, channel VARCHAR, quantity VARCHAR, unit VARCHAR,"
                    + " channel_id INTEGER, ts TIMESTAMP_MS, value DOUBLE, quality VARCHAR)");
            long n = 0;
            try (DuckDBAppender a = ((DuckDBConnection) c).createAppender("main", "export")) {
                for (ExportChannel ch : channels) {
                    long cursor = from;
                    while (true) {
                        List<Reading> page = store.readings(ch.channelId(), cursor, to, PAGE);
                        for (Reading r : page) {
                            a.beginRow();
                            a.append(ch.device());
                            a.append(ch.channel());
                            a.append(ch.quantity());
                            a.append(ch.unit());
                            a.append(ch.channelId());
                            a.appendEpochMillis(r.timestamp());
                            a.append(r.value());
                            a.append(r.quality().name().toLowerCase(Locale.ROOT));
                            a.endRow();
                        }
                        n += page.size();
                        if (page.size() < PAGE) {
                            break;
                        }
                        cursor = page.get(page.size() - 1).timestamp() + 1;
                    }
                }
            }
            s.execute("COPY (SELECT * FROM export ORDER BY ts, channel_id) TO '"
                    + file.toString().replace("'", "''") + "' (FORMAT parquet, COMPRESSION zstd)");
            Files.copy(file, out);
            return n;
        } catch (SQLException e) {
            throw new IOException("could not write Parquet: " + e.getMessage(), e);
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
