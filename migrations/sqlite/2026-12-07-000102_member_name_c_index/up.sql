-- Name-prefix search (issue 18) is a range on the name in code-point order. SQLite's BINARY
-- collation is that order already, so members_name_idx (tenant_id, name) answers the range as
-- it is; this version exists to keep both backends' migration lists the same.
SELECT 1;
