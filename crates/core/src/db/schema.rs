//! The one schema for both backends, written with portable SQL types: ids are UUIDv7 text
//! (time-ordered, so they sort and paginate), timestamps are UTC `TIMESTAMP`.

diesel::table! {
    provinces (code) {
        code -> Text,
        name -> Text,
    }
}

diesel::table! {
    tenants (id) {
        id -> Text,
        code -> Text,
        name -> Text,
        province_code -> Text,
        status -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    platform_users (id) {
        id -> Text,
        username -> Text,
        display_name -> Text,
        role -> Text,
        province_code -> Nullable<Text>,
        status -> Text,
        password_hash -> Text,
        must_change_password -> Bool,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    users (tenant_id, id) {
        tenant_id -> Text,
        id -> Text,
        username -> Text,
        display_name -> Text,
        role -> Text,
        org_unit_id -> Nullable<Text>,
        status -> Text,
        password_hash -> Text,
        must_change_password -> Bool,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    idempotency_keys (tenant_id, user_id, key) {
        tenant_id -> Text,
        user_id -> Text,
        key -> Text,
        request_hash -> Text,
        status -> Integer,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    platform_idempotency_keys (user_id, key) {
        user_id -> Text,
        key -> Text,
        request_hash -> Text,
        status -> Integer,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    org_units (tenant_id, id) {
        tenant_id -> Text,
        id -> Text,
        kind -> Text,
        name -> Text,
        parent_id -> Nullable<Text>,
        path -> Text,
        depth -> Integer,
        active -> Bool,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    grids (tenant_id, id) {
        tenant_id -> Text,
        id -> Text,
        name -> Text,
        aic_office_id -> Text,
        party_branch_id -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    grid_townships (tenant_id, id) {
        tenant_id -> Text,
        id -> Text,
        grid_id -> Text,
        township_id -> Text,
        valid_from -> Timestamp,
        valid_to -> Nullable<Timestamp>,
        recorded_by -> Text,
    }
}

diesel::table! {
    tenant_keys (tenant_id, purpose, version) {
        tenant_id -> Text,
        purpose -> Text,
        version -> Integer,
        wrapped_key -> Text,
        current -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    audit_log (tenant_id, seq) {
        tenant_id -> Text,
        seq -> BigInt,
        id -> Text,
        at -> Timestamp,
        actor_id -> Text,
        actor_role -> Text,
        action -> Text,
        entity -> Text,
        entity_id -> Text,
        reason -> Nullable<Text>,
        details -> Text,
        prev_hash -> Text,
        hash -> Text,
        chain_id -> Nullable<Text>,
    }
}

diesel::table! {
    members (tenant_id, id) {
        tenant_id -> Text,
        id -> Text,
        name -> Text,
        gender -> Nullable<Text>,
        birth_date -> Nullable<Date>,
        id_number_enc -> Nullable<Text>,
        id_number_bidx -> Nullable<Text>,
        phone_enc -> Nullable<Text>,
        phone_bidx -> Nullable<Text>,
        home_address_enc -> Nullable<Text>,
        household_registration -> Nullable<Text>,
        is_owner -> Bool,
        business_name -> Text,
        business_registration_no -> Nullable<Text>,
        org_life_unit_id -> Nullable<Text>,
        membership_org_name -> Text,
        membership_unit_id -> Nullable<Text>,
        membership_status -> Text,
        distribution -> Text,
        market_id -> Nullable<Text>,
        business_status -> Text,
        away_since -> Nullable<Date>,
        joined_party_on -> Nullable<Date>,
        association_member -> Bool,
        category -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        name_pinyin -> Text,
        name_initials -> Text,
    }
}

diesel::table! {
    member_exports (tenant_id, id) {
        tenant_id -> Text,
        id -> Text,
        requested_by -> Text,
        requested_at -> Timestamp,
        reason -> Text,
        query -> Text,
        personal -> Bool,
        status -> Text,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        decision_note -> Nullable<Text>,
        downloaded_at -> Nullable<Timestamp>,
        row_count -> Nullable<BigInt>,
    }
}

diesel::table! {
    masking_policies (tenant_id, role, field) {
        tenant_id -> Text,
        role -> Text,
        field -> Text,
        visibility -> Text,
        updated_by -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    import_mappings (tenant_id, id) {
        tenant_id -> Text,
        id -> Text,
        name -> Text,
        header_map -> Text,
        org_map -> Text,
        version -> BigInt,
        updated_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    user_totp (tenant_id, user_id) {
        tenant_id -> Text,
        user_id -> Text,
        secret_enc -> Text,
        confirmed_at -> Nullable<Timestamp>,
        last_step -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    platform_user_totp (user_id) {
        user_id -> Text,
        secret_enc -> Text,
        confirmed_at -> Nullable<Timestamp>,
        last_step -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    member_consents (tenant_id, id) {
        tenant_id -> Text,
        id -> Text,
        member_id -> Text,
        notice_version -> Text,
        notice_reference -> Nullable<Text>,
        consented_on -> Date,
        form -> Text,
        recorded_by -> Text,
        recorded_at -> Timestamp,
        withdrawn_on -> Nullable<Date>,
        withdrawn_by -> Nullable<Text>,
        withdrawn_at -> Nullable<Timestamp>,
        purpose -> Text,
    }
}

diesel::table! {
    markets (tenant_id, id) {
        tenant_id -> Text,
        id -> Text,
        address -> Nullable<Text>,
        operator -> Nullable<Text>,
        stall_count -> Nullable<Integer>,
        grid_id -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    businesses (tenant_id, id) {
        tenant_id -> Text,
        id -> Text,
        kind -> Text,
        name -> Text,
        credit_code -> Nullable<Text>,
        market_id -> Nullable<Text>,
        stall_no -> Nullable<Text>,
        address -> Nullable<Text>,
        township_id -> Nullable<Text>,
        grid_id -> Nullable<Text>,
        industry -> Nullable<Text>,
        employee_count -> Nullable<Integer>,
        status -> Text,
        status_since -> Nullable<Date>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    business_people (tenant_id, id) {
        tenant_id -> Text,
        id -> Text,
        business_id -> Text,
        member_id -> Text,
        role -> Text,
        since -> Date,
        until -> Nullable<Date>,
        recorded_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    member_status_history (tenant_id, id) {
        tenant_id -> Text,
        id -> Text,
        member_id -> Text,
        change -> Text,
        from_value -> Text,
        to_value -> Text,
        effective_on -> Date,
        from_org -> Nullable<Text>,
        to_org -> Nullable<Text>,
        reason -> Nullable<Text>,
        recorded_by -> Text,
        recorded_at -> Timestamp,
        from_unit_id -> Nullable<Text>,
        to_unit_id -> Nullable<Text>,
    }
}

diesel::joinable!(tenants -> provinces (province_code));
diesel::joinable!(users -> tenants (tenant_id));

diesel::allow_tables_to_appear_in_same_query!(
    members,
    audit_log,
    tenant_keys,
    grids,
    grid_townships,
    org_units,
    provinces,
    tenants,
    platform_users,
    users,
    idempotency_keys,
    platform_idempotency_keys,
    markets,
    businesses,
    business_people,
    member_status_history
);

diesel::table! {
    qq_settings (tenant_id) {
        tenant_id -> Text,
        deadline_month -> Integer,
        deadline_day -> Integer,
        version -> BigInt,
        updated_by -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    qq_groups (tenant_id, id) {
        tenant_id -> Text,
        id -> Text,
        name -> Text,
        group_number -> Nullable<Text>,
        grid_id -> Nullable<Text>,
        org_unit_id -> Nullable<Text>,
        maintainer_id -> Text,
        active -> Bool,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    qq_roster_entries (tenant_id, id) {
        tenant_id -> Text,
        id -> Text,
        group_id -> Text,
        real_name -> Text,
        role -> Text,
        org_unit_id -> Nullable<Text>,
        qq_enc -> Text,
        qq_bidx -> Text,
        member_id -> Nullable<Text>,
        joined_on -> Nullable<Date>,
        verified -> Bool,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    qq_snapshots (tenant_id, id) {
        tenant_id -> Text,
        id -> Text,
        group_id -> Text,
        taken_on -> Date,
        source -> Text,
        people -> Integer,
        matched -> Integer,
        missing -> Integer,
        unknown -> Integer,
        unverified -> Integer,
        imported_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    qq_snapshot_people (tenant_id, snapshot_id, line_no) {
        tenant_id -> Text,
        snapshot_id -> Text,
        line_no -> Integer,
        group_id -> Text,
        qq_enc -> Text,
        qq_bidx -> Text,
        nickname_enc -> Nullable<Text>,
    }
}

diesel::table! {
    qq_roster_history (tenant_id, id) {
        tenant_id -> Text,
        id -> Text,
        group_id -> Text,
        entry_id -> Nullable<Text>,
        at -> Timestamp,
        actor_id -> Text,
        action -> Text,
        changes -> Text,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    qq_settings,
    qq_groups,
    qq_roster_entries,
    qq_snapshots,
    qq_snapshot_people,
    qq_roster_history
);
diesel::allow_tables_to_appear_in_same_query!(qq_groups, org_units);

// Pairs are declared once each, so these stay separate from the list above.
diesel::allow_tables_to_appear_in_same_query!(member_consents, members);
diesel::allow_tables_to_appear_in_same_query!(user_totp, users);
diesel::allow_tables_to_appear_in_same_query!(platform_user_totp, platform_users);

// The deadline engine (issue 5).
diesel::table! {
    obligation_tallies (tenant_id, owner_org_unit_id, kind, due_on) {
        tenant_id -> Text,
        owner_org_unit_id -> Text,
        kind -> Text,
        due_on -> Date,
        open_n -> Integer,
        done_n -> Integer,
    }
}

diesel::table! {
    obligations (tenant_id, id) {
        tenant_id -> Text,
        id -> Text,
        kind -> Text,
        period -> Text,
        subject_type -> Text,
        subject_id -> Text,
        owner_org_unit_id -> Text,
        member_id -> Nullable<Text>,
        title -> Text,
        due_on -> Date,
        done_at -> Nullable<Timestamp>,
        done_by -> Nullable<Text>,
        overdue_since -> Nullable<Date>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    deadline_settings (tenant_id, kind) {
        tenant_id -> Text,
        kind -> Text,
        days -> Nullable<Integer>,
        month -> Nullable<Integer>,
        day -> Nullable<Integer>,
        month2 -> Nullable<Integer>,
        day2 -> Nullable<Integer>,
        version -> BigInt,
        updated_by -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    calendar_days (tenant_id, day) {
        tenant_id -> Text,
        day -> Date,
        kind -> Text,
        name -> Text,
        updated_by -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    outbox (tenant_id, id) {
        tenant_id -> Text,
        id -> Text,
        topic -> Text,
        obligation_id -> Nullable<Text>,
        activity_id -> Nullable<Text>,
        recipient_org_unit_id -> Text,
        subject -> Text,
        body -> Text,
        created_at -> Timestamp,
        dispatched_at -> Nullable<Timestamp>,
    }
}

diesel::allow_tables_to_appear_in_same_query!(obligations, org_units);
diesel::allow_tables_to_appear_in_same_query!(obligations, outbox);

// Performance records and quarterly filing (issue 5 items 2 and 3).
diesel::table! {
    record_catalogue_items (tenant_id, code) {
        tenant_id -> Text,
        code -> Text,
        category -> Text,
        position -> Integer,
        current_version -> Integer,
        retired_at -> Nullable<Timestamp>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    record_catalogue_versions (tenant_id, code, version) {
        tenant_id -> Text,
        code -> Text,
        version -> Integer,
        name -> Text,
        description -> Nullable<Text>,
        created_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    performance_records (tenant_id, id) {
        tenant_id -> Text,
        id -> Text,
        member_id -> Text,
        item_code -> Text,
        item_version -> Integer,
        category -> Text,
        recorded_on -> Date,
        content -> Text,
        score -> Nullable<Integer>,
        recording_unit_id -> Text,
        recorded_by -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    filings (tenant_id, id) {
        tenant_id -> Text,
        id -> Text,
        unit_id -> Text,
        unit_kind -> Text,
        period -> Text,
        state -> Text,
        summary -> Text,
        due_on -> Date,
        first_submitted_on -> Nullable<Date>,
        submitted_on -> Nullable<Date>,
        submitted_by -> Nullable<Text>,
        reviewed_on -> Nullable<Date>,
        reviewed_by -> Nullable<Text>,
        return_reason -> Nullable<Text>,
        created_by -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    filing_lines (tenant_id, filing_id, member_id, item_code) {
        tenant_id -> Text,
        filing_id -> Text,
        member_id -> Text,
        item_code -> Text,
        item_name -> Text,
        category -> Text,
        record_count -> Integer,
        content -> Text,
        note -> Nullable<Text>,
    }
}

diesel::table! {
    filing_events (tenant_id, id) {
        tenant_id -> Text,
        id -> Text,
        filing_id -> Text,
        action -> Text,
        happened_on -> Date,
        actor_id -> Text,
        reason -> Nullable<Text>,
        at -> Timestamp,
    }
}

diesel::allow_tables_to_appear_in_same_query!(record_catalogue_items, record_catalogue_versions);
diesel::allow_tables_to_appear_in_same_query!(performance_records, record_catalogue_versions);
diesel::allow_tables_to_appear_in_same_query!(performance_records, members);
diesel::allow_tables_to_appear_in_same_query!(performance_records, org_units);
diesel::allow_tables_to_appear_in_same_query!(filings, org_units);
diesel::allow_tables_to_appear_in_same_query!(filing_lines, members);

// Two-way reporting and semi-annual feedback (issue 5, workflows/reporting and feedback).
diesel::table! {
    handbooks (tenant_id, id) {
        tenant_id -> Text,
        id -> Text,
        reporting_id -> Text,
        member_id -> Text,
        branch_id -> Text,
        village_id -> Text,
        handbook_no -> Text,
        card_no -> Text,
        state -> Text,
        issued_on -> Date,
        due_on -> Date,
        issued_by -> Text,
        village_reported_on -> Nullable<Date>,
        village_confirmed_by -> Nullable<Text>,
        village_note -> Nullable<Text>,
        branch_reported_on -> Nullable<Date>,
        branch_confirmed_by -> Nullable<Text>,
        branch_note -> Nullable<Text>,
        replaces_id -> Nullable<Text>,
        replaced_by_id -> Nullable<Text>,
        closed_on -> Nullable<Date>,
        closed_by -> Nullable<Text>,
        close_reason -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    handbook_counters (tenant_id, year) {
        tenant_id -> Text,
        year -> Integer,
        last_seq -> Integer,
    }
}

diesel::table! {
    activity_ledger (tenant_id, id) {
        tenant_id -> Text,
        id -> Text,
        org_unit_id -> Text,
        member_id -> Text,
        kind -> Text,
        happened_on -> Date,
        handbook_id -> Nullable<Text>,
        note -> Nullable<Text>,
        recorded_by -> Text,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    feedback_batches (tenant_id, id) {
        tenant_id -> Text,
        id -> Text,
        direction -> Text,
        sender_id -> Text,
        receiver_id -> Text,
        reviewer_unit_id -> Text,
        period -> Text,
        due_on -> Date,
        state -> Text,
        drafted_by -> Text,
        submitted_at -> Nullable<Timestamp>,
        submitted_by -> Nullable<Text>,
        reviewed_on -> Nullable<Date>,
        reviewed_by -> Nullable<Text>,
        review_note -> Nullable<Text>,
        return_reason -> Nullable<Text>,
        sent_on -> Nullable<Date>,
        sent_by -> Nullable<Text>,
        acknowledged_on -> Nullable<Date>,
        acknowledged_by -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    feedback_items (tenant_id, id) {
        tenant_id -> Text,
        id -> Text,
        batch_id -> Text,
        member_id -> Text,
        text -> Text,
        updated_at -> Timestamp,
    }
}

diesel::allow_tables_to_appear_in_same_query!(handbooks, members);
diesel::allow_tables_to_appear_in_same_query!(handbooks, org_units);
diesel::allow_tables_to_appear_in_same_query!(handbooks, activity_ledger);
diesel::allow_tables_to_appear_in_same_query!(activity_ledger, members);
diesel::allow_tables_to_appear_in_same_query!(feedback_batches, feedback_items);
diesel::allow_tables_to_appear_in_same_query!(feedback_items, members);
diesel::allow_tables_to_appear_in_same_query!(feedback_batches, org_units);

// Floating members (issue 5 item 5).
diesel::table! {
    floating_cases (tenant_id, id) {
        tenant_id -> Text,
        id -> Text,
        member_id -> Text,
        year -> Integer,
        branch_id -> Text,
        state -> Text,
        home_contact_unit -> Text,
        home_org_address -> Nullable<Text>,
        operating_since -> Date,
        registered_on -> Date,
        note -> Nullable<Text>,
        proof_reference -> Nullable<Text>,
        proof_date -> Nullable<Date>,
        confirmed_on -> Nullable<Date>,
        evaluation -> Nullable<Text>,
        secretary_name -> Nullable<Text>,
        evaluated_on -> Nullable<Date>,
        sent_on -> Nullable<Date>,
        sent_method -> Nullable<Text>,
        sent_note -> Nullable<Text>,
        received_on -> Nullable<Date>,
        received_by -> Nullable<Text>,
        receipt_note -> Nullable<Text>,
        archived_on -> Nullable<Date>,
        archive_reference -> Nullable<Text>,
        registered_by -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    floating_activities (tenant_id, id) {
        tenant_id -> Text,
        id -> Text,
        case_id -> Text,
        held_on -> Date,
        kind -> Text,
        content -> Text,
        recorded_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    floating_chases (tenant_id, id) {
        tenant_id -> Text,
        id -> Text,
        case_id -> Text,
        chased_on -> Date,
        method -> Text,
        note -> Nullable<Text>,
        recorded_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::allow_tables_to_appear_in_same_query!(floating_cases, org_units);

// Regional service centres (seed 002), in their own file.
#[path = "schema_centres.rs"]
mod centres;
pub use centres::{
    activities, activity_attendance, activity_events, letter_batches, participation_letters,
    registration_calls, registrations, service_request_events, service_requests,
};

// Notification delivery (issue 15 item 5), in its own file.
#[path = "schema_notify.rs"]
mod notify;
pub use notify::{deliveries, notification_preferences, notification_settings};

// Evaluations (issue 16), in their own file.
#[path = "schema_evaluations.rs"]
mod evaluations;
pub use evaluations::{
    branch_evaluations, coverage_campaigns, coverage_plans, coverage_reports, coverage_surveys,
    market_spot_checks, market_standard_targets, market_standards, rubrics, vanguard_campaigns,
    vanguard_entries, vanguard_objections,
};

// The national working-day calendar (issue 17 item 7): platform-level, in its own file.
#[path = "schema_calendar.rs"]
mod calendar;
pub use calendar::{national_calendar_days, national_calendar_years};

// The statistics' half-year snapshots (issue 17): in their own file.
#[path = "schema_statistics.rs"]
mod statistics;
pub use statistics::stat_snapshots;

// A county's deletion record and certificate (issue 17 item 6): platform-level.
#[path = "schema_lifecycle.rs"]
mod lifecycle;
pub use lifecycle::county_deletions;
