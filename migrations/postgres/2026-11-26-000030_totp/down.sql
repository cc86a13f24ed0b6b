DROP TABLE platform_user_totp;
DROP TABLE user_totp;
