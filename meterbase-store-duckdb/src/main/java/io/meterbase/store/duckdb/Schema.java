package io.meterbase.store.duckdb;

import java.time.YearMonth;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The DDL of the embedded store, and the naming of its monthly reading tables. */
final class Schema {

    static final Pattern MONTH_TABLE = Pattern.compile("readings_(\\d{4})_(\\d{2})");

    static final List<String> TABLES = List.of(
            "CREATE TABLE IF NOT EXISTS customers (id BIGINT PRIMARY KEY, name VARCHAR NOT NULL,"
                    + " created_at BIGINT NOT NULL)",
            "CREATE TABLE IF NOT EXISTS sites (id BIGINT PRIMARY KEY, customer_id BIGINT NOT NULL, name VARCHAR,"
                    + " address VARCHAR, lat DOUBLE, lon DOUBLE, community VARCHAR, zone VARCHAR)",
            "CREATE TABLE IF NOT EXISTS gateways (id BIGINT PRIMARY KEY, customer_id BIGINT NOT NULL,"
                    + " site_id BIGINT, ref VARCHAR, name VARCHAR, address VARCHAR, port INTEGER)",
            "CREATE TABLE IF NOT EXISTS devices (id BIGINT PRIMARY KEY, customer_id BIGINT NOT NULL,"
                    + " site_id BIGINT, gateway_id BIGINT, ref VARCHAR, name VARCHAR, type VARCHAR, category VARCHAR)",
            "CREATE TABLE IF NOT EXISTS channels (id INTEGER PRIMARY KEY, device_id BIGINT NOT NULL,"
                    + " name VARCHAR, quantity VARCHAR, accumulation VARCHAR)",
            "CREATE TABLE IF NOT EXISTS api_keys (id BIGINT PRIMARY KEY, customer_id BIGINT, role VARCHAR,"
                    + " label VARCHAR, prefix VARCHAR, hash VARCHAR, created_at BIGINT, revoked_at BIGINT)",
            "CREATE TABLE IF NOT EXISTS documents (id VARCHAR PRIMARY KEY, kind VARCHAR NOT NULL, body VARCHAR NOT NULL,"
                    + " updated_at BIGINT)",
            "CREATE TABLE IF NOT EXISTS quarantine (received_at BIGINT, source VARCHAR, customer_id BIGINT,"
                    + " reason VARCHAR, detail VARCHAR, payload VARCHAR)",
            "CREATE TABLE IF NOT EXISTS rollup_hourly (channel_id INTEGER, start BIGINT, count BIGINT, sum DOUBLE,"
                    + " min DOUBLE, max DOUBLE, energy DOUBLE, PRIMARY KEY (channel_id, start))",
            "CREATE TABLE IF NOT EXISTS rollup_daily (channel_id INTEGER, start BIGINT, count BIGINT, sum DOUBLE,"
                    + " min DOUBLE, max DOUBLE, energy DOUBLE, PRIMARY KEY (channel_id, start))",
            "CREATE TABLE IF NOT EXISTS stale_hours (channel_id INTEGER, hour BIGINT)",
            // estimated consumption and gaps of a period (files made before they were kept have none)
            "ALTER TABLE rollup_hourly ADD COLUMN IF NOT EXISTS estimated DOUBLE DEFAULT 0",
            "ALTER TABLE rollup_hourly ADD COLUMN IF NOT EXISTS gap_ms BIGINT DEFAULT 0",
            "ALTER TABLE rollup_daily ADD COLUMN IF NOT EXISTS estimated DOUBLE DEFAULT 0",
            "ALTER TABLE rollup_daily ADD COLUMN IF NOT EXISTS gap_ms BIGINT DEFAULT 0",
            // energy against a channel's direction (export, charge); files made before kept none
            "ALTER TABLE rollup_hourly ADD COLUMN IF NOT EXISTS energy_out DOUBLE DEFAULT 0",
            "ALTER TABLE rollup_daily ADD COLUMN IF NOT EXISTS energy_out DOUBLE DEFAULT 0",
            // what a key may do (keys made before have none: a customer's full key, an operator's admin key)
            "ALTER TABLE api_keys ADD COLUMN IF NOT EXISTS scope VARCHAR",
            "ALTER TABLE api_keys ADD COLUMN IF NOT EXISTS target VARCHAR",
            "ALTER TABLE api_keys ADD COLUMN IF NOT EXISTS expires_at BIGINT");

    static final List<String> STAGING = List.of(
            "CREATE TEMP TABLE IF NOT EXISTS stage_readings (channel_id INTEGER, ts BIGINT, value DOUBLE,"
                    + " quality UTINYINT)",
            "CREATE TEMP TABLE IF NOT EXISTS stage_rollups (channel_id INTEGER, start BIGINT, count BIGINT,"
                    + " sum DOUBLE, min DOUBLE, max DOUBLE, energy DOUBLE, estimated DOUBLE, gap_ms BIGINT,"
                    + " energy_out DOUBLE)",
            "CREATE TEMP TABLE IF NOT EXISTS stage_days (channel_id INTEGER, start BIGINT, finish BIGINT)");

    /** Staging of registrations on the metadata connection, appended then moved in one transaction. */
    static final List<String> METADATA_STAGING = List.of(
            "CREATE TEMP TABLE IF NOT EXISTS stage_gateways (id BIGINT, customer_id BIGINT, site_id BIGINT,"
                    + " ref VARCHAR, name VARCHAR, address VARCHAR, port INTEGER)",
            "CREATE TEMP TABLE IF NOT EXISTS stage_devices (id BIGINT, customer_id BIGINT, site_id BIGINT,"
                    + " gateway_id BIGINT, ref VARCHAR, name VARCHAR, type VARCHAR, category VARCHAR)",
            "CREATE TEMP TABLE IF NOT EXISTS stage_channels (id INTEGER, device_id BIGINT, name VARCHAR,"
                    + " quantity VARCHAR, accumulation VARCHAR)");

    private Schema() {}

    static String monthTable(YearMonth month) {
        return String.format("readings_%04d_%02d", month.getYear(), month.getMonthValue());
    }

    static YearMonth monthOf(String table) {
        Matcher m = MONTH_TABLE.matcher(table);
        if (!m.matches()) {
            throw new IllegalArgumentException("table: not a month table: " + table);
        }
        return YearMonth.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
    }

    static String createMonth(YearMonth month) {
        return "CREATE TABLE IF NOT EXISTS " + monthTable(month)
                + " (channel_id INTEGER NOT NULL, ts BIGINT NOT NULL, value DOUBLE NOT NULL,"
                + " quality UTINYINT NOT NULL)";
    }
}
