-- Phone search lists in id order: with the id in the index the planner reads the few matching
-- rows instead of walking the whole county in id order (SQLite chose the primary key and took
-- 116 ms p50 on 50,000 members; bench/register). ID numbers are unique, so their index suffices.
CREATE INDEX members_phone_id_idx ON members (tenant_id, phone_bidx, id);
DROP INDEX members_phone_idx;
