-- Registration at a service centre's window (党员登记报到流程, seed 002 附件3 一; issue 15
-- item 1): the survey form (专项调查表: the register's fields, sealed with the county key until
-- the member is entered), telephone confirmation of membership with the home organisation,
-- the signed pledge (争先创优承诺书), the plaque (亮明身份牌匾) and the member service handbook
-- issued, then the member entered in the register once, from the survey. Stalled ones are
-- listed.
CREATE TABLE registrations (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    id TEXT NOT NULL,
    centre_id TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('surveyed', 'confirmed', 'pledged', 'equipped', 'entered', 'closed')),
    -- For lists; everything else of the survey is in survey_enc.
    name TEXT NOT NULL,
    business_name TEXT NOT NULL,
    -- The blind index of the ID-card number, to find a second registration of the same person.
    id_number_bidx TEXT,
    survey_enc TEXT NOT NULL,
    surveyed_on DATE NOT NULL,
    taken_by TEXT NOT NULL,
    confirmed_on DATE,
    pledged_on DATE,
    pledge_reference TEXT,
    issued_on DATE,
    plaque_no TEXT,
    handbook_no TEXT,
    entered_on DATE,
    member_id TEXT,
    closed_on DATE,
    close_reason TEXT,
    last_step_on DATE NOT NULL,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, centre_id) REFERENCES org_units (tenant_id, id),
    FOREIGN KEY (tenant_id, member_id) REFERENCES members (tenant_id, id),
    CHECK ((state = 'entered') = (member_id IS NOT NULL))
);
CREATE INDEX registrations_centre_idx ON registrations (tenant_id, centre_id, state);
CREATE INDEX registrations_member_idx ON registrations (tenant_id, member_id);

-- 电话确认党员身份: who called, whom, when, the outcome.
CREATE TABLE registration_calls (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    id TEXT NOT NULL,
    registration_id TEXT NOT NULL,
    called_on DATE NOT NULL,
    caller_id TEXT NOT NULL,
    -- Whom: the person and post at the home organisation.
    whom TEXT NOT NULL,
    org_name TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('confirmed', 'not_confirmed', 'no_answer')),
    note TEXT,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, registration_id) REFERENCES registrations (tenant_id, id)
);
CREATE INDEX registration_calls_idx ON registration_calls (tenant_id, registration_id);
