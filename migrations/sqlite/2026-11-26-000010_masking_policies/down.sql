DROP TABLE masking_policies;
