-- Name-prefix search (issue 18) is a range on the name in C order (code-point order on UTF-8):
-- the only order in which "starts with 王建" is one contiguous range whatever the database's
-- default collation. LIKE could not seek members_name_idx, so a prefix few names share walked
-- the county in id order. This index answers the range; the old one served nothing else.
CREATE INDEX members_name_c_idx ON members (tenant_id, (name COLLATE "C"), id);
DROP INDEX members_name_idx;
