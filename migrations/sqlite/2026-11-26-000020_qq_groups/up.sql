-- Real-name party-building QQ groups (实名制党建QQ群, seed 000 and its attachment 2): one or
-- more per grid or region, each maintained by a designated branch staff member; the expected
-- roster; snapshots of the group's actual member list; the roster's history; and the county's
-- join deadline (default 10 May). QQ numbers are personal information: only encrypted with the
-- county's data key, with a keyed blind index (HMAC) for exact matching. Group nicknames are
-- encrypted too (people put phone numbers in them).
CREATE TABLE qq_settings (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    deadline_month INTEGER NOT NULL CHECK (deadline_month BETWEEN 1 AND 12),
    deadline_day INTEGER NOT NULL CHECK (deadline_day BETWEEN 1 AND 31),
    version BIGINT NOT NULL DEFAULT 1,
    updated_by TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id)
);

CREATE TABLE qq_groups (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    group_number TEXT,
    grid_id TEXT,
    org_unit_id TEXT,
    maintainer_id TEXT NOT NULL,
    active BOOLEAN NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, id),
    -- A group serves a grid or a region (org unit), never both or neither.
    CHECK ((grid_id IS NULL) <> (org_unit_id IS NULL)),
    FOREIGN KEY (tenant_id, grid_id) REFERENCES grids (tenant_id, id),
    FOREIGN KEY (tenant_id, org_unit_id) REFERENCES org_units (tenant_id, id),
    FOREIGN KEY (tenant_id, maintainer_id) REFERENCES users (tenant_id, id)
);
CREATE INDEX qq_groups_grid_idx ON qq_groups (tenant_id, grid_id);
CREATE INDEX qq_groups_unit_idx ON qq_groups (tenant_id, org_unit_id);
CREATE INDEX qq_groups_maintainer_idx ON qq_groups (tenant_id, maintainer_id);

CREATE TABLE qq_roster_entries (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    id TEXT NOT NULL,
    group_id TEXT NOT NULL,
    real_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('administrator', 'branch_staff', 'township_organiser', 'village_organiser', 'member')),
    org_unit_id TEXT,
    qq_enc TEXT NOT NULL,
    qq_bidx TEXT NOT NULL,
    member_id TEXT,
    joined_on DATE,
    verified BOOLEAN NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, group_id, qq_bidx),
    FOREIGN KEY (tenant_id, group_id) REFERENCES qq_groups (tenant_id, id),
    FOREIGN KEY (tenant_id, org_unit_id) REFERENCES org_units (tenant_id, id),
    FOREIGN KEY (tenant_id, member_id) REFERENCES members (tenant_id, id)
);
CREATE INDEX qq_roster_group_idx ON qq_roster_entries (tenant_id, group_id, id);

-- One import of the group's actual member list: when, by whom, how many, and the diff counts
-- at that moment.
CREATE TABLE qq_snapshots (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    id TEXT NOT NULL,
    group_id TEXT NOT NULL,
    taken_on DATE NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('paste', 'xlsx', 'csv')),
    people INTEGER NOT NULL,
    matched INTEGER NOT NULL,
    missing INTEGER NOT NULL,
    unknown INTEGER NOT NULL,
    unverified INTEGER NOT NULL,
    imported_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, group_id) REFERENCES qq_groups (tenant_id, id)
);
CREATE INDEX qq_snapshots_group_idx ON qq_snapshots (tenant_id, group_id, id);

CREATE TABLE qq_snapshot_people (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    snapshot_id TEXT NOT NULL,
    line_no INTEGER NOT NULL,
    group_id TEXT NOT NULL,
    qq_enc TEXT NOT NULL,
    qq_bidx TEXT NOT NULL,
    nickname_enc TEXT,
    PRIMARY KEY (tenant_id, snapshot_id, line_no),
    FOREIGN KEY (tenant_id, snapshot_id) REFERENCES qq_snapshots (tenant_id, id)
);
-- "First seen in the group": the earliest snapshot holding a QQ number.
CREATE INDEX qq_snapshot_people_bidx_idx ON qq_snapshot_people (tenant_id, group_id, qq_bidx);

-- Every change to a group and its roster: who, when, what (old → new, QQ numbers masked).
CREATE TABLE qq_roster_history (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    id TEXT NOT NULL,
    group_id TEXT NOT NULL,
    entry_id TEXT,
    at TIMESTAMP NOT NULL,
    actor_id TEXT NOT NULL,
    action TEXT NOT NULL,
    changes TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, group_id) REFERENCES qq_groups (tenant_id, id)
);
CREATE INDEX qq_roster_history_group_idx ON qq_roster_history (tenant_id, group_id, id);
