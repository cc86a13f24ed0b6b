-- The national working-day calendar the platform operator loads each year from the State
-- Council's notice (issue 17 item 7). Platform-level: no tenant_id, no row-level security; every
-- county reads it under its own overrides (calendar_days). A loaded year supersedes the entries
-- of that year shipped in the code.
CREATE TABLE national_calendar_years (
    year INTEGER NOT NULL PRIMARY KEY CHECK (year BETWEEN 2000 AND 2100),
    version BIGINT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('json', 'ical')),
    loaded_by TEXT NOT NULL,
    loaded_at TIMESTAMP NOT NULL
);

CREATE TABLE national_calendar_days (
    year INTEGER NOT NULL REFERENCES national_calendar_years (year) ON DELETE CASCADE,
    day DATE NOT NULL PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('holiday', 'workday')),
    name TEXT NOT NULL
);
CREATE INDEX national_calendar_days_year_idx ON national_calendar_days (year, day);
