-- Energy flows both ways through some channels (a grid meter's power is negative while the home exports, a
-- battery's while it charges). energy: what flowed in the channel's direction (never negative); energy_out: what
-- flowed against it (never negative). Rollups made before this version netted both into energy: `meterbase
-- rebuild-rollups` books them again.
ALTER TABLE rollup_hourly ADD COLUMN energy_out double precision NOT NULL DEFAULT 0;
ALTER TABLE rollup_daily ADD COLUMN energy_out double precision NOT NULL DEFAULT 0;
