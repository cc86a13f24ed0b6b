-- A county's data lifecycle (issue 17 item 6): export, restore, deletion with proof.

-- The county whose chain an audit entry continues. NULL: the entry's own county. A county
-- restored under a new tenant keeps its original chain (every hash covers the original id), so
-- its entries, and those appended after the restore, name that chain here.
ALTER TABLE audit_log ADD COLUMN chain_id TEXT;

-- A deleted county: its keys destroyed, its rows deleted, the certificate issued. The tenants row
-- stays (suspended) so the code is not silently reused and the certificate has its subject.
-- A platform table: it outlives the county's data by design.
CREATE TABLE county_deletions (
    county_id TEXT PRIMARY KEY REFERENCES tenants (id),
    deleted_at TIMESTAMP NOT NULL,
    deleted_by TEXT NOT NULL,
    -- The certificate (JSON) and its Ed25519 signature (base64) by the platform's key.
    certificate TEXT NOT NULL,
    signature TEXT NOT NULL
);

-- The audit log stays append-only, except that a deleted county's entries may be purged once
-- retained long enough (the retention rule itself is in the application: 6 months at least).
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND EXISTS (SELECT 1 FROM county_deletions WHERE county_id = OLD.tenant_id) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit_log is append-only';
END $$;

-- The application role may not delete audit entries at all (REVOKE in the migration runner);
-- the retention purge goes through this function, which deletes only a deleted county's entries
-- older than the given instant. It runs as the owner, under the county's row-level security.
CREATE FUNCTION shuanglian_purge_audit(county text, before timestamp) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
    n bigint;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM county_deletions WHERE county_id = county) THEN
        RAISE EXCEPTION 'shuanglian:county_not_deleted';
    END IF;
    PERFORM set_config('app.tenant_id', county, true);
    DELETE FROM audit_log WHERE tenant_id = county AND at < before;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END $$;
