-- Quarterly filing (季度报送备案, seed 000 item 2): each recording unit (AIC office, party
-- branch, village) files the previous quarter's records with its upper committee by the 10th of
-- the quarter's first month. One filing per unit and quarter; its lines are generated from the
-- records (per member and item, with counts) and carry editable notes; events keep every
-- submission, acceptance and return (with its reason).
CREATE TABLE filings (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    id TEXT NOT NULL,
    unit_id TEXT NOT NULL,
    unit_kind TEXT NOT NULL CHECK (unit_kind IN ('aic_office', 'party_branch', 'village')),
    -- '2026Q3'
    period TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('draft', 'submitted', 'accepted', 'returned')),
    summary TEXT NOT NULL,
    due_on DATE NOT NULL,
    -- The first submission decides lateness; a resubmission after a return does not.
    first_submitted_on DATE,
    submitted_on DATE,
    submitted_by TEXT,
    reviewed_on DATE,
    reviewed_by TEXT,
    return_reason TEXT,
    created_by TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, unit_id, period),
    FOREIGN KEY (tenant_id, unit_id) REFERENCES org_units (tenant_id, id)
);
CREATE INDEX filings_state_idx ON filings (tenant_id, state, period);

CREATE TABLE filing_lines (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    filing_id TEXT NOT NULL,
    member_id TEXT NOT NULL,
    item_code TEXT NOT NULL,
    item_name TEXT NOT NULL,
    category TEXT NOT NULL,
    record_count INTEGER NOT NULL,
    -- The records' contents, joined, as generated.
    content TEXT NOT NULL,
    note TEXT,
    PRIMARY KEY (tenant_id, filing_id, member_id, item_code),
    FOREIGN KEY (tenant_id, filing_id) REFERENCES filings (tenant_id, id),
    FOREIGN KEY (tenant_id, member_id) REFERENCES members (tenant_id, id)
);

CREATE TABLE filing_events (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    id TEXT NOT NULL,
    filing_id TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('created', 'submitted', 'accepted', 'returned')),
    happened_on DATE NOT NULL,
    actor_id TEXT NOT NULL,
    reason TEXT,
    at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, filing_id) REFERENCES filings (tenant_id, id)
);
CREATE INDEX filing_events_filing_idx ON filing_events (tenant_id, filing_id);

ALTER TABLE filings ENABLE ROW LEVEL SECURITY;
ALTER TABLE filings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON filings
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
ALTER TABLE filing_lines ENABLE ROW LEVEL SECURITY;
ALTER TABLE filing_lines FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON filing_lines
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
ALTER TABLE filing_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE filing_events FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON filing_events
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
