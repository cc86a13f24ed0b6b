-- The deadline engine (issue 5 item 6): every dated obligation of the seeds, one row per thing
-- someone owes by a date. Workflows open an obligation when it arises (a handbook issued, a
-- quarter begun) and close it when it is met; the daily job materialises the periodic and
-- county-level ones and records when an open obligation first became overdue, writing a
-- notification to the outbox in the same transaction.
CREATE TABLE obligations (
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
CREATE INDEX obligations_owner_idx ON obligations (tenant_id, owner_org_unit_id, due_on);
CREATE INDEX obligations_open_idx ON obligations (tenant_id, done_at, due_on);
CREATE INDEX obligations_member_idx ON obligations (tenant_id, member_id);

-- Per-tenant dates (the seeds' dates are the defaults; a row here overrides one kind).
CREATE TABLE deadline_settings (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    kind TEXT NOT NULL,
    days INTEGER CHECK (days BETWEEN 1 AND 366),
    month INTEGER CHECK (month BETWEEN 1 AND 12),
    day INTEGER CHECK (day BETWEEN 1 AND 31),
    month2 INTEGER CHECK (month2 BETWEEN 1 AND 12),
    day2 INTEGER CHECK (day2 BETWEEN 1 AND 31),
    version BIGINT NOT NULL DEFAULT 1,
    updated_by TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, kind)
);

-- The county's working-day calendar: the State Council holiday notices ship in the code; a row
-- here overrides one day ('holiday', 'workday' for an adjusted weekend day, 'normal' to undo).
CREATE TABLE calendar_days (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    day DATE NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('holiday', 'workday', 'normal')),
    name TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, day)
);

-- Notifications waiting for a delivery channel (SMS, QQ, e-mail come later). One per
-- obligation and topic, so a rerun of the daily job writes nothing twice.
CREATE TABLE outbox (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    id TEXT NOT NULL,
    topic TEXT NOT NULL,
    obligation_id TEXT NOT NULL,
    recipient_org_unit_id TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    delivered_at TIMESTAMP,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, topic, obligation_id),
    FOREIGN KEY (tenant_id, obligation_id) REFERENCES obligations (tenant_id, id)
);
CREATE INDEX outbox_pending_idx ON outbox (tenant_id, delivered_at, created_at);

ALTER TABLE obligations ENABLE ROW LEVEL SECURITY;
ALTER TABLE obligations FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON obligations
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
ALTER TABLE deadline_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE deadline_settings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON deadline_settings
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
ALTER TABLE calendar_days ENABLE ROW LEVEL SECURITY;
ALTER TABLE calendar_days FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON calendar_days
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
ALTER TABLE outbox ENABLE ROW LEVEL SECURITY;
ALTER TABLE outbox FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON outbox
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
