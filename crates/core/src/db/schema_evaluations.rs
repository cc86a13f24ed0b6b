//! Tables of the evaluations (issue 16): the county's versioned rubrics, the yearly grading of
//! branches and service centres, the vanguard index, the markets' six standards and the
//! coverage campaign.

use super::{members, org_units};

diesel::table! {
    rubrics (tenant_id, code, version) {
        tenant_id -> Text,
        code -> Text,
        version -> Integer,
        name -> Text,
        body -> Text,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    branch_evaluations (tenant_id, id) {
        tenant_id -> Text,
        id -> Text,
        unit_id -> Text,
        year -> Integer,
        rubric_code -> Text,
        rubric_version -> Integer,
        state -> Text,
        self_body -> Nullable<Text>,
        self_total -> Nullable<Integer>,
        self_grade -> Nullable<Text>,
        self_by -> Nullable<Text>,
        self_on -> Nullable<Date>,
        body -> Nullable<Text>,
        total -> Nullable<Integer>,
        grade -> Nullable<Text>,
        outright -> Nullable<Text>,
        assessed_by -> Nullable<Text>,
        assessed_on -> Nullable<Date>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::allow_tables_to_appear_in_same_query!(branch_evaluations, org_units);
diesel::allow_tables_to_appear_in_same_query!(branch_evaluations, rubrics);

diesel::table! {
    vanguard_campaigns (tenant_id, id) {
        tenant_id -> Text,
        id -> Text,
        year -> Integer,
        state -> Text,
        notice_days -> Integer,
        notice_from -> Nullable<Date>,
        notice_until -> Nullable<Date>,
        opened_by -> Text,
        opened_on -> Date,
        finalised_on -> Nullable<Date>,
        reported_on -> Nullable<Date>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    vanguard_entries (tenant_id, campaign_id, member_id) {
        tenant_id -> Text,
        campaign_id -> Text,
        member_id -> Text,
        unit_id -> Nullable<Text>,
        excluded -> Nullable<Text>,
        self_stars -> Nullable<Integer>,
        self_summary -> Nullable<Text>,
        self_on -> Nullable<Date>,
        peer_1 -> Nullable<Integer>,
        peer_2 -> Nullable<Integer>,
        peer_3 -> Nullable<Integer>,
        peer_4 -> Nullable<Integer>,
        peer_5 -> Nullable<Integer>,
        peer_on -> Nullable<Date>,
        review_stars -> Nullable<Integer>,
        review_note -> Nullable<Text>,
        reviewed_by -> Nullable<Text>,
        reviewed_on -> Nullable<Date>,
        veto -> Nullable<Text>,
        veto_evidence -> Nullable<Text>,
        veto_by -> Nullable<Text>,
        veto_on -> Nullable<Date>,
        final_stars -> Nullable<Integer>,
        outstanding -> Bool,
        talk_on -> Nullable<Date>,
        mentor -> Nullable<Text>,
        help_done_on -> Nullable<Date>,
        version -> BigInt,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    vanguard_objections (tenant_id, id) {
        tenant_id -> Text,
        id -> Text,
        campaign_id -> Text,
        member_id -> Text,
        received_on -> Date,
        content -> Text,
        recorded_by -> Text,
        answer -> Nullable<Text>,
        revised_stars -> Nullable<Integer>,
        answered_on -> Nullable<Date>,
        answered_by -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::allow_tables_to_appear_in_same_query!(vanguard_entries, members);
diesel::allow_tables_to_appear_in_same_query!(vanguard_entries, org_units);
diesel::allow_tables_to_appear_in_same_query!(vanguard_entries, vanguard_campaigns);

diesel::table! {
    market_standards (tenant_id, id) {
        tenant_id -> Text,
        id -> Text,
        market_id -> Text,
        year -> Integer,
        items -> Text,
        met_count -> Integer,
        updated_by -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    market_spot_checks (tenant_id, id) {
        tenant_id -> Text,
        id -> Text,
        standard_id -> Text,
        checked_on -> Date,
        checked_by -> Text,
        result -> Text,
        failed_items -> Nullable<Text>,
        note -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    market_standard_targets (tenant_id, year) {
        tenant_id -> Text,
        year -> Integer,
        permille -> Integer,
        updated_by -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    coverage_campaigns (tenant_id, id) {
        tenant_id -> Text,
        id -> Text,
        title -> Text,
        starts_on -> Date,
        days -> Integer,
        cycle_days -> Integer,
        owner_unit_id -> Text,
        created_by -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    coverage_surveys (tenant_id, id) {
        tenant_id -> Text,
        id -> Text,
        campaign_id -> Text,
        business_id -> Text,
        employees -> Integer,
        party_full -> Integer,
        party_probationary -> Integer,
        league_members -> Integer,
        party_org -> Text,
        league_org -> Text,
        instructor -> Bool,
        owner_identity -> Text,
        management -> Nullable<Text>,
        activities -> Bool,
        venue -> Bool,
        surveyed_on -> Date,
        surveyed_by -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    coverage_plans (tenant_id, id) {
        tenant_id -> Text,
        id -> Text,
        campaign_id -> Text,
        business_id -> Text,
        body -> Text,
        form -> Text,
        owner_unit_id -> Text,
        owner_name -> Text,
        status -> Text,
        target_on -> Nullable<Date>,
        done_on -> Nullable<Date>,
        note -> Nullable<Text>,
        updated_by -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    coverage_reports (tenant_id, id) {
        tenant_id -> Text,
        id -> Text,
        campaign_id -> Text,
        cycle -> Integer,
        as_of -> Date,
        figures -> Text,
        issued_by -> Text,
        issued_on -> Date,
        created_at -> Timestamp,
    }
}
