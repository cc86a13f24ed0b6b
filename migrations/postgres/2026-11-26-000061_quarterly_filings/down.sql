DROP TABLE filing_events;
DROP TABLE filing_lines;
DROP TABLE filings;
