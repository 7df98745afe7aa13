-- Storage fee rules in dated versions: a price change is a new version
-- from a day on, and versions are never deleted, so a past month's
-- storage invoice is the same every time it is computed from the ledger.
-- valid_from: the warehouse's local day, as days since 1970-01-01.
CREATE TABLE storage_fee_versions (
    warehouse_id  BIGINT  NOT NULL REFERENCES warehouses (id),
    valid_from    BIGINT  NOT NULL,
    rules         TEXT    NOT NULL,
    created_at    BIGINT  NOT NULL,
    PRIMARY KEY (warehouse_id, valid_from)
);
CREATE FUNCTION storage_fee_versions_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'storage fee versions are never deleted';
END;
$$;
CREATE TRIGGER storage_fee_versions_no_delete BEFORE DELETE ON storage_fee_versions
FOR EACH ROW EXECUTE FUNCTION storage_fee_versions_kept();
CREATE TRIGGER storage_fee_versions_no_truncate BEFORE TRUNCATE ON storage_fee_versions
FOR EACH STATEMENT EXECUTE FUNCTION storage_fee_versions_kept();

-- The single rules kept so far applied to every day: they become the
-- first version, in force from the beginning.
INSERT INTO storage_fee_versions (warehouse_id, valid_from, rules, created_at)
SELECT warehouse_id, 0, rules, updated_at FROM storage_fee_rules;
DROP TABLE storage_fee_rules;
