ALTER TABLE member_status_history DROP COLUMN to_unit_id;
ALTER TABLE member_status_history DROP COLUMN from_unit_id;
DROP TABLE stat_snapshots;
