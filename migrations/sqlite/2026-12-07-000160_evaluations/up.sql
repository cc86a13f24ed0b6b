-- Evaluations (issue 16): the county's rubrics, versioned (a result keeps the version it was
-- scored with), and the yearly standardisation grading of party branches and service centres
-- (支部（党员服务中心）规范化建设考评定级, seed 003): the subject's self-assessment, then the
-- association committee's assessment in December, then the county ranking.
CREATE TABLE rubrics (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    code TEXT NOT NULL,
    version INTEGER NOT NULL CHECK (version > 0),
    name TEXT NOT NULL,
    -- The rubric as JSON (categories, rules, conditions, bands; points in tenths).
    body TEXT NOT NULL,
    -- NULL for the seeded first version.
    created_by TEXT,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, code, version)
);

CREATE TABLE branch_evaluations (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    id TEXT NOT NULL,
    unit_id TEXT NOT NULL,
    year INTEGER NOT NULL,
    rubric_code TEXT NOT NULL,
    rubric_version INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('self_assessed', 'assessed')),
    -- Each assessment as JSON: the findings (rule, points, count, evidence), the outright
    -- conditions found to hold (with evidence) and a note; totals in tenths of a point.
    self_body TEXT,
    self_total INTEGER,
    self_grade TEXT,
    self_by TEXT,
    self_on DATE,
    body TEXT,
    total INTEGER,
    grade TEXT,
    outright TEXT,
    assessed_by TEXT,
    assessed_on DATE,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, unit_id, year),
    FOREIGN KEY (tenant_id, unit_id) REFERENCES org_units (tenant_id, id),
    FOREIGN KEY (tenant_id, rubric_code, rubric_version) REFERENCES rubrics (tenant_id, code, version),
    CHECK ((state = 'assessed') = (total IS NOT NULL)),
    CHECK (self_body IS NOT NULL OR state = 'assessed')
);
CREATE INDEX branch_evaluations_year_idx ON branch_evaluations (tenant_id, year);
