//! The statistics' half-year snapshots (issue 17): one row per county, period and revision.

diesel::table! {
    stat_snapshots (tenant_id, id) {
        tenant_id -> Text,
        id -> Text,
        period -> Text,
        revision -> Integer,
        state -> Text,
        cutoff -> Date,
        figures -> Text,
        reason -> Nullable<Text>,
        computed_by -> Text,
        computed_at -> Timestamp,
        reviewed_by -> Nullable<Text>,
        reviewed_at -> Nullable<Timestamp>,
        frozen_by -> Nullable<Text>,
        frozen_at -> Nullable<Timestamp>,
        version -> BigInt,
    }
}
