//! The cross-scope write sweep: for every role and every mutating endpoint that names tenant
//! data (an `{id}` in the path or a target id in the body), an object outside the caller's
//! scope answers exactly as an id that does not exist (404 for a path id; the field's "no such"
//! error for a body id; the role's 403 where the role may not use the endpoint at all, which is
//! the same for every id), and the row is byte-identical afterwards, read straight from the
//! database. The world is the demo data (two counties, every kind of row).
//!
//! One table ([`cases`]) lists every such endpoint; the test fails if docs/openapi.json has a
//! mutating endpoint that is neither in it nor in [`EXCLUDED`], so a new endpoint cannot be
//! forgotten.

use std::collections::{BTreeSet, HashMap};

use diesel::prelude::*;
use diesel::sql_types::{Nullable, Text};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use shuanglian::auth::Role;
use shuanglian::db::{Backend, Mode};
use shuanglian::demo::{DEMO_PASSWORD, DEMO_TOTP_SECRET};
use shuanglian_tests::{TestApp, backend, spawn_app, totp_code};

mod sweep;
mod writes;

const A: &str = "330523";
const B: &str = "330522";

/// Mutating endpoints that name no object another scope could own, with the reason.
const EXCLUDED: &[(&str, &str, &str)] = &[
    // The caller's own account: there is no one else's to name.
    ("POST", "/auth/password", "own account"),
    ("POST", "/auth/sign-in", "no caller yet"),
    ("POST", "/auth/sign-out", "own session"),
    ("POST", "/auth/totp/confirm", "own account"),
    ("POST", "/auth/totp/disable", "own account"),
    ("POST", "/auth/totp/enrol", "own account"),
    // The caller's own county's settings, addressed by a key (a date, a rule kind, a catalogue
    // code) that resolves inside the caller's county only: another county's row cannot be named.
    (
        "PUT",
        "/deadlines/calendar/days/{day}",
        "own county, by date",
    ),
    (
        "DELETE",
        "/deadlines/calendar/days/{day}",
        "own county, by date",
    ),
    ("PUT", "/deadlines/rules/{kind}", "own county, by rule kind"),
    (
        "DELETE",
        "/deadlines/rules/{kind}",
        "own county, by rule kind",
    ),
    ("POST", "/deadlines/run", "own county's job"),
    ("PUT", "/privacy/masking-policy", "own county's policy"),
    ("PATCH", "/qq-settings", "own county's settings"),
    ("PUT", "/notifications/settings", "own county's settings"),
    ("PUT", "/me/notification-preferences", "own account"),
    ("POST", "/record-catalogue/items", "own county's catalogue"),
    (
        "POST",
        "/evaluations/rubrics/{code}/versions",
        "own county, by rubric code",
    ),
    (
        "PUT",
        "/evaluations/markets/targets/{year}",
        "own county's target, by year",
    ),
    // A county's vanguard campaign, by year: another county's cannot be named.
    (
        "POST",
        "/evaluations/vanguard",
        "creates the own county's campaign",
    ),
    (
        "POST",
        "/evaluations/coverage",
        "creates the own county's campaign",
    ),
    (
        "POST",
        "/evaluations/vanguard/{year}/notice",
        "own county, by year",
    ),
    (
        "POST",
        "/evaluations/vanguard/{year}/finalise",
        "own county, by year",
    ),
    (
        "POST",
        "/evaluations/vanguard/{year}/report",
        "own county, by year",
    ),
    // The national working-day calendar: platform-wide, by year, the operator's only.
    ("PUT", "/platform/calendar/{year}", "platform-wide, by year"),
    // A county's half-year snapshot, by period: only the county admin writes it, and another
    // county's admin reaches only its own (tests/tests/statistics.rs checks the row unchanged).
    (
        "POST",
        "/statistics/periods/{period}/compute",
        "own county, by period",
    ),
    (
        "POST",
        "/statistics/periods/{period}/review",
        "own county, by period",
    ),
    (
        "POST",
        "/statistics/periods/{period}/freeze",
        "own county, by period",
    ),
    (
        "PATCH",
        "/record-catalogue/items/{code}",
        "own county, by code",
    ),
    (
        "DELETE",
        "/record-catalogue/items/{code}",
        "own county, by code",
    ),
    (
        "POST",
        "/record-catalogue/items/{code}/restore",
        "own county, by code",
    ),
    (
        "POST",
        "/record-catalogue/items/{code}/retire",
        "own county, by code",
    ),
    // The file names units by name within the importer's (county admin's) own county.
    ("POST", "/members/import", "units by name, own county"),
    // Creates a county: no existing object is named.
    ("POST", "/platform/tenants", "creates a county"),
];

/// The demo campaign's id and a business's, for the organisations of a coverage campaign.
const COVERAGE_ORG: &str =
    "(SELECT c.id FROM coverage_campaigns c WHERE c.tenant_id = businesses.tenant_id) || '|' || id";

