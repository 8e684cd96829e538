-- Consumption is booked to the time it covers (a step between two readings is shared among the hours it spans).
-- estimated: the part of a period's energy apportioned from a step longer than an hour (a register read daily, a
-- gap); gap_ms: how long in the period the consumption is unknown (power or interval readings missing). A period
-- that received only a share has count 0 and NULL min and max.
ALTER TABLE rollup_hourly ADD COLUMN estimated double precision NOT NULL DEFAULT 0,
                          ADD COLUMN gap_ms bigint NOT NULL DEFAULT 0;
ALTER TABLE rollup_daily ADD COLUMN estimated double precision NOT NULL DEFAULT 0,
                         ADD COLUMN gap_ms bigint NOT NULL DEFAULT 0;
