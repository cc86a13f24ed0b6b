//! /api/v1/qq-groups and /api/v1/qq-settings: real-name QQ groups, their rosters, imports of
//! the actual member list with the diff, who is late for the join deadline, and the history.
//!
//! Who sees a group: county-wide roles all; a scoped user the groups they maintain and those
//! serving a unit relevant to theirs (rules::relevant) — others answer 404, like another
//! county's ids. Who changes one: the county admin and the group's designated maintainer
//! (403 for everyone else who can see it). QQ numbers are accepted in clear, stored encrypted,
//! matched through the blind index and shown masked.

use chrono::{DateTime, NaiveDate, Utc};
use poem::{Request, RequestBody};
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::registry::{MetaMediaType, MetaRequest, Registry};
use poem_openapi::types::Type;
use poem_openapi::{
    ApiExtractor, ApiExtractorType, ApiResponse, ExtractParamOptions, Object, OpenApi, Tags,
};
use serde::{Deserialize, Serialize};

use super::links::LinkScope;
use super::model::{JoinDeadline, RosterRole, SnapshotSource};
use super::parse::{self, FileError, Parsed};
use super::repo::{
    self, EntryFilter, EntryRow, EntryValues, GroupFilter, GroupRow, GroupValues, ScopeFilter,
    SnapshotRow,
};
use super::rules::{self, Expected, Late};
use crate::AppState;
use crate::api::idempotency::{self, IdempotencyKey};
use crate::api::{JsonBody, PageRequest, etag, if_match, path_id};
use crate::audit::{self, Actor};
use crate::auth::{Auth, Principal, Role};
use crate::db::{DbResult, Mode, TenantTx};
use crate::error::{AppError, AppResult, Capped, FieldError, Gather, MAX_LISTED_ERRORS};
use crate::org::scope::{self, Visibility};
use crate::privacy::crypto::CountyKeys;
use crate::privacy::identity::QqNumber;
use crate::privacy::keys;

#[derive(Tags)]
enum ApiTags {
    /// 实名制党建QQ群 / Real-name party-building QQ groups
    QqGroups,
}

/// Field names under which QQ numbers and nicknames are encrypted and indexed. Roster and
/// imported lists share the index field, so they match.
const QQ: &str = "qq";
const NICK: &str = "qq_nickname";

// ------------------------------------------------------------------ views --

#[derive(Debug, Clone, Object, Serialize, Deserialize)]
pub struct QqGroupView {
    pub id: String,
    pub name: String,
    /// The group's own number (群号); not personal data.
    #[oai(skip_serializing_if_is_none)]
    pub group_number: Option<String>,
    /// The grid the group serves, or
    #[oai(skip_serializing_if_is_none)]
    pub grid_id: Option<String>,
    /// the region (org unit) it serves.
    #[oai(skip_serializing_if_is_none)]
    pub org_unit_id: Option<String>,
    /// The branch staff member who keeps the group (群管理维护专人).
    pub maintainer_id: String,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn group_view(r: &GroupRow) -> QqGroupView {
    QqGroupView {
        id: r.id.clone(),
        name: r.name.clone(),
        group_number: r.group_number.clone(),
        grid_id: r.grid_id.clone(),
        org_unit_id: r.org_unit_id.clone(),
        maintainer_id: r.maintainer_id.clone(),
        active: r.active,
        created_at: r.created_at.and_utc(),
        updated_at: r.updated_at.and_utc(),
    }
}

#[derive(Debug, Clone, Object)]
pub struct QqGroupPage {
    pub items: Vec<QqGroupView>,
    #[oai(skip_serializing_if_is_none)]
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Object, Serialize, Deserialize)]
pub struct RosterEntryView {
    pub id: String,
    pub group_id: String,
    /// 真实姓名
    pub real_name: String,
    pub role: RosterRole,
    #[oai(skip_serializing_if_is_none)]
    pub org_unit_id: Option<String>,
    /// e.g. `12*****89`
    pub qq_masked: String,
    /// In clear only where the county's masking policy makes QQ numbers visible to your role.
    #[oai(skip_serializing_if_is_none)]
    pub qq_number: Option<String>,
    /// The member record this person is, if linked.
    #[oai(skip_serializing_if_is_none)]
    pub member_id: Option<String>,
    /// 入群日期
    #[oai(skip_serializing_if_is_none)]
    pub joined_on: Option<NaiveDate>,
    /// 已实名核实
    pub verified: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn masked_qq(keys: &CountyKeys, enc: &str) -> String {
    keys.decrypt(QQ, enc)
        .ok()
        .and_then(|v| QqNumber::parse(QQ, &v).ok())
        .map_or_else(|| "*****".to_owned(), |q| q.masked())
}

/// Whether the county's masking policy shows QQ numbers in clear to a role.
fn qq_visible(tx: &mut crate::db::TenantTx<'_>, role: crate::auth::Role) -> DbResult<bool> {
    use crate::privacy::policy::{self, Exposure, Field};
    Ok(policy::for_role(tx, role)?.get(&Field::QqNumber) == Some(&Exposure::Visible))
}

fn entry_view(keys: &CountyKeys, r: &EntryRow, clear: bool) -> RosterEntryView {
    RosterEntryView {
        qq_number: if clear {
            keys.decrypt(QQ, &r.qq_enc).ok()
        } else {
            None
        },
        id: r.id.clone(),
        group_id: r.group_id.clone(),
        real_name: r.real_name.clone(),
        role: RosterRole::parse(&r.role).unwrap_or(RosterRole::Member),
        org_unit_id: r.org_unit_id.clone(),
        qq_masked: masked_qq(keys, &r.qq_enc),
        member_id: r.member_id.clone(),
        joined_on: r.joined_on,
        verified: r.verified,
        created_at: r.created_at.and_utc(),
        updated_at: r.updated_at.and_utc(),
    }
}

#[derive(Debug, Clone, Object)]
pub struct RosterPage {
    pub items: Vec<RosterEntryView>,
    #[oai(skip_serializing_if_is_none)]
    pub next_cursor: Option<String>,
}

/// A person in the group's list who is not on the roster.
#[derive(Debug, Clone, Object, Serialize, Deserialize)]
pub struct UnknownPerson {
    /// Line (pasted text, CSV) or row (xlsx) of the import.
    pub line: i32,
    pub qq_masked: String,
    /// 群昵称
    #[oai(skip_serializing_if_is_none)]
    pub nickname: Option<String>,
}

/// The roster against the group's actual member list.
#[derive(Debug, Clone, Object, Serialize, Deserialize)]
pub struct RosterDiff {
    /// People in the imported list.
    pub people: i32,
    /// Roster entries found in the group.
    pub matched: i32,
    /// Roster entries missing from the group, organisers first.
    pub missing: Vec<RosterEntryView>,
    /// How many of the missing are township or village organisers.
    pub missing_organisers: i32,
    /// People in the group who are not on the roster.
    pub unknown: Vec<UnknownPerson>,
    /// Roster entries not real-name verified.
    pub unverified: Vec<RosterEntryView>,
}

#[derive(Debug, Clone, Object, Serialize, Deserialize)]
pub struct SnapshotView {
    pub id: String,
    pub group_id: String,
    /// The day the list was taken from QQ.
    pub taken_on: NaiveDate,
    pub source: SnapshotSource,
    /// Counts at import time.
    pub people: i32,
    pub matched: i32,
    pub missing: i32,
    pub unknown: i32,
    pub unverified: i32,
    pub imported_by: String,
    pub created_at: DateTime<Utc>,
}

fn snapshot_view(r: &SnapshotRow) -> SnapshotView {
    SnapshotView {
        id: r.id.clone(),
        group_id: r.group_id.clone(),
        taken_on: r.taken_on,
        source: SnapshotSource::parse(&r.source).unwrap_or(SnapshotSource::Paste),
        people: r.people,
        matched: r.matched,
        missing: r.missing,
        unknown: r.unknown,
        unverified: r.unverified,
        imported_by: r.imported_by.clone(),
        created_at: r.created_at.and_utc(),
    }
}

#[derive(Debug, Clone, Object)]
pub struct SnapshotPage {
    pub items: Vec<SnapshotView>,
    #[oai(skip_serializing_if_is_none)]
    pub next_cursor: Option<String>,
}

/// A stored snapshot and its diff against the roster as it is now.
#[derive(Debug, Clone, Object)]
pub struct SnapshotDetail {
    pub snapshot: SnapshotView,
    pub diff: RosterDiff,
}

/// A line of an imported list that could not be read.
#[derive(Debug, Clone, Object, Serialize, Deserialize)]
pub struct ImportLineError {
    pub line: i32,
    pub code: String,
    pub message: String,
    pub message_en: String,
}

#[derive(Debug, Clone, Object, Serialize, Deserialize)]
pub struct ImportResult {
    /// Absent on a dry run: nothing was stored.
    #[oai(skip_serializing_if_is_none)]
    pub snapshot: Option<SnapshotView>,
    pub dry_run: bool,
    pub taken_on: NaiveDate,
    pub source: SnapshotSource,
    pub diff: RosterDiff,
    /// Lines that could not be read, at most 500 (dry runs only: they fail a real import).
    pub errors: Vec<ImportLineError>,
    /// How many bad lines were left out of `errors` (absent when all are listed).
    #[oai(skip_serializing_if_is_none)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub more_errors: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, poem_openapi::Enum)]
#[serde(rename_all = "snake_case")]
#[oai(rename_all = "snake_case")]
pub enum LateStatus {
    /// Not in the group although the deadline has passed.
    NotJoined,
    /// Joined after this year's deadline.
    JoinedLate,
}

#[derive(Debug, Clone, Object)]
pub struct LateEntry {
    pub entry: RosterEntryView,
    pub status: LateStatus,
    /// The join date that counts: recorded, else first seen in an imported list.
    #[oai(skip_serializing_if_is_none)]
    pub joined_on: Option<NaiveDate>,
    /// Days past the deadline (as of `as_of` when not joined).
    pub days_late: i64,
}

#[derive(Debug, Clone, Object)]
pub struct LateReport {
    pub as_of: NaiveDate,
    /// The county's deadline, `MM-DD`.
    pub join_deadline: String,
    /// That year's deadline.
    pub due: NaiveDate,
    /// Whether every role was checked, or only township and village organisers.
    pub all_roles: bool,
    pub items: Vec<LateEntry>,
}

#[derive(Debug, Clone, Object)]
pub struct HistoryEntry {
    pub id: String,
    pub at: DateTime<Utc>,
    pub actor_id: String,
    /// e.g. `entry.add`, `entry.update`, `entry.remove`, `snapshot.import`, `group.update`.
    pub action: String,
    #[oai(skip_serializing_if_is_none)]
    pub entry_id: Option<String>,
    /// Field → `{old, new}`; QQ numbers masked.
    pub changes: serde_json::Value,
}

#[derive(Debug, Clone, Object)]
pub struct HistoryPage {
    pub items: Vec<HistoryEntry>,
    #[oai(skip_serializing_if_is_none)]
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Object)]
pub struct QqSettingsView {
    /// `MM-DD`, default `05-10`.
    pub join_deadline: String,
    /// True until the county admin sets it.
    pub is_default: bool,
}

#[derive(Debug, Clone, Object)]
pub struct UnmaskedQq {
    pub qq: String,
}

// --------------------------------------------------------------- requests --

#[derive(Debug, Clone, Object, Deserialize, Serialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct CreateQqGroupRequest {
    #[oai(validator(
        min_length = 2,
        max_length = 60,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    ))]
    pub name: String,
    /// 群号
    #[oai(validator(pattern = r"^[1-9][0-9]{4,10}$"))]
    pub group_number: Option<String>,
    /// Either a grid …
    pub grid_id: Option<String>,
    /// … or an org unit (region), not both.
    pub org_unit_id: Option<String>,
    /// A branch staff user bound to a branch, party branch or service centre.
    pub maintainer_id: String,
}