/// What a case's `{id}` (and a second path id, or a body id) refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    Member,
    /// A member whose membership another branch holds: handbooks reach, by design, the
    /// members of the villages linked to the branch's grids (reporting::repo::member_reachable),
    /// which the member register does not show the branch.
    HeldByBranch,
    Consent,
    Business,
    BusinessLink,
    Market,
    Grid,
    GridTownship,
    Obligation,
    FeedbackBatch,
    FeedbackItem,
    Filing,
    Floating,
    ServiceRequest,
    /// A service centre's activity.
    Activity,
    /// A service centre (an org unit of that kind).
    Centre,
    /// A centre's batch of 30 December letters, and one letter of it.
    LetterBatch,
    Letter,
    /// A registration at a centre's window.
    Registration,
    /// A party branch or centre graded for a year (the sub id is the year).
    Graded,
    /// A member's entry in a vanguard campaign (the sub id is the campaign's year).
    VanguardEntry,
    /// An objection raised in a vanguard campaign's notice.
    VanguardObjection,
    /// A market's six-standards checklist of a year (the sub id is the year).
    MarketYear,
    /// A coverage campaign's third cycle (the sub id is the cycle).
    CoverageCycle,
    /// An organisation of a coverage campaign (the id is the campaign's, the sub id the
    /// business's): its survey, and (`CoveragePlan`) its plans.
    CoverageSurvey,
    CoveragePlan,
    Handbook,
    Export,
    OrgUnit,
    Office,
    Village,
    QqGroup,
    RosterEntry,
    Record,
    User,
    ImportMapping,
    /// A delivery of a notice (the county admin's dead-letter retry).
    Delivery,
    /// An item of a staff member's own inbox.
    InboxItem,
    Tenant,
    Session,
}

impl Kind {
    /// (table, SQL expression giving `id|sub` for a row, extra filter, snapshot table, snapshot
    /// column, whether the snapshot is keyed by the sub id).
    #[rustfmt::skip]
    fn rows(self) -> (&'static str, &'static str, &'static str, &'static str, &'static str, bool) {
        match self {
            Kind::Member => ("members", "id", "", "members", "id", false),
            Kind::HeldByBranch => ("members", "id", "membership_unit_id IN (SELECT id FROM org_units WHERE kind IN ('branch', 'party_branch'))", "members", "id", false),
            Kind::Consent => ("member_consents", "member_id || '|' || id", "", "member_consents", "id", true),
            Kind::Business => ("businesses", "id", "", "businesses", "id", false),
            Kind::BusinessLink => ("business_people", "business_id || '|' || id", "", "business_people", "id", true),
            Kind::Market => ("org_units", "id", "kind = 'market'", "markets", "id", false),
            Kind::Grid => ("grids", "id", "", "grids", "id", false),
            Kind::GridTownship => ("grid_townships", "grid_id || '|' || township_id", "valid_to IS NULL", "grid_townships", "grid_id", false),
            Kind::Obligation => ("obligations", "id", "", "obligations", "id", false),
            Kind::FeedbackBatch => ("feedback_batches", "id", "", "feedback_batches", "id", false),
            Kind::FeedbackItem => ("feedback_items", "batch_id || '|' || member_id", "", "feedback_items", "batch_id", false),
            Kind::Filing => ("filings", "id", "", "filings", "id", false),
            Kind::Floating => ("floating_cases", "id", "", "floating_cases", "id", false),
            Kind::ServiceRequest => ("service_requests", "id", "", "service_requests", "id", false),
            Kind::Activity => ("activities", "id", "", "activities", "id", false),
            Kind::LetterBatch => ("letter_batches", "id", "", "letter_batches", "id", false),
            Kind::Registration => ("registrations", "id", "", "registrations", "id", false),
            Kind::VanguardEntry => ("vanguard_entries", "member_id || '|' || (SELECT CAST(c.year AS TEXT) FROM vanguard_campaigns c WHERE c.tenant_id = vanguard_entries.tenant_id AND c.id = vanguard_entries.campaign_id)", "excluded IS NULL", "vanguard_entries", "member_id", false),
            Kind::MarketYear => ("org_units", "id || '|' || '2025'", "kind = 'market'", "market_standards", "market_id", false),
            Kind::CoverageCycle => ("coverage_campaigns", "id || '|' || '3'", "", "coverage_reports", "campaign_id", false),
            Kind::CoverageSurvey => ("businesses", COVERAGE_ORG, "status <> 'closed'", "coverage_surveys", "business_id", true),
            Kind::CoveragePlan => ("businesses", COVERAGE_ORG, "status <> 'closed'", "coverage_plans", "business_id", true),
            Kind::VanguardObjection => ("vanguard_objections", "id", "", "vanguard_objections", "id", false),
            Kind::Graded => ("org_units", "id || '|' || '2025'", "kind IN ('party_branch', 'service_centre')", "branch_evaluations", "unit_id", false),
            Kind::Letter => ("participation_letters", "batch_id || '|' || id", "", "participation_letters", "id", true),
            Kind::Centre => ("org_units", "id", "kind = 'service_centre'", "org_units", "id", false),
            Kind::Handbook => ("handbooks", "id", "", "handbooks", "id", false),
            Kind::Export => ("member_exports", "id", "", "member_exports", "id", false),
            Kind::OrgUnit => ("org_units", "id", "kind IN ('branch', 'party_branch')", "org_units", "id", false),
            Kind::Office => ("org_units", "id", "kind = 'aic_office'", "org_units", "id", false),
            Kind::Village => ("org_units", "id", "kind = 'village'", "org_units", "id", false),
            Kind::QqGroup => ("qq_groups", "id", "", "qq_groups", "id", false),
            Kind::RosterEntry => ("qq_roster_entries", "group_id || '|' || id", "", "qq_roster_entries", "id", true),
            Kind::Record => ("performance_records", "id", "", "performance_records", "id", false),
            Kind::User => ("users", "id", "", "users", "id", false),
            Kind::ImportMapping => ("import_mappings", "id", "", "import_mappings", "id", false),
            Kind::Delivery => ("deliveries", "id", "", "deliveries", "id", false),
            Kind::InboxItem => ("deliveries", "id", "channel = 'inbox'", "deliveries", "id", false),
            Kind::Tenant | Kind::Session => ("", "", "", "", "", false),
        }
    }

