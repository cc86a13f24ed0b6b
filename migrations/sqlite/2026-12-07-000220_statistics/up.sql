-- Statistics (issue 17): a county's half-year snapshot (cut-off 30 June / 31 December, seed 001),
-- one row per revision. A revision is computed (and may be computed again), reviewed by the county
-- admin, then frozen; a correction after freezing is the next revision, with its reason.
CREATE TABLE stat_snapshots (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    id TEXT NOT NULL,
    -- e.g. 2026H1
    period TEXT NOT NULL CHECK (length(period) = 6),
    revision INTEGER NOT NULL CHECK (revision >= 1),
    state TEXT NOT NULL CHECK (state IN ('computed', 'reviewed', 'frozen')),
    cutoff DATE NOT NULL,
    -- The figures (JSON: fixed tables of counts; no person, no identifier).
    figures TEXT NOT NULL,
    -- Why this revision exists (required from revision 2 on).
    reason TEXT,
    computed_by TEXT NOT NULL,
    computed_at TIMESTAMP NOT NULL,
    reviewed_by TEXT,
    reviewed_at TIMESTAMP,
    frozen_by TEXT,
    frozen_at TIMESTAMP,
    version BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, period, revision),
    CHECK ((revision = 1) OR (reason IS NOT NULL)),
    CHECK ((state = 'computed') OR (reviewed_at IS NOT NULL)),
    CHECK ((state = 'frozen') = (frozen_at IS NOT NULL))
);


-- The units a transfer moved a membership between, by id (the names were already kept), so that
-- a member's unit on a past cut-off can be found again after a later transfer.
ALTER TABLE member_status_history ADD COLUMN from_unit_id TEXT;
ALTER TABLE member_status_history ADD COLUMN to_unit_id TEXT;
