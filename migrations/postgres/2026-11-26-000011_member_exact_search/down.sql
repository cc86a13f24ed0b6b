CREATE INDEX members_phone_idx ON members (tenant_id, phone_bidx);
DROP INDEX members_phone_id_idx;
