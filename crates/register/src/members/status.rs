//! Member status changes, kept as history (issue 4 item 5): probationary → full member
//! (预备党员转正), business suspended / resumed / closed (停歇业 / 复业 / 注销), away operating
//! since (外出经营) and back, and transfers of the membership into or out of the county
//! (组织关系转入 / 转出).
//!
//! The member row stays the source of the current state (`membership_status`,
//! `business_status`, `away_since`, and for transfers `membership_unit_id` with the category
//! that follows from it); each change updates those columns and appends one history row in the
//! same transaction, and is audited. Which changes are legal is decided by [`check`].

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};
use serde::{Deserialize, Serialize};

use super::model::{self, BusinessStatus, MembershipStatus};
use super::repo::{self as members, MemberRow};
use crate::AppState;
use crate::api::{JsonBody, PageRequest, etag, if_match, path_id};
use crate::audit::{self, Actor};
use crate::auth::{Auth, Role};
use crate::business::model::{Refused, business_status_change};
use crate::db::schema::{member_status_history as h, members as m};
use crate::db::{DbResult, Mode, TenantTx};
use crate::error::{AppError, AppResult, FieldError, Gather};
use crate::org::scope;

#[derive(Tags)]
enum ApiTags {
    /// 党员状态变更与组织关系转接 / Member status changes and transfers
    MemberStatus,
}

/// The kinds of change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, poem_openapi::Enum)]
#[serde(rename_all = "snake_case")]
#[oai(rename_all = "snake_case")]
pub enum Change {
    /// 预备 → 正式 (转正); the reverse is refused.
    MembershipStatus,
    /// 经营 / 停歇业 / 注销
    BusinessStatus,
    /// 外出经营 since a date.
    Away,
    /// Back from operating away.
    Returned,
    /// 组织关系转入: the membership comes to a unit of the county.
    TransferIn,
    /// 组织关系转出: the membership leaves for an organisation outside the county.
    TransferOut,
}

impl Change {
    pub const ALL: [Change; 6] = [
        Change::MembershipStatus,
        Change::BusinessStatus,
        Change::Away,
        Change::Returned,
        Change::TransferIn,
        Change::TransferOut,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Change::MembershipStatus => "membership_status",
            Change::BusinessStatus => "business_status",
            Change::Away => "away",
            Change::Returned => "returned",
            Change::TransferIn => "transfer_in",
            Change::TransferOut => "transfer_out",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// The part of a member's state that changes here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct State {
    pub membership: MembershipStatus,
    pub business: BusinessStatus,
    pub away_since: Option<NaiveDate>,
    /// Whether a unit of this county holds the membership.
    pub held_in_county: bool,
}

impl State {
    pub fn of(r: &MemberRow) -> Self {
        Self {
            membership: MembershipStatus::parse(&r.membership_status)
                .unwrap_or(MembershipStatus::Full),
            business: BusinessStatus::parse(&r.business_status)
                .unwrap_or(BusinessStatus::Operating),
            away_since: r.away_since,
            held_in_county: r.membership_unit_id.is_some(),
        }
    }
}

/// One requested change, already validated for its own fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Membership(MembershipStatus),
    Business(BusinessStatus),
    Away,
    Returned,
    TransferIn,
    TransferOut,
}

/// Presence words for the `away` history values.
const PRESENT: &str = "present";
const AWAY: &str = "away";
const IN_COUNTY: &str = "in_county";
const OUTSIDE_COUNTY: &str = "outside_county";

