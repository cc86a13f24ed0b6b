//! The feedback operations, one transaction each: who may act (403), what the batch's state
//! allows (409), the change, the obligation and the audit entry together.

use chrono::{NaiveDate, Utc};
use diesel::prelude::*;

use super::model::{self, BatchState, Direction, Step};
use super::repo::{self, BatchRow, ItemRow};
use crate::audit;
use crate::auth::Role;
use crate::db::schema::{handbooks as h, members as m};
use crate::db::{DbResult, TenantTx};
use crate::deadlines::{NewObligation, ObligationKind, Period};
use crate::enums::StrEnum;
use crate::error::{AppError, FieldError};
use crate::org::model::OrgKind;
use crate::org::repo::OrgUnitRow;
use crate::reporting::model::check_date;
use crate::reporting::repo as reporting;
use crate::reporting::service::{Caller, forbidden};

fn unit(tx: &mut TenantTx<'_>, id: &str) -> DbResult<OrgUnitRow> {
    crate::org::repo::get(tx, id)?.ok_or_else(|| AppError::not_found().into())
}

/// A batch with its sender and receiver.
pub struct Loaded {
    pub batch: BatchRow,
    pub sender: OrgUnitRow,
    pub receiver: OrgUnitRow,
}

/// A batch the caller may see: the sending side (and its reviewers, who see the sender),
/// the receiving side once sent. Anything else is 404, like another county's id.
pub fn visible(tx: &mut TenantTx<'_>, c: &Caller, id: &str) -> DbResult<Loaded> {
    let batch = repo::get(tx, id)?.ok_or_else(AppError::not_found)?;
    let sender = unit(tx, &batch.sender_id)?;
    let receiver = unit(tx, &batch.receiver_id)?;
    let sees = c.sees(&sender) || (c.sees(&receiver) && batch.state().is_sent());
    if !sees {
        return Err(AppError::not_found().into());
    }
    Ok(Loaded {
        batch,
        sender,
        receiver,
    })
}

/// Whether the caller acts for `unit` as its recorder: the village's recorder, or branch staff
/// of the branch (or its parent branch).
fn acts_for(c: &Caller, unit: &OrgUnitRow) -> bool {
    match unit.kind() {
        OrgKind::Village => {
            c.role == Role::VillageRecorder && c.unit.as_ref().is_some_and(|u| u.id == unit.id)
        }
        _ => c.role == Role::BranchStaff && c.sees(unit),
    }
}

fn sender_only(c: &Caller, l: &Loaded) -> Result<(), AppError> {
    if acts_for(c, &l.sender) {
        Ok(())
    } else {
        Err(forbidden(
            "not_sender",
            "只有反馈方（分会支部或村〔社区〕党组织）可以编辑、报送和发送反馈",
            "Only the sending branch or village drafts, submits and sends its feedback",
        ))
    }
}

#[derive(Debug, Clone)]
pub struct Create {
    pub receiver_id: String,
    pub period: Period,
    pub sender_id: Option<String>,
    pub member_ids: Option<Vec<String>>,
}

fn field_unit(
    tx: &mut TenantTx<'_>,
    field: &str,
    id: &str,
    kinds: &[OrgKind],
    c: Option<&Caller>,
) -> DbResult<OrgUnitRow> {
    let found = uuid::Uuid::try_parse(id)
        .ok()
        .map(|_| crate::org::repo::get(tx, id))
        .transpose()?
        .flatten()
        .filter(|u| u.active && c.is_none_or(|c| c.sees(u)));
    match found {
        Some(u) if kinds.contains(&u.kind()) => Ok(u),
        Some(_) => Err(AppError::field(
            field,
            "wrong_org_kind",
            format!(
                "{field}：应为{}",
                kinds
                    .iter()
                    .map(|k| k.label_zh())
                    .collect::<Vec<_>>()
                    .join("或")
            ),
            format!("{field}: the unit is of the wrong kind"),
        )
        .into()),
        None => Err(AppError::field(
            field,
            "org_unit_not_found",
            format!("{field}：组织不存在"),
            format!("{field}: no such org unit"),
        )
        .into()),
    }
}

