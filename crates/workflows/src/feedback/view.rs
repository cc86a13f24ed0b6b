//! What the API shows of a feedback batch: its items with the members' names, the labels and
//! the lateness a reader needs. The printable forms are built from the same view.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use poem_openapi::Object;

use super::model::{self, BatchState, Direction};
use super::repo::{self, BatchRow};
use crate::db::schema::members as m;
use crate::db::{DbResult, TenantTx};
use crate::deadlines::Period;
use crate::reporting::repo as reporting;

/// One member's feedback in a batch.
#[derive(Debug, Clone, Object)]
pub struct ItemView {
    pub member_id: String,
    pub member_name: String,
    /// 经营户名称
    pub business_name: String,
    /// 组织关系所在党组织
    pub membership_org_name: String,
    pub text: String,
    /// The member's latest 党员先锋指数 (stars, from the record of the evaluation), for the
    /// village's own star rating.
    #[oai(skip_serializing_if_is_none)]
    pub vanguard_stars: Option<i32>,
    #[oai(skip_serializing_if_is_none)]
    pub vanguard_on: Option<NaiveDate>,
}

/// A feedback batch: one sender, one receiver, one half year.
#[derive(Debug, Clone, Object)]
pub struct BatchView {
    pub id: String,
    pub direction: Direction,
    /// 经营地表现 / 居住地表现
    pub conduct_label: String,
    pub sender_id: String,
    pub sender_name: String,
    pub receiver_id: String,
    pub receiver_name: String,
    /// The reviewing committee (association committee / township).
    pub reviewer_unit_id: String,
    pub reviewer_name: String,
    /// `2026H1`
    pub period: String,
    /// `2026年上半年`
    pub period_label: String,
    pub due_on: NaiveDate,
    pub state: BatchState,
    pub state_label: String,
    /// Sent after the due day.
    pub late: bool,
    /// Not sent and past the due day (as of today, or the list's `as_of`).
    pub overdue: bool,
    pub items: Vec<ItemView>,
    #[oai(skip_serializing_if_is_none)]
    pub submitted_at: Option<DateTime<Utc>>,
    #[oai(skip_serializing_if_is_none)]
    pub reviewed_on: Option<NaiveDate>,
    #[oai(skip_serializing_if_is_none)]
    pub review_note: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub return_reason: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub sent_on: Option<NaiveDate>,
    #[oai(skip_serializing_if_is_none)]
    pub acknowledged_on: Option<NaiveDate>,
    pub version: i64,
}

#[derive(Debug, Clone, Object)]
pub struct BatchPage {
    pub items: Vec<BatchView>,
    #[oai(skip_serializing_if_is_none)]
    pub next_cursor: Option<String>,
}

pub(super) fn view(
    tx: &mut TenantTx<'_>,
    b: BatchRow,
    as_of: NaiveDate,
    with_items: bool,
) -> DbResult<BatchView> {
    let names = reporting::unit_names(
        tx,
        &[
            b.sender_id.clone(),
            b.receiver_id.clone(),
            b.reviewer_unit_id.clone(),
        ],
    )?;
    let name = |id: &str| names.get(id).cloned().unwrap_or_default();
    let items = if with_items {
        let rows = repo::items(tx, &b.id)?;
        let ids: Vec<String> = rows.iter().map(|r| r.member_id.clone()).collect();
        let tid = tx.tid().to_owned();
        let mut facts: HashMap<String, (String, String, String)> = HashMap::new();
        for chunk in ids.chunks(500) {
            let got: Vec<(String, String, String, String)> = m::table
                .filter(m::tenant_id.eq(&tid).and(m::id.eq_any(chunk)))
                .select((m::id, m::name, m::business_name, m::membership_org_name))
                .load(tx.conn())?;
            facts.extend(got.into_iter().map(|(id, n, b, o)| (id, (n, b, o))));
        }
        let stars = crate::records::repo::latest_scores(tx, "A04", &ids)?;
        let mut items: Vec<ItemView> = rows
            .into_iter()
            .map(|r| {
                let (n, biz, org) = facts.get(&r.member_id).cloned().unwrap_or_default();
                let star = stars.get(&r.member_id).copied();
                ItemView {
                    vanguard_stars: star.map(|s| s.0),
                    vanguard_on: star.map(|s| s.1),
                    member_id: r.member_id,
                    member_name: n,
                    business_name: biz,
                    membership_org_name: org,
                    text: r.text,
                }
            })
            .collect();
        items.sort_by(|a, b| a.member_name.cmp(&b.member_name));
        items
    } else {
        vec![]
    };
    let state = b.state();
    let direction = b.direction();
    let period = Period::parse(&b.period).unwrap_or(Period::Anchored);
    Ok(BatchView {
        conduct_label: direction.conduct_zh().to_owned(),
        sender_name: name(&b.sender_id),
        receiver_name: name(&b.receiver_id),
        reviewer_name: name(&b.reviewer_unit_id),
        period_label: model::half_label(period),
        state,
        state_label: state.label_zh().to_owned(),
        late: model::late(b.sent_on, b.due_on),
        overdue: model::overdue(state, b.due_on, as_of),
        items,
        direction,
        id: b.id,
        sender_id: b.sender_id,
        receiver_id: b.receiver_id,
        reviewer_unit_id: b.reviewer_unit_id,
        period: b.period,
        due_on: b.due_on,
        submitted_at: b.submitted_at.map(|t| t.and_utc()),
        reviewed_on: b.reviewed_on,
        review_note: b.review_note,
        return_reason: b.return_reason,
        sent_on: b.sent_on,
        acknowledged_on: b.acknowledged_on,
        version: b.version,
    })
}

pub(super) fn full(tx: &mut TenantTx<'_>, b: BatchRow) -> DbResult<BatchView> {
    view(tx, b, crate::clock::today(), true)
}
