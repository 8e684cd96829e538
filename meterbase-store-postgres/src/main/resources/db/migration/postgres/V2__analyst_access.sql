-- Read-only SQL access for analysts and third parties (seed 004): each analyst is a PostgreSQL login role,
-- member of meterbase_analysts, and sees only the readings and rollups of the customers granted to it.

CREATE TABLE analyst_grants (role_name text NOT NULL, customer_id bigint NOT NULL,
                             PRIMARY KEY (role_name, customer_id));

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'meterbase_analysts') THEN
        CREATE ROLE meterbase_analysts NOLOGIN;
    END IF;
END
$$;

-- The channels the logged-in analyst may read. SECURITY DEFINER so it can read the metadata tables that
-- analysts cannot; session_user is the analyst who logged in.
CREATE FUNCTION meterbase_granted_channels() RETURNS SETOF integer
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT ch.id FROM analyst_grants g
      JOIN devices d ON d.customer_id = g.customer_id
      JOIN channels ch ON ch.device_id = d.id
     WHERE g.role_name = session_user
$$;
REVOKE ALL ON FUNCTION meterbase_granted_channels() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION meterbase_granted_channels() TO meterbase_analysts;

-- Row-level security on readings (the parent and every monthly partition) and on the rollups. The owner
-- (the Meterbase server's user) is not subject to it.
DO $$
DECLARE t text;
BEGIN
    FOR t IN SELECT 'readings' UNION ALL SELECT 'rollup_hourly' UNION ALL SELECT 'rollup_daily'
             UNION ALL SELECT c.relname::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                       WHERE i.inhparent = 'readings'::regclass
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY analyst_read ON %I FOR SELECT TO meterbase_analysts'
                       ' USING (channel_id IN (SELECT meterbase_granted_channels()))', t);
        EXECUTE format('GRANT SELECT ON %I TO meterbase_analysts', t);
    END LOOP;
END
$$;

-- What an analyst may know about its channels.
CREATE VIEW analyst_channels AS
SELECT ch.id AS channel_id, d.ref AS device, d.name AS device_name, lower(d.category) AS category,
       ch.name AS channel, lower(ch.quantity) AS quantity, d.site_id, s.name AS site, s.community
  FROM channels ch JOIN devices d ON d.id = ch.device_id LEFT JOIN sites s ON s.id = d.site_id
 WHERE ch.id IN (SELECT meterbase_granted_channels());
GRANT SELECT ON analyst_channels TO meterbase_analysts;
GRANT USAGE ON SCHEMA public TO meterbase_analysts;
