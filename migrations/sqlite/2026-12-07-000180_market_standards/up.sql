-- 市场党建“六化”标准 (seed 001; issue 16 item 5): a checklist per market and year of the six
-- standards, each item met or not with its evidence; spot checks (抽查) with their result; and
-- the county's yearly coverage targets (the seed's "两个全覆盖、两个50%" in 2013, every listed
-- market by the end of 2014), shown as progress.
CREATE TABLE market_standards (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    id TEXT NOT NULL,
    market_id TEXT NOT NULL,
    year INTEGER NOT NULL,
    -- The six items as JSON: code, met, evidence, who and when.
    items TEXT NOT NULL,
    met_count INTEGER NOT NULL CHECK (met_count BETWEEN 0 AND 6),
    updated_by TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, market_id, year),
    FOREIGN KEY (tenant_id, market_id) REFERENCES org_units (tenant_id, id)
);

CREATE TABLE market_spot_checks (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    id TEXT NOT NULL,
    standard_id TEXT NOT NULL,
    checked_on DATE NOT NULL,
    checked_by TEXT NOT NULL,
    result TEXT NOT NULL CHECK (result IN ('passed', 'failed')),
    -- Comma-separated item codes found wanting.
    failed_items TEXT,
    note TEXT,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, standard_id) REFERENCES market_standards (tenant_id, id)
);
CREATE INDEX market_spot_checks_idx ON market_spot_checks (tenant_id, standard_id);

CREATE TABLE market_standard_targets (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    year INTEGER NOT NULL,
    -- The share of listed markets meeting all six, in per mille.
    permille INTEGER NOT NULL CHECK (permille BETWEEN 0 AND 1000),
    updated_by TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, year)
);
