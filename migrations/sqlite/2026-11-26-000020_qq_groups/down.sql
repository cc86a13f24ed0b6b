DROP TABLE qq_roster_history;
DROP TABLE qq_snapshot_people;
DROP TABLE qq_snapshots;
DROP TABLE qq_roster_entries;
DROP TABLE qq_groups;
DROP TABLE qq_settings;