/// Whether `step` may happen in `state`; the history's from → to values when it may.
pub fn check(state: &State, step: &Step) -> Result<(&'static str, &'static str), Refused> {
    match step {
        Step::Membership(to) => match (state.membership, to) {
            (MembershipStatus::Probationary, MembershipStatus::Full) => {
                Ok(("probationary", "full"))
            }
            (MembershipStatus::Full, MembershipStatus::Probationary) => Err(Refused {
                code: "full_member_cannot_become_probationary",
                zh: "正式党员不能改为预备党员",
                en: "A full member cannot become probationary again",
            }),
            (MembershipStatus::Full, MembershipStatus::Full) => Err(Refused {
                code: "already_full_member",
                zh: "该党员已是正式党员",
                en: "The member is already a full member",
            }),
            (MembershipStatus::Probationary, MembershipStatus::Probationary) => Err(Refused {
                code: "status_unchanged",
                zh: "该党员已是预备党员",
                en: "The member is already probationary",
            }),
        },
        Step::Business(to) => {
            business_status_change(state.business, *to)?;
            Ok((state.business.as_str(), to.as_str()))
        }
        Step::Away if state.away_since.is_some() => Err(Refused {
            code: "already_away",
            zh: "该党员已登记为外出经营",
            en: "The member is already recorded as operating away",
        }),
        Step::Away => Ok((PRESENT, AWAY)),
        Step::Returned if state.away_since.is_none() => Err(Refused {
            code: "not_away",
            zh: "该党员未登记外出经营",
            en: "The member is not recorded as operating away",
        }),
        Step::Returned => Ok((AWAY, PRESENT)),
        Step::TransferIn if state.held_in_county => Err(Refused {
            code: "already_in_county",
            zh: "该党员的组织关系已在本县，无需转入",
            en: "The membership is already held in the county",
        }),
        Step::TransferIn => Ok((OUTSIDE_COUNTY, IN_COUNTY)),
        Step::TransferOut if !state.held_in_county => Err(Refused {
            code: "not_held_in_county",
            zh: "该党员的组织关系不在本县（可能已转出），不能转出",
            en: "The membership is not held in the county (already transferred out?)",
        }),
        Step::TransferOut => Ok((IN_COUNTY, OUTSIDE_COUNTY)),
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = h)]
pub struct HistoryRow {
    pub tenant_id: String,
    pub id: String,
    pub member_id: String,
    pub change: String,
    pub from_value: String,
    pub to_value: String,
    pub effective_on: NaiveDate,
    pub from_org: Option<String>,
    pub to_org: Option<String>,
    pub reason: Option<String>,
    pub recorded_by: String,
    pub recorded_at: NaiveDateTime,
}

/// A history row to write.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = h, treat_none_as_null = true)]
pub struct NewHistory {
    pub tenant_id: String,
    pub id: String,
    pub member_id: String,
    pub change: String,
    pub from_value: String,
    pub to_value: String,
    pub effective_on: NaiveDate,
    pub from_org: Option<String>,
    pub to_org: Option<String>,
    pub reason: Option<String>,
    pub recorded_by: String,
    pub recorded_at: NaiveDateTime,
}

/// Appends history rows in one statement per chunk (the demo generator writes many).
pub fn insert_history(tx: &mut TenantTx<'_>, rows: &[NewHistory]) -> DbResult<()> {
    // 12 values a row, well under both backends' bound-parameter limits.
    for chunk in rows.chunks(500) {
        crate::insert_rows!(tx.conn(), h::table, chunk)?;
    }
    Ok(())
}