    /// The read that tells whether the caller reaches the row (`{id}` replaced); 403 or 404 on
    /// it means out of scope. None: the row is out of scope by construction (see `pick`).
    fn read(self) -> Option<&'static str> {
        Some(match self {
            Kind::Member | Kind::HeldByBranch | Kind::Consent => "/api/v1/members/{id}",
            Kind::Business | Kind::BusinessLink => "/api/v1/businesses/{id}",
            Kind::MarketYear => "/api/v1/markets/{id}",
            Kind::CoverageSurvey | Kind::CoveragePlan => "/api/v1/evaluations/coverage/{id}/organisations/{sub}",
            Kind::Market => "/api/v1/markets/{id}",
            Kind::FeedbackBatch | Kind::FeedbackItem => "/api/v1/feedback-batches/{id}",
            Kind::Filing => "/api/v1/filings/{id}",
            Kind::Floating => "/api/v1/floating-members/{id}",
            Kind::ServiceRequest => "/api/v1/service-requests/{id}",
            Kind::Activity => "/api/v1/activities/{id}",
            Kind::LetterBatch | Kind::Letter => "/api/v1/letter-batches/{id}",
            Kind::Registration => "/api/v1/registrations/{id}",
            Kind::Graded => "/api/v1/evaluations/branches/{id}/2025",
            // An entry is seen by whoever sees the member.
            Kind::VanguardEntry => "/api/v1/members/{id}",
            Kind::Handbook => "/api/v1/handbooks/{id}",
            Kind::Export => "/api/v1/member-exports/{id}",
            Kind::OrgUnit | Kind::Office | Kind::Village | Kind::Centre => "/api/v1/org-units/{id}",
            Kind::QqGroup | Kind::RosterEntry => "/api/v1/qq-groups/{id}",
            Kind::Record => "/api/v1/records/{id}",
            Kind::User => "/api/v1/users/{id}",
            Kind::ImportMapping => "/api/v1/import-mappings/{id}",
            // Grids are read county-wide; writes are scoped by office (picked by SQL), and
            // obligations are completed by county-wide roles only. Deliveries are the county
            // admin's (none of the callers); inbox items are picked among others' (by SQL).
            Kind::Grid
            | Kind::GridTownship
            | Kind::Obligation
            | Kind::Delivery
            | Kind::InboxItem
            // Objections are the association committee's only (every other role: 403).
            | Kind::VanguardObjection
            // A campaign's reports are read county-wide and issued by county-wide roles only.
            | Kind::CoverageCycle
            | Kind::Tenant
            | Kind::Session => {
                return None;
            }
        })
    }
}

/// A body id ("$T": the target's id) or a path id; "$ME": the caller's user id; "$MAINT": a
/// branch staff member of the caller's county (a QQ group's maintainer).
struct Case {
    method: &'static str,
    path: &'static str,
    kind: Kind,
    body: Value,
}

fn case(method: &'static str, path: &'static str, kind: Kind, body: Value) -> Case {
    Case {
        method,
        path,
        kind,
        body,
    }
}

