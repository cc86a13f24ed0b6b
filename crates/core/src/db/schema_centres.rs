//! Tables of the regional service centres (seed 002): service requests and activities, with
//! their steps.

use super::{members, org_units, outbox};

diesel::table! {
    service_requests (tenant_id, id) {
        tenant_id -> Text,
        id -> Text,
        centre_id -> Text,
        member_id -> Text,
        channel -> Text,
        category -> Text,
        major -> Bool,
        content -> Text,
        received_on -> Date,
        first_responder_id -> Text,
        owner_id -> Text,
        state -> Text,
        escalated_on -> Nullable<Date>,
        due_on -> Nullable<Date>,
        extensions -> Integer,
        answer -> Nullable<Text>,
        answer_method -> Nullable<Text>,
        answered_on -> Nullable<Date>,
        follow_up_method -> Nullable<Text>,
        followed_up_on -> Nullable<Date>,
        follow_up_opinion -> Nullable<Text>,
        satisfaction -> Nullable<Text>,
        archived_on -> Nullable<Date>,
        archive_reference -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    service_request_events (tenant_id, id) {
        tenant_id -> Text,
        id -> Text,
        request_id -> Text,
        kind -> Text,
        on_day -> Date,
        by_user_id -> Text,
        detail -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::allow_tables_to_appear_in_same_query!(service_requests, service_request_events);
diesel::allow_tables_to_appear_in_same_query!(service_requests, org_units);

diesel::table! {
    activities (tenant_id, id) {
        tenant_id -> Text,
        id -> Text,
        centre_id -> Text,
        theme -> Text,
        kind -> Text,
        held_on -> Date,
        start_time -> Nullable<Text>,
        place -> Text,
        content -> Nullable<Text>,
        audience_unit_id -> Nullable<Text>,
        audience_grid_id -> Nullable<Text>,
        audience_category -> Nullable<Text>,
        audience_market_id -> Nullable<Text>,
        state -> Text,
        planned_by -> Text,
        decided_by -> Nullable<Text>,
        decided_on -> Nullable<Date>,
        return_reason -> Nullable<Text>,
        notified_on -> Nullable<Date>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    activity_events (tenant_id, id) {
        tenant_id -> Text,
        id -> Text,
        activity_id -> Text,
        kind -> Text,
        on_day -> Date,
        by_user_id -> Text,
        detail -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    activity_attendance (tenant_id, activity_id, member_id) {
        tenant_id -> Text,
        activity_id -> Text,
        member_id -> Text,
        status -> Text,
        note -> Nullable<Text>,
        recorded_by -> Nullable<Text>,
        recorded_at -> Nullable<Timestamp>,
    }
}

diesel::allow_tables_to_appear_in_same_query!(activities, org_units);
diesel::allow_tables_to_appear_in_same_query!(activities, activity_attendance);
diesel::allow_tables_to_appear_in_same_query!(activities, outbox);
diesel::allow_tables_to_appear_in_same_query!(activity_attendance, members);
diesel::allow_tables_to_appear_in_same_query!(activity_attendance, outbox);

diesel::table! {
    letter_batches (tenant_id, id) {
        tenant_id -> Text,
        id -> Text,
        centre_id -> Text,
        year -> Integer,
        state -> Text,
        letters -> Integer,
        generated_by -> Text,
        generated_on -> Date,
        sent_on -> Nullable<Date>,
        sent_method -> Nullable<Text>,
        sent_by -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    participation_letters (tenant_id, id) {
        tenant_id -> Text,
        id -> Text,
        batch_id -> Text,
        member_id -> Text,
        seq -> Integer,
        recipient -> Text,
        recipient_unit_id -> Nullable<Text>,
        activities -> Text,
        operation -> Text,
        credit -> Text,
        received_on -> Nullable<Date>,
        received_by -> Nullable<Text>,
        receipt_note -> Nullable<Text>,
        chases -> Integer,
        last_chased_on -> Nullable<Date>,
        created_at -> Timestamp,
    }
}

diesel::allow_tables_to_appear_in_same_query!(letter_batches, participation_letters);
diesel::allow_tables_to_appear_in_same_query!(letter_batches, org_units);
diesel::allow_tables_to_appear_in_same_query!(participation_letters, members);

diesel::table! {
    registrations (tenant_id, id) {
        tenant_id -> Text,
        id -> Text,
        centre_id -> Text,
        state -> Text,
        name -> Text,
        business_name -> Text,
        id_number_bidx -> Nullable<Text>,
        survey_enc -> Text,
        surveyed_on -> Date,
        taken_by -> Text,
        confirmed_on -> Nullable<Date>,
        pledged_on -> Nullable<Date>,
        pledge_reference -> Nullable<Text>,
        issued_on -> Nullable<Date>,
        plaque_no -> Nullable<Text>,
        handbook_no -> Nullable<Text>,
        entered_on -> Nullable<Date>,
        member_id -> Nullable<Text>,
        closed_on -> Nullable<Date>,
        close_reason -> Nullable<Text>,
        last_step_on -> Date,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    registration_calls (tenant_id, id) {
        tenant_id -> Text,
        id -> Text,
        registration_id -> Text,
        called_on -> Date,
        caller_id -> Text,
        whom -> Text,
        org_name -> Text,
        outcome -> Text,
        note -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::allow_tables_to_appear_in_same_query!(registrations, registration_calls);
diesel::allow_tables_to_appear_in_same_query!(registrations, org_units);
