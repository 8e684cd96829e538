-- Several nodes on one database (docs/architecture.md, "Readings stored once across nodes").
--
-- A reading is stored once per channel and timestamp whichever node receives it: the per-channel index becomes
-- unique. Readings stored twice by older versions (the same reading re-sent to two nodes) are removed first, one
-- copy kept, and their hours marked stale so that their rollups are recomputed from what is left at the next start.
WITH removed AS (
    DELETE FROM readings a USING readings b
    WHERE a.channel_id = b.channel_id AND a.ts = b.ts AND a.tableoid = b.tableoid AND a.ctid > b.ctid
    RETURNING a.channel_id, a.ts
)
INSERT INTO stale_hours
SELECT DISTINCT channel_id, date_trunc('hour', ts AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' FROM removed;

DROP INDEX readings_channel_ts;
CREATE UNIQUE INDEX readings_channel_ts ON readings (channel_id, ts);

-- Hourly rollups of a channel that several nodes write: writer is the node that wrote the row last from its
-- running totals (0: recomputed before this version), version counts the row's writes. A node updates a row from
-- its running totals only while it is the row's writer; a row another node wrote is recomputed from the stored
-- readings and replaced only if its version did not change since it was read.
ALTER TABLE rollup_hourly ADD COLUMN writer bigint NOT NULL DEFAULT 0,
                          ADD COLUMN version bigint NOT NULL DEFAULT 1;
