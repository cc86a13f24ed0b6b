DROP TABLE platform_idempotency_keys;
DROP TABLE idempotency_keys;
DROP TABLE users;
DROP TABLE platform_users;
DROP TABLE tenants;
DROP TABLE provinces;
