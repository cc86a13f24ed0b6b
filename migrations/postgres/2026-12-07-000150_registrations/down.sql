DROP TABLE registration_calls;
DROP TABLE registrations;
