-- Several nodes on one database keep what they hold in memory (customers, devices, channels, keys, accounts,
-- grants...) coherent: every change to a metadata row or a document is announced on the channel
-- meterbase_changes as '<table>:<id>' (documents: 'documents:<kind>/<id>'), delivered when its transaction commits;
-- each node LISTENs and reads the changed rows again (docs/architecture.md, "Caches across nodes").
CREATE FUNCTION meterbase_row_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM pg_notify('meterbase_changes', TG_TABLE_NAME || ':' || OLD.id);
    ELSE
        PERFORM pg_notify('meterbase_changes', TG_TABLE_NAME || ':' || NEW.id);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER customers_changed AFTER INSERT OR UPDATE OR DELETE ON customers
    FOR EACH ROW EXECUTE FUNCTION meterbase_row_changed();
CREATE TRIGGER sites_changed AFTER INSERT OR UPDATE OR DELETE ON sites
    FOR EACH ROW EXECUTE FUNCTION meterbase_row_changed();
CREATE TRIGGER gateways_changed AFTER INSERT OR UPDATE OR DELETE ON gateways
    FOR EACH ROW EXECUTE FUNCTION meterbase_row_changed();
CREATE TRIGGER devices_changed AFTER INSERT OR UPDATE OR DELETE ON devices
    FOR EACH ROW EXECUTE FUNCTION meterbase_row_changed();
CREATE TRIGGER channels_changed AFTER INSERT OR UPDATE OR DELETE ON channels
    FOR EACH ROW EXECUTE FUNCTION meterbase_row_changed();
CREATE TRIGGER api_keys_changed AFTER INSERT OR UPDATE OR DELETE ON api_keys
    FOR EACH ROW EXECUTE FUNCTION meterbase_row_changed();
CREATE TRIGGER documents_changed AFTER INSERT OR UPDATE OR DELETE ON documents
    FOR EACH ROW EXECUTE FUNCTION meterbase_row_changed();
