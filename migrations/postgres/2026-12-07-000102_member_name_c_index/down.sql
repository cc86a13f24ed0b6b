CREATE INDEX members_name_idx ON members (tenant_id, name);
DROP INDEX members_name_c_idx;
