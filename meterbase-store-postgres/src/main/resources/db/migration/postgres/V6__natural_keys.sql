-- A customer's gateway or device is one row per ref, a device's channel one row per name, whichever node registers
-- it first: the others insert nothing and take that row (insert-or-get). A database where two nodes of an earlier
-- version already registered one device twice fails here; docs/postgres.md shows how to find those rows.
CREATE UNIQUE INDEX gateways_customer_ref ON gateways (customer_id, ref);
CREATE UNIQUE INDEX devices_customer_ref ON devices (customer_id, ref);
CREATE UNIQUE INDEX channels_device_name ON channels (device_id, name);
