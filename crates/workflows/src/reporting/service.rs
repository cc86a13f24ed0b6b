//! The two-way reporting operations, each one transaction: checks who may act (403), what the
//! handbook's state allows (409), writes the change, the ledger entry, the obligation and the
//! audit entry together.

use chrono::{Datelike, NaiveDate, Utc};
use diesel::prelude::*;

use super::model::{self, HandbookState, Step};
use super::repo::{self, HandbookRow, LedgerRow};
use crate::audit::{self, Actor};
use crate::auth::{Principal, Role};
use crate::db::schema::{handbooks as h, users as u};
use crate::db::{DbResult, TenantTx};
use crate::deadlines::{NewObligation, ObligationKind, Period};
use crate::enums::StrEnum;
use crate::error::{AppError, FieldError};
use crate::handler::Resolve;
use crate::members::repo::MemberRow;
use crate::org::model::OrgKind;
use crate::org::repo::OrgUnitRow;
use crate::org::scope::{self, Visibility};

/// Who is acting, resolved in this transaction.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user_id: String,
    pub role: Role,
    pub vis: Visibility,
    /// The unit a scoped role is bound to.
    pub unit: Option<OrgUnitRow>,
}

impl Resolve for Caller {
    fn resolve(tx: &mut TenantTx<'_>, who: Principal) -> DbResult<Caller> {
        let (role, user_id) = (who.role, who.user_id.as_str());
        let vis = scope::visibility(tx, role, user_id)?;
        let tid = tx.tid().to_owned();
        let bound: Option<Option<String>> = u::table
            .filter(u::tenant_id.eq(tid).and(u::id.eq(user_id)))
            .select(u::org_unit_id)
            .first(tx.conn())
            .optional()?;
        let unit = match bound.flatten() {
            Some(id) if !matches!(vis, Visibility::Nothing) => crate::org::repo::get(tx, &id)?,
            _ => None,
        };
        Ok(Caller {
            user_id: user_id.to_owned(),
            role,
            vis,
            unit,
        })
    }
}

impl Caller {
    pub fn actor(&self) -> Actor {
        Actor {
            id: self.user_id.clone(),
            role: self.role.as_str().to_owned(),
        }
    }

    /// The caller's units: `None` for the whole county.
    pub fn unit_ids(&self, tx: &mut TenantTx<'_>) -> DbResult<Option<Vec<String>>> {
        match &self.vis {
            Visibility::County => Ok(None),
            Visibility::Nothing => Ok(Some(vec![])),
            Visibility::Subtree(p) => Ok(Some(repo::subtree_ids(tx, p)?)),
        }
    }

    pub fn sees(&self, unit: &OrgUnitRow) -> bool {
        self.vis.sees(unit)
    }
}

pub fn forbidden(code: &'static str, zh: &'static str, en: &'static str) -> AppError {
    AppError::new(poem::http::StatusCode::FORBIDDEN, code, zh, en)
}

fn unit(tx: &mut TenantTx<'_>, id: &str) -> DbResult<OrgUnitRow> {
    crate::org::repo::get(tx, id)?.ok_or_else(|| AppError::not_found().into())
}

/// A handbook the caller may see (its branch or its village lies in the caller's units), with
/// its two units; anything else is 404, like another county's id.
pub fn visible(
    tx: &mut TenantTx<'_>,
    c: &Caller,
    id: &str,
) -> DbResult<(HandbookRow, OrgUnitRow, OrgUnitRow)> {
    let row = repo::get(tx, id)?.ok_or_else(AppError::not_found)?;
    let branch = unit(tx, &row.branch_id)?;
    let village = unit(tx, &row.village_id)?;
    if !(c.sees(&branch) || c.sees(&village)) {
        return Err(AppError::not_found().into());
    }
    Ok((row, branch, village))
}