#[rustfmt::skip]
fn cases() -> Vec<Case> {
    use Kind::*;
    let none = || json!({});
    let on = "2026-10-10";
    vec![
        // Businesses and markets.
        case("POST", "/businesses", Member, json!({ "kind": "individual_business", "name": "越界商户", "owner_member_id": "$T" })),
        case("PATCH", "/businesses/{id}", Business, json!({ "industry": "零售" })),
        case("POST", "/businesses/{id}/people", Business, json!({ "member_id": "$ME", "role": "employee" })),
        case("POST", "/businesses/{id}/people/{link_id}/end", BusinessLink, json!({ "until": on })),
        case("POST", "/markets", Office, json!({ "name": "越界市场", "aic_office_id": "$T" })),
        case("PATCH", "/markets/{id}", Market, json!({ "stall_count": 7 })),
        // The business-register import names one object: a saved mapping (another county's, or
        // one that does not exist, is the same 422). Its file names units by name, in the
        // importer's own county; it is committed (`dry_run=false`) so a write would show.
        case("POST", "/businesses/import?dry_run=false&mapping=$T", ImportMapping, Value::String("统一社会信用代码,名称,类型\n,越界商户,个体工商户\n".into())),
        // Saved import mappings: naming another county's unit, or changing its mapping.
        case("POST", "/import-mappings", Village, json!({ "name": "越界对应", "org_names": { "越界村": { "unit_id": "$T" } } })),
        case("PUT", "/import-mappings/{id}", ImportMapping, json!({ "name": "越界改名" })),
        case("DELETE", "/import-mappings/{id}", ImportMapping, none()),
        // Grids.
        case("POST", "/grids", Office, json!({ "name": "越界网格", "aic_office_id": "$T" })),
        case("PATCH", "/grids/{id}", Grid, json!({ "name": "越界改名" })),
        case("POST", "/grids/{id}/townships", GridTownship, json!({ "township_id": "$SUB" })),
        case("DELETE", "/grids/{id}/townships/{township_id}", GridTownship, none()),
        // Deadlines.
        case("POST", "/deadlines/{id}/complete", Obligation, json!({ "note": "越界" })),
        // Feedback.
        case("POST", "/feedback-batches", Village, json!({ "period": "2026-H1", "receiver_id": "$T" })),
        case("POST", "/feedback-batches/{id}/acknowledge", FeedbackBatch, json!({ "acknowledged_on": on })),
        case("PUT", "/feedback-batches/{id}/items/{member_id}", FeedbackItem, json!({ "text": "越界反馈" })),
        case("DELETE", "/feedback-batches/{id}/items/{member_id}", FeedbackItem, none()),
        case("POST", "/feedback-batches/{id}/review", FeedbackBatch, json!({ "decision": "approve" })),
        case("POST", "/feedback-batches/{id}/send", FeedbackBatch, json!({ "sent_on": on })),
        case("POST", "/feedback-batches/{id}/submit", FeedbackBatch, none()),
        // Quarterly filing.
        case("POST", "/filings", Village, json!({ "period": "2026-Q3", "recording_unit_id": "$T" })),
        case("PATCH", "/filings/{id}", Filing, json!({ "summary": "越界" })),
        case("POST", "/filings/{id}/accept", Filing, json!({ "reason": "越界" })),
        case("POST", "/filings/{id}/refresh", Filing, none()),
        case("POST", "/filings/{id}/return", Filing, json!({ "reason": "越界" })),
        case("POST", "/filings/{id}/submit", Filing, json!({ "submitted_on": on })),
        // Floating members.
        case("POST", "/floating-members", Member, json!({ "member_id": "$T" })),
        case("POST", "/floating-members/{id}/activities", Floating, json!({ "content": "越界", "held_on": on, "kind": "org_life" })),
        case("POST", "/floating-members/{id}/archive", Floating, json!({ "archived_on": on })),
        case("POST", "/floating-members/{id}/chases", Floating, json!({ "method": "phone" })),
        case("POST", "/floating-members/{id}/confirm", Floating, json!({ "proof_date": on, "proof_reference": "越界" })),
        case("POST", "/floating-members/{id}/evaluation", Floating, json!({ "evaluation": "越界" })),
        case("POST", "/floating-members/{id}/receipt", Floating, json!({ "received_by": "某人" })),
        case("POST", "/floating-members/{id}/send", Floating, json!({ "method": "post" })),
        // Service requests at the service centres.
        case("POST", "/service-requests", Member, json!({ "member_id": "$T", "channel": "phone", "category": "rights", "content": "越界" })),
        case("POST", "/service-requests/{id}/answer", ServiceRequest, json!({ "answer": "越界", "method": "phone" })),
        case("POST", "/service-requests/{id}/archive", ServiceRequest, none()),
        case("POST", "/service-requests/{id}/escalate", ServiceRequest, none()),
        case("POST", "/service-requests/{id}/extend", ServiceRequest, json!({ "reason": "越界", "due_on": "2030-01-01" })),
        case("POST", "/service-requests/{id}/follow-up", ServiceRequest, json!({ "method": "phone", "opinion": "越界", "satisfaction": "satisfied" })),
        case("POST", "/service-requests/{id}/hand-over", ServiceRequest, json!({ "to_user_id": "$ME", "reason": "越界" })),
        // Activities at the service centres.
        case("POST", "/activities", Centre, json!({ "centre_id": "$T", "theme": "越界", "kind": "training", "held_on": on, "place": "越界" })),
        case("PUT", "/activities/{id}", Activity, json!({ "theme": "越界", "kind": "training", "held_on": on, "place": "越界" })),
        case("POST", "/activities/{id}/submit", Activity, none()),
        case("POST", "/activities/{id}/approve", Activity, none()),
        case("POST", "/activities/{id}/return", Activity, json!({ "reason": "越界" })),
        case("POST", "/activities/{id}/notify", Activity, none()),
        case("POST", "/activities/{id}/cancel", Activity, json!({ "reason": "越界" })),
        case("PUT", "/activities/{id}/attendance", Activity, json!({ "entries": [{ "member_id": "$ME", "status": "present" }] })),
        // Branch standardisation grading.
        case("PUT", "/evaluations/branches/{id}/{year}/self", Graded, json!({ "findings": [] })),
        case("PUT", "/evaluations/branches/{id}/{year}/assessment", Graded, json!({ "findings": [] })),
        // The markets' six standards.
        case("PUT", "/evaluations/markets/{id}/{year}", MarketYear, json!({ "items": [{ "code": "role", "met": true }] })),
        case("POST", "/evaluations/markets/{id}/{year}/spot-checks", MarketYear, json!({ "result": "passed" })),
        // The 百日攻坚 campaign: a cycle's report, an organisation's survey and plans.
        case("POST", "/evaluations/coverage/{id}/cycles/{cycle}/issue", CoverageCycle, none()),
        // The survey import names the campaign (the county admin's: other roles 403); its file
        // names businesses of the importer's own county. Committed, so a write would show.
        case("POST", "/evaluations/coverage/{id}/surveys/import?dry_run=false&skip_invalid=true", CoverageCycle, Value::String("单位名称,员工人数\n越界商户,3\n".into())),
        case("PUT", "/evaluations/coverage/{id}/surveys/{business_id}", CoverageSurvey, json!({ "employees": 3, "party_full": 0, "party_probationary": 0, "league_members": 0, "party_org": "none", "league_org": "none", "instructor": false, "owner_identity": "masses", "activities": false, "venue": false })),
        case("PUT", "/evaluations/coverage/{id}/plans/{business_id}/{body}", CoveragePlan, json!({ "form": "instructor", "owner_unit_id": "$ME", "owner_name": "越界", "status": "planned" })),
        // The vanguard index: a member's steps, and the committee's objections.
        case("PUT", "/members/{id}/vanguard/{year}/self", VanguardEntry, json!({ "stars": 3 })),
        case("PUT", "/members/{id}/vanguard/{year}/peer", VanguardEntry, json!({ "votes": [0, 0, 1, 0, 0] })),
        case("PUT", "/members/{id}/vanguard/{year}/review", VanguardEntry, json!({ "stars": 3 })),
        case("PUT", "/members/{id}/vanguard/{year}/veto", VanguardEntry, json!({ "kind": "discipline", "evidence": "越界" })),
        case("PUT", "/members/{id}/vanguard/{year}/outstanding", VanguardEntry, json!({ "outstanding": false })),
        case("PUT", "/members/{id}/vanguard/{year}/help", VanguardEntry, json!({ "mentor": "越界" })),
        case("POST", "/evaluations/vanguard/{year}/objections", VanguardEntry, json!({ "member_id": "$T", "content": "越界异议" })),
        case("POST", "/evaluations/vanguard/objections/{id}/answer", VanguardObjection, json!({ "answer": "越界答复" })),
        // The 30 December letters.
        case("POST", "/letter-batches", Centre, json!({ "centre_id": "$T" })),
        case("POST", "/letter-batches/{id}/regenerate", LetterBatch, none()),
        case("POST", "/letter-batches/{id}/send", LetterBatch, json!({ "method": "post" })),
        case("POST", "/letter-batches/{id}/letters/{letter_id}/receipt", Letter, none()),
        case("POST", "/letter-batches/{id}/letters/{letter_id}/chase", Letter, json!({ "method": "phone" })),
        // Registration at the window.
        case("POST", "/registrations", Centre, json!({ "centre_id": "$T", "survey": { "name": "越界", "is_owner": true, "business_name": "越界店", "membership_org_name": "某地党委", "membership_status": "full", "distribution": "individual_business" } })),
        case("POST", "/registrations/{id}/calls", Registration, json!({ "whom": "越界", "outcome": "confirmed" })),
        case("POST", "/registrations/{id}/pledge", Registration, json!({ "reference": "越界" })),
        case("POST", "/registrations/{id}/issue", Registration, json!({ "plaque_no": "越界", "handbook_no": "越界" })),
        case("POST", "/registrations/{id}/enter", Registration, none()),
        case("POST", "/registrations/{id}/close", Registration, json!({ "reason": "越界" })),
        // Handbooks (two-way reporting).
        case("POST", "/handbooks", HeldByBranch, json!({ "member_id": "$T" })),
        case("POST", "/handbooks/{id}/branch-confirmation", Handbook, json!({ "reported_on": on })),
        case("POST", "/handbooks/{id}/cancel", Handbook, json!({ "reason": "越界作废" })),
        case("POST", "/handbooks/{id}/reissue", Handbook, json!({ "reason": "越界补发" })),
        case("POST", "/handbooks/{id}/village-confirmation", Handbook, json!({ "reported_on": on })),
        // Sessions and exports.
        case("DELETE", "/me/sessions/{id}", Session, none()),
        // Notifications: one's own inbox, and the county admin's retry of a delivery.
        case("POST", "/me/inbox/{id}/read", InboxItem, none()),
        case("POST", "/notifications/deliveries/{id}/retry", Delivery, none()),
        case("POST", "/member-exports", OrgUnit, json!({ "personal": false, "reason": "越界导出", "query": { "unit": "$T" } })),
        case("POST", "/member-exports/{id}/approve", Export, none()),
        case("POST", "/member-exports/{id}/deny", Export, none()),
        // Members.
        case("POST", "/members", OrgUnit, json!({ "name": "越界", "is_owner": true, "business_name": "某店", "membership_status": "full", "distribution": "individual_business", "membership_unit_id": "$T" })),
        case("PATCH", "/members/{id}", Member, json!({ "business_name": "越界改名" })),
        case("POST", "/members/{id}/consents", Member, json!({ "consented_on": on, "form": "written", "notice_version": "v1" })),
        case("POST", "/members/{id}/consents/{consent_id}/withdraw", Consent, json!({ "withdrawn_on": on })),
        case("POST", "/members/{id}/status-changes", Member, json!({ "change": "business_status", "business_status": "suspended", "on": on })),
        case("POST", "/members/{id}/unmask", Member, json!({ "fields": ["phone"], "reason": "越界查看" })),
        // Org units.
        case("POST", "/org-units", OrgUnit, json!({ "kind": "village", "name": "越界村", "parent_id": "$T" })),
        case("PATCH", "/org-units/{id}", OrgUnit, json!({ "name": "越界改名" })),
        case("POST", "/org-units/{id}/deactivate", OrgUnit, none()),
        case("POST", "/org-units/{id}/move", OrgUnit, json!({})),
        case("POST", "/org-units/{id}/reactivate", OrgUnit, none()),
        // The platform's county endpoints.
        case("PATCH", "/platform/tenants/{id}", Tenant, json!({ "name": "越界县" })),
        case("POST", "/platform/tenants/{id}/admin-password-reset", Tenant, json!({ "username": "admin" })),
        case("POST", "/platform/tenants/{id}/admin-totp-reset", Tenant, json!({ "username": "admin" })),
        case("POST", "/platform/tenants/{id}/reactivate", Tenant, none()),
        case("POST", "/platform/tenants/{id}/suspend", Tenant, none()),
        // QQ groups.
        case("POST", "/qq-groups", OrgUnit, json!({ "name": "越界群", "org_unit_id": "$T", "maintainer_id": "$MAINT" })),
        case("PATCH", "/qq-groups/{id}", QqGroup, json!({ "name": "越界改名" })),
        case("POST", "/qq-groups/{id}/deactivate", QqGroup, none()),
        case("POST", "/qq-groups/{id}/reactivate", QqGroup, none()),
        case("POST", "/qq-groups/{id}/roster", QqGroup, json!({ "real_name": "越界", "role": "member", "qq": "98765432" })),
        case("PATCH", "/qq-groups/{id}/roster/{entry_id}", RosterEntry, json!({ "real_name": "越界改名" })),
        case("DELETE", "/qq-groups/{id}/roster/{entry_id}", RosterEntry, none()),
        case("POST", "/qq-groups/{id}/roster/{entry_id}/unmask", RosterEntry, json!({ "reason": "越界查看" })),
        case("POST", "/qq-groups/{id}/snapshots", QqGroup, json!({ "text": "越界 98765432", "dry_run": false })),
        case("POST", "/qq-groups/{id}/snapshots/file", QqGroup, Value::String("QQ号,群昵称\n98765432,越界\n".into())),
        // Performance records.
        case("POST", "/records", Member, json!({ "member_id": "$T", "item_code": "$ITEM", "content": "越界记录" })),
        case("PATCH", "/records/{id}", Record, json!({ "content": "越界改写" })),
        case("DELETE", "/records/{id}", Record, none()),
        // Users.
        case("POST", "/users", OrgUnit, json!({ "username": "$UNAME", "display_name": "越界", "role": "village_recorder", "org_unit_id": "$T" })),
        case("PATCH", "/users/{id}", User, json!({ "display_name": "越界改名" })),
        case("POST", "/users/{id}/password-reset", User, none()),
        case("POST", "/users/{id}/sessions/revoke", User, none()),
        case("POST", "/users/{id}/totp-reset", User, none()),
    ]
}