/// Demo histories consistent with the demo members' current state, covering every kind of
/// change: 转正 for some full members, the way to a suspended or closed business, away and
/// back, and transfers in (members held in the county) and out (members held outside).
pub fn demo(tx: &mut TenantTx<'_>, seed: u64) -> DbResult<usize> {
    const ELSEWHERE: [&str; 4] = [
        "江西省上饶市某村党支部",
        "安徽省宣城市某社区党委",
        "河南省信阳市某村党支部",
        "湖南省邵阳市某村党支部",
    ];
    let tid = tx.tid().to_owned();
    let mut rng = crate::rng::Rng::new(seed);
    let now = Utc::now().naive_utc();
    let today = now.date();
    let home_units: Vec<String> = crate::db::schema::org_units::table
        .filter(
            crate::db::schema::org_units::tenant_id
                .eq(&tid)
                .and(crate::db::schema::org_units::kind.eq_any(["village", "party_branch"])),
        )
        .select(crate::db::schema::org_units::name)
        .limit(50)
        .load(tx.conn())?;
    type Facts = (
        String,
        String,
        String,
        Option<NaiveDate>,
        Option<String>,
        String,
        Option<NaiveDate>,
    );
    let rows: Vec<Facts> = m::table
        .filter(m::tenant_id.eq(&tid))
        .select((
            m::id,
            m::membership_status,
            m::business_status,
            m::away_since,
            m::membership_unit_id,
            m::membership_org_name,
            m::joined_party_on,
        ))
        .order(m::id.asc())
        .load(tx.conn())?;
    let mut out = Vec::new();
    for (id, ms, bs, away, unit, org, joined) in rows {
        let mut push = |change: Change,
                        from: &str,
                        to: &str,
                        on: NaiveDate,
                        fo: Option<String>,
                        to_org: Option<String>| {
            out.push(NewHistory {
                tenant_id: tid.clone(),
                id: uuid::Uuid::now_v7().to_string(),
                member_id: id.clone(),
                change: change.as_str().to_owned(),
                from_value: from.to_owned(),
                to_value: to.to_owned(),
                effective_on: on.min(today),
                from_org: fo,
                to_org,
                reason: None,
                recorded_by: "demo-data".to_owned(),
                recorded_at: now,
            });
        };
        let day = |rng: &mut crate::rng::Rng, from_year: i32| {
            NaiveDate::from_ymd_opt(
                from_year + rng.below(5) as i32,
                1 + rng.below(12) as u32,
                1 + rng.below(28) as u32,
            )
            .unwrap_or(today)
        };
        if ms == "full"
            && let Some(j) = joined
            && rng.below(5) == 0
        {
            let on = j
                .checked_add_signed(chrono::Duration::days(365))
                .unwrap_or(j);
            push(
                Change::MembershipStatus,
                "probationary",
                "full",
                on,
                None,
                None,
            );
        }
        match bs.as_str() {
            "suspended" => {
                let on = day(&mut rng, 2021);
                push(
                    Change::BusinessStatus,
                    "operating",
                    "suspended",
                    on,
                    None,
                    None,
                );
            }
            "closed" => {
                let on = day(&mut rng, 2019);
                if rng.below(2) == 0 {
                    push(
                        Change::BusinessStatus,
                        "operating",
                        "suspended",
                        on,
                        None,
                        None,
                    );
                    push(
                        Change::BusinessStatus,
                        "suspended",
                        "closed",
                        on + chrono::Duration::days(200),
                        None,
                        None,
                    );
                } else {
                    push(
                        Change::BusinessStatus,
                        "operating",
                        "closed",
                        on,
                        None,
                        None,
                    );
                }
            }
            _ => {}
        }
        if let Some(since) = away {
            push(Change::Away, PRESENT, AWAY, since, None, None);
        } else if rng.below(20) == 0 {
            let on = day(&mut rng, 2019);
            push(Change::Away, PRESENT, AWAY, on, None, None);
            push(
                Change::Returned,
                AWAY,
                PRESENT,
                on + chrono::Duration::days(150),
                None,
                None,
            );
        }
        let on = day(&mut rng, 2018);
        if unit.is_some() && rng.below(6) == 0 {
            let from = ELSEWHERE[rng.below(ELSEWHERE.len())].to_owned();
            push(
                Change::TransferIn,
                OUTSIDE_COUNTY,
                IN_COUNTY,
                on,
                Some(from),
                Some(org),
            );
        } else if unit.is_none() && rng.below(4) == 0 && !home_units.is_empty() {
            let from = home_units[rng.below(home_units.len())].clone();
            push(
                Change::TransferOut,
                IN_COUNTY,
                OUTSIDE_COUNTY,
                on,
                Some(from),
                Some(org),
            );
        }
    }
    insert_history(tx, &out)?;
    Ok(out.len())
}

pub fn history(
    tx: &mut TenantTx<'_>,
    member_id: &str,
    page: &PageRequest,
) -> DbResult<Vec<HistoryRow>> {
    let tid = tx.tid().to_owned();
    let mut q = h::table
        .filter(h::tenant_id.eq(tid).and(h::member_id.eq(member_id)))
        .select(HistoryRow::as_select())
        .into_boxed();
    if let Some(after) = &page.after {
        q = q.filter(h::id.gt(after.clone()));
    }
    Ok(q.order(h::id.asc()).limit(page.fetch()).load(tx.conn())?)
}

/// What a change writes to the member row besides the version.
struct Effect {
    membership_status: String,
    business_status: String,
    away_since: Option<NaiveDate>,
    membership_unit_id: Option<String>,
    membership_org_name: String,
    category: String,
}

