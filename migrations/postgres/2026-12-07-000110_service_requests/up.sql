-- Service requests at the regional party-member service centres (党员诉求, seed 002 附件3 二、
-- and 附件4): taken on site or by phone and written on the 受(办)理表 by the staff member who
-- becomes its first responder (首问责任制); answered at once, or escalated to the centre
-- director and answered within 7 working days (限时办结制: extensions with a reason); a major
-- request is followed up (办理回访制) before it is archived.
CREATE TABLE service_requests (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    id TEXT NOT NULL,
    -- The service centre (org unit of kind service_centre) that took it.
    centre_id TEXT NOT NULL,
    member_id TEXT NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('on_site', 'phone')),
    category TEXT NOT NULL CHECK (category IN ('consultation', 'rights', 'legal_aid', 'hardship', 'other')),
    major BOOLEAN NOT NULL DEFAULT FALSE,
    -- 诉求的具体内容 as the member put it: personal data of the member, never logged.
    content TEXT NOT NULL,
    received_on DATE NOT NULL,
    -- 首问责任人: who took it. `owner_id` is who is responsible now (the same, unless handed over).
    first_responder_id TEXT NOT NULL,
    owner_id TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('taken', 'escalated', 'answered', 'archived')),
    escalated_on DATE,
    -- The 7-working-day limit (or its extension) once escalated.
    due_on DATE,
    extensions INTEGER NOT NULL DEFAULT 0,
    answer TEXT,
    answer_method TEXT CHECK (answer_method IN ('in_person', 'phone', 'letter', 'sms', 'online')),
    answered_on DATE,
    follow_up_method TEXT CHECK (follow_up_method IN ('phone', 'letter', 'visit')),
    followed_up_on DATE,
    -- The member's opinion at the follow-up, and how satisfied they were.
    follow_up_opinion TEXT,
    satisfaction TEXT CHECK (satisfaction IN ('satisfied', 'basically_satisfied', 'dissatisfied')),
    archived_on DATE,
    archive_reference TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, member_id) REFERENCES members (tenant_id, id),
    FOREIGN KEY (tenant_id, centre_id) REFERENCES org_units (tenant_id, id)
);
-- The open list: a centre's requests by state and due date (overdue first).
CREATE INDEX service_requests_centre_idx ON service_requests (tenant_id, centre_id, state, due_on, id);
CREATE INDEX service_requests_member_idx ON service_requests (tenant_id, member_id);
CREATE INDEX service_requests_owner_idx ON service_requests (tenant_id, owner_id, state);

-- Every step of a request, for its history, the member's time line and the yearly report.
CREATE TABLE service_request_events (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    id TEXT NOT NULL,
    request_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('taken', 'escalated', 'extended', 'handed_over', 'answered', 'followed_up', 'archived')),
    on_day DATE NOT NULL,
    by_user_id TEXT NOT NULL,
    -- What the step recorded (an extension's reason and dates, a handover's reason).
    detail TEXT,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, request_id) REFERENCES service_requests (tenant_id, id)
);
CREATE INDEX service_request_events_request_idx ON service_request_events (tenant_id, request_id, id);

ALTER TABLE service_requests ENABLE ROW LEVEL SECURITY;
ALTER TABLE service_requests FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON service_requests
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

ALTER TABLE service_request_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE service_request_events FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON service_request_events
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
