-- Compressed history (docs/postgres.md, "Compressed history"). Readings arrive one row each in readings_raw (the
-- table that was called readings): 86 bytes a reading with its index. Once a UTC day is closed, the compaction job
-- rewrites each channel's readings of that day as one row of readings_packed: times as the first reading's offset
-- from the day's start and one step in milliseconds when they are evenly spaced, else as deltas in milliseconds
-- (the first from the day's start); values as integers with one decimal divisor for the row when every value is
-- exactly such a decimal (smallint when they fit, else integer), else as doubles; one quality for the row, or one
-- per reading when they differ. The arrays are compressed by PostgreSQL (lz4, TOAST).
--
-- readings is now a view of both, with the same columns as before, and readings_<yyyy>_<mm> one month of it:
-- analysts' SQL and pandas.read_sql_table read what they read before. The views run with the reader's rights, so
-- the row-level security of both tables applies through them.

ALTER TABLE readings RENAME TO readings_raw;

CREATE TABLE readings_packed (
    period_start timestamptz NOT NULL,
    channel_id   integer     NOT NULL,
    n            integer     NOT NULL,
    quality      smallint,
    divisor      double precision,
    first_ms     integer,
    step_ms      integer,
    deltas       integer[],
    small        smallint[],
    scaled       integer[],
    raw          double precision[],
    qualities    smallint[]
) PARTITION BY RANGE (period_start);
CREATE UNIQUE INDEX readings_packed_channel_period ON readings_packed (channel_id, period_start);

-- The readings of one packed row, oldest first. Inlined by the planner into the queries that use it.
-- Evenly spaced readings (most meters): no deltas, the i-th at p_start + p_first + (i - 1) * p_step.
CREATE FUNCTION meterbase_unpack(p_start timestamptz, p_deltas integer[], p_small smallint[], p_scaled integer[],
                                 p_divisor double precision, p_raw double precision[], p_qualities smallint[],
                                 p_quality smallint, p_first integer, p_step integer)
    RETURNS TABLE (ts timestamptz, value double precision, quality smallint)
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT p_start + (CASE WHEN p_deltas IS NULL THEN p_first + (u.i - 1) * p_step::bigint
                           ELSE sum(u.d) OVER (ORDER BY u.i) END) * interval '1 millisecond',
           coalesce(coalesce(u.s2::double precision, u.s4::double precision) / p_divisor, u.r),
           coalesce(u.q, p_quality)
      FROM unnest(p_deltas, p_small, p_scaled, p_raw, p_qualities) WITH ORDINALITY AS u(d, s2, s4, r, q, i)
$$;

ALTER TABLE readings_packed ENABLE ROW LEVEL SECURITY;
CREATE POLICY analyst_read ON readings_packed FOR SELECT TO meterbase_analysts
    USING (channel_id IN (SELECT meterbase_granted_channels()));
GRANT SELECT ON readings_packed TO meterbase_analysts;

-- Each month: readings_raw_<m> and readings_packed_<m> (row-level security, compression), and the view
-- readings_<m>. The application calls this when it first writes into a month.
CREATE FUNCTION meterbase_create_month(first_day date) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    m text := to_char(first_day, 'YYYY_MM');
    lo text := quote_literal(first_day::text || ' 00:00:00+00');
    hi text := quote_literal((first_day + interval '1 month')::date::text || ' 00:00:00+00');
    t text;
BEGIN
    IF to_regclass('readings_raw_' || m) IS NULL THEN
        EXECUTE format('CREATE TABLE %I PARTITION OF readings_raw FOR VALUES FROM (%s) TO (%s)',
                       'readings_raw_' || m, lo, hi);
    END IF;
    IF to_regclass('readings_packed_' || m) IS NULL THEN
        EXECUTE format('CREATE TABLE %I PARTITION OF readings_packed FOR VALUES FROM (%s) TO (%s)'
                       ' WITH (toast_tuple_target = 128)', 'readings_packed_' || m, lo, hi);
        BEGIN
            EXECUTE format('ALTER TABLE %I ALTER COLUMN deltas SET COMPRESSION lz4, ALTER COLUMN small SET COMPRESSION'
                           ' lz4, ALTER COLUMN scaled SET COMPRESSION lz4, ALTER COLUMN raw SET COMPRESSION lz4,'
                           ' ALTER COLUMN qualities SET COMPRESSION lz4', 'readings_packed_' || m);
        EXCEPTION WHEN feature_not_supported THEN
            NULL; -- a server built without lz4 compresses with its default (pglz)
        END;
    END IF;
    FOREACH t IN ARRAY ARRAY['readings_raw_' || m, 'readings_packed_' || m] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        IF NOT EXISTS (SELECT FROM pg_policies WHERE tablename = t AND policyname = 'analyst_read') THEN
            EXECUTE format('CREATE POLICY analyst_read ON %I FOR SELECT TO meterbase_analysts'
                           ' USING (channel_id IN (SELECT meterbase_granted_channels()))', t);
        END IF;
        EXECUTE format('GRANT SELECT ON %I TO meterbase_analysts', t);
    END LOOP;
    EXECUTE format('CREATE OR REPLACE VIEW %I WITH (security_invoker = true) AS'
                   ' SELECT ts, value, channel_id, quality FROM %I'
                   ' UNION ALL SELECT u.ts, u.value, p.channel_id, u.quality FROM %I p CROSS JOIN LATERAL'
                   ' meterbase_unpack(p.period_start, p.deltas, p.small, p.scaled, p.divisor, p.raw, p.qualities,'
                   ' p.quality, p.first_ms, p.step_ms) u', 'readings_' || m, 'readings_raw_' || m, 'readings_packed_' || m);
    EXECUTE format('GRANT SELECT ON %I TO meterbase_analysts', 'readings_' || m);
END
$$;

-- The months written so far: their raw partitions are renamed, then each month gets its packed partition and view.
DO $$
DECLARE part text;
BEGIN
    FOR part IN SELECT c.relname::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                 WHERE i.inhparent = 'readings_raw'::regclass AND c.relname ~ '^readings_\d{4}_\d{2}$' LOOP
        EXECUTE format('ALTER TABLE %I RENAME TO %I', part, 'readings_raw_' || substr(part, 10));
        PERFORM meterbase_create_month(to_date(substr(part, 10), 'YYYY_MM'));
    END LOOP;
END
$$;

-- The analysts' wide views made before (analyst wide-views) read a month's table, now readings_raw_<m>: they read
-- the month's view instead, which holds its packed days too.
DO $$
DECLARE v record;
BEGIN
    FOR v IN SELECT c.oid, c.relname::text AS name FROM pg_class c
              WHERE c.relkind = 'v' AND c.relname LIKE 'wide\_site\_%' AND c.relnamespace = current_schema()::regnamespace
    LOOP
        EXECUTE format('CREATE OR REPLACE VIEW %I.%I WITH (security_invoker = true) AS %s', current_schema(), v.name,
                       regexp_replace(pg_get_viewdef(v.oid), 'readings_raw_(\d{4}_\d{2})', 'readings_\1', 'g'));
    END LOOP;
END
$$;

CREATE VIEW readings WITH (security_invoker = true) AS
SELECT ts, value, channel_id, quality FROM readings_raw
UNION ALL
SELECT u.ts, u.value, p.channel_id, u.quality
  FROM readings_packed p
 CROSS JOIN LATERAL meterbase_unpack(p.period_start, p.deltas, p.small, p.scaled, p.divisor, p.raw, p.qualities,
                                     p.quality, p.first_ms, p.step_ms) u;
GRANT SELECT ON readings TO meterbase_analysts;

-- The days the compaction job has gone through (the newest is where it goes on from), with what it packed, and the
-- days that got readings after they were closed (late readings), which it goes through again.
CREATE TABLE compaction_log (day date PRIMARY KEY, channels integer NOT NULL, readings bigint NOT NULL,
                             packed_bytes bigint NOT NULL, at timestamptz NOT NULL);
-- seq: raised by every writer of late readings, so that the compaction forgets a day only if no late reading
-- came after it began to pack it.
CREATE SEQUENCE compaction_pending_seq;
CREATE TABLE compaction_pending (day date PRIMARY KEY, seq bigint NOT NULL);
