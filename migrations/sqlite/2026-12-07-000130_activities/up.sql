-- Activities at the regional service centres (seed 002 附件3 三, 党员参加活动流程; issue 15
-- item 3): the director plans an activity for an audience chosen from the register, the
-- association committee approves or returns it, staff notify the audience (the notification
-- worker sends SMS to members who agreed to it), and attendance is recorded. Trainings are an
-- activity kind: the evaluations count them for training rates.
CREATE TABLE activities (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    id TEXT NOT NULL,
    centre_id TEXT NOT NULL,
    theme TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('theme_day', 'training', 'volunteer', 'study', 'other')),
    held_on DATE NOT NULL,
    -- 'HH:MM', Beijing time.
    start_time TEXT,
    place TEXT NOT NULL,
    content TEXT,
    -- The audience: members of the centre's region, narrowed by any of these (all must hold).
    audience_unit_id TEXT,
    audience_grid_id TEXT,
    audience_category TEXT,
    audience_market_id TEXT,
    state TEXT NOT NULL CHECK (state IN ('draft', 'submitted', 'returned', 'approved', 'notified', 'held', 'cancelled')),
    planned_by TEXT NOT NULL,
    decided_by TEXT,
    decided_on DATE,
    return_reason TEXT,
    notified_on DATE,
    version BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, centre_id) REFERENCES org_units (tenant_id, id)
);
CREATE INDEX activities_centre_idx ON activities (tenant_id, centre_id, held_on);

-- Every step, for the activity's history and the audit.
CREATE TABLE activity_events (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    id TEXT NOT NULL,
    activity_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    on_day DATE NOT NULL,
    by_user_id TEXT NOT NULL,
    detail TEXT,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, activity_id) REFERENCES activities (tenant_id, id)
);
CREATE INDEX activity_events_activity_idx ON activity_events (tenant_id, activity_id);

-- The roster, frozen when the audience is notified, then each member's attendance.
CREATE TABLE activity_attendance (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    activity_id TEXT NOT NULL,
    member_id TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('invited', 'present', 'absent', 'excused')),
    note TEXT,
    recorded_by TEXT,
    recorded_at TIMESTAMP,
    PRIMARY KEY (tenant_id, activity_id, member_id),
    FOREIGN KEY (tenant_id, activity_id) REFERENCES activities (tenant_id, id),
    FOREIGN KEY (tenant_id, member_id) REFERENCES members (tenant_id, id)
);
-- A member's participation (time line, yearly record, the December letters).
CREATE INDEX activity_attendance_member_idx ON activity_attendance (tenant_id, member_id);

-- SMS to members needs their consent: a consent record now says what it is for.
ALTER TABLE member_consents ADD COLUMN purpose TEXT NOT NULL DEFAULT 'processing'
    CHECK (purpose IN ('processing', 'sms_notices'));
DROP INDEX member_consents_in_force_idx;
CREATE UNIQUE INDEX member_consents_in_force_idx
    ON member_consents (tenant_id, member_id, purpose, notice_version)
    WHERE withdrawn_on IS NULL;

-- A notice is about an obligation or an activity, and a delivery goes to a staff member, a
-- member (SMS with consent) or the county's webhook. SQLite cannot drop a NOT NULL or add a
-- foreign key in place, so both tables are rebuilt: deliveries (which refers to the outbox)
-- first set aside, so that dropping the old outbox breaks no reference.
CREATE TABLE deliveries_old AS SELECT * FROM deliveries;
DROP TABLE deliveries;

CREATE TABLE outbox_new (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    id TEXT NOT NULL,
    topic TEXT NOT NULL,
    obligation_id TEXT,
    activity_id TEXT,
    recipient_org_unit_id TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    dispatched_at TIMESTAMP,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, topic, obligation_id),
    FOREIGN KEY (tenant_id, obligation_id) REFERENCES obligations (tenant_id, id),
    FOREIGN KEY (tenant_id, activity_id) REFERENCES activities (tenant_id, id),
    CHECK ((obligation_id IS NULL) <> (activity_id IS NULL))
);
INSERT INTO outbox_new (tenant_id, id, topic, obligation_id, recipient_org_unit_id, subject, body, created_at, dispatched_at)
    SELECT tenant_id, id, topic, obligation_id, recipient_org_unit_id, subject, body, created_at, dispatched_at FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_pending_idx ON outbox (tenant_id, dispatched_at, created_at);
CREATE INDEX outbox_undispatched_idx ON outbox (tenant_id, id) WHERE dispatched_at IS NULL;
CREATE UNIQUE INDEX outbox_activity_idx ON outbox (tenant_id, topic, activity_id)
    WHERE activity_id IS NOT NULL;

CREATE TABLE deliveries (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    id TEXT NOT NULL,
    notice_id TEXT NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('inbox', 'sms', 'webhook')),
    -- The staff member (inbox, SMS); none for the county's webhook or a member.
    user_id TEXT,
    -- The member (SMS with their consent).
    member_id TEXT,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'dead')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    -- A claim's lease: until then no other worker takes it.
    claimed_until TIMESTAMP,
    -- The gateway's or receiver's code for the last failure (never the message's content).
    last_error TEXT,
    -- The gateway's receipt (SMS BizId).
    provider_ref TEXT,
    sent_at TIMESTAMP,
    read_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, notice_id, channel, user_id),
    FOREIGN KEY (tenant_id, notice_id) REFERENCES outbox (tenant_id, id),
    FOREIGN KEY (tenant_id, member_id) REFERENCES members (tenant_id, id),
    CHECK (user_id IS NULL OR member_id IS NULL)
);
INSERT INTO deliveries (tenant_id, id, notice_id, channel, user_id, status, attempts, next_attempt_at, claimed_until, last_error, provider_ref, sent_at, read_at, created_at)
    SELECT tenant_id, id, notice_id, channel, user_id, status, attempts, next_attempt_at, claimed_until, last_error, provider_ref, sent_at, read_at, created_at FROM deliveries_old;
DROP TABLE deliveries_old;
CREATE INDEX deliveries_due_idx ON deliveries (tenant_id, status, next_attempt_at);
CREATE INDEX deliveries_inbox_idx ON deliveries (tenant_id, user_id, channel, id);
CREATE INDEX deliveries_sent_idx ON deliveries (tenant_id, channel, sent_at);
CREATE UNIQUE INDEX deliveries_member_idx ON deliveries (tenant_id, notice_id, channel, member_id)
    WHERE member_id IS NOT NULL;