/// Runs one SQL text query (one row, one nullable text column) on the database as the owner of
/// county `code` (or on the platform tables with `None`).
async fn sql_text(app: &TestApp, code: Option<&'static str>, q: String) -> String {
    app.state
        .db
        .platform(Mode::Read, move |tx| {
            let query = diesel::select(diesel::dsl::sql::<Nullable<Text>>(&format!("({q})")));
            let out: Option<String> = match code {
                None => query.get_result(tx.conn())?,
                Some(code) => {
                    let t = shuanglian::tenancy::repo::by_code(tx, code)?.expect("county");
                    let mut ttx = tx.enter_tenant(t.tenant_id())?;
                    query.get_result(ttx.conn())?
                }
            };
            Ok(out.unwrap_or_default())
        })
        .await
        .expect("sql")
}

fn agg(inner: &str, sep: &str) -> String {
    match backend() {
        Backend::Sqlite => format!(
            "SELECT group_concat(x, {}) FROM ({inner} ORDER BY x)",
            if sep == "\n" { "char(10)" } else { "','" }
        ),
        Backend::Postgres => format!(
            "SELECT string_agg(x, {} ORDER BY x) FROM ({inner}) s",
            if sep == "\n" { "E'\\n'" } else { "','" }
        ),
    }
}

