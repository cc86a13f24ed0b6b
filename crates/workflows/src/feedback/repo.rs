//! Feedback batches and their items, in storage.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::model::{BatchState, Direction};
use crate::api::PageRequest;
use crate::db::schema::{feedback_batches as fb, feedback_items as fi};
use crate::db::{DbResult, TenantTx};
use crate::enums::StrEnum;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = fb)]
pub struct BatchRow {
    pub tenant_id: String,
    pub id: String,
    pub direction: String,
    pub sender_id: String,
    pub receiver_id: String,
    pub reviewer_unit_id: String,
    pub period: String,
    pub due_on: NaiveDate,
    pub state: String,
    pub drafted_by: String,
    pub submitted_at: Option<NaiveDateTime>,
    pub submitted_by: Option<String>,
    pub reviewed_on: Option<NaiveDate>,
    pub reviewed_by: Option<String>,
    pub review_note: Option<String>,
    pub return_reason: Option<String>,
    pub sent_on: Option<NaiveDate>,
    pub sent_by: Option<String>,
    pub acknowledged_on: Option<NaiveDate>,
    pub acknowledged_by: Option<String>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl BatchRow {
    pub fn state(&self) -> BatchState {
        BatchState::parse(&self.state).unwrap_or(BatchState::Draft)
    }

    pub fn direction(&self) -> Direction {
        Direction::parse(&self.direction).unwrap_or(Direction::BranchToVillage)
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = fi)]
pub struct ItemRow {
    pub tenant_id: String,
    pub id: String,
    pub batch_id: String,
    pub member_id: String,
    pub text: String,
    pub updated_at: NaiveDateTime,
}

pub fn get(tx: &mut TenantTx<'_>, id: &str) -> DbResult<Option<BatchRow>> {
    let tid = tx.tid().to_owned();
    Ok(fb::table
        .filter(fb::tenant_id.eq(tid).and(fb::id.eq(id)))
        .select(BatchRow::as_select())
        .first(tx.conn())
        .optional()?)
}

pub fn find(
    tx: &mut TenantTx<'_>,
    sender: &str,
    receiver: &str,
    period: &str,
) -> DbResult<Option<BatchRow>> {
    let tid = tx.tid().to_owned();
    Ok(fb::table
        .filter(fb::tenant_id.eq(tid))
        .filter(fb::sender_id.eq(sender).and(fb::receiver_id.eq(receiver)))
        .filter(fb::period.eq(period))
        .select(BatchRow::as_select())
        .first(tx.conn())
        .optional()?)
}

/// The sender's batches for a period.
pub fn of_sender(tx: &mut TenantTx<'_>, sender: &str, period: &str) -> DbResult<Vec<BatchRow>> {
    let tid = tx.tid().to_owned();
    Ok(fb::table
        .filter(fb::tenant_id.eq(tid))
        .filter(fb::sender_id.eq(sender).and(fb::period.eq(period)))
        .select(BatchRow::as_select())
        .load(tx.conn())?)
}

pub fn insert(tx: &mut TenantTx<'_>, rows: &[BatchRow]) -> DbResult<()> {
    for chunk in rows.chunks(300) {
        crate::insert_rows!(tx.conn(), fb::table, chunk)?;
    }
    Ok(())
}

pub fn insert_items(tx: &mut TenantTx<'_>, rows: &[ItemRow]) -> DbResult<()> {
    for chunk in rows.chunks(1000) {
        crate::insert_rows!(tx.conn(), fi::table, chunk)?;
    }
    Ok(())
}

pub fn items(tx: &mut TenantTx<'_>, batch_id: &str) -> DbResult<Vec<ItemRow>> {
    let tid = tx.tid().to_owned();
    Ok(fi::table
        .filter(fi::tenant_id.eq(tid).and(fi::batch_id.eq(batch_id)))
        .select(ItemRow::as_select())
        .order(fi::id.asc())
        .load(tx.conn())?)
}

/// Upserts one member's text in a batch.
pub fn put_item(
    tx: &mut TenantTx<'_>,
    batch_id: &str,
    member_id: &str,
    text: &str,
) -> DbResult<()> {
    let tid = tx.tid().to_owned();
    let now = chrono::Utc::now().naive_utc();
    let n = diesel::update(
        fi::table
            .filter(fi::tenant_id.eq(&tid))
            .filter(fi::batch_id.eq(batch_id).and(fi::member_id.eq(member_id))),
    )
    .set((fi::text.eq(text), fi::updated_at.eq(now)))
    .execute(tx.conn())?;
    if n == 0 {
        insert_items(
            tx,
            &[ItemRow {
                tenant_id: tid,
                id: uuid::Uuid::now_v7().to_string(),
                batch_id: batch_id.to_owned(),
                member_id: member_id.to_owned(),
                text: text.to_owned(),
                updated_at: now,
            }],
        )?;
    }
    Ok(())
}

pub fn delete_item(tx: &mut TenantTx<'_>, batch_id: &str, member_id: &str) -> DbResult<bool> {
    let tid = tx.tid().to_owned();
    let n = diesel::delete(
        fi::table
            .filter(fi::tenant_id.eq(&tid))
            .filter(fi::batch_id.eq(batch_id).and(fi::member_id.eq(member_id))),
    )
    .execute(tx.conn())?;
    Ok(n > 0)
}

/// Writes a batch's changing columns if its version is still `expected`.
pub fn update(tx: &mut TenantTx<'_>, b: &BatchRow, expected: i64) -> DbResult<bool> {
    let tid = tx.tid().to_owned();
    let n = diesel::update(
        fb::table
            .filter(fb::tenant_id.eq(tid).and(fb::id.eq(&b.id)))
            .filter(fb::version.eq(expected)),
    )
    .set((
        fb::state.eq(&b.state),
        fb::submitted_at.eq(b.submitted_at),
        fb::submitted_by.eq(&b.submitted_by),
        fb::reviewed_on.eq(b.reviewed_on),
        fb::reviewed_by.eq(&b.reviewed_by),
        fb::review_note.eq(&b.review_note),
        fb::return_reason.eq(&b.return_reason),
        fb::sent_on.eq(b.sent_on),
        fb::sent_by.eq(&b.sent_by),
        fb::acknowledged_on.eq(b.acknowledged_on),
        fb::acknowledged_by.eq(&b.acknowledged_by),
        fb::version.eq(expected + 1),
        fb::updated_at.eq(chrono::Utc::now().naive_utc()),
    ))
    .execute(tx.conn())?;
    Ok(n > 0)
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub period: Option<String>,
    pub state: Option<BatchState>,
    pub direction: Option<Direction>,
    pub sender_id: Option<String>,
    pub receiver_id: Option<String>,
    /// `None`: the whole county; else the caller's units: batches they send, and sent batches
    /// they receive.
    pub units: Option<Vec<String>>,
}

pub fn list(tx: &mut TenantTx<'_>, f: &Filter, page: &PageRequest) -> DbResult<Vec<BatchRow>> {
    let tid = tx.tid().to_owned();
    let mut q = fb::table
        .filter(fb::tenant_id.eq(tid))
        .select(BatchRow::as_select())
        .into_boxed();
    if let Some(units) = &f.units {
        q = q.filter(
            fb::sender_id.eq_any(units.clone()).or(fb::receiver_id
                .eq_any(units.clone())
                .and(fb::state.eq_any(["sent", "acknowledged"]))),
        );
    }
    if let Some(p) = &f.period {
        q = q.filter(fb::period.eq(p.clone()));
    }
    if let Some(s) = f.state {
        q = q.filter(fb::state.eq(s.as_str()));
    }
    if let Some(d) = f.direction {
        q = q.filter(fb::direction.eq(d.as_str()));
    }
    if let Some(s) = &f.sender_id {
        q = q.filter(fb::sender_id.eq(s.clone()));
    }
    if let Some(s) = &f.receiver_id {
        q = q.filter(fb::receiver_id.eq(s.clone()));
    }
    if let Some(after) = &page.after {
        q = q.filter(fb::id.gt(after.clone()));
    }
    Ok(q.order(fb::id.asc()).limit(page.fetch()).load(tx.conn())?)
}

/// Feedback received about a member: items of sent (or acknowledged) batches, oldest first.
pub fn received_about(
    tx: &mut TenantTx<'_>,
    member_id: &str,
) -> DbResult<Vec<(ItemRow, BatchRow)>> {
    let tid = tx.tid().to_owned();
    let items: Vec<ItemRow> = fi::table
        .filter(fi::tenant_id.eq(&tid).and(fi::member_id.eq(member_id)))
        .select(ItemRow::as_select())
        .load(tx.conn())?;
    let mut out = vec![];
    for i in items {
        if let Some(b) = get(tx, &i.batch_id)?
            && b.state().is_sent()
        {
            out.push((i, b));
        }
    }
    out.sort_by_key(|(_, b)| b.sent_on);
    Ok(out)
}
