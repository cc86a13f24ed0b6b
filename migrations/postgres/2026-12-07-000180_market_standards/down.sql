DROP TABLE market_standard_targets;
DROP TABLE market_spot_checks;
DROP TABLE market_standards;
