-- What a key may do: its scope (customer, read_only, device, gateway, admin, operator, support), the device or
-- gateway a device or gateway key is for, and when a rotated key stops working. Keys made before have no scope:
-- they read as a customer's full key or an operator's admin key, so they keep working (docs/security.md).
ALTER TABLE api_keys ADD COLUMN scope text, ADD COLUMN target text, ADD COLUMN expires_at bigint;
