DROP TABLE member_consents;
