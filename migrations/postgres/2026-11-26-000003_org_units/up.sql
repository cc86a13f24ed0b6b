-- Org units (SPEC §2): one tree per county, stored with a materialised path
-- ('/<root id>/…/<own id>/') so a subtree is one range scan on (tenant_id, path).
CREATE TABLE org_units (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('association_committee', 'branch', 'party_branch', 'service_centre',
                                       'township', 'village', 'aic_office', 'market', 'market_party_org')),
    name TEXT NOT NULL,
    parent_id TEXT,
    path TEXT NOT NULL,
    depth INTEGER NOT NULL,
    active BOOLEAN NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, path),
    FOREIGN KEY (tenant_id, parent_id) REFERENCES org_units (tenant_id, id)
);
CREATE INDEX org_units_parent_idx ON org_units (tenant_id, parent_id);

ALTER TABLE org_units ENABLE ROW LEVEL SECURITY;
ALTER TABLE org_units FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON org_units
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
