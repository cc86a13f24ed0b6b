-- PostgreSQL only (issue 18): a function that binds the tenant in BEGIN's round trip, and a
-- covering index for the dashboard's tallies. SQLite needs neither: there is no round trip,
-- and obligation_tallies is a WITHOUT ROWID table already stored in (tenant, owner, kind) order.
-- This version keeps both backends' migration lists the same.
SELECT 1;
