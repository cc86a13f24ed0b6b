-- Two-way reporting (双向报到, seed 000 任务1): the branch issues a numbered service handbook
-- (《个体经营户党员服务手册》) and an activity card (《活动证》) to a member whose membership is
-- held by a village of the county; within 15 days the member reports to that village, then to
-- the branch, and each side confirms in its activity ledger (活动台账).
--
-- One row per handbook. A re-issued handbook (lost: new number) is a new row with the same
-- reporting_id; the old row stays as 'reissued'. The deadline obligation's subject is the
-- reporting_id, so it carries over to the replacement.
CREATE TABLE handbooks (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    id TEXT NOT NULL,
    reporting_id TEXT NOT NULL,
    member_id TEXT NOT NULL,
    -- The issuing branch or party branch.
    branch_id TEXT NOT NULL,
    -- The village holding the membership when the handbook was issued.
    village_id TEXT NOT NULL,
    handbook_no TEXT NOT NULL,
    card_no TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('issued', 'reported_to_village', 'reported_to_branch', 'reissued', 'cancelled')),
    issued_on DATE NOT NULL,
    due_on DATE NOT NULL,
    issued_by TEXT NOT NULL,
    village_reported_on DATE,
    village_confirmed_by TEXT,
    village_note TEXT,
    branch_reported_on DATE,
    branch_confirmed_by TEXT,
    branch_note TEXT,
    replaces_id TEXT,
    replaced_by_id TEXT,
    -- Re-issue or cancellation: when, by whom, why.
    closed_on DATE,
    closed_by TEXT,
    close_reason TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, handbook_no),
    UNIQUE (tenant_id, card_no),
    FOREIGN KEY (tenant_id, member_id) REFERENCES members (tenant_id, id),
    FOREIGN KEY (tenant_id, branch_id) REFERENCES org_units (tenant_id, id),
    FOREIGN KEY (tenant_id, village_id) REFERENCES org_units (tenant_id, id)
);
CREATE INDEX handbooks_member_idx ON handbooks (tenant_id, member_id);
CREATE INDEX handbooks_branch_idx ON handbooks (tenant_id, branch_id, state);
CREATE INDEX handbooks_village_idx ON handbooks (tenant_id, village_id, state);
CREATE INDEX handbooks_reporting_idx ON handbooks (tenant_id, reporting_id);

-- The numbers a county has handed out per year (handbook and card share the sequence).
CREATE TABLE handbook_counters (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    year INTEGER NOT NULL,
    last_seq INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, year)
);

-- 活动台账: what a village or branch recorded about a member's participation; today the
-- two-way reporting confirmations ('reporting'), one per unit and handbook.
CREATE TABLE activity_ledger (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    id TEXT NOT NULL,
    org_unit_id TEXT NOT NULL,
    member_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('reporting')),
    happened_on DATE NOT NULL,
    handbook_id TEXT,
    note TEXT,
    recorded_by TEXT NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, org_unit_id, kind, handbook_id),
    FOREIGN KEY (tenant_id, org_unit_id) REFERENCES org_units (tenant_id, id),
    FOREIGN KEY (tenant_id, member_id) REFERENCES members (tenant_id, id)
);
CREATE INDEX activity_ledger_unit_idx ON activity_ledger (tenant_id, org_unit_id, happened_on);
CREATE INDEX activity_ledger_member_idx ON activity_ledger (tenant_id, member_id);
