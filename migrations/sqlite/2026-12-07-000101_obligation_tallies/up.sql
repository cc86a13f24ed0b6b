-- The deadline dashboard's counts (issue 18): open and met obligations per owner, kind and due
-- day, kept by triggers in the very statement that opens, closes, moves or withdraws an
-- obligation, so no write path can forget them and they are never a transaction behind. Due
-- and overdue split at the day asked for (due_on against as_of), which is why the day is kept.
-- A whole county's dashboard then sums a few thousand rows instead of counting every obligation.
-- WITHOUT ROWID: the rows live in the key's order, so that sum is one sequential read.
CREATE TABLE obligation_tallies (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    owner_org_unit_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    due_on DATE NOT NULL,
    open_n INTEGER NOT NULL DEFAULT 0,
    done_n INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, owner_org_unit_id, kind, due_on)
) WITHOUT ROWID;

-- The dashboard's page in its keyset order (due day, then id) without sorting the county.
CREATE INDEX obligations_due_idx ON obligations (tenant_id, due_on, id);
-- The same for what is still open (due, overdue): met obligations, most of a county's rows,
-- are not walked past.
CREATE INDEX obligations_open_due_idx ON obligations (tenant_id, due_on, id) WHERE done_at IS NULL;

INSERT INTO obligation_tallies (tenant_id, owner_org_unit_id, kind, due_on, open_n, done_n)
SELECT tenant_id, owner_org_unit_id, kind, due_on,
       SUM(done_at IS NULL), SUM(done_at IS NOT NULL)
FROM obligations
GROUP BY tenant_id, owner_org_unit_id, kind, due_on;

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
