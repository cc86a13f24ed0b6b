//! Tables of notification delivery: the county's channels, staff preferences, and one delivery
//! per notice, recipient and channel.

use super::{members, org_units, outbox, users};

diesel::table! {
    notification_settings (tenant_id) {
        tenant_id -> Text,
        sms_sign_name -> Nullable<Text>,
        sms_template_code -> Nullable<Text>,
        sms_per_minute -> Integer,
        quiet_start -> Integer,
        quiet_end -> Integer,
        webhook_url -> Nullable<Text>,
        webhook_secret_enc -> Nullable<Text>,
        version -> BigInt,
        updated_by -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    notification_preferences (tenant_id, user_id) {
        tenant_id -> Text,
        user_id -> Text,
        inbox -> Bool,
        sms -> Bool,
        phone_enc -> Nullable<Text>,
        version -> BigInt,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    deliveries (tenant_id, id) {
        tenant_id -> Text,
        id -> Text,
        notice_id -> Text,
        channel -> Text,
        user_id -> Nullable<Text>,
        member_id -> Nullable<Text>,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        claimed_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        provider_ref -> Nullable<Text>,
        sent_at -> Nullable<Timestamp>,
        read_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::allow_tables_to_appear_in_same_query!(deliveries, outbox);
diesel::allow_tables_to_appear_in_same_query!(deliveries, users);
diesel::allow_tables_to_appear_in_same_query!(notification_preferences, users);
diesel::allow_tables_to_appear_in_same_query!(outbox, org_units);
diesel::allow_tables_to_appear_in_same_query!(deliveries, members);
