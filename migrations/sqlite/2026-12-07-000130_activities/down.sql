CREATE TABLE deliveries_old AS SELECT * FROM deliveries WHERE member_id IS NULL
    AND notice_id NOT IN (SELECT id FROM outbox WHERE activity_id IS NOT NULL);
DROP TABLE deliveries;
CREATE TABLE outbox_old (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    id TEXT NOT NULL,
    topic TEXT NOT NULL,
    obligation_id TEXT NOT NULL,
    recipient_org_unit_id TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    dispatched_at TIMESTAMP,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, topic, obligation_id),
    FOREIGN KEY (tenant_id, obligation_id) REFERENCES obligations (tenant_id, id)
);
INSERT INTO outbox_old SELECT tenant_id, id, topic, obligation_id, recipient_org_unit_id, subject, body, created_at, dispatched_at
    FROM outbox WHERE obligation_id IS NOT NULL;
DROP TABLE outbox;
ALTER TABLE outbox_old RENAME TO outbox;
CREATE INDEX outbox_pending_idx ON outbox (tenant_id, dispatched_at, created_at);
CREATE INDEX outbox_undispatched_idx ON outbox (tenant_id, id) WHERE dispatched_at IS NULL;
CREATE TABLE deliveries (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    id TEXT NOT NULL,
    notice_id TEXT NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('inbox', 'sms', 'webhook')),
    user_id TEXT,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'dead')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    claimed_until TIMESTAMP,
    last_error TEXT,
    provider_ref TEXT,
    sent_at TIMESTAMP,
    read_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, notice_id, channel, user_id),
    FOREIGN KEY (tenant_id, notice_id) REFERENCES outbox (tenant_id, id)
);
INSERT INTO deliveries SELECT tenant_id, id, notice_id, channel, user_id, status, attempts, next_attempt_at,
    claimed_until, last_error, provider_ref, sent_at, read_at, created_at FROM deliveries_old;
DROP TABLE deliveries_old;
CREATE INDEX deliveries_due_idx ON deliveries (tenant_id, status, next_attempt_at);
CREATE INDEX deliveries_inbox_idx ON deliveries (tenant_id, user_id, channel, id);
CREATE INDEX deliveries_sent_idx ON deliveries (tenant_id, channel, sent_at);
DROP INDEX member_consents_in_force_idx;
DELETE FROM member_consents WHERE purpose <> 'processing';
ALTER TABLE member_consents DROP COLUMN purpose;
CREATE UNIQUE INDEX member_consents_in_force_idx ON member_consents (tenant_id, member_id, notice_version)
    WHERE withdrawn_on IS NULL;
DROP TABLE activity_attendance;
DROP TABLE activity_events;
DROP TABLE activities;
