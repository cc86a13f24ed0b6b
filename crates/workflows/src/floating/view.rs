//! What a floating-member case looks like to the API: the case with its member's register
//! entry, branch, reminders and due date; its activities; the outstanding receipts.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use poem_openapi::Object;
use serde::{Deserialize, Serialize};

use super::documents;
use super::model::{ActivityKind, CaseState, ChaseMethod, SendMethod};
use super::repo::{self, ActivityRow, CaseRow, ChaseRow};
use crate::db::schema::{members as m, org_units as o};
use crate::db::{DbResult, TenantTx};
use crate::deadlines::{self, ObligationKind, Period};
use crate::enums::StrEnum;
use crate::error::AppError;

#[derive(Debug, Clone, Object, Serialize, Deserialize)]
pub struct ChaseView {
    pub id: String,
    /// 催收日期
    pub chased_on: NaiveDate,
    pub method: ChaseMethod,
    #[oai(skip_serializing_if_is_none)]
    pub note: Option<String>,
    pub recorded_by: String,
}

pub(super) fn chase_view(r: &ChaseRow) -> ChaseView {
    ChaseView {
        id: r.id.clone(),
        chased_on: r.chased_on,
        method: ChaseMethod::parse(&r.method).unwrap_or(ChaseMethod::Phone),
        note: r.note.clone(),
        recorded_by: r.recorded_by.clone(),
    }
}

#[derive(Debug, Clone, Object, Serialize, Deserialize)]
pub struct ActivityView {
    pub id: String,
    pub case_id: String,
    pub held_on: NaiveDate,
    pub kind: ActivityKind,
    /// 组织生活 / 培训 / 教育 / 组织活动
    pub kind_label: String,
    pub content: String,
    pub recorded_by: String,
    pub created_at: DateTime<Utc>,
}

pub(super) fn activity_view(r: &ActivityRow) -> ActivityView {
    let kind = ActivityKind::parse(&r.kind).unwrap_or(ActivityKind::Activity);
    ActivityView {
        id: r.id.clone(),
        case_id: r.case_id.clone(),
        held_on: r.held_on,
        kind,
        kind_label: kind.label_zh().to_owned(),
        content: r.content.clone(),
        recorded_by: r.recorded_by.clone(),
        created_at: r.created_at.and_utc(),
    }
}

#[derive(Debug, Clone, Object)]
pub struct ActivityList {
    pub items: Vec<ActivityView>,
}

/// A floating-member case: the registration (流动党员登记表) with the member's register
/// entry, and where the year's feedback stands.
#[derive(Debug, Clone, Object, Serialize, Deserialize)]
pub struct FloatingCaseView {
    pub id: String,
    pub member_id: String,
    pub member_name: String,
    /// 经营单位 (from the register)
    pub business_name: String,
    /// 组织关系所在地党组织 (from the register)
    pub home_org_name: String,
    /// 反馈年度
    pub year: i32,
    /// 反馈截止日期 (by default 30 November of the year)
    #[oai(skip_serializing_if_is_none)]
    pub due_on: Option<NaiveDate>,
    pub branch_id: String,
    pub branch_name: String,
    pub state: CaseState,
    pub state_label: String,
    /// 联系单位 of the home party organisation
    pub home_contact_unit: String,
    /// 组织关系所在地党组织通讯地址 (for the letter)
    #[oai(skip_serializing_if_is_none)]
    pub home_org_address: Option<String>,
    /// 来本地经营时间
    pub operating_since: NaiveDate,
    pub registered_on: NaiveDate,
    #[oai(skip_serializing_if_is_none)]
    pub note: Option<String>,
    /// 证明编号或说明 (the home branch's stamped proof)
    #[oai(skip_serializing_if_is_none)]
    pub proof_reference: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub proof_date: Option<NaiveDate>,
    #[oai(skip_serializing_if_is_none)]
    pub confirmed_on: Option<NaiveDate>,
    /// 评语
    #[oai(skip_serializing_if_is_none)]
    pub evaluation: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub secretary_name: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub evaluated_on: Option<NaiveDate>,
    #[oai(skip_serializing_if_is_none)]
    pub sent_on: Option<NaiveDate>,
    #[oai(skip_serializing_if_is_none)]
    pub sent_method: Option<SendMethod>,
    #[oai(skip_serializing_if_is_none)]
    pub sent_note: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub received_on: Option<NaiveDate>,
    /// Who signed the receipt at the home branch.
    #[oai(skip_serializing_if_is_none)]
    pub received_by: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub receipt_note: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub archived_on: Option<NaiveDate>,
    #[oai(skip_serializing_if_is_none)]
    pub archive_reference: Option<String>,
    /// Reminders for the outstanding receipt, oldest first.
    pub chases: Vec<ChaseView>,
    /// The reference printed on the form, letter and receipt.
    pub reference: String,
    pub registered_by: String,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Object)]
