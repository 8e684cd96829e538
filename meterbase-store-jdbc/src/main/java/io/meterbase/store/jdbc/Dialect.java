package io.meterbase.store.jdbc;

import java.util.List;
import java.util.stream.Collectors;

/** The SQL that differs between the stores' databases. */
public enum Dialect {
    DUCKDB,
    POSTGRES;

    /** An insert that replaces the row with the same {@code key} (the first column). */
    public String upsert(String table, List<String> columns) {
        String placeholders = columns.stream().map(c -> "?").collect(Collectors.joining(", "));
        String insert = "INSERT " + (this == DUCKDB ? "OR REPLACE " : "") + "INTO " + table + " ("
                + String.join(", ", columns) + ") VALUES (" + placeholders + ")";
        if (this == DUCKDB) {
            return insert;
        }
        String updates =
                columns.stream().skip(1).map(c -> c + " = EXCLUDED." + c).collect(Collectors.joining(", "));
        return insert + " ON CONFLICT (" + columns.get(0) + ") DO UPDATE SET " + updates;
    }
}
