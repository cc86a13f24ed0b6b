//! What a filing looks like to the API: its summary in lists, and in full its lines in print
//! order, its history, and whether the records changed since the lines were generated.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use poem_openapi::Object;

use super::model::{FilingState, days_late, days_overdue, quarter_label};
use super::repo::{self, EventRow, FilingRow, LineRow};
use crate::api::PageRequest;
use crate::db::schema::{members as m, org_units as o};
use crate::db::{DbResult, TenantTx};
use crate::enums::StrEnum;
use crate::error::AppError;
use crate::org::model::OrgKind;
use crate::org::repo::OrgUnitRow;
use crate::records::model::Category;

#[derive(Debug, Clone, Object)]
pub struct FilingLineView {
    pub member_id: String,
    pub member_name: String,
    /// 经营单位名称
    pub business_name: String,
    pub item_code: String,
    pub item_name: String,
    pub category: Category,
    pub category_label: String,
    /// How many records of this item the member has in the quarter.
    pub count: i32,
    /// The records' contents, as generated.
    pub content: String,
    #[oai(skip_serializing_if_is_none)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Object)]
pub struct FilingEventView {
    /// created | submitted | accepted | returned
    pub action: String,
    pub on: NaiveDate,
    pub actor_id: String,
    #[oai(skip_serializing_if_is_none)]
    pub reason: Option<String>,
    pub at: DateTime<Utc>,
}

/// A filing without its lines (lists).
#[derive(Debug, Clone, Object)]
pub struct FilingSummary {
    pub id: String,
    pub unit_id: String,
    pub unit_name: String,
    pub unit_kind: OrgKind,
    /// `2026Q3`
    pub period: String,
    /// 2026年第三季度
    pub period_label: String,
    pub state: FilingState,
    pub state_label: String,
    /// By the county's deadline rules (the 10th of the quarter's first month by default).
    pub due_on: NaiveDate,
    /// The first submission (decides lateness).
    #[oai(skip_serializing_if_is_none)]
    pub first_submitted_on: Option<NaiveDate>,
    /// The latest submission.
    #[oai(skip_serializing_if_is_none)]
    pub submitted_on: Option<NaiveDate>,
    /// Submitted after the due date.
    pub late: bool,
    #[oai(skip_serializing_if_is_none)]
    pub days_late: Option<i64>,
    /// Not submitted and past due: by how many days (today in China).
    #[oai(skip_serializing_if_is_none)]
    pub days_overdue: Option<i64>,
    #[oai(skip_serializing_if_is_none)]
    pub reviewed_on: Option<NaiveDate>,
    #[oai(skip_serializing_if_is_none)]
    pub return_reason: Option<String>,
    /// Who reviews it: the township committee, or the association committee.
    pub upper_committee: String,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Object)]
pub struct FilingView {
    #[oai(flatten)]
    pub filing: FilingSummary,
    pub summary: String,
    pub member_count: i32,
    pub record_count: i32,
    pub lines: Vec<FilingLineView>,
    /// Drafts and returned filings: whether the records changed since the lines were
    /// generated (refresh before submitting).
    pub records_changed: bool,
    pub history: Vec<FilingEventView>,
}

#[derive(Debug, Clone, Object)]
pub struct FilingPage {
    pub items: Vec<FilingSummary>,
    #[oai(skip_serializing_if_is_none)]
    pub next_cursor: Option<String>,
}

pub(super) fn unit_of(tx: &mut TenantTx<'_>, f: &FilingRow) -> DbResult<OrgUnitRow> {
    crate::org::repo::get(tx, &f.unit_id)?.ok_or_else(|| AppError::not_found().into())
}

/// The upper committee's name: the village's township (its committee), or the association
/// committee (the county's root association unit's name when there is one).
pub(super) fn upper_name(tx: &mut TenantTx<'_>, unit: &OrgUnitRow) -> DbResult<String> {
    if unit.kind() == OrgKind::Village
        && let Some(p) = &unit.parent_id
        && let Some(town) = crate::org::repo::get(tx, p)?
    {
        return Ok(format!("{}党委", town.name));
    }
    let tid = tx.tid().to_owned();
    let root: Option<String> = o::table
        .filter(o::tenant_id.eq(&tid))
        .filter(o::kind.eq(OrgKind::AssociationCommittee.as_str()))
        .select(o::name)
        .order(o::path.asc())
        .first(tx.conn())
        .optional()?;
    Ok(root.unwrap_or_else(|| "县个体民营企业协会党委".to_owned()))
}

