//! /api/v1/members/{id}/status-changes and /status-history: record a change (checked by
//! [`check`]) and read a member's history.

use chrono::{DateTime, NaiveDate, Utc};
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};
use serde::Deserialize;

use super::repo::{Effect, write_member};
use super::{Change, HistoryRow, NewHistory, State, Step, check, history, insert_history};
use crate::AppState;
use crate::api::{JsonBody, PageRequest, etag, if_match, path_id};
use crate::audit::{self, Actor};
use crate::auth::{Auth, Role};
use crate::db::Mode;
use crate::enums::StrEnum;
use crate::error::{AppError, AppResult, FieldError, Gather};
use crate::members::model::{self, BusinessStatus, MembershipStatus};
use crate::members::repo as members;
use crate::org::scope;

#[derive(Tags)]
enum ApiTags {
    /// 党员状态变更与组织关系转接 / Member status changes and transfers
    MemberStatus,
}

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
                let (mut h_from_unit, mut h_to_unit) = (None, None);
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
                        if !crate::members::api::within_scope(tx, &vis, &[Some(unit_id)])? {
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
                        e.membership_unit_id = Some(unit.id.clone());
                        h_to_unit = Some(unit.id);
                        h_from_org = from_org;
                        h_to_org = Some(unit.name);
                    }
                    Step::TransferOut => {
                        let to = to_org.unwrap_or_default();
                        h_from_org = Some(row.membership_org_name.clone());
                        h_from_unit = row.membership_unit_id.clone();
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
                    from_unit_id: h_from_unit,
                    to_unit_id: h_to_unit,
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
    use chrono::NaiveDate;

    use super::*;

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
