DROP INDEX obligation_tallies_owner_kind_idx;
DROP FUNCTION shuanglian_enter_tenant(text);