/// Drafts a batch for (sender, receiver, half), with one item per member the pair shares
/// (the members the branch issued handbooks to whose membership the village holds), or the
/// members named. Opens the sender's `semiannual_feedback` obligation for the half.
pub fn create(tx: &mut TenantTx<'_>, c: &Caller, k: &Create) -> DbResult<BatchRow> {
    const BRANCHES: &[OrgKind] = &[OrgKind::Branch, OrgKind::PartyBranch];
    let (direction, sender, receiver) = match (c.role, &c.unit) {
        (Role::VillageRecorder, Some(v)) if v.kind() == OrgKind::Village => {
            if k.sender_id.as_deref().is_some_and(|s| s != v.id) {
                return Err(AppError::field(
                    "sender_id",
                    "outside_scope",
                    "sender_id：只能以本村（社区）名义反馈",
                    "sender_id: a village recorder sends for their own village",
                )
                .into());
            }
            let r = field_unit(tx, "receiver_id", &k.receiver_id, BRANCHES, None)?;
            (Direction::VillageToBranch, v.clone(), r)
        }
        (Role::BranchStaff, Some(b)) if BRANCHES.contains(&b.kind()) => {
            let s = match &k.sender_id {
                Some(id) => field_unit(tx, "sender_id", id, BRANCHES, Some(c))?,
                None => b.clone(),
            };
            let r = field_unit(tx, "receiver_id", &k.receiver_id, &[OrgKind::Village], None)?;
            (Direction::BranchToVillage, s, r)
        }
        _ => {
            return Err(forbidden(
                "not_a_sender",
                "只有分会支部工作人员和村（社区）记录员可以起草定期双向反馈",
                "Only branch staff and village recorders draft the semi-annual feedback",
            )
            .into());
        }
    };
    let (branch, village) = match direction {
        Direction::BranchToVillage => (&sender, &receiver),
        Direction::VillageToBranch => (&receiver, &sender),
    };
    if !reporting::linked(tx, branch, village)? {
        return Err(AppError::field(
            "receiver_id",
            "not_linked",
            "receiver_id：该分会支部与村（社区）不在同一管理网格，也无双向报到党员",
            "receiver_id: the branch and the village share no grid and no reporting member",
        )
        .into());
    }
    let reviewer = match direction {
        Direction::BranchToVillage => sender.ancestor_ids().first().cloned(),
        Direction::VillageToBranch => sender.parent_id.clone(),
    }
    .ok_or_else(|| AppError::internal(anyhow::anyhow!("unit without an upper committee")))?;
    let period = k.period.to_string();
    if repo::find(tx, &sender.id, &receiver.id, &period)?.is_some() {
        return Err(AppError::conflict(
            "batch_exists",
            "该半年度已有此反馈，请在原反馈上编辑",
            "A feedback batch for this pair and half year exists already",
        )
        .into());
    }
    let members = match &k.member_ids {
        Some(ids) => {
            let mut errs = vec![];
            for (i, id) in ids.iter().enumerate() {
                if !held_by(tx, id, &village.id)? {
                    errs.push(not_held(&format!("member_ids[{i}]")));
                }
            }
            if !errs.is_empty() {
                return Err(AppError::validation(errs).into());
            }
            let mut ids = ids.clone();
            ids.sort();
            ids.dedup();
            ids
        }
        None => shared_members(tx, branch, village)?,
    };
    let rules = crate::deadlines::repo::rules(tx)?;
    let due_on = rules
        .due_for_period(ObligationKind::SemiannualFeedback, k.period)
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("no due date for {period}")))?;
    let now = Utc::now().naive_utc();
    let row = BatchRow {
        tenant_id: tx.tid().to_owned(),
        id: uuid::Uuid::now_v7().to_string(),
        direction: direction.as_str().to_owned(),
        sender_id: sender.id.clone(),
        receiver_id: receiver.id.clone(),
        reviewer_unit_id: reviewer,
        period: period.clone(),
        due_on,
        state: BatchState::Draft.as_str().to_owned(),
        drafted_by: c.user_id.clone(),
        submitted_at: None,
        submitted_by: None,
        reviewed_on: None,
        reviewed_by: None,
        review_note: None,
        return_reason: None,
        sent_on: None,
        sent_by: None,
        acknowledged_on: None,
        acknowledged_by: None,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    repo::insert(tx, std::slice::from_ref(&row))?;
    let items: Vec<ItemRow> = members
        .iter()
        .map(|mid| ItemRow {
            tenant_id: row.tenant_id.clone(),
            id: uuid::Uuid::now_v7().to_string(),
            batch_id: row.id.clone(),
            member_id: mid.clone(),
            text: String::new(),
            updated_at: now,
        })
        .collect();
    repo::insert_items(tx, &items)?;
    open_obligation(tx, &sender, k.period, due_on)?;
    audit::record(
        tx,
        &c.actor(),
        "feedback.create",
        "feedback_batch",
        &row.id,
        None,
        serde_json::json!({
            "direction": row.direction, "sender_id": row.sender_id,
            "receiver_id": row.receiver_id, "period": row.period, "items": items.len(),
        }),
    )?;
    Ok(row)
}

