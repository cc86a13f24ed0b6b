-- 党员先锋指数 (seed 001; issue 16 item 2): one campaign a year per county. The list of
-- members under evaluation comes from the register when it opens (affiliated, floating and
-- market members; the excluded kept with their reason); each entry goes through
-- self-evaluation, peer evaluation (kept only as the tally of stars given), organisation
-- review, public notice with objections, and final stars, which become the member's
-- 党员先锋指数 performance record.
CREATE TABLE vanguard_campaigns (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    id TEXT NOT NULL,
    year INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('open', 'notice', 'final', 'reported')),
    notice_days INTEGER NOT NULL CHECK (notice_days BETWEEN 1 AND 30),
    notice_from DATE,
    notice_until DATE,
    opened_by TEXT NOT NULL,
    opened_on DATE NOT NULL,
    finalised_on DATE,
    reported_on DATE,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, year)
);

CREATE TABLE vanguard_entries (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    campaign_id TEXT NOT NULL,
    member_id TEXT NOT NULL,
    -- The member's org-life unit when the list was drawn (who evaluates them).
    unit_id TEXT,
    -- Why the member is not evaluated this year; NULL: evaluated.
    excluded TEXT CHECK (excluded IN ('probationary', 'suspended', 'closed', 'away_over_six_months')),
    self_stars INTEGER CHECK (self_stars BETWEEN 1 AND 5),
    self_summary TEXT,
    self_on DATE,
    -- Peer evaluation: how many peers gave each number of stars; never who gave what.
    peer_1 INTEGER,
    peer_2 INTEGER,
    peer_3 INTEGER,
    peer_4 INTEGER,
    peer_5 INTEGER,
    peer_on DATE,
    review_stars INTEGER CHECK (review_stars BETWEEN 1 AND 5),
    review_note TEXT,
    reviewed_by TEXT,
    reviewed_on DATE,
    veto TEXT CHECK (veto IN ('national_policy', 'discipline')),
    veto_evidence TEXT,
    veto_by TEXT,
    veto_on DATE,
    -- Final stars also become the member's 党员先锋指数 performance record (item A04).
    final_stars INTEGER CHECK (final_stars BETWEEN 1 AND 5),
    outstanding BOOLEAN NOT NULL DEFAULT FALSE,
    talk_on DATE,
    mentor TEXT,
    help_done_on DATE,
    version BIGINT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, campaign_id, member_id),
    FOREIGN KEY (tenant_id, campaign_id) REFERENCES vanguard_campaigns (tenant_id, id),
    FOREIGN KEY (tenant_id, member_id) REFERENCES members (tenant_id, id),
    CHECK (excluded IS NULL OR (self_stars IS NULL AND review_stars IS NULL AND final_stars IS NULL)),
    CHECK (NOT outstanding OR final_stars >= 4)
);
CREATE INDEX vanguard_entries_member_idx ON vanguard_entries (tenant_id, member_id);

-- Objections raised in the public notice (公示), and their answers.
CREATE TABLE vanguard_objections (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    id TEXT NOT NULL,
    campaign_id TEXT NOT NULL,
    member_id TEXT NOT NULL,
    received_on DATE NOT NULL,
    content TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    answer TEXT,
    revised_stars INTEGER CHECK (revised_stars BETWEEN 1 AND 5),
    answered_on DATE,
    answered_by TEXT,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, campaign_id, member_id) REFERENCES vanguard_entries (tenant_id, campaign_id, member_id)
);
CREATE INDEX vanguard_objections_campaign_idx ON vanguard_objections (tenant_id, campaign_id);
