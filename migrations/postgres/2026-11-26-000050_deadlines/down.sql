DROP TABLE outbox;
DROP TABLE calendar_days;
DROP TABLE deadline_settings;
DROP TABLE obligations;
