-- Ids come from the database, so that several Meterbase nodes on one database never hand out the same one.
-- Customers, sites, gateways, devices and API keys share one id space; channels have their own (readings carry an
-- integer). Both start after the ids already stored.
CREATE SEQUENCE meterbase_ids;
SELECT setval('meterbase_ids', coalesce((SELECT max(id) FROM (SELECT id FROM customers UNION ALL SELECT id FROM sites
    UNION ALL SELECT id FROM gateways UNION ALL SELECT id FROM devices UNION ALL SELECT id FROM api_keys) ids), 0) + 1,
    false);
CREATE SEQUENCE meterbase_channel_ids AS integer;
SELECT setval('meterbase_channel_ids', coalesce((SELECT max(id) FROM channels), 0) + 1, false);
