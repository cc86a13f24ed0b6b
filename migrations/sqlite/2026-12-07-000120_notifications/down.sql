DROP INDEX outbox_undispatched_idx;
DROP TABLE deliveries;
DROP TABLE notification_preferences;
DROP TABLE notification_settings;
ALTER TABLE outbox RENAME COLUMN dispatched_at TO delivered_at;