/// Opens the sender's obligation for the half (the daily job opens the same row).
pub fn open_obligation(
    tx: &mut TenantTx<'_>,
    sender: &OrgUnitRow,
    period: Period,
    due_on: NaiveDate,
) -> DbResult<String> {
    crate::deadlines::open(
        tx,
        NewObligation {
            kind: ObligationKind::SemiannualFeedback,
            period,
            subject_type: "org_unit",
            subject_id: &sender.id,
            owner_org_unit_id: &sender.id,
            member_id: None,
            title: format!(
                "定期双向反馈：{} {}",
                sender.name,
                model::half_label(period)
            ),
            due_on,
        },
    )
}

fn not_held(field: &str) -> FieldError {
    FieldError::new(
        field,
        "not_held_by_village",
        format!("{field}：该党员的组织关系不在此村（社区）"),
        format!("{field}: the member's membership is not held by this village"),
    )
}

fn held_by(tx: &mut TenantTx<'_>, member_id: &str, village: &str) -> DbResult<bool> {
    let tid = tx.tid().to_owned();
    let n: i64 = m::table
        .filter(m::tenant_id.eq(tid).and(m::id.eq(member_id)))
        .filter(m::membership_unit_id.eq(village))
        .count()
        .get_result(tx.conn())?;
    Ok(n > 0)
}

/// The members a branch and a village share: handbooks in force issued from the branch's
/// subtree to members the village still holds.
pub fn shared_members(
    tx: &mut TenantTx<'_>,
    branch: &OrgUnitRow,
    village: &OrgUnitRow,
) -> DbResult<Vec<String>> {
    let tid = tx.tid().to_owned();
    let ids = reporting::subtree_ids(tx, &branch.path)?;
    let mut members: Vec<String> = h::table
        .inner_join(m::table.on(m::tenant_id.eq(h::tenant_id).and(m::id.eq(h::member_id))))
        .filter(h::tenant_id.eq(tid))
        .filter(h::village_id.eq(&village.id).and(h::branch_id.eq_any(ids)))
        .filter(h::state.eq_any(["issued", "reported_to_village", "reported_to_branch"]))
        .filter(m::membership_unit_id.eq(&village.id))
        .select(h::member_id)
        .load(tx.conn())?;
    members.sort();
    members.dedup();
    Ok(members)
}

fn save(
    tx: &mut TenantTx<'_>,
    before: &BatchRow,
    after: &BatchRow,
    expected: Option<i64>,
) -> DbResult<()> {
    if expected.is_some_and(|v| v != before.version) || !repo::update(tx, after, before.version)? {
        return Err(AppError::precondition_failed().into());
    }
    Ok(())
}

/// Writes one member's feedback text (draft or returned batches).
pub fn put_item(
    tx: &mut TenantTx<'_>,
    c: &Caller,
    id: &str,
    member_id: &str,
    text: &str,
    expected: Option<i64>,
) -> DbResult<BatchRow> {
    let l = visible(tx, c, id)?;
    sender_only(c, &l)?;
    model::next(l.batch.state(), Step::EditItems)?;
    let village = match l.batch.direction() {
        Direction::BranchToVillage => &l.receiver.id,
        Direction::VillageToBranch => &l.sender.id,
    };
    if !held_by(tx, member_id, village)? {
        return Err(AppError::validation(vec![not_held("member_id")]).into());
    }
    repo::put_item(tx, &l.batch.id, member_id, text)?;
    save(tx, &l.batch, &l.batch, expected)?;
    audit::record(
        tx,
        &c.actor(),
        "feedback.item_put",
        "feedback_batch",
        &l.batch.id,
        None,
        serde_json::json!({ "member_id": member_id }),
    )?;
    repo::get(tx, id)?.ok_or_else(|| AppError::not_found().into())
}