#[derive(Debug, Clone, Object, Deserialize, Serialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct UpdateQqGroupRequest {
    #[oai(validator(
        min_length = 2,
        max_length = 60,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    ))]
    pub name: Option<String>,
    #[oai(validator(pattern = r"^[1-9][0-9]{4,10}$"))]
    pub group_number: Option<String>,
    pub maintainer_id: Option<String>,
}

#[derive(Debug, Clone, Object, Deserialize, Serialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct CreateRosterEntryRequest {
    #[oai(validator(min_length = 1, max_length = 50))]
    pub real_name: String,
    pub role: RosterRole,
    /// QQ number (5–11 digits); stored encrypted, shown masked.
    #[oai(validator(max_length = 40))]
    pub qq: String,
    pub org_unit_id: Option<String>,
    pub member_id: Option<String>,
    pub joined_on: Option<NaiveDate>,
    pub verified: Option<bool>,
}

#[derive(Debug, Clone, Object, Deserialize, Serialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct UpdateRosterEntryRequest {
    #[oai(validator(min_length = 1, max_length = 50))]
    pub real_name: Option<String>,
    pub role: Option<RosterRole>,
    #[oai(validator(max_length = 40))]
    pub qq: Option<String>,
    pub org_unit_id: Option<String>,
    pub member_id: Option<String>,
    pub joined_on: Option<NaiveDate>,
    pub verified: Option<bool>,
}

#[derive(Debug, Clone, Object, Deserialize, Serialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct PasteImportRequest {
    /// The member list as copied from QQ: one person per line, QQ number and group nickname
    /// separated by a tab, comma or spaces (or `昵称(QQ号)`). At most 150,000 characters (a
    /// group holds at most 3,000 people), so that even fully escaped JSON stays within the
    /// body limit and an over-long list is a 422 naming `text`, not a 413.
    #[oai(validator(max_length = 150000))]
    pub text: String,
    /// The day the list was taken (default today, Asia/Shanghai).
    pub taken_on: Option<NaiveDate>,
    /// Only show the diff and the bad lines; store nothing.
    pub dry_run: Option<bool>,
}

#[derive(Debug, Clone, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct UnmaskQqRequest {
    /// Why you need the number; kept in the audit log with your name.
    #[oai(validator(min_length = 4, max_length = 200))]
    pub reason: String,
}

#[derive(Debug, Clone, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct UpdateQqSettingsRequest {
    /// `MM-DD`, e.g. `05-10`.
    #[oai(validator(max_length = 10))]
    pub join_deadline: String,
}

// -------------------------------------------------------------- responses --

#[derive(ApiResponse)]
pub enum GroupResponse {
    #[oai(status = 200)]
    Ok(Json<QqGroupView>, #[oai(header = "ETag")] String),
}

#[derive(ApiResponse)]
pub enum GroupCreated {
    #[oai(status = 201)]
    Created(
        Json<QqGroupView>,
        #[oai(header = "ETag")] String,
        #[oai(header = "Location")] String,
        #[oai(header = "Idempotent-Replayed")] Option<String>,
    ),
}

#[derive(ApiResponse)]
pub enum EntryResponse {
    #[oai(status = 200)]
    Ok(Json<RosterEntryView>, #[oai(header = "ETag")] String),
}

#[derive(ApiResponse)]
pub enum EntryCreated {
    #[oai(status = 201)]
    Created(
        Json<RosterEntryView>,
        #[oai(header = "ETag")] String,
        #[oai(header = "Location")] String,
        #[oai(header = "Idempotent-Replayed")] Option<String>,
    ),
}

#[derive(ApiResponse)]
pub enum Removed {
    #[oai(status = 204)]
    NoContent,
}

#[derive(ApiResponse)]
pub enum ImportResponse {
    /// Dry run: the diff, nothing stored.
    #[oai(status = 200)]
    Preview(Json<ImportResult>),
    /// Stored as a snapshot.
    #[oai(status = 201)]
    Created(
        Json<ImportResult>,
        #[oai(header = "Location")] String,
        #[oai(header = "Idempotent-Replayed")] Option<String>,
    ),
}

#[derive(ApiResponse)]
pub enum UnmaskResponse {
    /// The number in clear; never cached.
    #[oai(status = 200)]
    Ok(Json<UnmaskedQq>, #[oai(header = "Cache-Control")] String),
}

#[derive(ApiResponse)]
pub enum SettingsResponse {
    #[oai(status = 200)]
    Ok(Json<QqSettingsView>, #[oai(header = "ETag")] String),
}

// ------------------------------------------------------------ file upload --

/// Media types accepted for an uploaded member list; the content decides (xlsx is a zip).
const FILE_TYPES: [&str; 4] = [
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "text/csv",
    "text/plain",
    "application/octet-stream",
];

/// A member-list file as the raw request body, at most [`parse::MAX_FILE_BYTES`], read once the
/// caller may change the group.
pub struct ListFile(pub crate::api::body::Unread);

impl<'a> ApiExtractor<'a> for ListFile {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::RequestObject];
    type ParamType = ();
    type ParamRawType = ();

    fn register(_registry: &mut Registry) {}

    fn request_meta() -> Option<MetaRequest> {
        Some(MetaRequest {
            description: Some("xlsx, or CSV in UTF-8 / GB18030, with the columns QQ号 and 群昵称"),
            content: FILE_TYPES
                .iter()
                .map(|ct| MetaMediaType {
                    content_type: ct,
                    schema: poem_openapi::types::Binary::<Vec<u8>>::schema_ref(),
                })
                .collect(),
            required: true,
        })
    }

