DROP INDEX members_market_idx;
DROP INDEX members_initials_idx;
DROP INDEX members_pinyin_idx;
ALTER TABLE members DROP COLUMN name_initials;
ALTER TABLE members DROP COLUMN name_pinyin;
