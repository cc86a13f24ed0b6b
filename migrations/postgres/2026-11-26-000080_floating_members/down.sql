DROP TABLE floating_chases;
DROP TABLE floating_activities;
DROP TABLE floating_cases;