pub fn delete_item(
    tx: &mut TenantTx<'_>,
    c: &Caller,
    id: &str,
    member_id: &str,
    expected: Option<i64>,
) -> DbResult<BatchRow> {
    let l = visible(tx, c, id)?;
    sender_only(c, &l)?;
    model::next(l.batch.state(), Step::EditItems)?;
    if !repo::delete_item(tx, &l.batch.id, member_id)? {
        return Err(AppError::not_found().into());
    }
    save(tx, &l.batch, &l.batch, expected)?;
    audit::record(
        tx,
        &c.actor(),
        "feedback.item_delete",
        "feedback_batch",
        &l.batch.id,
        None,
        serde_json::json!({ "member_id": member_id }),
    )?;
    repo::get(tx, id)?.ok_or_else(|| AppError::not_found().into())
}

/// Submits the draft to the upper committee: every member's text must be written.
pub fn submit(
    tx: &mut TenantTx<'_>,
    c: &Caller,
    id: &str,
    expected: Option<i64>,
) -> DbResult<BatchRow> {
    let l = visible(tx, c, id)?;
    sender_only(c, &l)?;
    let state = model::next(l.batch.state(), Step::Submit)?;
    let items = repo::items(tx, &l.batch.id)?;
    if items.is_empty() {
        return Err(AppError::conflict(
            "no_items",
            "反馈中没有党员，不能报送",
            "The feedback lists no member",
        )
        .into());
    }
    let missing: Vec<FieldError> = items
        .iter()
        .filter(|i| i.text.trim().is_empty())
        .map(|i| {
            FieldError::new(
                format!("items.{}", i.member_id),
                "feedback_text_required",
                "请填写该党员的反馈内容",
                "feedback text is required for this member",
            )
        })
        .collect();
    if !missing.is_empty() {
        return Err(AppError::validation(missing).into());
    }
    let mut after = l.batch.clone();
    after.state = state.as_str().to_owned();
    after.submitted_at = Some(Utc::now().naive_utc());
    after.submitted_by = Some(c.user_id.clone());
    after.return_reason = None;
    save(tx, &l.batch, &after, expected)?;
    audit::record(
        tx,
        &c.actor(),
        "feedback.submit",
        "feedback_batch",
        &l.batch.id,
        None,
        serde_json::json!({ "items": items.len() }),
    )?;
    repo::get(tx, id)?.ok_or_else(|| AppError::not_found().into())
}

#[derive(Debug, Clone)]
pub struct Review {
    pub approve: bool,
    pub reason: Option<String>,
    pub reviewed_on: NaiveDate,
    pub expected: Option<i64>,
}

/// The upper committee approves or returns (with a reason): the association committee for a
/// branch's feedback, the village's township committee for a village's.
pub fn review(
    tx: &mut TenantTx<'_>,
    c: &Caller,
    id: &str,
    r: &Review,
    today: NaiveDate,
) -> DbResult<BatchRow> {
    let l = visible(tx, c, id)?;
    let reviewer = match l.batch.direction() {
        Direction::BranchToVillage => c.role == Role::AssociationCommittee,
        Direction::VillageToBranch => c.role == Role::TownshipCommittee && c.sees(&l.sender),
    };
    if !reviewer {
        return Err(forbidden(
            "not_reviewer",
            "只有上级党委（分会支部的反馈由县个民协会党委、村〔社区〕的反馈由所在乡镇〔街道〕党委）可以审核",
            "Only the upper committee reviews: the association committee for a branch, the township committee for a village",
        )
        .into());
    }
    model::next(l.batch.state(), Step::Review)?;
    let (start, _) = Period::parse(&l.batch.period)
        .and_then(Period::bounds)
        .unwrap_or((r.reviewed_on, r.reviewed_on));
    check_date(
        "reviewed_on",
        r.reviewed_on,
        today,
        Some((start, "before_period", "反馈半年度的开始")),
    )
    .map_err(|e| AppError::validation(vec![e]))?;
    let mut after = l.batch.clone();
    after.reviewed_on = Some(r.reviewed_on);
    after.reviewed_by = Some(c.user_id.clone());
    if r.approve {
        after.state = BatchState::Approved.as_str().to_owned();
        after.review_note = r.reason.clone();
    } else {
        after.state = BatchState::Returned.as_str().to_owned();
        after.return_reason = r.reason.clone();
    }
    save(tx, &l.batch, &after, r.expected)?;
    audit::record(
        tx,
        &c.actor(),
        if r.approve {
            "feedback.approve"
        } else {
            "feedback.return"
        },
        "feedback_batch",
        &l.batch.id,
        r.reason.as_deref(),
        serde_json::json!({ "reviewed_on": r.reviewed_on }),
    )?;
    repo::get(tx, id)?.ok_or_else(|| AppError::not_found().into())
}