    async fn from_request(
        request: &'a Request,
        body: &mut RequestBody,
        _opts: ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        let ok = request
            .content_type()
            .and_then(|ct| ct.parse::<mime::Mime>().ok())
            .is_some_and(|m| FILE_TYPES.contains(&m.essence_str()));
        if !ok {
            return Err(AppError::new(
                poem::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "请上传 xlsx 或 CSV 文件（Content-Type 为 xlsx、text/csv 或 application/octet-stream）",
                "Upload an xlsx or CSV file (Content-Type xlsx, text/csv or application/octet-stream)",
            )
            .into());
        }
        Ok(ListFile(crate::api::body::Unread::take(
            request,
            body,
            parse::MAX_FILE_BYTES,
        )?))
    }
}

// ---------------------------------------------------------------- helpers --

pub struct QqApi {
    pub state: AppState,
}

/// A group the caller can see, or 404.
fn visible_group(tx: &mut TenantTx<'_>, who: &Principal, id: &str) -> DbResult<GroupRow> {
    let grp = repo::get_group(tx, id)?.ok_or_else(AppError::not_found)?;
    let vis = scope::visibility(tx, who.role, &who.user_id)?;
    if !repo::group_visible(tx, &vis, &who.user_id, &grp)? {
        return Err(AppError::not_found().into());
    }
    Ok(grp)
}

/// The county admin and the group's maintainer change a group and its roster.
fn may_edit(who: &Principal, grp: &GroupRow) -> DbResult<()> {
    if who.role == Role::CountyAdmin || grp.maintainer_id == who.user_id {
        Ok(())
    } else {
        Err(AppError::forbidden().into())
    }
}

fn require_active(grp: &GroupRow) -> DbResult<()> {
    if grp.active {
        Ok(())
    } else {
        Err(AppError::conflict(
            "group_inactive",
            "该QQ群已停用，请先启用",
            "The QQ group is deactivated; reactivate it first",
        )
        .into())
    }
}

fn field_err(field: &str, code: &str, zh: &str, en: &str) -> AppError {
    AppError::field(
        field,
        code,
        format!("{field}：{zh}"),
        format!("{field}: {en}"),
    )
}

/// The designated maintainer: an active branch staff account bound to an org unit.
fn check_maintainer(tx: &mut TenantTx<'_>, id: &str) -> DbResult<()> {
    let user = uuid::Uuid::try_parse(id)
        .ok()
        .map(|_| crate::users::repo::get(tx, id))
        .transpose()?
        .flatten();
    match user {
        None => Err(field_err(
            "maintainer_id",
            "user_not_found",
            "用户不存在",
            "no such user",
        )
        .into()),
        Some(u) if u.status != "active" => Err(field_err(
            "maintainer_id",
            "user_disabled",
            "该账户已停用",
            "the account is disabled",
        )
        .into()),
        Some(u) if u.role != Role::BranchStaff.as_str() => Err(field_err(
            "maintainer_id",
            "not_branch_staff",
            "维护人须为分会支部/服务中心工作人员",
            "the maintainer is a branch staff member",
        )
        .into()),
        Some(u) if u.org_unit_id.is_none() => Err(field_err(
            "maintainer_id",
            "maintainer_unbound",
            "维护人尚未绑定所属分会或支部",
            "the maintainer is not bound to a branch",
        )
        .into()),
        Some(_) => Ok(()),
    }
}

fn qq_arg(field: &str, s: &str) -> Result<QqNumber, FieldError> {
    let n = parse::normalise(s);
    QqNumber::parse(field, n.trim())
}

fn not_future(field: &str, d: NaiveDate) -> Result<(), FieldError> {
    if d > crate::clock::today() {
        return Err(FieldError::new(
            field,
            "future_date",
            format!("{field}：日期不能晚于今天"),
            format!("{field}: the date is in the future"),
        ));
    }
    Ok(())
}

/// Field → `{old, new}` for each changed value of a roster entry; QQ numbers masked.
fn entry_changes(
    keys: &CountyKeys,
    old: Option<&EntryValues>,
    new: Option<&EntryValues>,
) -> serde_json::Value {
    let mut out = serde_json::Map::new();
    let fields = |v: &EntryValues| -> Vec<(&'static str, serde_json::Value)> {
        vec![
            ("real_name", serde_json::json!(v.real_name)),
            ("role", serde_json::json!(v.role)),
            ("org_unit_id", serde_json::json!(v.org_unit_id)),
            ("qq", serde_json::json!(masked_qq(keys, &v.qq_enc))),
            ("member_id", serde_json::json!(v.member_id)),
            ("joined_on", serde_json::json!(v.joined_on)),
            ("verified", serde_json::json!(v.verified)),
        ]
    };
    let old_f = old.map(fields).unwrap_or_default();
    let new_f = new.map(fields).unwrap_or_default();
    for (i, name) in [
        "real_name",
        "role",
        "org_unit_id",
        "qq",
        "member_id",
        "joined_on",
        "verified",
    ]
    .iter()
    .enumerate()
    {
        let o = old_f.get(i).map(|(_, v)| v.clone());
        let n = new_f.get(i).map(|(_, v)| v.clone());
        // A re-entered QQ number is a change even when its mask is the same.
        let qq_changed = *name == "qq" && old.zip(new).is_some_and(|(a, b)| a.qq_bidx != b.qq_bidx);
        if o != n || qq_changed {
            let mut c = serde_json::Map::new();
            if let Some(o) = o.filter(|v| !v.is_null()) {
                c.insert("old".into(), o);
            }
            if let Some(n) = n.filter(|v| !v.is_null()) {
                c.insert("new".into(), n);
            }
            out.insert((*name).to_owned(), serde_json::Value::Object(c));
        }
    }
    serde_json::Value::Object(out)
}

fn changed_fields(changes: &serde_json::Value) -> Vec<String> {
    changes
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

/// Builds the diff view from the roster and the people of a list (their blind indexes,
/// masked numbers and nicknames).
fn diff_view(
    keys: &CountyKeys,
    roster: &[EntryRow],
    people: &[(i32, String, String, Option<String>)],
    clear: bool,
) -> RosterDiff {
    let expected: Vec<Expected<'_>> = roster
        .iter()
        .map(|e| Expected {
            qq_bidx: &e.qq_bidx,
            role: RosterRole::parse(&e.role).unwrap_or(RosterRole::Member),
            verified: e.verified,
        })
        .collect();
    let present: Vec<&str> = people.iter().map(|p| p.1.as_str()).collect();
    let d = rules::diff(&expected, &present);
    RosterDiff {
        people: people.len() as i32,
        matched: d.matched.len() as i32,
        missing_organisers: d.missing_organisers(&expected) as i32,
        missing: d
            .missing
            .iter()
            .map(|i| entry_view(keys, &roster[*i], clear))
            .collect(),
        unknown: d
            .unknown
            .iter()
            .map(|i| UnknownPerson {
                line: people[*i].0,
                qq_masked: people[*i].2.clone(),
                nickname: people[*i].3.clone(),
            })
            .collect(),
        unverified: d
            .unverified
            .iter()
            .map(|i| entry_view(keys, &roster[*i], clear))
            .collect(),
    }
}

fn file_problem(field: &str, e: FileError) -> AppError {
    AppError::new(
        poem::http::StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_member_list",
        format!("成员名单无法导入：{}", e.zh),
        format!("The member list cannot be imported: {}", e.en),
    )
    .with_field(FieldError::new(field, &e.code, e.zh, e.en))
}

/// Bad lines fail a real import: nothing is stored, every line is named (`lines[N]`).
fn lines_problem(p: &Parsed) -> AppError {
    let mut e = AppError::new(
        poem::http::StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_member_list",
        format!(
            "成员名单有 {} 行无法识别，未导入任何内容，请修改后重试",
            p.errors.len()
        ),
        format!(
            "{} lines of the member list cannot be read; nothing was imported",
            p.errors.len()
        ),
    );
    e.more_fields =
        u32::try_from(p.errors.len().saturating_sub(MAX_LISTED_ERRORS)).unwrap_or(u32::MAX);
    e.fields = p
        .errors
        .iter()
        .take(MAX_LISTED_ERRORS)
        .map(|l| {
            FieldError::new(
                format!("lines[{}]", l.line),
                l.code,
                l.zh.clone(),
                l.en.clone(),
            )
        })
        .collect();
    e
}

struct ImportArgs {
    group_id: String,
    parsed: Parsed,
    source: SnapshotSource,
    taken_on: Option<NaiveDate>,
    dry_run: bool,
    key: Option<IdempotencyKey>,
    req_hash: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
struct ListDigest<'a> {
    source: &'a str,
    taken_on: Option<NaiveDate>,
    dry_run: bool,
    sha: &'a str,
}

// -------------------------------------------------------------- endpoints --

#[OpenApi(tag = "ApiTags::QqGroups")]
impl QqApi {
    /// QQ群列表 / List the QQ groups you can see
    #[oai(path = "/qq-groups", method = "get")]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        auth: Auth,
        grid_id: Query<Option<String>>,
        org_unit_id: Query<Option<String>>,
        maintainer_id: Query<Option<String>>,
        active: Query<Option<bool>>,
        limit: Query<Option<crate::api::PageLimit>>,
        #[oai(validator(pattern = r"^[A-Za-z0-9_-]{0,200}$"))] cursor: Query<Option<String>>,
    ) -> AppResult<Json<QqGroupPage>> {
        let tid = auth.0.tenant()?;
        let page = PageRequest::parse(limit.0, cursor.0.as_deref())?;
        // Ids that cannot exist filter everything out, like unknown ones.
        let (grid, unit, maint) = (
            grid_id.0.as_deref().map(path_id).transpose(),
            org_unit_id.0.as_deref().map(path_id).transpose(),
            maintainer_id.0.as_deref().map(path_id).transpose(),
        );
        let impossible = grid.is_err() || unit.is_err() || maint.is_err();
        let who = auth.0;
        let (items, next_cursor) = self
            .state
            .db
            .tenant(tid, Mode::Read, move |tx| {
                if impossible {
                    return Ok((Vec::new(), None));
                }
                let vis = scope::visibility(tx, who.role, &who.user_id)?;
                let scope = match &vis {
                    Visibility::County => None,
                    Visibility::Nothing => return Ok((Vec::new(), None)),
                    Visibility::Subtree(p) => Some(ScopeFilter {
                        me: who.user_id.clone(),
                        path: p.clone(),
                        grid_ids: repo::relevant_grids(tx, p)?,
                    }),
                };
                let f = GroupFilter {
                    grid_id: grid.ok().flatten(),
                    org_unit_id: unit.ok().flatten(),
                    maintainer_id: maint.ok().flatten(),
                    active: active.0,
                    scope,
                };
                let rows = repo::list_groups(tx, &page, &f)?;
                let (rows, next) = page.finish(rows, |r| &r.id);
                Ok((rows.iter().map(group_view).collect(), next))
            })
            .await?;
        Ok(Json(QqGroupPage { items, next_cursor }))
    }

    /// 新建QQ群 / Create a QQ group for a grid or a region (county admin; branch staff for a group they keep)
    #[oai(path = "/qq-groups", method = "post")]
    async fn create(
        &self,
        auth: Auth,
        body: JsonBody<CreateQqGroupRequest>,
        #[oai(name = "Idempotency-Key", validator(pattern = r"^[!-~]{1,200}$"))] idem: Header<
            Option<String>,
        >,
    ) -> AppResult<GroupCreated> {
        let tid = auth.0.tenant()?;
        let ev = crate::events::Emitter::of(&auth.0);
        auth.0.require(&[Role::CountyAdmin, Role::BranchStaff])?;
        let key = IdempotencyKey::parse(idem.0.as_deref())?;
        let req = body.0;
        let who = auth.0;
        if who.role == Role::BranchStaff && req.maintainer_id != who.user_id {
            return Err(AppError::forbidden());
        }
        let mut errs = Vec::new();
        let name = crate::org::model::parse_name("name", &req.name).gather(&mut errs);
        let number = req
            .group_number
            .as_deref()
            .map(|n| qq_arg("group_number", n))
            .gather(&mut errs);
        if req.grid_id.is_some() == req.org_unit_id.is_some() {
            errs.push(FieldError::new(
                "grid_id",
                "grid_or_unit_required",
                "grid_id / org_unit_id：须且只能指定所服务的网格或组织（区域）之一",
                "grid_id / org_unit_id: give exactly one of the grid or the org unit (region) served",
            ));
        }
        if !errs.is_empty() {
            return Err(AppError::validation(errs));
        }
        let name = name.unwrap_or_default();
        let req_hash = idempotency::request_hash("POST /qq-groups", &req);
        let (view, version, replayed) = self
            .state
            .db
            .tenant(tid, Mode::Write, move |tx| {
                if let Some(k) = &key
                    && let Some(stored) = idempotency::tenant_lookup(tx, &who.user_id, k, &req_hash)?
                {
                    return Ok((stored.into_body::<QqGroupView>()?, 1, true));
                }
                // A group serves a grid or unit within its creator's reach (a branch's staff
                // cannot open a group for another branch's region).
                let reach = LinkScope::of(tx, &who)?;
                if let Some(g) = &req.grid_id {
                    reach.check_grid(tx, g)?;
                }
                if let Some(u) = &req.org_unit_id {
                    reach.check_unit(tx, "org_unit_id", u)?;
                }
                check_maintainer(tx, &req.maintainer_id)?;
                let row = repo::insert_group(
                    tx,
                    &GroupValues {
                        name,
                        group_number: number.map(|n| n.as_str().to_owned()),
                        grid_id: req.grid_id.clone(),
                        org_unit_id: req.org_unit_id.clone(),
                        maintainer_id: req.maintainer_id.clone(),
                        active: true,
                    },
                )?;
                let changes = serde_json::json!({
                    "name": { "new": row.name },
                    "grid_id": { "new": row.grid_id },
                    "org_unit_id": { "new": row.org_unit_id },
                    "maintainer_id": { "new": row.maintainer_id },
                });
                repo::record_history(tx, &row.id, None, &who.user_id, "group.create", &changes)?;
                audit::record(
                    tx,
                    &Actor::of(&who),
                    "qq_group.create",
                    "qq_group",
                    &row.id,
                    None,
                    serde_json::json!({ "grid_id": row.grid_id, "org_unit_id": row.org_unit_id, "maintainer_id": row.maintainer_id }),
                )?;
                let view = group_view(&row);
                if let Some(k) = &key {
                    idempotency::tenant_store(tx, &who.user_id, k, &req_hash, 201, &view)?;
                }
                Ok((view, row.version, false))
            })
            .await?;
        let location = format!("/api/v1/qq-groups/{}", view.id);
        ev.roster(&self.state, &view.id).await;
        Ok(GroupCreated::Created(
            Json(view),
            etag(version),
            location,
            replayed.then(|| "true".to_owned()),
        ))
    }

    /// 查看QQ群 / Get a QQ group
    #[oai(path = "/qq-groups/:id", method = "get")]
    async fn get(&self, auth: Auth, id: Path<String>) -> AppResult<GroupResponse> {
        let tid = auth.0.tenant()?;
        let id = path_id(&id.0)?;
        let who = auth.0;
        let row = self
            .state
            .db
            .tenant(tid, Mode::Read, move |tx| visible_group(tx, &who, &id))
            .await?;
        Ok(GroupResponse::Ok(Json(group_view(&row)), etag(row.version)))
    }

    /// 修改QQ群 / Rename a group, set its number or hand it to another maintainer (If-Match)
    #[oai(path = "/qq-groups/:id", method = "patch")]
    async fn update(
        &self,
        auth: Auth,
        id: Path<String>,
        body: JsonBody<UpdateQqGroupRequest>,
        #[oai(name = "If-Match", validator(pattern = r#"^(W/)?"v[0-9]{1,18}"$"#))]
        if_match_h: Header<String>,
    ) -> AppResult<GroupResponse> {
        let tid = auth.0.tenant()?;
        let ev = crate::events::Emitter::of(&auth.0);
        let id = path_id(&id.0)?;
        let expected = if_match(Some(&if_match_h.0))?;
        let b = body.0;
        let mut errs = Vec::new();
        let name = b
            .name
            .as_deref()
            .map(|n| crate::org::model::parse_name("name", n))
            .gather(&mut errs);
        let number = b
            .group_number
            .as_deref()
            .map(|n| qq_arg("group_number", n))
            .gather(&mut errs);
        if !errs.is_empty() {
            return Err(AppError::validation(errs));
        }
        let who = auth.0;
        let row = self
            .state
            .db
            .tenant(tid, Mode::Write, move |tx| {
                let grp = visible_group(tx, &who, &id)?;
                may_edit(&who, &grp)?;
                if grp.version != expected {
                    return Err(AppError::precondition_failed().into());
                }
                let mut v = GroupValues::from_row(&grp);
                let mut changes = serde_json::Map::new();
                if let Some(n) = name.filter(|n| *n != grp.name) {
                    changes.insert(
                        "name".into(),
                        serde_json::json!({ "old": grp.name, "new": n }),
                    );
                    v.name = n;
                }
                if let Some(n) = number
                    .map(|n| n.as_str().to_owned())
                    .filter(|n| Some(n) != grp.group_number.as_ref())
                {
                    changes.insert(
                        "group_number".into(),
                        serde_json::json!({ "old": grp.group_number, "new": n }),
                    );
                    v.group_number = Some(n);
                }
                if let Some(m) = b.maintainer_id.filter(|m| *m != grp.maintainer_id) {
                    check_maintainer(tx, &m)?;
                    changes.insert(
                        "maintainer_id".into(),
                        serde_json::json!({ "old": grp.maintainer_id, "new": m }),
                    );
                    v.maintainer_id = m;
                }
                // Nothing to change: no new version, no history line.
                if changes.is_empty() {
                    return Ok(grp);
                }
                let row = repo::update_group(tx, &id, expected, &v)?;
                let changes = serde_json::Value::Object(changes);
                repo::record_history(tx, &id, None, &who.user_id, "group.update", &changes)?;
                audit::record(
                    tx,
                    &Actor::of(&who),
                    "qq_group.update",
                    "qq_group",
                    &id,
                    None,
                    serde_json::json!({ "changed": changed_fields(&changes) }),
                )?;
                Ok(row)
            })
            .await?;
        ev.roster(&self.state, &row.id).await;
        Ok(GroupResponse::Ok(Json(group_view(&row)), etag(row.version)))
    }

    /// 停用QQ群 / Deactivate a QQ group (its roster and history stay)
    #[oai(path = "/qq-groups/:id/deactivate", method = "post")]
    async fn deactivate(
        &self,
        auth: Auth,
        id: Path<String>,
        #[oai(name = "If-Match", validator(pattern = r#"^(W/)?"v[0-9]{1,18}"$"#))]
        if_match_h: Header<Option<String>>,
    ) -> AppResult<GroupResponse> {
        self.set_active(auth, id.0, if_match_h.0, false).await
    }

    /// 启用QQ群 / Reactivate a QQ group
    #[oai(path = "/qq-groups/:id/reactivate", method = "post")]
    async fn reactivate(
        &self,
        auth: Auth,
        id: Path<String>,
        #[oai(name = "If-Match", validator(pattern = r#"^(W/)?"v[0-9]{1,18}"$"#))]
        if_match_h: Header<Option<String>>,
    ) -> AppResult<GroupResponse> {
        self.set_active(auth, id.0, if_match_h.0, true).await
    }

    /// 群名单 / The group's roster (QQ numbers masked); `qq` finds one number exactly
    #[oai(path = "/qq-groups/:id/roster", method = "get")]
    #[allow(clippy::too_many_arguments)]
    async fn roster(
        &self,
        auth: Auth,
        id: Path<String>,
        qq: Query<Option<String>>,
        role: Query<Option<RosterRole>>,
        verified: Query<Option<bool>>,
        limit: Query<Option<crate::api::PageLimit>>,
        #[oai(validator(pattern = r"^[A-Za-z0-9_-]{0,200}$"))] cursor: Query<Option<String>>,
    ) -> AppResult<Json<RosterPage>> {
        let tid = auth.0.tenant()?;
        let id = path_id(&id.0)?;
        let page = PageRequest::parse(limit.0, cursor.0.as_deref())?;
        let qq =
            qq.0.as_deref()
                .map(|q| qq_arg("qq", q))
                .transpose()
                .map_err(|e| AppError::validation(vec![e]))?;
        let master = *self.state.master_key.bytes();
        let who = auth.0;
        let (items, next_cursor) = self
            .state
            .db
            .tenant(tid, Mode::Read, move |tx| {
                visible_group(tx, &who, &id)?;
                let keys = keys::load(tx, &master)?;
                let clear = qq_visible(tx, who.role)?;
                let f = EntryFilter {
                    qq_bidx: qq.as_ref().map(|q| keys.blind_index(QQ, q.as_str())),
                    role: role.0.map(RosterRole::as_str),
                    verified: verified.0,
                };
                let rows = repo::list_entries(tx, &id, &page, &f)?;
                let (rows, next) = page.finish(rows, |r| &r.id);
                Ok((
                    rows.iter().map(|r| entry_view(&keys, r, clear)).collect(),
                    next,
                ))
            })
            .await?;
        Ok(Json(RosterPage { items, next_cursor }))
    }

    /// 添加名单成员 / Add a roster entry (county admin, the group's maintainer)
    #[oai(path = "/qq-groups/:id/roster", method = "post")]
    async fn add_entry(
        &self,
        auth: Auth,
        id: Path<String>,
        body: JsonBody<CreateRosterEntryRequest>,
        #[oai(name = "Idempotency-Key", validator(pattern = r"^[!-~]{1,200}$"))] idem: Header<
            Option<String>,
        >,
    ) -> AppResult<EntryCreated> {
        let tid = auth.0.tenant()?;
        let ev = crate::events::Emitter::of(&auth.0);
        let id = path_id(&id.0)?;
        let key = IdempotencyKey::parse(idem.0.as_deref())?;
        let req = body.0;
        let mut errs = Vec::new();
        let real_name =
            crate::users::model::parse_display_name("real_name", &req.real_name).gather(&mut errs);
        let qq = qq_arg("qq", &req.qq).gather(&mut errs);
        if let Some(d) = req.joined_on
            && let Err(e) = not_future("joined_on", d)
        {
            errs.push(e);
        }
        let (Some(real_name), Some(qq), true) = (real_name, qq, errs.is_empty()) else {
            return Err(AppError::validation(errs));
        };
        let master = *self.state.master_key.bytes();
        let who = auth.0;
        let req_hash = idempotency::request_hash(&format!("POST /qq-groups/{id}/roster"), &req);
        let (view, version, replayed) = self
            .state
            .db
            .tenant(tid, Mode::Write, move |tx| {
                let grp = visible_group(tx, &who, &id)?;
                may_edit(&who, &grp)?;
                if let Some(k) = &key
                    && let Some(stored) =
                        idempotency::tenant_lookup(tx, &who.user_id, k, &req_hash)?
                {
                    return Ok((stored.into_body::<RosterEntryView>()?, 1, true));
                }
                require_active(&grp)?;
                let links = LinkScope::of(tx, &who)?;
                if let Some(u) = &req.org_unit_id {
                    links.check_unit(tx, "org_unit_id", u)?;
                }
                if let Some(m) = &req.member_id {
                    links.check_member(tx, m)?;
                }
                let keys = keys::load(tx, &master)?;
                let clear = qq_visible(tx, who.role)?;
                let v = EntryValues {
                    real_name,
                    role: req.role.as_str().to_owned(),
                    org_unit_id: req.org_unit_id.clone(),
                    qq_enc: keys.encrypt(QQ, qq.as_str()),
                    qq_bidx: keys.blind_index(QQ, qq.as_str()),
                    member_id: req.member_id.clone(),
                    joined_on: req.joined_on,
                    verified: req.verified.unwrap_or(false),
                };
                let row = repo::insert_entry(tx, &id, &v)?;
                let changes = entry_changes(&keys, None, Some(&v));
                repo::record_history(tx, &id, Some(&row.id), &who.user_id, "entry.add", &changes)?;
                audit::record(
                    tx,
                    &Actor::of(&who),
                    "qq_roster.add",
                    "qq_roster_entry",
                    &row.id,
                    None,
                    serde_json::json!({ "group_id": id, "role": v.role }),
                )?;
                let view = entry_view(&keys, &row, clear);
                if let Some(k) = &key {
                    idempotency::tenant_store(tx, &who.user_id, k, &req_hash, 201, &view)?;
                }
                Ok((view, row.version, false))
            })
            .await?;
        let location = format!("/api/v1/qq-groups/{}/roster/{}", view.group_id, view.id);
        ev.roster(&self.state, &view.group_id).await;
        Ok(EntryCreated::Created(
            Json(view),
            etag(version),
            location,
            replayed.then(|| "true".to_owned()),
        ))
    }

    /// 查看名单成员 / Get a roster entry (QQ number masked)
    #[oai(path = "/qq-groups/:id/roster/:entry_id", method = "get")]
    async fn get_entry(
        &self,
        auth: Auth,
        id: Path<String>,
        entry_id: Path<String>,
    ) -> AppResult<EntryResponse> {
        let tid = auth.0.tenant()?;
        let id = path_id(&id.0)?;
        let eid = path_id(&entry_id.0)?;
        let master = *self.state.master_key.bytes();
        let who = auth.0;
        let (v, version) = self
            .state
            .db
            .tenant(tid, Mode::Read, move |tx| {
                visible_group(tx, &who, &id)?;
                let row = repo::get_entry(tx, &id, &eid)?.ok_or_else(AppError::not_found)?;
                let keys = keys::load(tx, &master)?;
                let clear = qq_visible(tx, who.role)?;
                Ok((entry_view(&keys, &row, clear), row.version))
            })
            .await?;
        Ok(EntryResponse::Ok(Json(v), etag(version)))
    }

    /// 修改名单成员 / Update a roster entry (If-Match required)
    #[oai(path = "/qq-groups/:id/roster/:entry_id", method = "patch")]
    async fn update_entry(
        &self,
        auth: Auth,
        id: Path<String>,
        entry_id: Path<String>,
        body: JsonBody<UpdateRosterEntryRequest>,
        #[oai(name = "If-Match", validator(pattern = r#"^(W/)?"v[0-9]{1,18}"$"#))]
        if_match_h: Header<String>,
    ) -> AppResult<EntryResponse> {
        let tid = auth.0.tenant()?;
        let ev = crate::events::Emitter::of(&auth.0);
        let id = path_id(&id.0)?;
        let eid = path_id(&entry_id.0)?;
        let expected = if_match(Some(&if_match_h.0))?;
        let b = body.0;
        let mut errs = Vec::new();
        let real_name = b
            .real_name
            .as_deref()
            .map(|n| crate::users::model::parse_display_name("real_name", n))
            .gather(&mut errs);
        let qq = b.qq.as_deref().map(|q| qq_arg("qq", q)).gather(&mut errs);
        if let Some(d) = b.joined_on
            && let Err(e) = not_future("joined_on", d)
        {
            errs.push(e);
        }
        if !errs.is_empty() {
            return Err(AppError::validation(errs));
        }
        let master = *self.state.master_key.bytes();
        let who = auth.0;
        let (v, version) = self
            .state
            .db
            .tenant(tid, Mode::Write, move |tx| {
                let grp = visible_group(tx, &who, &id)?;
                let row = repo::get_entry(tx, &id, &eid)?.ok_or_else(AppError::not_found)?;
                may_edit(&who, &grp)?;
                require_active(&grp)?;
                if row.version != expected {
                    return Err(AppError::precondition_failed().into());
                }
                let keys = keys::load(tx, &master)?;
                let clear = qq_visible(tx, who.role)?;
                let old = EntryValues::from_row(&row);
                let mut v = old.clone();
                if let Some(n) = real_name {
                    v.real_name = n;
                }
                if let Some(r) = b.role {
                    v.role = r.as_str().to_owned();
                }
                if let Some(q) = &qq {
                    let bidx = keys.blind_index(QQ, q.as_str());
                    if bidx != v.qq_bidx {
                        v.qq_enc = keys.encrypt(QQ, q.as_str());
                        v.qq_bidx = bidx;
                    }
                }
                let links = LinkScope::of(tx, &who)?;
                if let Some(u) = &b.org_unit_id {
                    links.check_unit(tx, "org_unit_id", u)?;
                    v.org_unit_id = Some(u.clone());
                }
                if let Some(m) = &b.member_id {
                    links.check_member(tx, m)?;
                    v.member_id = Some(m.clone());
                }
                if let Some(d) = b.joined_on {
                    v.joined_on = Some(d);
                }
                if let Some(x) = b.verified {
                    v.verified = x;
                }
                let row = repo::update_entry(tx, &id, &eid, expected, &v)?;
                let changes = entry_changes(&keys, Some(&old), Some(&v));
                repo::record_history(tx, &id, Some(&eid), &who.user_id, "entry.update", &changes)?;
                audit::record(
                    tx,
                    &Actor::of(&who),
                    "qq_roster.update",
                    "qq_roster_entry",
                    &eid,
                    None,
                    serde_json::json!({ "group_id": id, "changed": changed_fields(&changes) }),
                )?;
                Ok((entry_view(&keys, &row, clear), row.version))
            })
            .await?;
        ev.roster(&self.state, &v.group_id).await;
        Ok(EntryResponse::Ok(Json(v), etag(version)))
    }

    /// 移除名单成员 / Remove a roster entry (If-Match required; the history keeps it)
    #[oai(path = "/qq-groups/:id/roster/:entry_id", method = "delete")]
    async fn remove_entry(
        &self,
        auth: Auth,
        id: Path<String>,
        entry_id: Path<String>,
        #[oai(name = "If-Match", validator(pattern = r#"^(W/)?"v[0-9]{1,18}"$"#))]
        if_match_h: Header<String>,
    ) -> AppResult<Removed> {
        let tid = auth.0.tenant()?;
        let id = path_id(&id.0)?;
        let ev = (crate::events::Emitter::of(&auth.0), id.clone());
        let eid = path_id(&entry_id.0)?;
        let expected = if_match(Some(&if_match_h.0))?;
        let master = *self.state.master_key.bytes();
        let who = auth.0;
        self.state
            .db
            .tenant(tid, Mode::Write, move |tx| {
                let grp = visible_group(tx, &who, &id)?;
                let row = repo::get_entry(tx, &id, &eid)?.ok_or_else(AppError::not_found)?;
                may_edit(&who, &grp)?;
                require_active(&grp)?;
                if row.version != expected {
                    return Err(AppError::precondition_failed().into());
                }
                let keys = keys::load(tx, &master)?;
                repo::delete_entry(tx, &id, &eid, expected)?;
                let changes = entry_changes(&keys, Some(&EntryValues::from_row(&row)), None);
                repo::record_history(tx, &id, Some(&eid), &who.user_id, "entry.remove", &changes)?;
                audit::record(
                    tx,
                    &Actor::of(&who),
                    "qq_roster.remove",
                    "qq_roster_entry",
                    &eid,
                    None,
                    serde_json::json!({ "group_id": id, "role": row.role }),
                )?;
                Ok(())
            })
            .await?;
        ev.0.roster(&self.state, &ev.1).await;
        Ok(Removed::NoContent)
    }

    /// 查看QQ号明文 / Show a roster entry's QQ number in clear, with a reason (county admin)
    #[oai(path = "/qq-groups/:id/roster/:entry_id/unmask", method = "post")]
    async fn unmask(
        &self,
        auth: Auth,
        id: Path<String>,
        entry_id: Path<String>,
        body: JsonBody<UnmaskQqRequest>,
    ) -> AppResult<UnmaskResponse> {
        let tid = auth.0.tenant()?;
        let id = path_id(&id.0)?;
        let eid = path_id(&entry_id.0)?;
        let reason = body.0.reason.trim().to_owned();
        if reason.chars().count() < 4 || reason.chars().any(char::is_control) {
            return Err(AppError::field(
                "reason",
                "reason_too_short",
                "reason：请写明查看原因（至少4个字）",
                "reason: say why (at least 4 characters)",
            ));
        }
        let master = *self.state.master_key.bytes();
        let who = auth.0;
        let qq = self
            .state
            .db
            .tenant(tid, Mode::Write, move |tx| {
                visible_group(tx, &who, &id)?;
                let row = repo::get_entry(tx, &id, &eid)?.ok_or_else(AppError::not_found)?;
                // The county's masking policy decides who may unmask QQ numbers.
                let policy = crate::privacy::policy::for_role(tx, who.role)?;
                if policy.get(&crate::privacy::policy::Field::QqNumber)
                    == Some(&crate::privacy::policy::Exposure::Masked)
                {
                    return Err(AppError::new(
                        poem::http::StatusCode::FORBIDDEN,
                        "unmask_not_allowed",
                        "按本县的脱敏策略，您的角色不能查看QQ号明文",
                        "The county's masking policy does not let your role see QQ numbers in clear",
                    )
                    .into());
                }
                let keys = keys::load(tx, &master)?;
                let qq = keys
                    .decrypt(QQ, &row.qq_enc)
                    .map_err(|e| AppError::internal(anyhow::anyhow!("qq: {e}")))?;
                audit::record(
                    tx,
                    &Actor::of(&who),
                    "qq_roster.unmask",
                    "qq_roster_entry",
                    &eid,
                    Some(&reason),
                    serde_json::json!({ "group_id": id, "fields": ["qq"] }),
                )?;
                Ok(qq)
            })
            .await?;
        Ok(UnmaskResponse::Ok(
            Json(UnmaskedQq { qq }),
            "no-store".to_owned(),
        ))
    }

    /// 导入群成员（粘贴）/ Import the group's actual member list as pasted from QQ; returns the diff
    #[oai(path = "/qq-groups/:id/snapshots", method = "post")]
    async fn import_paste(
        &self,
        auth: Auth,
        id: Path<String>,
        body: JsonBody<PasteImportRequest>,
        #[oai(name = "Idempotency-Key", validator(pattern = r"^[!-~]{1,200}$"))] idem: Header<
            Option<String>,
        >,
    ) -> AppResult<ImportResponse> {
        let tid = auth.0.tenant()?;
        let id = path_id(&id.0)?;
        let key = IdempotencyKey::parse(idem.0.as_deref())?;
        let req = body.0;
        let dry_run = req.dry_run.unwrap_or(false);
        if let Some(d) = req.taken_on {
            not_future("taken_on", d).map_err(|e| AppError::validation(vec![e]))?;
        }
        let req_hash = idempotency::request_hash(&format!("POST /qq-groups/{id}/snapshots"), &req);
        self.may_import(tid.clone(), &auth.0, &id).await?;
        let parsed = parse::parse_paste(&req.text).map_err(|e| file_problem("text", e))?;
        self.import(
            tid,
            auth.0,
            ImportArgs {
                group_id: id,
                parsed,
                source: SnapshotSource::Paste,
                taken_on: req.taken_on,
                dry_run,
                key,
                req_hash,
            },
        )
        .await
    }

    /// 导入群成员（文件）/ Import the member list from an xlsx or CSV file (QQ号, 群昵称); returns the diff
    #[oai(path = "/qq-groups/:id/snapshots/file", method = "post")]
    async fn import_file(
        &self,
        auth: Auth,
        id: Path<String>,
        taken_on: Query<Option<NaiveDate>>,
        dry_run: Query<Option<bool>>,
        file: ListFile,
        #[oai(name = "Idempotency-Key", validator(pattern = r"^[!-~]{1,200}$"))] idem: Header<
            Option<String>,
        >,
    ) -> AppResult<ImportResponse> {
        let tid = auth.0.tenant()?;
        let id = path_id(&id.0)?;
        let key = IdempotencyKey::parse(idem.0.as_deref())?;
        if let Some(d) = taken_on.0 {
            not_future("taken_on", d).map_err(|e| AppError::validation(vec![e]))?;
        }
        let dry_run = dry_run.0.unwrap_or(false);
        self.may_import(tid.clone(), &auth.0, &id).await?;
        let bytes = file.0.read().await?;
        let sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes));
        let req_hash = idempotency::request_hash(
            &format!("POST /qq-groups/{id}/snapshots/file"),
            &ListDigest {
                source: "file",
                taken_on: taken_on.0,
                dry_run,
                sha: &sha,
            },
        );
        let (source, parsed) = tokio::task::spawn_blocking(move || parse::parse_file(&bytes))
            .await
            .map_err(|e| AppError::internal(anyhow::anyhow!("parse task: {e}")))?
            .map_err(|e| file_problem("file", e))?;
        self.import(
            tid,
            auth.0,
            ImportArgs {
                group_id: id,
                parsed,
                source,
                taken_on: taken_on.0,
                dry_run,
                key,
                req_hash,
            },
        )
        .await
    }

