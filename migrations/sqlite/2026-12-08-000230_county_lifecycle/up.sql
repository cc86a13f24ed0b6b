-- A county's data lifecycle (issue 17 item 6): export, restore, deletion with proof.
-- See the PostgreSQL migration for the reasons.
ALTER TABLE audit_log ADD COLUMN chain_id TEXT;

CREATE TABLE county_deletions (
    county_id TEXT PRIMARY KEY REFERENCES tenants (id),
    deleted_at TIMESTAMP NOT NULL,
    deleted_by TEXT NOT NULL,
    certificate TEXT NOT NULL,
    signature TEXT NOT NULL
);

DROP TRIGGER audit_log_no_delete;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
WHEN NOT EXISTS (SELECT 1 FROM county_deletions WHERE county_id = OLD.tenant_id)
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
