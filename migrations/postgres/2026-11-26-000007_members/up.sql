-- Party members (党员), SPEC §3 and the registration form of seed 001. ID-card number, mobile
-- number and home address are personal information: stored only encrypted with the county's
-- data key, with keyed blind indexes (HMAC) for exact search. A duplicate ID number is refused
-- within a county; in another county it is neither refused nor detectable.
CREATE TABLE members (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    gender TEXT CHECK (gender IN ('male', 'female')),
    birth_date DATE,
    id_number_enc TEXT,
    id_number_bidx TEXT,
    phone_enc TEXT,
    phone_bidx TEXT,
    home_address_enc TEXT,
    household_registration TEXT,
    is_owner BOOLEAN NOT NULL,
    business_name TEXT NOT NULL,
    business_registration_no TEXT,
    org_life_unit_id TEXT,
    membership_org_name TEXT NOT NULL,
    membership_unit_id TEXT,
    membership_status TEXT NOT NULL CHECK (membership_status IN ('full', 'probationary')),
    distribution TEXT NOT NULL CHECK (distribution IN ('individual_business', 'market_business')),
    market_id TEXT,
    business_status TEXT NOT NULL CHECK (business_status IN ('operating', 'suspended', 'closed')),
    away_since DATE,
    joined_party_on DATE,
    association_member BOOLEAN NOT NULL,
    category TEXT NOT NULL CHECK (category IN ('affiliated', 'local', 'floating')),
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, id_number_bidx),
    FOREIGN KEY (tenant_id, org_life_unit_id) REFERENCES org_units (tenant_id, id),
    FOREIGN KEY (tenant_id, membership_unit_id) REFERENCES org_units (tenant_id, id),
    FOREIGN KEY (tenant_id, market_id) REFERENCES org_units (tenant_id, id)
);
CREATE INDEX members_phone_idx ON members (tenant_id, phone_bidx);
CREATE INDEX members_life_unit_idx ON members (tenant_id, org_life_unit_id);
CREATE INDEX members_membership_unit_idx ON members (tenant_id, membership_unit_id);
CREATE INDEX members_name_idx ON members (tenant_id, name);

ALTER TABLE members ENABLE ROW LEVEL SECURITY;
ALTER TABLE members FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON members
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
