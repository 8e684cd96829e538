-- Meterbase schema on PostgreSQL. Metadata columns match the embedded store's (shared JDBC mapping).

CREATE TABLE customers (id bigint PRIMARY KEY, name text NOT NULL, created_at bigint NOT NULL);
CREATE TABLE sites (id bigint PRIMARY KEY, customer_id bigint NOT NULL, name text, address text,
                    lat double precision, lon double precision, community text, zone text);
CREATE TABLE gateways (id bigint PRIMARY KEY, customer_id bigint NOT NULL, site_id bigint, ref text, name text,
                       address text, port integer);
CREATE TABLE devices (id bigint PRIMARY KEY, customer_id bigint NOT NULL, site_id bigint, gateway_id bigint,
                      ref text, name text, type text, category text);
CREATE TABLE channels (id integer PRIMARY KEY, device_id bigint NOT NULL, name text, quantity text,
                       accumulation text);
CREATE TABLE api_keys (id bigint PRIMARY KEY, customer_id bigint, role text, label text, prefix text, hash text,
                       created_at bigint, revoked_at bigint);
CREATE INDEX devices_customer ON devices (customer_id);
CREATE INDEX channels_device ON channels (device_id);

CREATE TABLE quarantine (received_at timestamptz NOT NULL, source text, customer_id bigint, reason text,
                         detail text, payload text);
CREATE INDEX quarantine_received ON quarantine (received_at DESC);

-- Readings, one partition per UTC month (created ahead by the application). Columns are ordered widest first
-- so rows carry no alignment padding.
CREATE TABLE readings (
    ts         timestamptz      NOT NULL,
    value      double precision NOT NULL,
    channel_id integer          NOT NULL,
    quality    smallint         NOT NULL
) PARTITION BY RANGE (ts);
-- Per-channel range reads (charts, duplicate checks, neighbours) use the B-tree; time-range scans over all
-- channels (exports, analyst queries) use the small BRIN index. See docs/benchmarks.md for the measurements.
CREATE INDEX readings_channel_ts ON readings (channel_id, ts);
CREATE INDEX readings_ts_brin ON readings USING brin (ts);

CREATE TABLE rollup_hourly (channel_id integer NOT NULL, start timestamptz NOT NULL, count bigint NOT NULL,
                            sum double precision, min double precision, max double precision,
                            energy double precision, PRIMARY KEY (channel_id, start));
CREATE TABLE rollup_daily (channel_id integer NOT NULL, start timestamptz NOT NULL, count bigint NOT NULL,
                           sum double precision, min double precision, max double precision,
                           energy double precision, PRIMARY KEY (channel_id, start));
CREATE TABLE stale_hours (channel_id integer NOT NULL, hour timestamptz NOT NULL);
