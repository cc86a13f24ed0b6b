-- 百日攻坚 (seed 004; issue 16 item 6): a coverage campaign with its start, length and 15-day
-- reporting cycle; the survey (调查摸底表, attachment 1) of each non-public economic organisation
-- in the businesses register; a plan per organisation and body (party, Youth League) with its
-- form, owner and status; and each cycle's report (attachment 2) frozen when it is issued.
CREATE TABLE coverage_campaigns (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    id TEXT NOT NULL,
    title TEXT NOT NULL,
    starts_on DATE NOT NULL,
    days INTEGER NOT NULL CHECK (days BETWEEN 15 AND 366),
    cycle_days INTEGER NOT NULL CHECK (cycle_days BETWEEN 1 AND 90),
    -- The unit that issues the reports and owes their deadlines.
    owner_unit_id TEXT NOT NULL,
    created_by TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, owner_unit_id) REFERENCES org_units (tenant_id, id)
);

CREATE TABLE coverage_surveys (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    id TEXT NOT NULL,
    campaign_id TEXT NOT NULL,
    business_id TEXT NOT NULL,
    employees INTEGER NOT NULL CHECK (employees >= 0),
    party_full INTEGER NOT NULL CHECK (party_full >= 0),
    party_probationary INTEGER NOT NULL CHECK (party_probationary >= 0),
    league_members INTEGER NOT NULL CHECK (league_members >= 0),
    -- 组织设置: how the organisation's party (Youth League) members are organised now.
    party_org TEXT NOT NULL CHECK (party_org IN ('none', 'standalone', 'joint', 'affiliated', 'industry')),
    league_org TEXT NOT NULL CHECK (league_org IN ('none', 'standalone', 'joint', 'affiliated', 'industry')),
    -- 党建指导员 assigned (党的工作覆盖 without an organisation).
    instructor BOOLEAN NOT NULL,
    owner_identity TEXT NOT NULL CHECK (owner_identity IN ('party_member', 'league_member', 'masses')),
    -- 管理关系: who manages its party work (e.g. 属地乡镇党委, 个私协会党委).
    management TEXT,
    activities BOOLEAN NOT NULL,
    venue BOOLEAN NOT NULL,
    surveyed_on DATE NOT NULL,
    surveyed_by TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, campaign_id, business_id),
    FOREIGN KEY (tenant_id, campaign_id) REFERENCES coverage_campaigns (tenant_id, id),
    FOREIGN KEY (tenant_id, business_id) REFERENCES businesses (tenant_id, id)
);

CREATE TABLE coverage_plans (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    id TEXT NOT NULL,
    campaign_id TEXT NOT NULL,
    business_id TEXT NOT NULL,
    body TEXT NOT NULL CHECK (body IN ('party', 'league')),
    form TEXT NOT NULL CHECK (form IN ('standalone', 'joint', 'affiliated', 'industry', 'instructor')),
    owner_unit_id TEXT NOT NULL,
    -- 责任人: the staff member who carries the plan (a name, not a member of the register).
    owner_name TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('planned', 'in_progress', 'established', 'deferred')),
    target_on DATE,
    done_on DATE,
    note TEXT,
    updated_by TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, campaign_id, business_id, body),
    CHECK ((status = 'established') = (done_on IS NOT NULL)),
    FOREIGN KEY (tenant_id, campaign_id) REFERENCES coverage_campaigns (tenant_id, id),
    FOREIGN KEY (tenant_id, business_id) REFERENCES businesses (tenant_id, id),
    FOREIGN KEY (tenant_id, owner_unit_id) REFERENCES org_units (tenant_id, id)
);

CREATE TABLE coverage_reports (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    id TEXT NOT NULL,
    campaign_id TEXT NOT NULL,
    cycle INTEGER NOT NULL CHECK (cycle >= 1),
    as_of DATE NOT NULL,
    -- The figures as issued (JSON: the county, each township's and each branch's counts).
    figures TEXT NOT NULL,
    issued_by TEXT NOT NULL,
    issued_on DATE NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, campaign_id, cycle),
    FOREIGN KEY (tenant_id, campaign_id) REFERENCES coverage_campaigns (tenant_id, id)
);

ALTER TABLE coverage_campaigns ENABLE ROW LEVEL SECURITY;
ALTER TABLE coverage_campaigns FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON coverage_campaigns
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

ALTER TABLE coverage_surveys ENABLE ROW LEVEL SECURITY;
ALTER TABLE coverage_surveys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON coverage_surveys
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

ALTER TABLE coverage_plans ENABLE ROW LEVEL SECURITY;
ALTER TABLE coverage_plans FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON coverage_plans
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

ALTER TABLE coverage_reports ENABLE ROW LEVEL SECURITY;
ALTER TABLE coverage_reports FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON coverage_reports
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