    /// 导入记录 / The group's imported member lists, oldest first
    #[oai(path = "/qq-groups/:id/snapshots", method = "get")]
    async fn snapshots(
        &self,
        auth: Auth,
        id: Path<String>,
        limit: Query<Option<crate::api::PageLimit>>,
        #[oai(validator(pattern = r"^[A-Za-z0-9_-]{0,200}$"))] cursor: Query<Option<String>>,
    ) -> AppResult<Json<SnapshotPage>> {
        let tid = auth.0.tenant()?;
        let id = path_id(&id.0)?;
        let page = PageRequest::parse(limit.0, cursor.0.as_deref())?;
        let who = auth.0;
        let (items, next_cursor) = self
            .state
            .db
            .tenant(tid, Mode::Read, move |tx| {
                visible_group(tx, &who, &id)?;
                let rows = repo::list_snapshots(tx, &id, &page)?;
                let (rows, next) = page.finish(rows, |r| &r.id);
                Ok((rows.iter().map(snapshot_view).collect(), next))
            })
            .await?;
        Ok(Json(SnapshotPage { items, next_cursor }))
    }

    /// 导入记录详情 / A stored member list and its diff against the roster as it is now
    #[oai(path = "/qq-groups/:id/snapshots/:snapshot_id", method = "get")]
    async fn snapshot(
        &self,
        auth: Auth,
        id: Path<String>,
        snapshot_id: Path<String>,
    ) -> AppResult<Json<SnapshotDetail>> {
        let tid = auth.0.tenant()?;
        let id = path_id(&id.0)?;
        let sid = path_id(&snapshot_id.0)?;
        let master = *self.state.master_key.bytes();
        let who = auth.0;
        let detail = self
            .state
            .db
            .tenant(tid, Mode::Read, move |tx| {
                visible_group(tx, &who, &id)?;
                let snap = repo::get_snapshot(tx, &id, &sid)?.ok_or_else(AppError::not_found)?;
                let keys = keys::load(tx, &master)?;
                let clear = qq_visible(tx, who.role)?;
                let people: Vec<(i32, String, String, Option<String>)> =
                    repo::snapshot_people(tx, &sid)?
                        .into_iter()
                        .map(|p| {
                            let nick = p
                                .nickname_enc
                                .as_deref()
                                .and_then(|n| keys.decrypt(NICK, n).ok());
                            (p.line_no, p.qq_bidx, masked_qq(&keys, &p.qq_enc), nick)
                        })
                        .collect();
                let roster = repo::roster(tx, &id)?;
                Ok(SnapshotDetail {
                    snapshot: snapshot_view(&snap),
                    diff: diff_view(&keys, &roster, &people, clear),
                })
            })
            .await?;
        Ok(Json(detail))
    }

