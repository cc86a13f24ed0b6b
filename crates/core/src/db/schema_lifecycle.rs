//! A deleted county's record and its signed certificate (issue 17 item 6). A platform table:
//! it outlives the county's data by design.

diesel::table! {
    county_deletions (county_id) {
        county_id -> Text,
        deleted_at -> Timestamp,
        deleted_by -> Text,
        certificate -> Text,
        signature -> Text,
    }
}
