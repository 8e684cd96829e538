-- Documents of the control services (tariffs, price series, commands, schedules, demand-response programs and
-- events, community settings), kept as JSON text keyed by "<kind>/<id>".
CREATE TABLE documents (
    id         TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,
    body       TEXT NOT NULL,
    updated_at BIGINT
);
CREATE INDEX documents_kind ON documents (kind);
