-- Floating members (流动党员, seed 001 "流动党员管理双向互动反馈机制"): the branch registers a
-- member of the register whose membership is held outside the county, records the home
-- branch's stamped proof of membership, the member's organisational life, training and
-- activities, and each year the branch secretary's evaluation; the feedback form and letter go
-- to the home branch and the receipt (回执) is chased until it comes back and is filed.
-- One case per member and feedback year; the member's own facts stay on the member row.
CREATE TABLE floating_cases (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    id TEXT NOT NULL,
    member_id TEXT NOT NULL,
    -- 反馈年度: the year whose feedback this case carries (due by the end of November).
    year INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    -- The responsible branch (party branch / branch / service centre): owner of the deadline.
    branch_id TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('registered', 'confirmed', 'evaluated', 'sent', 'receipt_returned', 'archived')),
    -- 流动党员登记表 items the register does not hold. Organisation data, not personal data.
    home_contact_unit TEXT NOT NULL,
    home_org_address TEXT,
    operating_since DATE NOT NULL,
    registered_on DATE NOT NULL,
    note TEXT,
    -- 党员身份确认: the home branch's stamped proof (reference and date).
    proof_reference TEXT,
    proof_date DATE,
    confirmed_on DATE,
    -- 评语 by the branch secretary.
    evaluation TEXT,
    secretary_name TEXT,
    evaluated_on DATE,
    sent_on DATE,
    sent_method TEXT CHECK (sent_method IN ('post', 'hand', 'online')),
    sent_note TEXT,
    received_on DATE,
    received_by TEXT,
    receipt_note TEXT,
    archived_on DATE,
    archive_reference TEXT,
    registered_by TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, member_id, year),
    FOREIGN KEY (tenant_id, member_id) REFERENCES members (tenant_id, id),
    FOREIGN KEY (tenant_id, branch_id) REFERENCES org_units (tenant_id, id)
);
CREATE INDEX floating_cases_branch_idx ON floating_cases (tenant_id, branch_id, state);
CREATE INDEX floating_cases_state_idx ON floating_cases (tenant_id, state, sent_on);

-- 参加组织活动备案: organisational life, training, education and activities, dated.
CREATE TABLE floating_activities (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    id TEXT NOT NULL,
    case_id TEXT NOT NULL,
    held_on DATE NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('org_life', 'training', 'education', 'activity')),
    content TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, case_id) REFERENCES floating_cases (tenant_id, id)
);
CREATE INDEX floating_activities_case_idx ON floating_activities (tenant_id, case_id, held_on);

-- Reminders to the home branch while the receipt is outstanding (催收回执).
CREATE TABLE floating_chases (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    id TEXT NOT NULL,
    case_id TEXT NOT NULL,
    chased_on DATE NOT NULL,
    method TEXT NOT NULL CHECK (method IN ('phone', 'letter', 'online')),
    note TEXT,
    recorded_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, case_id) REFERENCES floating_cases (tenant_id, id)
);
CREATE INDEX floating_chases_case_idx ON floating_chases (tenant_id, case_id, chased_on);
