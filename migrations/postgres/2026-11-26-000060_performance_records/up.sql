-- Performance records (记实, seed 000 item 2): a county's catalogue of items in 4 categories,
-- versioned so a record keeps the name it was written under, and the records themselves.
-- The county's catalogue starts as the shipped default (18 items) on first use.
CREATE TABLE record_catalogue_items (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    -- Stable short code, e.g. 'B01'; the API names items by it.
    code TEXT NOT NULL,
    category TEXT NOT NULL CHECK (category IN ('business', 'association', 'village', 'residence')),
    position INTEGER NOT NULL,
    -- The version whose name is current.
    current_version INTEGER NOT NULL,
    retired_at TIMESTAMP,
    -- ETag of the item row.
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, code)
);

CREATE TABLE record_catalogue_versions (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    code TEXT NOT NULL,
    version INTEGER NOT NULL,
    name TEXT NOT NULL,
    description TEXT,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, code, version),
    FOREIGN KEY (tenant_id, code) REFERENCES record_catalogue_items (tenant_id, code)
);

CREATE TABLE performance_records (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    id TEXT NOT NULL,
    member_id TEXT NOT NULL,
    item_code TEXT NOT NULL,
    -- The catalogue version the record was written against (its name is the record's).
    item_version INTEGER NOT NULL,
    category TEXT NOT NULL CHECK (category IN ('business', 'association', 'village', 'residence')),
    recorded_on DATE NOT NULL,
    content TEXT NOT NULL,
    score INTEGER CHECK (score BETWEEN -100 AND 100),
    recording_unit_id TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, member_id) REFERENCES members (tenant_id, id),
    FOREIGN KEY (tenant_id, item_code, item_version) REFERENCES record_catalogue_versions (tenant_id, code, version),
    FOREIGN KEY (tenant_id, recording_unit_id) REFERENCES org_units (tenant_id, id)
);
CREATE INDEX performance_records_member_idx ON performance_records (tenant_id, member_id, recorded_on);
CREATE INDEX performance_records_unit_idx ON performance_records (tenant_id, recording_unit_id, recorded_on);
CREATE INDEX performance_records_item_idx ON performance_records (tenant_id, item_code);

ALTER TABLE record_catalogue_items ENABLE ROW LEVEL SECURITY;
ALTER TABLE record_catalogue_items FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON record_catalogue_items
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
ALTER TABLE record_catalogue_versions ENABLE ROW LEVEL SECURITY;
ALTER TABLE record_catalogue_versions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON record_catalogue_versions
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
ALTER TABLE performance_records ENABLE ROW LEVEL SECURITY;
ALTER TABLE performance_records FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON performance_records
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
