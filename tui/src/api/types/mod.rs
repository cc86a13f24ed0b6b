//! The request and response shapes the console uses, by hand, in this one module.
//!
//! progenitor 0.15 cannot generate a client from docs/openapi.json (poem-openapi emits no
//! `operationId`s, and progenitor panics on request bodies with several media types, e.g. the
//! spreadsheet and roster uploads). `tests/contract.rs` checks every path, method and field
//! named here (listed in [`contract`](super::contract)) against docs/openapi.json instead, so
//! a drift fails the build's tests.
//!
//! Only the fields the console reads are declared; serde ignores the rest. The evaluations'
//! shapes (考评) are in `types/evaluations.rs`, re-exported here.

use serde::{Deserialize, Serialize};

mod evaluations;
mod statistics;
pub use evaluations::*;
pub use statistics::*;

/// RFC 9457 problem details, as the API sends them.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct Problem {
    pub status: u16,
    pub code: String,
    pub detail: String,
    pub detail_en: String,
    #[serde(default)]
    pub errors: Vec<FieldError>,
    #[serde(default)]
    pub request_id: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct FieldError {
    pub field: String,
    pub code: String,
    pub message: String,
    pub message_en: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SignInRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tenant_code: Option<String>,
    pub username: String,
    pub password: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub totp_code: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SignInResponse {
    pub token: String,
    pub must_change_password: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ChangePasswordRequest {
    pub current_password: String,
    pub new_password: String,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Me {
    pub user_id: String,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub role_label: String,
    #[serde(default)]
    pub tenant_code: Option<String>,
    #[serde(default)]
    pub tenant_name: Option<String>,
    #[serde(default)]
    pub province_code: Option<String>,
    pub must_change_password: bool,
}

/// A list page: `{ items, next_cursor }`.
#[derive(Debug, Clone, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    #[serde(default)]
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Province {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Tenant {
    pub id: String,
    pub code: String,
    pub name: String,
    pub province_code: String,
    /// `active` | `suspended`
    pub status: String,
    pub created_at: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CreateTenantRequest {
    pub code: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub admin_username: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub admin_display_name: Option<String>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct OneTimeCredential {
    pub username: String,
    #[serde(default)]
    pub one_time_password: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct TenantCreated {
    pub tenant: Tenant,
    pub admin: OneTimeCredential,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct OrgUnit {
    pub id: String,
    /// `township`, `village`, `aic_office`, `party_branch`, …
    pub kind: String,
    pub name: String,
    #[serde(default)]
    pub parent_id: Option<String>,
    pub active: bool,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct GridTownship {
    pub township_id: String,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Grid {
    pub id: String,
    pub name: String,
    pub aic_office_id: String,
    #[serde(default)]
    pub party_branch_id: Option<String>,
    pub townships: Vec<GridTownship>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CreateGridRequest {
    pub name: String,
    pub aic_office_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub party_branch_id: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct UpdateGridRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub party_branch_id: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AssignTownshipRequest {
    pub township_id: String,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct QqGroup {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub grid_id: Option<String>,
    pub active: bool,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct RosterEntry {
    pub id: String,
    pub real_name: String,
    /// `township_organiser`, `village_organiser`, `branch_staff`, `administrator`, `member`
    pub role: String,
    #[serde(default)]
    pub org_unit_id: Option<String>,
    pub qq_masked: String,
    #[serde(default)]
    pub joined_on: Option<String>,
    pub verified: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct PasteImportRequest {
    pub text: String,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct UnknownPerson {
    pub line: i64,
    pub qq_masked: String,
    #[serde(default)]
    pub nickname: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct RosterDiff {
    pub people: i64,
    pub matched: i64,
    pub missing: Vec<RosterEntry>,
    pub missing_organisers: i64,
    pub unknown: Vec<UnknownPerson>,
    pub unverified: Vec<RosterEntry>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Snapshot {
    pub id: String,
    pub taken_on: String,
    pub source: String,
    pub people: i64,
    pub matched: i64,
    pub missing: i64,
    pub unknown: i64,
    pub unverified: i64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ImportResult {
    #[serde(default)]
    pub snapshot: Option<Snapshot>,
    pub diff: RosterDiff,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SnapshotDetail {
    pub snapshot: Snapshot,
    pub diff: RosterDiff,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct LateEntry {
    pub entry: RosterEntry,
    /// `not_joined` | `joined_late`
    pub status: String,
    pub days_late: i64,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct LateReport {
    pub as_of: String,
    pub due: String,
    pub items: Vec<LateEntry>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct HistoryEntry {
    pub at: String,
    pub actor_id: String,
    pub action: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PolicyEntry {
    pub role: String,
    pub field: String,
    /// `masked` | `on_request` | `visible`
    pub visibility: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PolicyMatrix {
    pub entries: Vec<PolicyEntry>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SetPolicyRequest {
    pub entries: Vec<PolicyEntry>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Export {
    pub id: String,
    pub requested_by: String,
    pub requested_at: String,
    pub reason: String,
    pub personal: bool,
    /// `pending` | `approved` | `denied` | `downloaded`
    pub status: String,
    #[serde(default)]
    pub row_count: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DecisionRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: String,
    pub actor_id: String,
    pub actor_role: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    #[serde(default)]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct ChainCheck {
    pub intact: bool,
    pub entries: u64,
    #[serde(default)]
    pub first_broken_seq: Option<i64>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct User {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub role: String,
    #[serde(default)]
    pub org_unit_id: Option<String>,
    /// `active` | `disabled`
    pub status: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CreateUserRequest {
    pub username: String,
    pub display_name: String,
    pub role: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub org_unit_id: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct UserCreated {
    pub user: User,
    pub credential: OneTimeCredential,
}

#[derive(Debug, Clone, Serialize)]
pub struct UserStatusRequest {
    pub status: String,
}

/// One live-update event from `GET /events`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct LiveEvent {
    /// `tenant_changed`, `grid_changed`, `roster_changed`, `export_changed`, `user_changed`,
    /// `resync`
    pub kind: String,
    pub entity_id: String,
    #[serde(default)]
    pub tenant_code: Option<String>,
    pub at: String,
}

/// `GET /deadlines` (the deadline engine).
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Deadline {
    pub id: String,
    pub kind: String,
    pub kind_label: String,
    pub title: String,
    pub due_on: String,
    /// `due` | `overdue` | `done`
    pub state: String,
    pub owner_org_unit_id: String,
    pub owner_name: String,
    #[serde(default)]
    pub subject_type: Option<String>,
    #[serde(default)]
    pub subject_id: Option<String>,
    #[serde(default)]
    pub done_at: Option<String>,
    #[serde(default)]
    pub days_overdue: Option<i64>,
    /// Due after the last year whose holidays are known: the date may move.
    #[serde(default)]
    pub due_beyond_calendar: bool,
}

/// A year of the national working-day calendar (`GET /platform/calendar`).
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct NationalYear {
    pub year: i32,
    /// `shipped` | `json` | `ical`
    pub source: String,
    #[serde(default)]
    pub loaded_by: Option<String>,
    #[serde(default)]
    pub loaded_at: Option<String>,
    #[serde(default)]
    pub version: Option<i64>,
    pub holidays: i64,
    pub workdays: i64,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct DeadlineSummary {
    pub due: i64,
    pub overdue: i64,
    pub done: i64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct DeadlineList {
    pub items: Vec<Deadline>,
    #[serde(default)]
    pub summary: DeadlineSummary,
}

/// A member's request at a regional party-member service centre (党员诉求, `GET
/// /service-requests`, `GET /service-requests/{id}`): the 受(办)理表 and its clock.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct ServiceRequest {
    pub id: String,
    pub centre_id: String,
    pub centre_name: String,
    pub member_name: String,
    /// `on_site` | `phone`
    pub channel: String,
    /// `consultation` | `rights` | `legal_aid` | `hardship` | `other`
    pub category: String,
    pub category_label: String,
    pub major: bool,
    pub content: String,
    pub received_on: String,
    pub first_responder_name: String,
    pub owner_name: String,
    /// `taken` | `escalated` | `answered` | `archived`
    pub state: String,
    #[serde(default)]
    pub escalated_on: Option<String>,
    /// The 7-working-day limit (or its extension), once escalated.
    #[serde(default)]
    pub due_on: Option<String>,
    /// Past the due day and not answered, or answered after it (the server's clock).
    pub overdue: bool,
    pub extensions: i64,
    #[serde(default)]
    pub answered_on: Option<String>,
    /// One request only; lists leave them out.
    #[serde(default)]
    pub steps: Vec<ServiceRequestStep>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct ServiceRequestStep {
    /// `taken`, `escalated`, `extended`, `handed_over`, `answered`, `followed_up`, `archived`
    pub kind: String,
    pub on: String,
    pub by_name: String,
    #[serde(default)]
    pub detail: Option<String>,
}

/// The service requests of a list (every page, in the server's order: by due day, the most
/// overdue first, undated ones last) and the server's today in China, from the answer's
/// `Date` header (None if it sent none): the day their clocks count to.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ServiceRequestList {
    pub items: Vec<ServiceRequest>,
    pub today: Option<String>,
}

/// One notice's delivery to one recipient on one channel, as the county admin sees it (`GET
/// /notifications/deliveries`): no phone number, no content beyond the notice's subject. Times
/// are the server's naive UTC (`2026-12-07T02:00:00`); the screen shows them in Beijing time.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Delivery {
    pub id: String,
    pub notice_id: String,
    /// `inbox` | `sms` | `webhook`
    pub channel: String,
    /// `pending` | `sent` | `dead` (the dead-letter list)
    pub status: String,
    /// The staff member; none for the webhook.
    #[serde(default)]
    pub recipient_name: Option<String>,
    pub subject: String,
    pub attempts: i64,
    pub next_attempt_at: String,
    /// The gateway's or receiver's code for the last failure (`http_400`, say).
    #[serde(default)]
    pub last_error: Option<String>,
    #[serde(default)]
    pub sent_at: Option<String>,
    pub created_at: String,
}

/// What a sheet to import holds: members (`POST /members/import`) or a business register
/// (`POST /businesses/import`); both answer with the same report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SheetKind {
    #[default]
    Members,
    Businesses,
}

impl SheetKind {
    /// The import's path, relative to /api/v1.
    pub fn path(self) -> &'static str {
        match self {
            SheetKind::Members => "/members/import",
            SheetKind::Businesses => "/businesses/import",
        }
    }

    /// The other kind: the import screen's `t` switches between them.
    pub fn next(self) -> SheetKind {
        match self {
            SheetKind::Members => SheetKind::Businesses,
            SheetKind::Businesses => SheetKind::Members,
        }
    }

    /// What the sheet holds, (zh-CN, English).
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            SheetKind::Members => ("党员", "members"),
            SheetKind::Businesses => ("经营主体", "businesses"),
        }
    }
}

/// The import's report (`POST /members/import`, `POST /businesses/import`), as the import
/// screen shows it.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct MemberImport {
    pub dry_run: bool,
    pub rows: u32,
    pub created: u32,
    pub updated: u32,
    pub unchanged: u32,
    pub errors: Vec<ImportRowError>,
    #[serde(default)]
    pub more_errors: Option<u32>,
    #[serde(default)]
    pub import_id: Option<String>,
    pub layout: ImportLayout,
    pub normalised: Vec<Normalisation>,
    pub unknown_org_names: Vec<UnknownOrgName>,
    /// Business registers: owners found in the member register and linked.
    #[serde(default)]
    pub owners_linked: Option<u32>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct ImportRowError {
    pub row: u32,
    pub column: String,
    pub message: String,
    pub message_en: String,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct ImportLayout {
    #[serde(default)]
    pub sheet: Option<String>,
    pub header_row: u32,
    pub unmapped_columns: Vec<String>,
    pub skipped: Vec<SkippedRow>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct SkippedRow {
    pub row: u32,
    pub reason: String,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct Normalisation {
    pub count: u32,
    pub message: String,
    pub message_en: String,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct UnknownOrgName {
    pub name: String,
    pub column: String,
    pub row_count: u32,
    pub suggestions: Vec<UnitSuggestion>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct UnitSuggestion {
    pub id: String,
    pub name: String,
}

/// A saved import mapping. Targets are kept as the API sent them, so a change to one name
/// sends the others back untouched.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
pub struct ImportMapping {
    #[serde(default, skip_serializing)]
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub columns: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    pub org_names: std::collections::BTreeMap<String, serde_json::Value>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct MappingList {
    pub items: Vec<ImportMapping>,
}
