DROP TABLE national_calendar_days;
DROP TABLE national_calendar_years;
