-- Grids (管理区域网格, seed 000): one per AIC office's service area, i.e. the townships it
-- serves, linked with an association-branch party branch. Township assignments are kept as
-- history: a row per period, open while valid_to is NULL.
CREATE TABLE grids (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    aic_office_id TEXT NOT NULL,
    party_branch_id TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, aic_office_id),
    FOREIGN KEY (tenant_id, aic_office_id) REFERENCES org_units (tenant_id, id),
    FOREIGN KEY (tenant_id, party_branch_id) REFERENCES org_units (tenant_id, id)
);

CREATE TABLE grid_townships (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    id TEXT NOT NULL,
    grid_id TEXT NOT NULL,
    township_id TEXT NOT NULL,
    valid_from TIMESTAMP NOT NULL,
    valid_to TIMESTAMP,
    recorded_by TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, grid_id) REFERENCES grids (tenant_id, id),
    FOREIGN KEY (tenant_id, township_id) REFERENCES org_units (tenant_id, id)
);
CREATE INDEX grid_townships_grid_idx ON grid_townships (tenant_id, grid_id);
-- A township is in at most one grid at a time.
CREATE UNIQUE INDEX grid_townships_open_idx ON grid_townships (tenant_id, township_id) WHERE valid_to IS NULL;

ALTER TABLE grids ENABLE ROW LEVEL SECURITY;
ALTER TABLE grids FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON grids
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

ALTER TABLE grid_townships ENABLE ROW LEVEL SECURITY;
ALTER TABLE grid_townships FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON grid_townships
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
