-- Markets (商品交易市场) and businesses (个体工商户, 小微企业, market stalls), SPEC §3.
--
-- A market is an org unit of kind `market` (the tree of SPEC §2 holds its name, place and
-- party organisation); `markets` adds the market's own facts to that unit, keyed by the same
-- id, so `members.market_id`, `businesses.market_id` and `markets.id` are one identifier.
CREATE TABLE markets (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    id TEXT NOT NULL,
    address TEXT,
    operator TEXT,
    stall_count INTEGER CHECK (stall_count IS NULL OR stall_count >= 0),
    grid_id TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, id) REFERENCES org_units (tenant_id, id),
    FOREIGN KEY (tenant_id, grid_id) REFERENCES grids (tenant_id, id)
);
CREATE INDEX markets_grid_idx ON markets (tenant_id, grid_id);

CREATE TABLE businesses (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('individual_business', 'small_micro_enterprise', 'market_stall')),
    name TEXT NOT NULL,
    credit_code TEXT,
    market_id TEXT,
    stall_no TEXT,
    address TEXT,
    township_id TEXT,
    grid_id TEXT,
    industry TEXT,
    employee_count INTEGER CHECK (employee_count IS NULL OR employee_count >= 0),
    status TEXT NOT NULL CHECK (status IN ('operating', 'suspended', 'closed')),
    status_since DATE,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, id),
    -- A stall is in a market and has a number there; other kinds may sit in a market too.
    CHECK (kind <> 'market_stall' OR (market_id IS NOT NULL AND stall_no IS NOT NULL)),
    CHECK (stall_no IS NULL OR market_id IS NOT NULL),
    FOREIGN KEY (tenant_id, market_id) REFERENCES org_units (tenant_id, id),
    FOREIGN KEY (tenant_id, township_id) REFERENCES org_units (tenant_id, id),
    FOREIGN KEY (tenant_id, grid_id) REFERENCES grids (tenant_id, id)
);
CREATE UNIQUE INDEX businesses_credit_code_idx ON businesses (tenant_id, credit_code) WHERE credit_code IS NOT NULL;
CREATE UNIQUE INDEX businesses_stall_idx ON businesses (tenant_id, market_id, stall_no) WHERE stall_no IS NOT NULL;
CREATE INDEX businesses_name_idx ON businesses (tenant_id, name);
CREATE INDEX businesses_grid_idx ON businesses (tenant_id, grid_id);
CREATE INDEX businesses_township_idx ON businesses (tenant_id, township_id);

-- Who works in a business: owners (业主) and employees (从业人员), with the period.
CREATE TABLE business_people (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    id TEXT NOT NULL,
    business_id TEXT NOT NULL,
    member_id TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('owner', 'employee')),
    since DATE NOT NULL,
    until DATE,
    recorded_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, id),
    CHECK (until IS NULL OR until >= since),
    FOREIGN KEY (tenant_id, business_id) REFERENCES businesses (tenant_id, id),
    FOREIGN KEY (tenant_id, member_id) REFERENCES members (tenant_id, id)
);
CREATE INDEX business_people_business_idx ON business_people (tenant_id, business_id);
CREATE INDEX business_people_member_idx ON business_people (tenant_id, member_id);
-- One open link per business, member and role.
CREATE UNIQUE INDEX business_people_open_idx ON business_people (tenant_id, business_id, member_id, role) WHERE until IS NULL;