/// The branch a branch officer acts for: bound to a branch or a party branch.
fn branch_officer(c: &Caller) -> Result<&OrgUnitRow, AppError> {
    match (&c.role, &c.unit) {
        (Role::BranchStaff, Some(u))
            if matches!(u.kind(), OrgKind::Branch | OrgKind::PartyBranch) =>
        {
            Ok(u)
        }
        _ => Err(forbidden(
            "not_branch_staff",
            "只有分会支部工作人员（绑定分会或支部）可以发放手册、确认向分会支部报到",
            "Only branch staff bound to a branch or party branch issue handbooks and confirm reports to the branch",
        )),
    }
}

/// What the branch gives when issuing.
#[derive(Debug, Clone)]
pub struct Issue {
    pub member_id: String,
    pub issued_on: NaiveDate,
    pub handbook_no: Option<String>,
    pub card_no: Option<String>,
    pub branch_id: Option<String>,
}

fn member_not_found() -> AppError {
    AppError::field(
        "member_id",
        "member_not_found",
        "member_id：党员不存在",
        "member_id: no such member",
    )
}

/// The village that holds a member's membership, or why two-way reporting does not apply.
pub fn membership_village(tx: &mut TenantTx<'_>, m: &MemberRow) -> DbResult<OrgUnitRow> {
    let Some(id) = &m.membership_unit_id else {
        return Err(AppError::conflict(
            "membership_not_in_county",
            "该党员的组织关系不在本县，不适用双向报到（仅适用于组织关系隶属本县村〔社区〕党组织的党员）",
            "The membership is held outside the county: two-way reporting applies to members held by a village of the county",
        )
        .into());
    };
    let holder = unit(tx, id)?;
    if holder.kind() != OrgKind::Village {
        return Err(AppError::conflict(
            "membership_not_in_village",
            "该党员的组织关系不在村（社区）党组织，不适用双向报到",
            "The membership is not held by a village or community: two-way reporting does not apply",
        )
        .into());
    }
    Ok(holder)
}

/// The unit that issues: the one named (a branch or party branch the caller acts for), else
/// the party branch of the grid that serves the member's village if it is the caller's, else
/// the caller's own unit.
fn issuing_unit(
    tx: &mut TenantTx<'_>,
    c: &Caller,
    own: &OrgUnitRow,
    named: Option<&str>,
    village: &OrgUnitRow,
) -> DbResult<OrgUnitRow> {
    if let Some(id) = named {
        let found = uuid::Uuid::try_parse(id)
            .ok()
            .map(|_| crate::org::repo::get(tx, id))
            .transpose()?
            .flatten()
            .filter(|u| c.sees(u) && u.active);
        return match found {
            Some(u) if matches!(u.kind(), OrgKind::Branch | OrgKind::PartyBranch) => Ok(u),
            Some(_) => Err(AppError::field(
                "branch_id",
                "wrong_org_kind",
                "branch_id：应为分会或支部",
                "branch_id must be a branch or party branch",
            )
            .into()),
            None => Err(AppError::field(
                "branch_id",
                "org_unit_not_found",
                "branch_id：不是本单位范围内的分会或支部",
                "branch_id: no such branch in your unit",
            )
            .into()),
        };
    }
    for pb in repo::grid_branches_of_village(tx, village)? {
        if let Some(u) = crate::org::repo::get(tx, &pb)?
            && c.sees(&u)
            && u.active
        {
            return Ok(u);
        }
    }
    Ok(own.clone())
}

