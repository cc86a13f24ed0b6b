//! The national working-day calendar the platform operator loads each year (migration 000200):
//! platform-level tables, no tenant_id.

diesel::table! {
    national_calendar_years (year) {
        year -> Integer,
        version -> BigInt,
        source -> Text,
        loaded_by -> Text,
        loaded_at -> Timestamp,
    }
}

diesel::table! {
    national_calendar_days (day) {
        year -> Integer,
        day -> Date,
        kind -> Text,
        name -> Text,
    }
}
