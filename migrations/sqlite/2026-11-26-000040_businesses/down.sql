DROP TABLE business_people;
DROP TABLE businesses;
DROP TABLE markets;