/// Writes the member's status columns if the row is still at `version`.
fn write_member(tx: &mut TenantTx<'_>, id: &str, version: i64, e: &Effect) -> DbResult<i64> {
    let tid = tx.tid().to_owned();
    let n = diesel::update(
        m::table.filter(
            m::tenant_id
                .eq(&tid)
                .and(m::id.eq(id))
                .and(m::version.eq(version)),
        ),
    )
    .set((
        m::membership_status.eq(&e.membership_status),
        m::business_status.eq(&e.business_status),
        m::away_since.eq(e.away_since),
        m::membership_unit_id.eq(&e.membership_unit_id),
        m::membership_org_name.eq(&e.membership_org_name),
        m::category.eq(&e.category),
        m::version.eq(version + 1),
        m::updated_at.eq(Utc::now().naive_utc()),
    ))
    .execute(tx.conn())?;
    if n == 0 {
        return Err(AppError::precondition_failed().into());
    }
    Ok(version + 1)
}

// ---- API ---------------------------------------------------------------------------------

#[derive(Debug, Clone, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct StatusChangeRequest {
    pub change: Change,
    /// The date the change took effect (转正日期, 停业日期, 外出日期, 转接日期…); not in the future.
    pub on: NaiveDate,
    /// For `membership_status`: the new status (only `full` is legal, from probationary).
    pub membership_status: Option<MembershipStatus>,
    /// For `business_status`: the new status.
    pub business_status: Option<BusinessStatus>,
    /// For `transfer_in`: the organisation the membership comes from (outside the county).
    #[oai(validator(max_length = 100))]
    pub from_org: Option<String>,
    /// For `transfer_in`: the unit of the county that now holds the membership.
    pub to_unit_id: Option<String>,
    /// For `transfer_out`: the organisation outside the county that now holds the membership.
    #[oai(validator(max_length = 100))]
    pub to_org: Option<String>,
    #[oai(validator(max_length = 200))]
    pub reason: Option<String>,
}

/// One change in a member's history.
#[derive(Debug, Clone, Object)]
pub struct StatusEntry {
    pub id: String,
    pub member_id: String,
    pub change: Change,
    /// The state before: a status value, `present`/`away`, or `in_county`/`outside_county`.
    pub from: String,
    /// The state after, in the same words.
    pub to: String,
    /// The date the change took effect.
    pub on: NaiveDate,
    #[oai(skip_serializing_if_is_none)]
    pub from_org: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub to_org: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub reason: Option<String>,
    /// The user who recorded it.
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
}

impl From<&HistoryRow> for StatusEntry {
    fn from(r: &HistoryRow) -> Self {
        Self {
            id: r.id.clone(),
            member_id: r.member_id.clone(),
            change: Change::parse(&r.change).unwrap_or(Change::MembershipStatus),
            from: r.from_value.clone(),
            to: r.to_value.clone(),
            on: r.effective_on,
            from_org: r.from_org.clone(),
            to_org: r.to_org.clone(),
            reason: r.reason.clone(),
            recorded_by: r.recorded_by.clone(),
            recorded_at: r.recorded_at.and_utc(),
        }
    }
}

#[derive(Debug, Clone, Object)]
pub struct StatusHistoryPage {
    pub items: Vec<StatusEntry>,
    #[oai(skip_serializing_if_is_none)]
    pub next_cursor: Option<String>,
}