    /// 逾期未入群 / Who is late for the join deadline as of a date (default today, Asia/Shanghai)
    ///
    /// Township and village organisers by default; `all_roles=true` checks every entry. An
    /// entry counts as joined from its `joined_on`, else from the first imported list that
    /// held its QQ number.
    #[oai(path = "/qq-groups/:id/late", method = "get")]
    async fn late(
        &self,
        auth: Auth,
        id: Path<String>,
        as_of: Query<Option<NaiveDate>>,
        all_roles: Query<Option<bool>>,
    ) -> AppResult<Json<LateReport>> {
        let tid = auth.0.tenant()?;
        let id = path_id(&id.0)?;
        let as_of = as_of.0.unwrap_or_else(crate::clock::today);
        let all_roles = all_roles.0.unwrap_or(false);
        let master = *self.state.master_key.bytes();
        let who = auth.0;
        let report = self
            .state
            .db
            .tenant(tid, Mode::Read, move |tx| {
                visible_group(tx, &who, &id)?;
                let (deadline, _) = repo::deadline(tx)?;
                let keys = keys::load(tx, &master)?;
                let clear = qq_visible(tx, who.role)?;
                let roster: Vec<EntryRow> = repo::roster(tx, &id)?
                    .into_iter()
                    .filter(|e| {
                        all_roles
                            || RosterRole::parse(&e.role).is_some_and(RosterRole::is_organiser)
                    })
                    .collect();
                let seen =
                    repo::first_seen(tx, &id, roster.iter().map(|e| e.qq_bidx.clone()).collect())?;
                let mut items = Vec::new();
                for e in &roster {
                    let joined = rules::effective_join(e.joined_on, seen.get(&e.qq_bidx).copied());
                    let (status, joined_on, days_late) =
                        match rules::lateness(deadline, as_of, joined) {
                            None => continue,
                            Some(Late::NotJoined { days_overdue }) => {
                                (LateStatus::NotJoined, None, days_overdue)
                            }
                            Some(Late::JoinedLate {
                                joined_on,
                                days_late,
                            }) => (LateStatus::JoinedLate, Some(joined_on), days_late),
                        };
                    items.push(LateEntry {
                        entry: entry_view(&keys, e, clear),
                        status,
                        joined_on,
                        days_late,
                    });
                }
                Ok(LateReport {
                    as_of,
                    join_deadline: deadline.to_string(),
                    due: deadline.in_year(chrono::Datelike::year(&as_of)),
                    all_roles,
                    items,
                })
            })
            .await?;
        Ok(Json(report))
    }

