//! Tables of the evaluations (issue 16): the county's versioned rubrics and the yearly
//! standardisation grading of branches and service centres.

use super::org_units;

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