/// The database's snapshots of rows: every column as text, rows sorted.
struct Db<'a> {
    app: &'a TestApp,
    columns: HashMap<String, String>,
    tid: String,
}

impl<'a> Db<'a> {
    async fn new(app: &'a TestApp) -> Db<'a> {
        let tid = sql_text(
            app,
            None,
            format!("SELECT CAST(id AS TEXT) FROM tenants WHERE code = '{A}'"),
        )
        .await;
        Db {
            app,
            columns: HashMap::new(),
            tid,
        }
    }

    async fn columns(&mut self, table: &str) -> String {
        if let Some(c) = self.columns.get(table) {
            return c.clone();
        }
        let q = match backend() {
            Backend::Sqlite => {
                format!("SELECT group_concat(name, ',') FROM pragma_table_info('{table}')")
            }
            Backend::Postgres => format!(
                "SELECT string_agg(column_name::text, ',' ORDER BY ordinal_position) FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name = '{table}'"
            ),
        };
        let cols = sql_text(self.app, None, q).await;
        assert!(!cols.is_empty(), "no columns for {table}");
        self.columns.insert(table.to_owned(), cols.clone());
        cols
    }

    /// Every row of `table` matching `filter`, every column, as text.
    async fn rows(&mut self, table: &str, filter: &str) -> String {
        let cols = self.columns(table).await;
        let expr = cols
            .split(',')
            .map(|c| format!("COALESCE(CAST(\"{c}\" AS TEXT), '<null>')"))
            .collect::<Vec<_>>()
            .join(" || '|' || ");
        let platform = table == "tenants";
        let filter = if platform {
            filter.to_owned()
        } else {
            format!("tenant_id = '{}' AND ({filter})", self.tid)
        };
        let q = agg(
            &format!("SELECT {expr} AS x FROM \"{table}\" WHERE {filter}"),
            "\n",
        );
        sql_text(self.app, (!platform).then_some(A), q).await
    }

    /// `id|sub` of up to 300 rows of a kind in county A (ordered by id).
    async fn candidates(&mut self, kind: Kind, extra: &str) -> Vec<(String, String)> {
        let (table, expr, filter, ..) = kind.rows();
        let mut wh = format!("tenant_id = '{}'", self.tid);
        for f in [filter, extra] {
            if !f.is_empty() {
                wh.push_str(&format!(" AND {f}"));
            }
        }
        let inner = format!("SELECT {expr} AS x FROM {table} WHERE {wh} ORDER BY x LIMIT 300");
        let q = agg(&format!("SELECT x FROM ({inner}) t"), ",");
        let all = sql_text(self.app, Some(A), q).await;
        all.split(',')
            .filter(|s| !s.is_empty())
            .map(|s| {
                let (a, b) = s.split_once('|').unwrap_or((s, ""));
                (a.to_owned(), b.to_owned())
            })
            .collect()
    }

    /// Every tenant-scoped table of county A, whole.
    async fn county(&mut self) -> Vec<(String, String)> {
        let q = match backend() {
            Backend::Sqlite => "SELECT group_concat(m.name, ',') FROM sqlite_master m WHERE m.type = 'table' \
                 AND EXISTS (SELECT 1 FROM pragma_table_info(m.name) p WHERE p.name = 'tenant_id')"
                .to_owned(),
            Backend::Postgres => "SELECT string_agg(table_name::text, ',' ORDER BY table_name) FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND column_name = 'tenant_id'"
                .to_owned(),
        };
        let tables = sql_text(self.app, None, q).await;
        let mut out = Vec::new();
        for t in tables.split(',').filter(|t| !t.is_empty()) {
            out.push((t.to_owned(), self.rows(t, "1 = 1").await));
        }
        out
    }
}

struct Caller {
    name: &'static str,
    token: String,
    user_id: String,
    /// The unit the caller is bound to (empty for county-wide and platform roles).
    unit: String,
    /// A branch staff member of the caller's county (for a QQ group's maintainer).
    maint: String,
}

async fn demo_caller(
    app: &TestApp,
    code: &'static str,
    name: &'static str,
    username: &str,
) -> Caller {
    let token = if username == "admin" {
        let r = app
            .sign_in_with_code(
                Some(code),
                username,
                DEMO_PASSWORD,
                Some(&totp_code(DEMO_TOTP_SECRET)),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let v: Value = r.json().await.expect("json");
        v["token"].as_str().expect("token").to_owned()
    } else {
        app.sign_in(Some(code), username, DEMO_PASSWORD).await
    };
    let me: Value = app
        .get("/api/v1/me", &token)
        .send()
        .await
        .expect("me")
        .json()
        .await
        .expect("json");
    let user_id = me["user_id"]
        .as_str()
        .unwrap_or_else(|| panic!("{me}"))
        .to_owned();
    let unit = sql_text(
        app,
        Some(code),
        format!("SELECT org_unit_id FROM users WHERE id = '{user_id}'"),
    )
    .await;
    let maint = sql_text(
        app,
        Some(code),
        "SELECT MIN(id) FROM users WHERE role = 'branch_staff' AND org_unit_id IS NOT NULL".into(),
    )
    .await;
    Caller {
        name,
        token,
        user_id,
        unit,
        maint,
    }
}

async fn platform_caller(app: &TestApp, name: &'static str, role: Role) -> Caller {
    let token = if role == Role::PlatformOperator {
        app.operator_token().await
    } else {
        app.provincial_office().await
    };
    Caller {
        name,
        token,
        user_id: uuid::Uuid::now_v7().to_string(),
        unit: String::new(),
        maint: uuid::Uuid::now_v7().to_string(),
    }
}

/// The answer with what varies between two requests (ids, trace ids) taken out.
async fn answer(
    app: &TestApp,
    c: &Case,
    caller: &Caller,
    path: &str,
    body: &Value,
) -> (u16, Value) {
    let method = Method::from_bytes(c.method.as_bytes()).expect("method");
    let mut r = app
        .client
        .request(method, app.url(&format!("/api/v1{path}")))
        .bearer_auth(&caller.token)
        .header("If-Match", "\"v1\"");
    r = match body {
        Value::String(bytes) => r
            .header("content-type", "application/octet-stream")
            .body(bytes.clone().into_bytes()),
        _ if c.method == "DELETE" => r,
        b => r.json(b),
    };
    let r = r.send().await.expect("send");
    let status = r.status().as_u16();
    let mut v: Value = r.json().await.unwrap_or(Value::Null);
    if let Some(o) = v.as_object_mut() {
        for k in ["instance", "trace_id", "request_id"] {
            o.remove(k);
        }
    }
    (status, v)
}

fn fill(c: &Case, caller: &Caller, target: &(String, String), n: usize) -> (String, Value) {
    // A target named in the query string (`?mapping=$T`).
    let mut path = c.path.replace("$T", &target.0);
    if let Some(i) = path.find("{id}") {
        path.replace_range(i..i + 4, &target.0);
    }
    if let (Some(i), Some(j)) = (path.find('{'), path.find('}')) {
        path.replace_range(i..=j, &target.1);
    }
    // A path word that names no object (a plan's body).
    let path = path.replace("{body}", "party");
    let text = serde_json::to_string(&c.body)
        .expect("json")
        .replace("$T", &target.0)
        .replace("$SUB", &target.1)
        .replace("$ME", &caller.user_id)
        .replace("$MAINT", &caller.maint)
        .replace("$ITEM", "B01")
        .replace("$UNAME", &format!("sweep.{n}"));
    (path, serde_json::from_str(&text).expect("json"))
}

/// A row of `kind` in county A outside the caller's scope: checked by the caller's own read
/// where the kind has one (403 or 404 on it), else by construction.
async fn pick(
    app: &TestApp,
    db: &mut Db<'_>,
    caller: &Caller,
    kind: Kind,
    a_session: &str,
    a_tenant: &str,
) -> Option<(String, String)> {
    match kind {
        Kind::Session => return Some((a_session.to_owned(), String::new())),
        Kind::Tenant => return Some((a_tenant.to_owned(), String::new())),
        _ => {}
    }
    // Grids are read county-wide: another office's grid is the one out of a recorder's scope.
    let extra = match kind {
        Kind::Grid if !caller.unit.is_empty() => format!("aic_office_id <> '{}'", caller.unit),
        Kind::GridTownship if !caller.unit.is_empty() => format!(
            "grid_id IN (SELECT id FROM grids WHERE aic_office_id <> '{}')",
            caller.unit
        ),
        Kind::User => format!("id <> '{}'", caller.user_id),
        Kind::InboxItem => format!("user_id <> '{}'", caller.user_id),
        _ => String::new(),
    };
    let rows = db.candidates(kind, &extra).await;
    let Some(read) = kind.read() else {
        return rows.first().cloned();
    };
    for row in rows {
        let s = app
            .get(
                &read.replace("{id}", &row.0).replace("{sub}", &row.1),
                &caller.token,
            )
            .send()
            .await
            .expect("read")
            .status()
            .as_u16();
        if s == 404 || s == 403 {
            return Some(row);
        }
    }
    None
}
