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

-- A notice is about an obligation or an activity.
ALTER TABLE outbox ALTER COLUMN obligation_id DROP NOT NULL;
ALTER TABLE outbox ADD COLUMN activity_id TEXT;
ALTER TABLE outbox ADD CONSTRAINT outbox_activity_fk
    FOREIGN KEY (tenant_id, activity_id) REFERENCES activities (tenant_id, id);
ALTER TABLE outbox ADD CONSTRAINT outbox_subject_check
    CHECK ((obligation_id IS NULL) <> (activity_id IS NULL));
CREATE UNIQUE INDEX outbox_activity_idx ON outbox (tenant_id, topic, activity_id)
    WHERE activity_id IS NOT NULL;

-- A delivery goes to a staff member, a member (SMS with consent), or the county's webhook.
ALTER TABLE deliveries ADD COLUMN member_id TEXT;
ALTER TABLE deliveries ADD CONSTRAINT deliveries_member_fk
    FOREIGN KEY (tenant_id, member_id) REFERENCES members (tenant_id, id);
ALTER TABLE deliveries ADD CONSTRAINT deliveries_recipient_check
    CHECK (user_id IS NULL OR member_id IS NULL);
CREATE UNIQUE INDEX deliveries_member_idx ON deliveries (tenant_id, notice_id, channel, member_id)
    WHERE member_id IS NOT NULL;

ALTER TABLE activities ENABLE ROW LEVEL SECURITY;
ALTER TABLE activities FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON activities
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

ALTER TABLE activity_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE activity_events FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON activity_events
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

ALTER TABLE activity_attendance ENABLE ROW LEVEL SECURITY;
ALTER TABLE activity_attendance FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON activity_attendance
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
