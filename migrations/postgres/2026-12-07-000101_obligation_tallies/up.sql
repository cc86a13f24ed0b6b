-- The deadline dashboard's counts (issue 18): open and met obligations per owner, kind and due
-- day, kept by a trigger in the very statement that opens, closes, moves or withdraws an
-- obligation, so no write path can forget them and they are never a transaction behind. Due
-- and overdue split at the day asked for (due_on against as_of), which is why the day is kept.
-- A whole county's dashboard then sums a few thousand rows instead of counting every obligation.
CREATE TABLE obligation_tallies (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    owner_org_unit_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    due_on DATE NOT NULL,
    open_n INTEGER NOT NULL DEFAULT 0,
    done_n INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, owner_org_unit_id, kind, due_on)
);

-- The dashboard's page in its keyset order (due day, then id) without sorting the county.
CREATE INDEX obligations_due_idx ON obligations (tenant_id, due_on, id);
-- The same for what is still open (due, overdue): met obligations, most of a county's rows,
-- are not walked past.
CREATE INDEX obligations_open_due_idx ON obligations (tenant_id, due_on, id) WHERE done_at IS NULL;

ALTER TABLE obligation_tallies ENABLE ROW LEVEL SECURITY;
ALTER TABLE obligation_tallies FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON obligation_tallies
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

-- The trigger runs as the writer, under the writer's tenant: the policy above holds for it too.
CREATE FUNCTION obligation_tally() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND OLD.owner_org_unit_id = NEW.owner_org_unit_id AND OLD.kind = NEW.kind
       AND OLD.due_on = NEW.due_on AND (OLD.done_at IS NULL) = (NEW.done_at IS NULL) THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE obligation_tallies
        SET open_n = open_n - (OLD.done_at IS NULL)::int,
            done_n = done_n - (OLD.done_at IS NOT NULL)::int
        WHERE tenant_id = OLD.tenant_id AND owner_org_unit_id = OLD.owner_org_unit_id
          AND kind = OLD.kind AND due_on = OLD.due_on;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        INSERT INTO obligation_tallies AS t (tenant_id, owner_org_unit_id, kind, due_on, open_n, done_n)
        VALUES (NEW.tenant_id, NEW.owner_org_unit_id, NEW.kind, NEW.due_on,
                (NEW.done_at IS NULL)::int, (NEW.done_at IS NOT NULL)::int)
        ON CONFLICT (tenant_id, owner_org_unit_id, kind, due_on) DO UPDATE
        SET open_n = t.open_n + EXCLUDED.open_n, done_n = t.done_n + EXCLUDED.done_n;
    END IF;
    RETURN NULL;
END
$$;

-- Only a change that can move the row between tallies: the daily job's overdue_since stamp does not.
CREATE TRIGGER obligation_tally
    AFTER INSERT OR DELETE OR UPDATE OF owner_org_unit_id, kind, due_on, done_at ON obligations
    FOR EACH ROW EXECUTE FUNCTION obligation_tally();

-- Existing obligations, one county at a time: row-level security is forced on the owner too.
DO $$
DECLARE t TEXT;
BEGIN
    FOR t IN SELECT id FROM tenants LOOP
        PERFORM set_config('app.tenant_id', t, true);
        INSERT INTO obligation_tallies (tenant_id, owner_org_unit_id, kind, due_on, open_n, done_n)
        SELECT tenant_id, owner_org_unit_id, kind, due_on,
               count(*) FILTER (WHERE done_at IS NULL), count(*) FILTER (WHERE done_at IS NOT NULL)
        FROM obligations
        GROUP BY tenant_id, owner_org_unit_id, kind, due_on;
    END LOOP;
    PERFORM set_config('app.tenant_id', '', true);
END
$$;