    /// 名单变更历史 / Every change to the group and its roster, oldest first
    #[oai(path = "/qq-groups/:id/history", method = "get")]
    async fn history(
        &self,
        auth: Auth,
        id: Path<String>,
        entry_id: Query<Option<String>>,
        limit: Query<Option<crate::api::PageLimit>>,
        #[oai(validator(pattern = r"^[A-Za-z0-9_-]{0,200}$"))] cursor: Query<Option<String>>,
    ) -> AppResult<Json<HistoryPage>> {
        let tid = auth.0.tenant()?;
        let id = path_id(&id.0)?;
        let page = PageRequest::parse(limit.0, cursor.0.as_deref())?;
        let entry = entry_id.0.as_deref().map(path_id).transpose()?;
        let who = auth.0;
        let (items, next_cursor) = self
            .state
            .db
            .tenant(tid, Mode::Read, move |tx| {
                visible_group(tx, &who, &id)?;
                let rows = repo::list_history(tx, &id, entry.as_deref(), &page)?;
                let (rows, next) = page.finish(rows, |r| &r.id);
                let items = rows
                    .into_iter()
                    .map(|r| HistoryEntry {
                        id: r.id,
                        at: r.at.and_utc(),
                        actor_id: r.actor_id,
                        action: r.action,
                        entry_id: r.entry_id,
                        changes: serde_json::from_str(&r.changes)
                            .unwrap_or(serde_json::Value::Null),
                    })
                    .collect();
                Ok((items, next))
            })
            .await?;
        Ok(Json(HistoryPage { items, next_cursor }))
    }