pub struct FloatingCasePage {
    pub items: Vec<FloatingCaseView>,
    #[oai(skip_serializing_if_is_none)]
    pub next_cursor: Option<String>,
}

/// A sent case whose receipt has not come back.
#[derive(Debug, Clone, Object)]
pub struct OutstandingReceipt {
    pub case: FloatingCaseView,
    pub sent_on: NaiveDate,
    /// Days since it was sent, as of `as_of`.
    pub days_outstanding: i64,
    pub chase_count: i64,
    #[oai(skip_serializing_if_is_none)]
    pub last_chased_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Object)]
pub struct OutstandingReceipts {
    pub as_of: NaiveDate,
    /// Longest outstanding first.
    pub items: Vec<OutstandingReceipt>,
    /// More cases are outstanding than `limit` showed.
    pub truncated: bool,
}

struct MemberBits {
    name: String,
    business_name: String,
    home_org_name: String,
}

/// Views for some cases: member and branch names, chases and due dates in a few queries.
pub(super) fn views(tx: &mut TenantTx<'_>, rows: &[CaseRow]) -> DbResult<Vec<FloatingCaseView>> {
    use std::collections::HashMap;
    let tid = tx.tid().to_owned();
    let mut member_ids: Vec<&str> = rows.iter().map(|r| r.member_id.as_str()).collect();
    member_ids.sort_unstable();
    member_ids.dedup();
    let mut members: HashMap<String, MemberBits> = HashMap::new();
    for chunk in member_ids.chunks(500) {
        let got: Vec<(String, String, String, String)> = m::table
            .filter(m::tenant_id.eq(&tid).and(m::id.eq_any(chunk)))
            .select((m::id, m::name, m::business_name, m::membership_org_name))
            .load(tx.conn())?;
        for (id, name, business_name, home_org_name) in got {
            members.insert(
                id,
                MemberBits {
                    name,
                    business_name,
                    home_org_name,
                },
            );
        }
    }
    let mut branch_ids: Vec<&str> = rows.iter().map(|r| r.branch_id.as_str()).collect();
    branch_ids.sort_unstable();
    branch_ids.dedup();
    let mut branches: HashMap<String, String> = HashMap::new();
    for chunk in branch_ids.chunks(500) {
        let got: Vec<(String, String)> = o::table
            .filter(o::tenant_id.eq(&tid).and(o::id.eq_any(chunk)))
            .select((o::id, o::name))
            .load(tx.conn())?;
        branches.extend(got);
    }
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut chases: HashMap<String, Vec<ChaseView>> = HashMap::new();
    for c in repo::chases(tx, &ids)? {
        chases
            .entry(c.case_id.clone())
            .or_default()
            .push(chase_view(&c));
    }
    let rules = deadlines::repo::rules(tx)?;
    Ok(rows
        .iter()
        .map(|r| {
            let mb = members.get(&r.member_id);
            let state = CaseState::parse(&r.state).unwrap_or(CaseState::Registered);
            FloatingCaseView {
                id: r.id.clone(),
                member_id: r.member_id.clone(),
                member_name: mb.map(|b| b.name.clone()).unwrap_or_default(),
                business_name: mb.map(|b| b.business_name.clone()).unwrap_or_default(),
                home_org_name: mb.map(|b| b.home_org_name.clone()).unwrap_or_default(),
                year: r.year,
                due_on: rules
                    .due_for_period(ObligationKind::FloatingFeedback, Period::Year(r.year)),
                branch_id: r.branch_id.clone(),
                branch_name: branches.get(&r.branch_id).cloned().unwrap_or_default(),
                state,
                state_label: state.label_zh().to_owned(),
                home_contact_unit: r.home_contact_unit.clone(),
                home_org_address: r.home_org_address.clone(),
                operating_since: r.operating_since,
                registered_on: r.registered_on,
                note: r.note.clone(),
                proof_reference: r.proof_reference.clone(),
                proof_date: r.proof_date,
                confirmed_on: r.confirmed_on,
                evaluation: r.evaluation.clone(),
                secretary_name: r.secretary_name.clone(),
                evaluated_on: r.evaluated_on,
                sent_on: r.sent_on,
                sent_method: r.sent_method.as_deref().and_then(SendMethod::parse),
                sent_note: r.sent_note.clone(),
                received_on: r.received_on,
                received_by: r.received_by.clone(),
                receipt_note: r.receipt_note.clone(),
                archived_on: r.archived_on,
                archive_reference: r.archive_reference.clone(),
                chases: chases.remove(&r.id).unwrap_or_default(),
                reference: documents::reference(r),
                registered_by: r.registered_by.clone(),
                version: r.version,
                created_at: r.created_at.and_utc(),
                updated_at: r.updated_at.and_utc(),
            }
        })
        .collect())
}

pub(super) fn view(tx: &mut TenantTx<'_>, row: &CaseRow) -> DbResult<FloatingCaseView> {
    views(tx, std::slice::from_ref(row))?
        .pop()
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("case view vanished")).into())
}