/// Sends an approved batch online. When it is the sender's last unsent batch of the half, the
/// sender's obligation is met, on the day the last one went out.
pub fn send(
    tx: &mut TenantTx<'_>,
    c: &Caller,
    id: &str,
    sent_on: NaiveDate,
    expected: Option<i64>,
    today: NaiveDate,
) -> DbResult<BatchRow> {
    let l = visible(tx, c, id)?;
    sender_only(c, &l)?;
    let state = model::next(l.batch.state(), Step::Send)?;
    let reviewed = l.batch.reviewed_on.unwrap_or(sent_on);
    check_date(
        "sent_on",
        sent_on,
        today,
        Some((reviewed, "before_review", "审核日期")),
    )
    .map_err(|e| AppError::validation(vec![e]))?;
    let mut after = l.batch.clone();
    after.state = state.as_str().to_owned();
    after.sent_on = Some(sent_on);
    after.sent_by = Some(c.user_id.clone());
    save(tx, &l.batch, &after, expected)?;
    let all = repo::of_sender(tx, &l.sender.id, &l.batch.period)?;
    if all.iter().all(|b| b.state().is_sent())
        && let Some(period) = Period::parse(&l.batch.period)
    {
        let last = all
            .iter()
            .filter_map(|b| b.sent_on)
            .max()
            .unwrap_or(sent_on);
        open_obligation(tx, &l.sender, period, l.batch.due_on)?;
        crate::deadlines::close_on(
            tx,
            ObligationKind::SemiannualFeedback,
            &l.sender.id,
            period,
            &c.user_id,
            last,
        )?;
    }
    audit::record(
        tx,
        &c.actor(),
        "feedback.send",
        "feedback_batch",
        &l.batch.id,
        None,
        serde_json::json!({ "sent_on": sent_on, "late": model::late(Some(sent_on), l.batch.due_on) }),
    )?;
    repo::get(tx, id)?.ok_or_else(|| AppError::not_found().into())
}

/// The receiver acknowledges a sent batch.
pub fn acknowledge(
    tx: &mut TenantTx<'_>,
    c: &Caller,
    id: &str,
    on: NaiveDate,
    expected: Option<i64>,
    today: NaiveDate,
) -> DbResult<BatchRow> {
    let l = visible(tx, c, id)?;
    if !acts_for(c, &l.receiver) {
        return Err(forbidden(
            "not_receiver",
            "只有接收方可以签收反馈",
            "Only the receiving branch or village acknowledges the feedback",
        )
        .into());
    }
    let state = model::next(l.batch.state(), Step::Acknowledge)?;
    let sent = l.batch.sent_on.unwrap_or(on);
    check_date(
        "acknowledged_on",
        on,
        today,
        Some((sent, "before_sent", "发送日期")),
    )
    .map_err(|e| AppError::validation(vec![e]))?;
    let mut after = l.batch.clone();
    after.state = state.as_str().to_owned();
    after.acknowledged_on = Some(on);
    after.acknowledged_by = Some(c.user_id.clone());
    save(tx, &l.batch, &after, expected)?;
    audit::record(
        tx,
        &c.actor(),
        "feedback.acknowledge",
        "feedback_batch",
        &l.batch.id,
        None,
        serde_json::json!({ "acknowledged_on": on }),
    )?;
    repo::get(tx, id)?.ok_or_else(|| AppError::not_found().into())
}