pub fn issue(tx: &mut TenantTx<'_>, c: &Caller, i: &Issue) -> DbResult<HandbookRow> {
    let own = branch_officer(c)?.clone();
    let member = uuid::Uuid::try_parse(&i.member_id)
        .ok()
        .map(|_| crate::members::repo::get(tx, &i.member_id))
        .transpose()?
        .flatten();
    let Some(member) = member else {
        return Err(member_not_found().into());
    };
    if !repo::member_reachable(tx, &c.vis, &member)? {
        return Err(member_not_found().into());
    }
    let village = membership_village(tx, &member)?;
    if let Some(open) = repo::current_for_member(tx, &member.id)?
        .into_iter()
        .find(|r| r.state().is_open())
    {
        return Err(AppError::conflict(
            "reporting_in_progress",
            format!(
                "该党员已有进行中的双向报到（手册 {}），请完成、补发或作废后再发放",
                open.handbook_no
            ),
            format!(
                "The member has a two-way reporting in progress (handbook {}): complete, re-issue or cancel it first",
                open.handbook_no
            ),
        )
        .into());
    }
    let branch = issuing_unit(tx, c, &own, i.branch_id.as_deref(), &village)?;
    let rules = crate::deadlines::repo::rules(tx)?;
    let calendar = crate::deadlines::repo::calendar(tx)?;
    let due_on = rules
        .due_after(ObligationKind::TwoWayReporting, i.issued_on, &calendar)
        .unwrap_or(i.issued_on + chrono::Days::new(15));
    let (handbook_no, card_no) = numbers(tx, i.issued_on.year(), &i.handbook_no, &i.card_no)?;
    let id = uuid::Uuid::now_v7().to_string();
    let now = Utc::now().naive_utc();
    let row = HandbookRow {
        tenant_id: tx.tid().to_owned(),
        id: id.clone(),
        reporting_id: id.clone(),
        member_id: member.id.clone(),
        branch_id: branch.id.clone(),
        village_id: village.id.clone(),
        handbook_no,
        card_no,
        state: HandbookState::Issued.as_str().to_owned(),
        issued_on: i.issued_on,
        due_on,
        issued_by: c.user_id.clone(),
        village_reported_on: None,
        village_confirmed_by: None,
        village_note: None,
        branch_reported_on: None,
        branch_confirmed_by: None,
        branch_note: None,
        replaces_id: None,
        replaced_by_id: None,
        closed_on: None,
        closed_by: None,
        close_reason: None,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    repo::insert(tx, std::slice::from_ref(&row))?;
    open_obligation(tx, &row)?;
    audit::record(
        tx,
        &c.actor(),
        "handbook.issue",
        "handbook",
        &row.id,
        None,
        serde_json::json!({
            "member_id": row.member_id, "branch_id": row.branch_id, "village_id": row.village_id,
            "handbook_no": row.handbook_no, "card_no": row.card_no, "issued_on": row.issued_on,
            "due_on": row.due_on,
        }),
    )?;
    Ok(row)
}

/// Opens the reporting's obligation (the subject is the reporting, so a re-issue keeps it).
pub fn open_obligation(tx: &mut TenantTx<'_>, row: &HandbookRow) -> DbResult<String> {
    crate::deadlines::open(
        tx,
        NewObligation {
            kind: ObligationKind::TwoWayReporting,
            period: Period::Anchored,
            subject_type: "handbook",
            subject_id: &row.reporting_id,
            owner_org_unit_id: &row.branch_id,
            member_id: Some(&row.member_id),
            title: format!("双向报到：服务手册 {}", row.handbook_no),
            due_on: row.due_on,
        },
    )
}

/// The handbook and card numbers: those given (refused when taken), else the next of the
/// county's sequence for the year.
fn numbers(
    tx: &mut TenantTx<'_>,
    year: i32,
    handbook: &Option<String>,
    card: &Option<String>,
) -> DbResult<(String, String)> {
    let (name, code) = repo::county(tx)?;
    let prefix = model::county_prefix(&name, &code);
    let mut hb = handbook.clone();
    let mut cd = card.clone();
    // Generated numbers skip any a branch typed in by hand.
    for _ in 0..1000 {
        if hb.is_some() && cd.is_some() {
            break;
        }
        let seq = repo::next_seq(tx, year)?;
        let (h_try, c_try) = (
            model::handbook_no(&prefix, year, seq),
            model::card_no(&prefix, year, seq),
        );
        let (h_taken, c_taken) = repo::number_taken(tx, &h_try, &c_try)?;
        if hb.is_none() && !h_taken {
            hb = Some(h_try);
        }
        if cd.is_none() && !c_taken {
            cd = Some(c_try);
        }
    }
    let (Some(hb), Some(cd)) = (hb, cd) else {
        return Err(AppError::internal(anyhow::anyhow!("handbook numbers exhausted")).into());
    };
    let (h_taken, c_taken) = repo::number_taken(tx, &hb, &cd)?;
    let mut errs = vec![];
    if h_taken {
        errs.push(FieldError::new(
            "handbook_no",
            "taken",
            "handbook_no：本县已有该编号的服务手册",
            "handbook_no: already used in the county",
        ));
    }
    if c_taken {
        errs.push(FieldError::new(
            "card_no",
            "taken",
            "card_no：本县已有该编号的活动证",
            "card_no: already used in the county",
        ));
    }
    if !errs.is_empty() {
        let mut e = AppError::conflict(
            "duplicate_number",
            "编号已被使用（手册编号、活动证编号在本县内唯一）",
            "The number is already used (handbook and card numbers are unique in the county)",
        );
        e.fields = errs;
        return Err(e.into());
    }
    Ok((hb, cd))
}

fn write(tx: &mut TenantTx<'_>, before: &HandbookRow, after: &HandbookRow) -> DbResult<()> {
    let tid = tx.tid().to_owned();
    let n = diesel::update(
        h::table
            .filter(h::tenant_id.eq(tid).and(h::id.eq(&before.id)))
            .filter(h::version.eq(before.version)),
    )
    .set((
        h::state.eq(&after.state),
        h::village_reported_on.eq(after.village_reported_on),
        h::village_confirmed_by.eq(&after.village_confirmed_by),
        h::village_note.eq(&after.village_note),
        h::branch_reported_on.eq(after.branch_reported_on),
        h::branch_confirmed_by.eq(&after.branch_confirmed_by),
        h::branch_note.eq(&after.branch_note),
        h::replaced_by_id.eq(&after.replaced_by_id),
        h::closed_on.eq(after.closed_on),
        h::closed_by.eq(&after.closed_by),
        h::close_reason.eq(&after.close_reason),
        h::version.eq(before.version + 1),
        h::updated_at.eq(Utc::now().naive_utc()),
    ))
    .execute(tx.conn())?;
    if n == 0 {
        return Err(AppError::precondition_failed().into());
    }
    Ok(())
}

/// A confirmation as given: the day the member reported, and a note for the ledger.
#[derive(Debug, Clone)]
pub struct Confirm {
    pub reported_on: NaiveDate,
    pub note: Option<String>,
    pub expected_version: Option<i64>,
}

fn ledger_entry(
    tx: &TenantTx<'_>,
    unit: &str,
    row: &HandbookRow,
    c: &Caller,
    k: &Confirm,
) -> LedgerRow {
    LedgerRow {
        tenant_id: tx.tid().to_owned(),
        id: uuid::Uuid::now_v7().to_string(),
        org_unit_id: unit.to_owned(),
        member_id: row.member_id.clone(),
        kind: "reporting".to_owned(),
        happened_on: k.reported_on,
        handbook_id: Some(row.id.clone()),
        note: k.note.clone(),
        recorded_by: c.user_id.clone(),
        recorded_at: Utc::now().naive_utc(),
    }
}

fn stale(row: &HandbookRow, expected: Option<i64>) -> DbResult<()> {
    if expected.is_some_and(|v| v != row.version) {
        return Err(AppError::precondition_failed().into());
    }
    Ok(())
}

/// The village recorder of the handbook's village confirms the member reported there.
pub fn confirm_village(
    tx: &mut TenantTx<'_>,
    c: &Caller,
    id: &str,
    k: &Confirm,
    today: NaiveDate,
) -> DbResult<HandbookRow> {
    let (row, _, village) = visible(tx, c, id)?;
    let is_recorder =
        c.role == Role::VillageRecorder && c.unit.as_ref().is_some_and(|u| u.id == village.id);
    if !is_recorder {
        return Err(forbidden(
            "not_responsible_recorder",
            "只有党员组织关系所在村（社区）的记录员可以确认向村报到",
            "Only the recorder of the village holding the membership confirms the report to the village",
        )
        .into());
    }
    stale(&row, k.expected_version)?;
    let state = model::next(row.state(), Step::VillageConfirm)?;
    model::check_date(
        "reported_on",
        k.reported_on,
        today,
        Some((row.issued_on, "before_issue", "手册发放日期")),
    )
    .map_err(|e| AppError::validation(vec![e]))?;
    let mut after = row.clone();
    after.state = state.as_str().to_owned();
    after.village_reported_on = Some(k.reported_on);
    after.village_confirmed_by = Some(c.user_id.clone());
    after.village_note = k.note.clone();
    write(tx, &row, &after)?;
    repo::insert_ledger(tx, &[ledger_entry(tx, &village.id, &row, c, k)])?;
    audit::record(
        tx,
        &c.actor(),
        "handbook.village_confirm",
        "handbook",
        &row.id,
        None,
        serde_json::json!({ "village_id": village.id, "reported_on": k.reported_on }),
    )?;
    repo::get(tx, id)?.ok_or_else(|| AppError::not_found().into())
}

/// The issuing branch confirms the member reported there: the reporting is complete and its
/// obligation met on that day.
pub fn confirm_branch(
    tx: &mut TenantTx<'_>,
    c: &Caller,
    id: &str,
    k: &Confirm,
    today: NaiveDate,
) -> DbResult<HandbookRow> {
    let (row, branch, _) = visible(tx, c, id)?;
    let is_branch = c.role == Role::BranchStaff && c.sees(&branch);
    if !is_branch {
        return Err(forbidden(
            "not_responsible_branch",
            "只有发放手册的分会支部可以确认向分会支部报到",
            "Only the issuing branch confirms the report to the branch",
        )
        .into());
    }
    stale(&row, k.expected_version)?;
    let state = model::next(row.state(), Step::BranchConfirm)?;
    let village_on = row.village_reported_on.unwrap_or(row.issued_on);
    model::check_date(
        "reported_on",
        k.reported_on,
        today,
        Some((village_on, "before_village_report", "向村报到日期")),
    )
    .map_err(|e| AppError::validation(vec![e]))?;
    let mut after = row.clone();
    after.state = state.as_str().to_owned();
    after.branch_reported_on = Some(k.reported_on);
    after.branch_confirmed_by = Some(c.user_id.clone());
    after.branch_note = k.note.clone();
    write(tx, &row, &after)?;
    repo::insert_ledger(tx, &[ledger_entry(tx, &branch.id, &row, c, k)])?;
    crate::deadlines::close_on(
        tx,
        ObligationKind::TwoWayReporting,
        &row.reporting_id,
        Period::Anchored,
        &c.user_id,
        k.reported_on,
    )?;
    audit::record(
        tx,
        &c.actor(),
        "handbook.branch_confirm",
        "handbook",
        &row.id,
        None,
        serde_json::json!({ "branch_id": branch.id, "reported_on": k.reported_on }),
    )?;
    repo::get(tx, id)?.ok_or_else(|| AppError::not_found().into())
}

/// The issuing branch's officer, for re-issue and cancellation.
fn issuing_officer(c: &Caller, branch: &OrgUnitRow) -> Result<(), AppError> {
    if c.role == Role::BranchStaff && c.sees(branch) {
        Ok(())
    } else {
        Err(forbidden(
            "not_responsible_branch",
            "只有发放手册的分会支部可以补发或作废手册",
            "Only the issuing branch re-issues or cancels a handbook",
        ))
    }
}

#[derive(Debug, Clone)]
pub struct Reissue {
    pub reason: String,
    pub issued_on: NaiveDate,
    pub handbook_no: Option<String>,
    pub card_no: Option<String>,
    pub expected_version: Option<i64>,
}

/// A lost handbook: a new handbook (new numbers) replaces it and takes over its progress; the
/// old one is kept as `reissued`. The reporting's obligation carries over unchanged: the 15
/// days run from the first issue, a lost booklet does not buy time.
pub fn reissue(
    tx: &mut TenantTx<'_>,
    c: &Caller,
    id: &str,
    r: &Reissue,
    today: NaiveDate,
) -> DbResult<(HandbookRow, HandbookRow)> {
    let (row, branch, _) = visible(tx, c, id)?;
    issuing_officer(c, &branch)?;
    stale(&row, r.expected_version)?;
    model::next(row.state(), Step::Reissue)?;
    let latest_step = row
        .branch_reported_on
        .or(row.village_reported_on)
        .unwrap_or(row.issued_on);
    model::check_date(
        "issued_on",
        r.issued_on,
        today,
        Some((latest_step, "before_issue", "原手册的发放或报到日期")),
    )
    .map_err(|e| AppError::validation(vec![e]))?;
    let (handbook_no, card_no) = numbers(tx, r.issued_on.year(), &r.handbook_no, &r.card_no)?;
    let now = Utc::now().naive_utc();
    let new_id = uuid::Uuid::now_v7().to_string();
    let new = HandbookRow {
        id: new_id.clone(),
        handbook_no,
        card_no,
        issued_on: r.issued_on,
        issued_by: c.user_id.clone(),
        replaces_id: Some(row.id.clone()),
        replaced_by_id: None,
        closed_on: None,
        closed_by: None,
        close_reason: None,
        version: 1,
        created_at: now,
        updated_at: now,
        ..row.clone()
    };
    let mut old = row.clone();
    old.state = HandbookState::Reissued.as_str().to_owned();
    old.replaced_by_id = Some(new_id.clone());
    old.closed_on = Some(r.issued_on);
    old.closed_by = Some(c.user_id.clone());
    old.close_reason = Some(r.reason.clone());
    write(tx, &row, &old)?;
    repo::insert(tx, std::slice::from_ref(&new))?;
    audit::record(
        tx,
        &c.actor(),
        "handbook.reissue",
        "handbook",
        &row.id,
        Some(&r.reason),
        serde_json::json!({
            "new_handbook_id": new.id, "handbook_no": new.handbook_no, "card_no": new.card_no,
            "old_handbook_no": row.handbook_no, "issued_on": r.issued_on,
        }),
    )?;
    let old = repo::get(tx, id)?.ok_or_else(AppError::not_found)?;
    Ok((old, new))
}

#[derive(Debug, Clone)]
pub struct Cancel {
    pub reason: String,
    pub expected_version: Option<i64>,
}

/// Cancels an open reporting; its obligation is withdrawn (nothing is owed any more).
pub fn cancel(
    tx: &mut TenantTx<'_>,
    c: &Caller,
    id: &str,
    k: &Cancel,
    today: NaiveDate,
) -> DbResult<HandbookRow> {
    let (row, branch, _) = visible(tx, c, id)?;
    issuing_officer(c, &branch)?;
    stale(&row, k.expected_version)?;
    let state = model::next(row.state(), Step::Cancel)?;
    let mut after = row.clone();
    after.state = state.as_str().to_owned();
    after.closed_on = Some(today);
    after.closed_by = Some(c.user_id.clone());
    after.close_reason = Some(k.reason.clone());
    write(tx, &row, &after)?;
    crate::deadlines::withdraw(
        tx,
        ObligationKind::TwoWayReporting,
        &row.reporting_id,
        Period::Anchored,
    )?;
    audit::record(
        tx,
        &c.actor(),
        "handbook.cancel",
        "handbook",
        &row.id,
        Some(&k.reason),
        serde_json::json!({ "handbook_no": row.handbook_no }),
    )?;
    repo::get(tx, id)?.ok_or_else(|| AppError::not_found().into())
}
