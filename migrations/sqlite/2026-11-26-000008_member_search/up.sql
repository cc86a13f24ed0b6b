-- Name search as Chinese users expect it: by pinyin initials (张三 → zs) and full pinyin
-- (zhangsan), and lists sorted by pinyin. Both are derived from the name when it is written.
ALTER TABLE members ADD COLUMN name_pinyin TEXT NOT NULL DEFAULT '';
ALTER TABLE members ADD COLUMN name_initials TEXT NOT NULL DEFAULT '';
CREATE INDEX members_pinyin_idx ON members (tenant_id, name_pinyin, id);
CREATE INDEX members_initials_idx ON members (tenant_id, name_initials);
CREATE INDEX members_market_idx ON members (tenant_id, market_id);
