-- Several nodes on one database keep one rate limit per key together: every node records, about once a second,
-- what each key spent of each limit on it since it last did, and takes what the other nodes recorded from its own
-- allowances (docs/architecture.md, "Rate limits across nodes"). Records older than a minute are removed. The
-- table is UNLOGGED: after a crash of the database it is empty, and limits start afresh.
CREATE UNLOGGED TABLE rate_spent (
    seq        BIGSERIAL PRIMARY KEY,
    node       TEXT NOT NULL,
    at         BIGINT NOT NULL DEFAULT (extract(epoch FROM clock_timestamp()) * 1000)::bigint,
    limit_name TEXT NOT NULL,
    key        TEXT NOT NULL,
    amount     DOUBLE PRECISION NOT NULL
);
CREATE INDEX rate_spent_at ON rate_spent (at);
