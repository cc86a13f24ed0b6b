-- TOTP second factor (RFC 6238: HMAC-SHA-1, 6 digits, 30-second steps, what every authenticator
-- app speaks). A row without confirmed_at is an enrolment waiting for its first code; last_step
-- is the newest time step accepted, so a code is never accepted twice.
-- County users' secrets are encrypted with the county data key (AAD binds county, user and
-- column); platform and provincial users' secrets with a key derived from the master key.
CREATE TABLE user_totp (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    user_id TEXT NOT NULL,
    secret_enc TEXT NOT NULL,
    confirmed_at TIMESTAMP,
    last_step BIGINT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, user_id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id)
);

CREATE TABLE platform_user_totp (
    user_id TEXT PRIMARY KEY NOT NULL REFERENCES platform_users (id),
    secret_enc TEXT NOT NULL,
    confirmed_at TIMESTAMP,
    last_step BIGINT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

ALTER TABLE user_totp ENABLE ROW LEVEL SECURITY;
ALTER TABLE user_totp FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON user_totp
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
