DROP TABLE performance_records;
DROP TABLE record_catalogue_versions;
DROP TABLE record_catalogue_items;
