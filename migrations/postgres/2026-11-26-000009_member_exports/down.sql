DROP TABLE member_exports;