    /// QQ群设置 / The county's QQ group settings (join deadline)
    #[oai(path = "/qq-settings", method = "get")]
    async fn settings(&self, auth: Auth) -> AppResult<SettingsResponse> {
        let tid = auth.0.tenant()?;
        let (d, version) = self
            .state
            .db
            .tenant(tid, Mode::Read, repo::deadline)
            .await?;
        Ok(SettingsResponse::Ok(
            Json(QqSettingsView {
                join_deadline: d.to_string(),
                is_default: version == 0,
            }),
            etag(version),
        ))
    }

    /// 修改QQ群设置 / Set the join deadline (county admin; If-Match, `"v0"` while never set)
    #[oai(path = "/qq-settings", method = "patch")]
    async fn update_settings(
        &self,
        auth: Auth,
        body: JsonBody<UpdateQqSettingsRequest>,
        #[oai(name = "If-Match", validator(pattern = r#"^(W/)?"v[0-9]{1,18}"$"#))]
        if_match_h: Header<String>,
    ) -> AppResult<SettingsResponse> {
        let tid = auth.0.tenant()?;
        auth.0.require(&[Role::CountyAdmin])?;
        let expected = if_match(Some(&if_match_h.0))?;
        let d = JoinDeadline::parse("join_deadline", &body.0.join_deadline)
            .map_err(|e| AppError::validation(vec![e]))?;
        let who = auth.0;
        let version = self
            .state
            .db
            .tenant(tid, Mode::Write, move |tx| {
                let (old, _) = repo::deadline(tx)?;
                let v = repo::set_deadline(tx, expected, d, &who.user_id)?;
                let county = tx.tid().to_owned();
                audit::record(
                    tx,
                    &Actor::of(&who),
                    "qq_settings.update",
                    "qq_settings",
                    &county,
                    None,
                    serde_json::json!({ "join_deadline": { "old": old.to_string(), "new": d.to_string() } }),
                )?;
                Ok(v)
            })
            .await?;
        Ok(SettingsResponse::Ok(
            Json(QqSettingsView {
                join_deadline: d.to_string(),
                is_default: false,
            }),
            etag(version),
        ))
    }
}

impl QqApi {
    async fn set_active(
        &self,
        auth: Auth,
        id: String,
        if_match_h: Option<String>,
        active: bool,
    ) -> AppResult<GroupResponse> {
        let tid = auth.0.tenant()?;
        let ev = crate::events::Emitter::of(&auth.0);
        let id = path_id(&id)?;
        let expected = if_match_h
            .as_deref()
            .map(|h| if_match(Some(h)))
            .transpose()?;
        let who = auth.0;
        let row = self
            .state
            .db
            .tenant(tid, Mode::Write, move |tx| {
                let grp = visible_group(tx, &who, &id)?;
                may_edit(&who, &grp)?;
                if expected.is_some_and(|e| e != grp.version) {
                    return Err(AppError::precondition_failed().into());
                }
                if grp.active == active {
                    return Err(AppError::conflict(
                        "status_unchanged",
                        if active {
                            "该QQ群已是启用状态"
                        } else {
                            "该QQ群已停用"
                        },
                        if active {
                            "The group is already active"
                        } else {
                            "The group is already deactivated"
                        },
                    )
                    .into());
                }
                let mut v = GroupValues::from_row(&grp);
                v.active = active;
                let row = repo::update_group(tx, &id, grp.version, &v)?;
                let action = if active {
                    "group.reactivate"
                } else {
                    "group.deactivate"
                };
                let changes = serde_json::json!({ "active": { "old": !active, "new": active } });
                repo::record_history(tx, &id, None, &who.user_id, action, &changes)?;
                audit::record(
                    tx,
                    &Actor::of(&who),
                    &format!("qq_{action}"),
                    "qq_group",
                    &id,
                    None,
                    serde_json::json!({}),
                )?;
                Ok(row)
            })
            .await?;
        ev.roster(&self.state, &row.id).await;
        Ok(GroupResponse::Ok(Json(group_view(&row)), etag(row.version)))
    }

