DELETE FROM outbox WHERE obligation_id IN (SELECT id FROM obligations WHERE kind = 'coverage_report');
DELETE FROM obligations WHERE kind = 'coverage_report';
-- SQLite cannot change a CHECK in place: the table is rebuilt (SQLite's 12 steps; foreign keys
-- are off while migrating and checked before the commit, see db::migrate). The outbox's rows
-- keep naming `obligations`, which the new table answers; the tallies are kept, as the copy runs
-- before the triggers exist again.
CREATE TABLE obligations_new (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('two_way_reporting', 'quarterly_filing', 'semiannual_feedback', 'qq_join', 'data_verification', 'vanguard_evaluation', 'vanguard_county_report', 'floating_feedback', 'participation_letters', 'statistics_cutoff', 'service_request')),
    -- '2026Q3', '2026H1', '2026', or '' for obligations anchored on their subject's own date.
    period TEXT NOT NULL,
    subject_type TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    -- The unit that must act (and is chased).
    owner_org_unit_id TEXT NOT NULL,
    member_id TEXT,
    title TEXT NOT NULL,
    due_on DATE NOT NULL,
    done_at TIMESTAMP,
    done_by TEXT,
    overdue_since DATE,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, kind, subject_id, period),
    FOREIGN KEY (tenant_id, owner_org_unit_id) REFERENCES org_units (tenant_id, id)
);
INSERT INTO obligations_new (tenant_id, id, kind, period, subject_type, subject_id, owner_org_unit_id, member_id, title, due_on, done_at, done_by, overdue_since, created_at)
SELECT tenant_id, id, kind, period, subject_type, subject_id, owner_org_unit_id, member_id, title, due_on, done_at, done_by, overdue_since, created_at FROM obligations;
DROP TABLE obligations;
ALTER TABLE obligations_new RENAME TO obligations;
CREATE INDEX obligations_owner_idx ON obligations (tenant_id, owner_org_unit_id, due_on);
CREATE INDEX obligations_open_idx ON obligations (tenant_id, done_at, due_on);
CREATE INDEX obligations_member_idx ON obligations (tenant_id, member_id);
CREATE INDEX obligations_due_idx ON obligations (tenant_id, due_on, id);
CREATE INDEX obligations_open_due_idx ON obligations (tenant_id, due_on, id) WHERE done_at IS NULL;

CREATE TRIGGER obligation_tally_insert AFTER INSERT ON obligations
BEGIN
    INSERT INTO obligation_tallies (tenant_id, owner_org_unit_id, kind, due_on, open_n, done_n)
    VALUES (NEW.tenant_id, NEW.owner_org_unit_id, NEW.kind, NEW.due_on,
            NEW.done_at IS NULL, NEW.done_at IS NOT NULL)
    ON CONFLICT (tenant_id, owner_org_unit_id, kind, due_on) DO UPDATE
    SET open_n = open_n + excluded.open_n, done_n = done_n + excluded.done_n;
END;

CREATE TRIGGER obligation_tally_delete AFTER DELETE ON obligations
BEGIN
    UPDATE obligation_tallies
    SET open_n = open_n - (OLD.done_at IS NULL), done_n = done_n - (OLD.done_at IS NOT NULL)
    WHERE tenant_id = OLD.tenant_id AND owner_org_unit_id = OLD.owner_org_unit_id
      AND kind = OLD.kind AND due_on = OLD.due_on;
END;

-- Only a change that moves the row between tallies: the daily job's overdue_since stamp does not.
CREATE TRIGGER obligation_tally_update AFTER UPDATE OF owner_org_unit_id, kind, due_on, done_at ON obligations
WHEN OLD.owner_org_unit_id IS NOT NEW.owner_org_unit_id OR OLD.kind IS NOT NEW.kind
  OR OLD.due_on IS NOT NEW.due_on OR (OLD.done_at IS NULL) IS NOT (NEW.done_at IS NULL)
BEGIN
    UPDATE obligation_tallies
    SET open_n = open_n - (OLD.done_at IS NULL), done_n = done_n - (OLD.done_at IS NOT NULL)
    WHERE tenant_id = OLD.tenant_id AND owner_org_unit_id = OLD.owner_org_unit_id
      AND kind = OLD.kind AND due_on = OLD.due_on;
    INSERT INTO obligation_tallies (tenant_id, owner_org_unit_id, kind, due_on, open_n, done_n)
    VALUES (NEW.tenant_id, NEW.owner_org_unit_id, NEW.kind, NEW.due_on,
            NEW.done_at IS NULL, NEW.done_at IS NOT NULL)
    ON CONFLICT (tenant_id, owner_org_unit_id, kind, due_on) DO UPDATE
    SET open_n = open_n + excluded.open_n, done_n = done_n + excluded.done_n;
END;