pub(super) fn summary_view(
    tx: &mut TenantTx<'_>,
    f: &FilingRow,
    unit: &OrgUnitRow,
    today: NaiveDate,
) -> DbResult<FilingSummary> {
    let state = f.state();
    let late = days_late(f.due_on, f.first_submitted_on);
    Ok(FilingSummary {
        id: f.id.clone(),
        unit_id: f.unit_id.clone(),
        unit_name: unit.name.clone(),
        unit_kind: unit.kind(),
        period: f.period.clone(),
        period_label: quarter_label(f.period()),
        state,
        state_label: state.label_zh().to_owned(),
        due_on: f.due_on,
        first_submitted_on: f.first_submitted_on,
        submitted_on: f.submitted_on,
        late: late.is_some(),
        days_late: late,
        days_overdue: days_overdue(f.due_on, f.first_submitted_on, today),
        reviewed_on: f.reviewed_on,
        return_reason: f.return_reason.clone(),
        upper_committee: upper_name(tx, unit)?,
        updated_at: f.updated_at.and_utc(),
    })
}

fn member_facts(
    tx: &mut TenantTx<'_>,
    lines: &[LineRow],
) -> DbResult<HashMap<String, (String, String)>> {
    let tid = tx.tid().to_owned();
    let mut ids: Vec<&str> = lines.iter().map(|l| l.member_id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut out = HashMap::new();
    for chunk in ids.chunks(500) {
        let rows: Vec<(String, String, String)> = m::table
            .filter(m::tenant_id.eq(&tid).and(m::id.eq_any(chunk)))
            .select((m::id, m::name, m::business_name))
            .load(tx.conn())?;
        out.extend(rows.into_iter().map(|(id, n, b)| (id, (n, b))));
    }
    Ok(out)
}

/// Lines in print order: by category, then item, then member name.
fn line_views(tx: &mut TenantTx<'_>, lines: &[LineRow]) -> DbResult<Vec<FilingLineView>> {
    let facts = member_facts(tx, lines)?;
    let mut out: Vec<FilingLineView> = lines
        .iter()
        .map(|l| {
            let (name, business) = facts.get(&l.member_id).cloned().unwrap_or_default();
            let category = Category::parse(&l.category).unwrap_or(Category::Business);
            FilingLineView {
                member_id: l.member_id.clone(),
                member_name: name,
                business_name: business,
                item_code: l.item_code.clone(),
                item_name: l.item_name.clone(),
                category,
                category_label: category.label_zh().to_owned(),
                count: l.record_count,
                content: l.content.clone(),
                note: l.note.clone(),
            }
        })
        .collect();
    let rank = |c: Category| Category::ALL.iter().position(|x| *x == c).unwrap_or(0);
    out.sort_by(|a, b| {
        rank(a.category)
            .cmp(&rank(b.category))
            .then_with(|| a.item_code.cmp(&b.item_code))
            .then_with(|| a.member_name.cmp(&b.member_name))
            .then_with(|| a.member_id.cmp(&b.member_id))
    });
    Ok(out)
}

pub(super) fn full_view(
    tx: &mut TenantTx<'_>,
    f: &FilingRow,
    unit: &OrgUnitRow,
    today: NaiveDate,
) -> DbResult<FilingView> {
    let stored = repo::lines(tx, &f.id)?;
    let records_changed = match f.state() {
        FilingState::Draft | FilingState::Returned => {
            let now = repo::generate(tx, &f.unit_id, f.period())?;
            !repo::up_to_date(&stored, &now)
        }
        _ => false,
    };
    let lines = line_views(tx, &stored)?;
    let mut members: Vec<&str> = lines.iter().map(|l| l.member_id.as_str()).collect();
    members.sort_unstable();
    members.dedup();
    let history = repo::events(tx, &f.id)?
        .into_iter()
        .map(|e: EventRow| FilingEventView {
            action: e.action,
            on: e.happened_on,
            actor_id: e.actor_id,
            reason: e.reason,
            at: e.at.and_utc(),
        })
        .collect();
    Ok(FilingView {
        filing: summary_view(tx, f, unit, today)?,
        summary: f.summary.clone(),
        member_count: members.len() as i32,
        record_count: lines.iter().map(|l| l.count).sum(),
        lines,
        records_changed,
        history,
    })
}

pub(super) fn page_of(
    tx: &mut TenantTx<'_>,
    flt: &repo::Filter,
    page: &PageRequest,
    today: NaiveDate,
) -> DbResult<FilingPage> {
    let rows = repo::list(tx, flt, page)?;
    let (rows, next) = page.finish(rows, |r| &r.id);
    let mut items = Vec::with_capacity(rows.len());
    for f in &rows {
        let unit = unit_of(tx, f)?;
        items.push(summary_view(tx, f, &unit, today)?);
    }
    Ok(FilingPage {
        items,
        next_cursor: next,
    })
}
