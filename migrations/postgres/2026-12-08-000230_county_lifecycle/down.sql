DROP FUNCTION shuanglian_purge_audit(text, timestamp);
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END $$;
DROP TABLE county_deletions;
ALTER TABLE audit_log DROP COLUMN chain_id;
