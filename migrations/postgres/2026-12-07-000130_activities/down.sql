DROP INDEX deliveries_member_idx;
ALTER TABLE deliveries DROP CONSTRAINT deliveries_recipient_check;
ALTER TABLE deliveries DROP CONSTRAINT deliveries_member_fk;
ALTER TABLE deliveries DROP COLUMN member_id;
DROP INDEX outbox_activity_idx;
ALTER TABLE outbox DROP CONSTRAINT outbox_subject_check;
ALTER TABLE outbox DROP CONSTRAINT outbox_activity_fk;
DELETE FROM deliveries WHERE notice_id IN (SELECT id FROM outbox WHERE activity_id IS NOT NULL);
DELETE FROM outbox WHERE activity_id IS NOT NULL;
ALTER TABLE outbox DROP COLUMN activity_id;
ALTER TABLE outbox ALTER COLUMN obligation_id SET NOT NULL;
DROP INDEX member_consents_in_force_idx;
DELETE FROM member_consents WHERE purpose <> 'processing';
ALTER TABLE member_consents DROP COLUMN purpose;
CREATE UNIQUE INDEX member_consents_in_force_idx ON member_consents (tenant_id, member_id, notice_version)
    WHERE withdrawn_on IS NULL;
DROP TABLE activity_attendance;
DROP TABLE activity_events;
DROP TABLE activities;
