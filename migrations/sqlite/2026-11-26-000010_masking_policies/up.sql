-- The county's masking policy (SPEC §11): per role and personal field, whether members' values
-- are shown in clear (visible), masked with unmasking on request with a reason (on_request), or
-- masked without unmasking (masked). A missing row means the built-in default.
CREATE TABLE masking_policies (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    role TEXT NOT NULL,
    field TEXT NOT NULL,
    visibility TEXT NOT NULL CHECK (visibility IN ('masked', 'on_request', 'visible')),
    updated_by TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, role, field)
);
