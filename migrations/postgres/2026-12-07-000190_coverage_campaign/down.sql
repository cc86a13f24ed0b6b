DROP TABLE coverage_reports;
DROP TABLE coverage_plans;
DROP TABLE coverage_surveys;
DROP TABLE coverage_campaigns;
