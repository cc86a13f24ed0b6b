DROP TABLE activity_ledger;
DROP TABLE handbook_counters;
DROP TABLE handbooks;
