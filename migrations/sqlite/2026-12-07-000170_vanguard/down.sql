DROP TABLE vanguard_objections;
DROP TABLE vanguard_entries;
DROP TABLE vanguard_campaigns;