#[derive(ApiResponse)]
pub enum StatusChanged {
    /// The history entry; `ETag` is the member's new version.
    #[oai(status = 201)]
    Created(Json<StatusEntry>, #[oai(header = "ETag")] String),
}

pub struct MemberStatusApi {
    pub state: AppState,
}

fn text(field: &str, v: &str, max: usize) -> Result<String, FieldError> {
    let t = v.trim();
    if t.is_empty() || t.chars().count() > max || t.chars().any(char::is_control) {
        return Err(FieldError::new(
            field,
            "invalid_text",
            format!("{field}：应为1到{max}个字符"),
            format!("{field}: 1 to {max} characters"),
        ));
    }
    Ok(t.to_owned())
}

fn required(field: &str, zh: &str, en: &str) -> FieldError {
    FieldError::new(field, "required", format!("{field}：{zh}"), en.to_owned())
}

/// A request with its own fields checked and its texts trimmed.
#[derive(Debug)]
struct Validated {
    step: Step,
    from_org: Option<String>,
    to_org: Option<String>,
    reason: Option<String>,
}

/// Validates a request's own fields into a step (422 naming each field at fault).
fn step_of(b: &StatusChangeRequest, today: NaiveDate) -> Result<Validated, AppError> {
    let mut errs = Vec::new();
    if b.on > today {
        errs.push(FieldError::new(
            "on",
            "date_in_future",
            "on：日期不能晚于今天",
            "on cannot be in the future",
        ));
    }
    let opt = |errs: &mut Vec<FieldError>, field: &str, v: &Option<String>, max: usize| {
        v.as_deref().and_then(|s| text(field, s, max).gather(errs))
    };
    let from_org = opt(&mut errs, "from_org", &b.from_org, 100);
    let to_org = opt(&mut errs, "to_org", &b.to_org, 100);
    let reason = opt(&mut errs, "reason", &b.reason, 200);
    let step = match b.change {
        Change::MembershipStatus => match b.membership_status {
            Some(s) => Some(Step::Membership(s)),
            None => {
                errs.push(required(
                    "membership_status",
                    "请填写变更后的党员身份",
                    "membership_status is required for this change",
                ));
                None
            }
        },
        Change::BusinessStatus => match b.business_status {
            Some(s) => Some(Step::Business(s)),
            None => {
                errs.push(required(
                    "business_status",
                    "请填写变更后的经营状态",
                    "business_status is required for this change",
                ));
                None
            }
        },
        Change::Away => Some(Step::Away),
        Change::Returned => Some(Step::Returned),
        Change::TransferIn => {
            if b.from_org.is_none() {
                errs.push(required(
                    "from_org",
                    "请填写转出方党组织",
                    "from_org is required for a transfer in",
                ));
            }
            if b.to_unit_id.is_none() {
                errs.push(required(
                    "to_unit_id",
                    "请填写接收组织关系的本县党组织",
                    "to_unit_id is required for a transfer in",
                ));
            }
            Some(Step::TransferIn)
        }
        Change::TransferOut => {
            if b.to_org.is_none() {
                errs.push(required(
                    "to_org",
                    "请填写接收方党组织",
                    "to_org is required for a transfer out",
                ));
            }
            Some(Step::TransferOut)
        }
    };
    match step {
        Some(step) if errs.is_empty() => Ok(Validated {
            step,
            from_org,
            to_org,
            reason,
        }),
        _ => Err(AppError::validation(errs)),
    }
}

#[OpenApi(tag = "ApiTags::MemberStatus")]
impl MemberStatusApi {
    /// 党员状态变更 / Record a status change or transfer (county admin, branch staff)
    ///
    /// Illegal changes (a full member back to probationary, a second transfer out, reopening a
    /// closed business…) are 409 with a stable code. `If-Match` (the member's ETag) is optional.
    #[oai(path = "/members/:id/status-changes", method = "post")]
    async fn change(
        &self,
        auth: Auth,
        id: Path<String>,
        body: JsonBody<StatusChangeRequest>,
        #[oai(name = "If-Match", validator(pattern = r#"^(W/)?"v[0-9]{1,18}"$"#))]
        if_match_h: Header<Option<String>>,
    ) -> AppResult<StatusChanged> {
        let tid = auth.0.tenant()?;
        auth.0.require(&[Role::CountyAdmin, Role::BranchStaff])?;
        let id = path_id(&id.0)?;
        let expected = if_match_h
            .0
            .as_deref()
            .map(|h| if_match(Some(h)))
            .transpose()?;
        let b = body.0;
        let Validated {
            step,
            from_org,
            to_org,
            reason,
        } = step_of(&b, crate::clock::today())?;
        let who = auth.0;
        let (entry, version) = self
            .state
            .db
            .tenant(tid, Mode::Write, move |tx| {
                let row = members::get(tx, &id)?.ok_or_else(AppError::not_found)?;
                let vis = scope::visibility(tx, who.role, &who.user_id)?;
                if !members::visible(tx, &vis, &row)? {
                    return Err(AppError::not_found().into());
                }
                if expected.is_some_and(|v| v != row.version) {
                    return Err(AppError::precondition_failed().into());
                }
                let (from, to) = check(&State::of(&row), &step)
                    .map_err(|r| AppError::conflict(r.code, r.zh, r.en))?;
                if step == Step::Membership(MembershipStatus::Full)
                    && row.joined_party_on.is_some_and(|j| b.on < j)
                {
                    return Err(AppError::field(
                        "on",
                        "before_joined_party",
                        "on：转正日期不能早于入党日期",
                        "on: full membership cannot start before joining the party",
                    )
                    .into());
                }
                let mut e = Effect {
                    membership_status: row.membership_status.clone(),
                    business_status: row.business_status.clone(),
                    away_since: row.away_since,
                    membership_unit_id: row.membership_unit_id.clone(),
                    membership_org_name: row.membership_org_name.clone(),
                    category: row.category.clone(),
                };
                let (mut h_from_org, mut h_to_org) = (None, None);
                match &step {
                    Step::Membership(s) => e.membership_status = s.as_str().to_owned(),
                    Step::Business(s) => e.business_status = s.as_str().to_owned(),
                    Step::Away => e.away_since = Some(b.on),
                    Step::Returned => e.away_since = None,
                    Step::TransferIn => {
                        let unit_id = b.to_unit_id.as_deref().unwrap_or_default();
                        let mut found = uuid::Uuid::try_parse(unit_id)
                            .ok()
                            .map(|_| crate::org::repo::get(tx, unit_id))
                            .transpose()?
                            .flatten()
                            .filter(|u| u.active && model::can_hold_membership(u.kind()));
                        // Outside the caller's scope is, to them, no such unit.
                        if !super::api::within_scope(tx, &vis, &[Some(unit_id)])? {
                            found = None;
                        }
                        let Some(unit) = found else {
                            return Err(AppError::field(
                                "to_unit_id",
                                "org_unit_not_found",
                                "to_unit_id：不是本县可接收组织关系的党组织",
                                "to_unit_id: no such unit of the county that can hold a membership",
                            )
                            .into());
                        };
                        e.category = model::category(Some(unit.kind())).as_str().to_owned();
                        e.membership_org_name = unit.name.clone();
                        e.membership_unit_id = Some(unit.id);
                        h_from_org = from_org;
                        h_to_org = Some(unit.name);
                    }
                    Step::TransferOut => {
                        let to = to_org.unwrap_or_default();
                        h_from_org = Some(row.membership_org_name.clone());
                        e.category = model::category(None).as_str().to_owned();
                        e.membership_org_name = to.clone();
                        e.membership_unit_id = None;
                        h_to_org = Some(to);
                    }
                }
                let version = write_member(tx, &id, row.version, &e)?;
                let entry = NewHistory {
                    tenant_id: tx.tid().to_owned(),
                    id: uuid::Uuid::now_v7().to_string(),
                    member_id: id.clone(),
                    change: b.change.as_str().to_owned(),
                    from_value: from.to_owned(),
                    to_value: to.to_owned(),
                    effective_on: b.on,
                    from_org: h_from_org,
                    to_org: h_to_org,
                    reason: reason.clone(),
                    recorded_by: who.user_id.clone(),
                    recorded_at: Utc::now().naive_utc(),
                };
                insert_history(tx, std::slice::from_ref(&entry))?;
                audit::record(
                    tx,
                    &Actor::of(&who),
                    "member.status_change",
                    "member",
                    &id,
                    reason.as_deref(),
                    serde_json::json!({
                        "change": entry.change, "from": from, "to": to, "on": b.on,
                        "history_id": entry.id,
                    }),
                )?;
                let row = HistoryRow {
                    tenant_id: entry.tenant_id,
                    id: entry.id,
                    member_id: entry.member_id,
                    change: entry.change,
                    from_value: entry.from_value,
                    to_value: entry.to_value,
                    effective_on: entry.effective_on,
                    from_org: entry.from_org,
                    to_org: entry.to_org,
                    reason: entry.reason,
                    recorded_by: entry.recorded_by,
                    recorded_at: entry.recorded_at,
                };
                Ok((StatusEntry::from(&row), version))
            })
            .await?;
        Ok(StatusChanged::Created(Json(entry), etag(version)))
    }

