-- Notifications that are delivered (issue 15 item 5). A notice in the outbox (an overdue
-- obligation, a reminder, an escalated request) is handed to its channels once: one delivery
-- per recipient and channel, each with its own status, attempts and next attempt. The worker in
-- every replica claims due deliveries (FOR UPDATE SKIP LOCKED on PostgreSQL; SQLite has one
-- writer), sends them, and records the outcome; a claim is a lease, so a replica that dies
-- mid-send leaves its deliveries to be sent again (at least once: receivers get the delivery id
-- as the idempotency key).
ALTER TABLE outbox RENAME COLUMN delivered_at TO dispatched_at;

-- The county's own channels and rules: a county's notices never go out under another's.
CREATE TABLE notification_settings (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    -- SMS (短信): the county's approved signature and notice template at the gateway; no SMS
    -- while either is unset.
    sms_sign_name TEXT,
    sms_template_code TEXT,
    -- Per county, across replicas.
    sms_per_minute INTEGER NOT NULL DEFAULT 60 CHECK (sms_per_minute BETWEEN 1 AND 6000),
    -- Quiet hours, minutes after midnight Beijing time; SMS waits until they end. Equal: none.
    quiet_start INTEGER NOT NULL DEFAULT 1260 CHECK (quiet_start BETWEEN 0 AND 1439),
    quiet_end INTEGER NOT NULL DEFAULT 480 CHECK (quiet_end BETWEEN 0 AND 1439),
    -- A signed webhook (the county's OA system): every notice, HMAC-SHA256 with this secret,
    -- sealed with the county's key.
    webhook_url TEXT,
    webhook_secret_enc TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    updated_by TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id)
);

-- A staff member's channels: the in-app inbox (on unless turned off) and SMS to their own
-- mobile number (sealed with the county's key: personal data).
CREATE TABLE notification_preferences (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    user_id TEXT NOT NULL,
    inbox BOOLEAN NOT NULL DEFAULT TRUE,
    sms BOOLEAN NOT NULL DEFAULT FALSE,
    phone_enc TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, user_id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id)
);

CREATE TABLE deliveries (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    id TEXT NOT NULL,
    notice_id TEXT NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('inbox', 'sms', 'webhook')),
    -- The staff member (inbox, SMS); none for the county's webhook.
    user_id TEXT,
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
    FOREIGN KEY (tenant_id, notice_id) REFERENCES outbox (tenant_id, id)
);
-- The worker's scan: what is due, by when.
CREATE INDEX deliveries_due_idx ON deliveries (tenant_id, status, next_attempt_at);
-- A staff member's inbox, newest first.
CREATE INDEX deliveries_inbox_idx ON deliveries (tenant_id, user_id, channel, id);
-- The per-county SMS rate: what was sent in the last minute.
CREATE INDEX deliveries_sent_idx ON deliveries (tenant_id, channel, sent_at);
-- Notices not yet handed to their channels.
CREATE INDEX outbox_undispatched_idx ON outbox (tenant_id, id) WHERE dispatched_at IS NULL;

ALTER TABLE notification_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE notification_settings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON notification_settings
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

ALTER TABLE notification_preferences ENABLE ROW LEVEL SECURITY;
ALTER TABLE notification_preferences FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON notification_preferences
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));

ALTER TABLE deliveries ENABLE ROW LEVEL SECURITY;
ALTER TABLE deliveries FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON deliveries
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