    /// The caller may import into the group (404 unseen, 403 not theirs to change): checked
    /// before the list is read or parsed, and again in the import's own transaction.
    async fn may_import(
        &self,
        tid: crate::tenancy::TenantId,
        who: &Principal,
        id: &str,
    ) -> AppResult<()> {
        let who = who.clone();
        let id = id.to_owned();
        self.state
            .db
            .tenant(tid, Mode::Read, move |tx| {
                let grp = visible_group(tx, &who, &id)?;
                may_edit(&who, &grp)
            })
            .await?;
        Ok(())
    }

    /// The import itself: the diff against the roster, and unless a dry run, the snapshot with
    /// every QQ number encrypted (compared only through the blind index).
    async fn import(
        &self,
        tid: crate::tenancy::TenantId,
        who: Principal,
        a: ImportArgs,
    ) -> AppResult<ImportResponse> {
        let ev = crate::events::Emitter::of(&who);
        if !a.dry_run && !a.parsed.errors.is_empty() {
            return Err(lines_problem(&a.parsed));
        }
        if a.parsed.people.is_empty() && a.parsed.errors.is_empty() {
            return Err(file_problem(
                if a.source == SnapshotSource::Paste {
                    "text"
                } else {
                    "file"
                },
                FileError {
                    code: "empty_list".to_owned(),
                    zh: "名单中没有任何QQ号".to_owned(),
                    en: "The list holds no QQ numbers".to_owned(),
                },
            ));
        }
        let master = *self.state.master_key.bytes();
        let taken_on = a.taken_on.unwrap_or_else(crate::clock::today);
        let mode = if a.dry_run { Mode::Read } else { Mode::Write };
        let (result, replayed) = self
            .state
            .db
            .tenant(tid, mode, move |tx| {
                let grp = visible_group(tx, &who, &a.group_id)?;
                may_edit(&who, &grp)?;
                if !a.dry_run
                    && let Some(k) = &a.key
                    && let Some(stored) =
                        idempotency::tenant_lookup(tx, &who.user_id, k, &a.req_hash)?
                {
                    return Ok((stored.into_body::<ImportResult>()?, true));
                }
                require_active(&grp)?;
                let keys = keys::load(tx, &master)?;
                let clear = qq_visible(tx, who.role)?;
                let people: Vec<(i32, String, String, Option<String>)> = a
                    .parsed
                    .people
                    .iter()
                    .map(|p| {
                        (
                            p.line as i32,
                            keys.blind_index(QQ, p.qq.as_str()),
                            p.qq.masked(),
                            p.nickname.clone(),
                        )
                    })
                    .collect();
                let roster = repo::roster(tx, &a.group_id)?;
                let diff = diff_view(&keys, &roster, &people, clear);
                let errors: Capped<ImportLineError> = a
                    .parsed
                    .errors
                    .iter()
                    .map(|e| ImportLineError {
                        line: e.line as i32,
                        code: e.code.to_owned(),
                        message: e.zh.clone(),
                        message_en: e.en.clone(),
                    })
                    .collect();
                let mut result = ImportResult {
                    snapshot: None,
                    dry_run: a.dry_run,
                    taken_on,
                    source: a.source,
                    diff,
                    errors: errors.listed().to_vec(),
                    more_errors: errors.more(),
                };
                if a.dry_run {
                    return Ok((result, false));
                }
                let stored: Vec<repo::NewPerson> = a
                    .parsed
                    .people
                    .iter()
                    .zip(&people)
                    .map(|(p, (line, bidx, _, _))| repo::NewPerson {
                        line_no: *line,
                        qq_enc: keys.encrypt(QQ, p.qq.as_str()),
                        qq_bidx: bidx.clone(),
                        nickname_enc: p.nickname.as_deref().map(|n| keys.encrypt(NICK, n)),
                    })
                    .collect();
                let d = &result.diff;
                let counts = [
                    d.people,
                    d.matched,
                    d.missing.len() as i32,
                    d.unknown.len() as i32,
                    d.unverified.len() as i32,
                ];
                let snap = repo::insert_snapshot(
                    tx,
                    &repo::NewSnapshot {
                        group_id: &a.group_id,
                        taken_on,
                        source: a.source.as_str(),
                        counts,
                        imported_by: &who.user_id,
                    },
                    &stored,
                )?;
                let summary = serde_json::json!({
                    "snapshot_id": snap.id,
                    "source": snap.source,
                    "taken_on": snap.taken_on,
                    "people": snap.people,
                    "matched": snap.matched,
                    "missing": snap.missing,
                    "unknown": snap.unknown,
                });
                repo::record_history(
                    tx,
                    &a.group_id,
                    None,
                    &who.user_id,
                    "snapshot.import",
                    &summary,
                )?;
                audit::record(
                    tx,
                    &Actor::of(&who),
                    "qq_snapshot.import",
                    "qq_group",
                    &a.group_id,
                    None,
                    summary,
                )?;
                result.snapshot = Some(snapshot_view(&snap));
                if let Some(k) = &a.key {
                    // Nicknames are kept encrypted only: a replay shows the diff without them.
                    let mut replay = result.clone();
                    for u in &mut replay.diff.unknown {
                        u.nickname = None;
                    }
                    idempotency::tenant_store(tx, &who.user_id, k, &a.req_hash, 201, &replay)?;
                }
                Ok((result, false))
            })
            .await?;
        if let (Some(s), false) = (&result.snapshot, replayed) {
            ev.roster(&self.state, &s.group_id).await
        }
        match &result.snapshot {
            Some(s) => {
                let location = format!("/api/v1/qq-groups/{}/snapshots/{}", s.group_id, s.id);
                Ok(ImportResponse::Created(
                    Json(result),
                    location,
                    replayed.then(|| "true".to_owned()),
                ))
            }
            None => Ok(ImportResponse::Preview(Json(result))),
        }
    }
}