    /// 党员状态历史 / A member's status history, oldest first
    #[oai(path = "/members/:id/status-history", method = "get")]
    async fn history(
        &self,
        auth: Auth,
        id: Path<String>,
        limit: Query<Option<crate::api::PageLimit>>,
        #[oai(validator(pattern = r"^[A-Za-z0-9_-]{0,200}$"))] cursor: Query<Option<String>>,
    ) -> AppResult<Json<StatusHistoryPage>> {
        let tid = auth.0.tenant()?;
        let id = path_id(&id.0)?;
        let page = PageRequest::parse(limit.0, cursor.0.as_deref())?;
        let (role, uid) = (auth.0.role, auth.0.user_id.clone());
        let (items, next_cursor) = self
            .state
            .db
            .tenant(tid, Mode::Read, move |tx| {
                let row = members::get(tx, &id)?.ok_or_else(AppError::not_found)?;
                let vis = scope::visibility(tx, role, &uid)?;
                if !members::visible(tx, &vis, &row)? {
                    return Err(AppError::not_found().into());
                }
                let rows = history(tx, &id, &page)?;
                let (rows, next) = page.finish(rows, |r| &r.id);
                Ok((rows.iter().map(StatusEntry::from).collect(), next))
            })
            .await?;
        Ok(Json(StatusHistoryPage { items, next_cursor }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> State {
        State {
            membership: MembershipStatus::Probationary,
            business: BusinessStatus::Operating,
            away_since: None,
            held_in_county: true,
        }
    }

    #[test]
    fn probationary_members_become_full_and_never_back() {
        let s = state();
        assert_eq!(
            check(&s, &Step::Membership(MembershipStatus::Full)),
            Ok(("probationary", "full"))
        );
        let full = State {
            membership: MembershipStatus::Full,
            ..state()
        };
        assert_eq!(
            check(&full, &Step::Membership(MembershipStatus::Probationary))
                .unwrap_err()
                .code,
            "full_member_cannot_become_probationary"
        );
        assert_eq!(
            check(&full, &Step::Membership(MembershipStatus::Full))
                .unwrap_err()
                .code,
            "already_full_member"
        );
        assert_eq!(
            check(&s, &Step::Membership(MembershipStatus::Probationary))
                .unwrap_err()
                .code,
            "status_unchanged"
        );
    }

    #[test]
    fn business_away_and_transfers_follow_the_state() {
        let s = state();
        assert_eq!(
            check(&s, &Step::Business(BusinessStatus::Suspended)),
            Ok(("operating", "suspended"))
        );
        let closed = State {
            business: BusinessStatus::Closed,
            ..state()
        };
        assert_eq!(
            check(&closed, &Step::Business(BusinessStatus::Operating))
                .unwrap_err()
                .code,
            "business_closed"
        );
        assert_eq!(check(&s, &Step::Away), Ok(("present", "away")));
        assert_eq!(check(&s, &Step::Returned).unwrap_err().code, "not_away");
        let away = State {
            away_since: NaiveDate::from_ymd_opt(2026, 3, 1),
            ..state()
        };
        assert_eq!(check(&away, &Step::Away).unwrap_err().code, "already_away");
        assert_eq!(check(&away, &Step::Returned), Ok(("away", "present")));
        assert_eq!(
            check(&s, &Step::TransferOut),
            Ok(("in_county", "outside_county"))
        );
        assert_eq!(
            check(&s, &Step::TransferIn).unwrap_err().code,
            "already_in_county"
        );
        let out = State {
            held_in_county: false,
            ..state()
        };
        assert_eq!(
            check(&out, &Step::TransferOut).unwrap_err().code,
            "not_held_in_county"
        );
        assert_eq!(
            check(&out, &Step::TransferIn),
            Ok(("outside_county", "in_county"))
        );
        for c in Change::ALL {
            assert_eq!(Change::parse(c.as_str()), Some(c));
        }
    }

    #[test]
    fn requests_name_their_missing_fields() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 26).expect("date");
        let req = |change: Change| StatusChangeRequest {
            change,
            on: today,
            membership_status: None,
            business_status: None,
            from_org: None,
            to_unit_id: None,
            to_org: None,
            reason: None,
        };
        let fields = |r: StatusChangeRequest| -> Vec<String> {
            step_of(&r, today)
                .unwrap_err()
                .fields
                .into_iter()
                .map(|f| f.field)
                .collect()
        };
        assert_eq!(fields(req(Change::MembershipStatus)), ["membership_status"]);
        assert_eq!(fields(req(Change::BusinessStatus)), ["business_status"]);
        assert_eq!(fields(req(Change::TransferIn)), ["from_org", "to_unit_id"]);
        assert_eq!(fields(req(Change::TransferOut)), ["to_org"]);
        let mut future = req(Change::Away);
        future.on = today.succ_opt().expect("date");
        assert_eq!(fields(future), ["on"]);
        assert!(step_of(&req(Change::Away), today).is_ok());
    }
}
