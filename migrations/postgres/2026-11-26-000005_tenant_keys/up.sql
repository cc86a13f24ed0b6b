-- Per-county keys for personal data (SPEC §11), wrapped (AES-256-GCM) by the master key, which
-- never touches the database. Data keys have versions: rotation adds one and makes it current,
-- older versions stay to read older ciphertexts. The blind-index key (HMAC for exact search)
-- is one per county and does not rotate with the data key, so indexes stay valid.
CREATE TABLE tenant_keys (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    purpose TEXT NOT NULL CHECK (purpose IN ('data', 'index')),
    version INTEGER NOT NULL,
    wrapped_key TEXT NOT NULL,
    current BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, purpose, version)
);

ALTER TABLE tenant_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenant_keys
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
