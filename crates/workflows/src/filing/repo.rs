//! Filings, their lines and events in storage.

use std::collections::{BTreeMap, HashMap};

use chrono::{NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::model::FilingState;
use crate::api::PageRequest;
use crate::db::schema::{filing_events as fe, filing_lines as fl, filings as f};
use crate::db::{DbError, DbResult, TenantTx};
use crate::deadlines::Period;
use crate::enums::StrEnum;
use crate::error::AppError;
use crate::records::repo::{self as records, RecordRow};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = f)]
pub struct FilingRow {
    pub tenant_id: String,
    pub id: String,
    pub unit_id: String,
    pub unit_kind: String,
    pub period: String,
    pub state: String,
    pub summary: String,
    pub due_on: NaiveDate,
    pub first_submitted_on: Option<NaiveDate>,
    pub submitted_on: Option<NaiveDate>,
    pub submitted_by: Option<String>,
    pub reviewed_on: Option<NaiveDate>,
    pub reviewed_by: Option<String>,
    pub return_reason: Option<String>,
    pub created_by: String,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl FilingRow {
    pub fn state(&self) -> FilingState {
        FilingState::parse(&self.state).unwrap_or(FilingState::Draft)
    }

    pub fn period(&self) -> Period {
        Period::parse(&self.period).unwrap_or(Period::Anchored)
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = fl)]
pub struct LineRow {
    pub tenant_id: String,
    pub filing_id: String,
    pub member_id: String,
    pub item_code: String,
    pub item_name: String,
    pub category: String,
    pub record_count: i32,
    pub content: String,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = fe)]
pub struct EventRow {
    pub tenant_id: String,
    pub id: String,
    pub filing_id: String,
    pub action: String,
    pub happened_on: NaiveDate,
    pub actor_id: String,
    pub reason: Option<String>,
    pub at: NaiveDateTime,
}

/// A line as generated from the records: one per member and item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub member_id: String,
    pub item_code: String,
    pub item_name: String,
    pub category: String,
    pub count: i32,
    pub content: String,
}

/// The longest generated content of one line; the records themselves stay whole.
const LINE_CONTENT_MAX: usize = 500;

/// Groups a quarter's records per member and item (first-seen order: by date), counting them
/// and joining their contents; the item is named as in its newest version among them.
pub fn summarise(rows: &[RecordRow], names: &HashMap<(String, i32), String>) -> Vec<Line> {
    let mut order: Vec<(String, String)> = Vec::new();
    let mut acc: BTreeMap<(String, String), (Line, i32)> = BTreeMap::new();
    for r in rows {
        let key = (r.member_id.clone(), r.item_code.clone());
        let name = names
            .get(&(r.item_code.clone(), r.item_version))
            .cloned()
            .unwrap_or_else(|| r.item_code.clone());
        let entry = acc.entry(key.clone()).or_insert_with(|| {
            order.push(key);
            (
                Line {
                    member_id: r.member_id.clone(),
                    item_code: r.item_code.clone(),
                    item_name: name.clone(),
                    category: r.category.clone(),
                    count: 0,
                    content: String::new(),
                },
                r.item_version,
            )
        });
        entry.0.count += 1;
        if r.item_version > entry.1 {
            entry.1 = r.item_version;
            entry.0.item_name = name;
        }
        let part = format!("{} {}", r.recorded_on.format("%m-%d"), r.content);
        if !entry.0.content.is_empty() {
            entry.0.content.push('；');
        }
        entry.0.content.push_str(&part);
        if entry.0.content.chars().count() > LINE_CONTENT_MAX {
            entry.0.content = entry
                .0
                .content
                .chars()
                .take(LINE_CONTENT_MAX - 1)
                .collect::<String>()
                + "…";
        }
    }
    order
        .into_iter()
        .filter_map(|k| acc.remove(&k).map(|(l, _)| l))
        .collect()
}

/// The lines a unit's records of `period` make now.
pub fn generate(tx: &mut TenantTx<'_>, unit_id: &str, period: Period) -> DbResult<Vec<Line>> {
    let Some((from, to)) = period.bounds() else {
        return Ok(vec![]);
    };
    let rows = records::of_unit(tx, unit_id, from, to)?;
    let wanted: Vec<(String, i32)> = rows
        .iter()
        .map(|r| (r.item_code.clone(), r.item_version))
        .collect();
    let names = records::version_names(tx, &wanted)?;
    Ok(summarise(&rows, &names))
}

pub fn get(tx: &mut TenantTx<'_>, id: &str) -> DbResult<Option<FilingRow>> {
    let tid = tx.tid().to_owned();
    Ok(f::table
        .filter(f::tenant_id.eq(&tid).and(f::id.eq(id)))
        .select(FilingRow::as_select())
        .first(tx.conn())
        .optional()?)
}

pub fn find(tx: &mut TenantTx<'_>, unit_id: &str, period: Period) -> DbResult<Option<FilingRow>> {
    let tid = tx.tid().to_owned();
    Ok(f::table
        .filter(f::tenant_id.eq(&tid).and(f::unit_id.eq(unit_id)))
        .filter(f::period.eq(period.to_string()))
        .select(FilingRow::as_select())
        .first(tx.conn())
        .optional()?)
}

/// Whether the unit's filing of `period` is with, or accepted by, the upper committee (its
/// records of the quarter are then closed).
pub fn is_filed(tx: &mut TenantTx<'_>, unit_id: &str, period: Period) -> DbResult<bool> {
    Ok(find(tx, unit_id, period)?.is_some_and(|f| f.state().locks_records()))
}

/// What a new filing holds.
pub struct NewFiling<'a> {
    pub unit_id: &'a str,
    pub unit_kind: &'a str,
    pub period: Period,
    pub due_on: NaiveDate,
    pub summary: &'a str,
    pub created_on: NaiveDate,
}

pub fn create(tx: &mut TenantTx<'_>, new: &NewFiling<'_>, actor: &str) -> DbResult<FilingRow> {
    if let Some(existing) = find(tx, new.unit_id, new.period)? {
        return Err(exists(&existing.id).into());
    }
    let tid = tx.tid().to_owned();
    let id = uuid::Uuid::now_v7().to_string();
    let now = Utc::now().naive_utc();
    diesel::insert_into(f::table)
        .values((
            f::tenant_id.eq(&tid),
            f::id.eq(&id),
            f::unit_id.eq(new.unit_id),
            f::unit_kind.eq(new.unit_kind),
            f::period.eq(new.period.to_string()),
            f::state.eq(FilingState::Draft.as_str()),
            f::summary.eq(new.summary),
            f::due_on.eq(new.due_on),
            f::created_by.eq(actor),
            f::version.eq(1i64),
            f::created_at.eq(now),
            f::updated_at.eq(now),
        ))
        .execute(tx.conn())
        .map_err(|e| {
            let e = DbError::from(e);
            if e.is_unique_violation() {
                exists("").into()
            } else {
                e
            }
        })?;
    event(tx, &id, "created", new.created_on, actor, None)?;
    get(tx, &id)?.ok_or_else(|| AppError::internal(anyhow::anyhow!("filing vanished")).into())
}

fn exists(id: &str) -> AppError {
    AppError::conflict(
        "filing_exists",
        format!("本单位该季度的报送件已存在（{id}）"),
        format!("This unit's filing for the quarter exists already ({id})"),
    )
}

pub fn lines(tx: &mut TenantTx<'_>, filing_id: &str) -> DbResult<Vec<LineRow>> {
    let tid = tx.tid().to_owned();
    Ok(fl::table
        .filter(fl::tenant_id.eq(&tid).and(fl::filing_id.eq(filing_id)))
        .select(LineRow::as_select())
        .load(tx.conn())?)
}

/// Replaces a filing's lines with `new`, keeping the notes of lines that remain.
pub fn replace_lines(tx: &mut TenantTx<'_>, filing_id: &str, new: &[Line]) -> DbResult<()> {
    let tid = tx.tid().to_owned();
    let notes: HashMap<(String, String), String> = lines(tx, filing_id)?
        .into_iter()
        .filter_map(|l| Some(((l.member_id, l.item_code), l.note?)))
        .collect();
    diesel::delete(fl::table.filter(fl::tenant_id.eq(&tid).and(fl::filing_id.eq(filing_id))))
        .execute(tx.conn())?;
    // 9 columns a row: 500 rows stay under both backends' bind-parameter limits.
    for chunk in new.chunks(500) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|l| {
                (
                    fl::tenant_id.eq(tid.clone()),
                    fl::filing_id.eq(filing_id.to_owned()),
                    fl::member_id.eq(l.member_id.clone()),
                    fl::item_code.eq(l.item_code.clone()),
                    fl::item_name.eq(l.item_name.clone()),
                    fl::category.eq(l.category.clone()),
                    fl::record_count.eq(l.count),
                    fl::content.eq(l.content.clone()),
                    fl::note.eq(notes
                        .get(&(l.member_id.clone(), l.item_code.clone()))
                        .cloned()),
                )
            })
            .collect();
        crate::insert_rows!(tx.conn(), fl::table, rows)?;
    }
    Ok(())
}

/// Whether the stored lines still match what the records make now (member, item, count).
pub fn up_to_date(stored: &[LineRow], now: &[Line]) -> bool {
    let mut a: Vec<(&str, &str, i32)> = stored
        .iter()
        .map(|l| (l.member_id.as_str(), l.item_code.as_str(), l.record_count))
        .collect();
    let mut b: Vec<(&str, &str, i32)> = now
        .iter()
        .map(|l| (l.member_id.as_str(), l.item_code.as_str(), l.count))
        .collect();
    a.sort_unstable();
    b.sort_unstable();
    a == b
}

/// Sets one line's note; 422 naming the line when the filing has no such line.
pub fn set_note(
    tx: &mut TenantTx<'_>,
    filing_id: &str,
    member_id: &str,
    item_code: &str,
    note: Option<&str>,
    field: &str,
) -> DbResult<()> {
    let tid = tx.tid().to_owned();
    let n = diesel::update(
        fl::table.filter(
            fl::tenant_id
                .eq(&tid)
                .and(fl::filing_id.eq(filing_id))
                .and(fl::member_id.eq(member_id))
                .and(fl::item_code.eq(item_code)),
        ),
    )
    .set(fl::note.eq(note))
    .execute(tx.conn())?;
    if n == 0 {
        return Err(AppError::field(
            field,
            "line_not_found",
            format!("{field}：报送件中没有该党员的该项记实"),
            format!("{field}: the filing has no line for this member and item"),
        )
        .into());
    }
    Ok(())
}

/// Writes the mutable fields of `next` if the filing is still at `expected`; bumps its
/// version.
pub fn save(tx: &mut TenantTx<'_>, next: &FilingRow, expected: i64) -> DbResult<FilingRow> {
    let tid = tx.tid().to_owned();
    let n = diesel::update(
        f::table.filter(
            f::tenant_id
                .eq(&tid)
                .and(f::id.eq(&next.id))
                .and(f::version.eq(expected)),
        ),
    )
    .set((
        f::state.eq(&next.state),
        f::summary.eq(&next.summary),
        f::first_submitted_on.eq(next.first_submitted_on),
        f::submitted_on.eq(next.submitted_on),
        f::submitted_by.eq(&next.submitted_by),
        f::reviewed_on.eq(next.reviewed_on),
        f::reviewed_by.eq(&next.reviewed_by),
        f::return_reason.eq(&next.return_reason),
        f::version.eq(expected + 1),
        f::updated_at.eq(Utc::now().naive_utc()),
    ))
    .execute(tx.conn())?;
    if n == 0 {
        return Err(AppError::precondition_failed().into());
    }
    get(tx, &next.id)?.ok_or_else(|| AppError::not_found().into())
}

pub fn event(
    tx: &mut TenantTx<'_>,
    filing_id: &str,
    action: &str,
    on: NaiveDate,
    actor: &str,
    reason: Option<&str>,
) -> DbResult<()> {
    let tid = tx.tid().to_owned();
    diesel::insert_into(fe::table)
        .values((
            fe::tenant_id.eq(&tid),
            fe::id.eq(uuid::Uuid::now_v7().to_string()),
            fe::filing_id.eq(filing_id),
            fe::action.eq(action),
            fe::happened_on.eq(on),
            fe::actor_id.eq(actor),
            fe::reason.eq(reason),
            fe::at.eq(Utc::now().naive_utc()),
        ))
        .execute(tx.conn())?;
    Ok(())
}

pub fn events(tx: &mut TenantTx<'_>, filing_id: &str) -> DbResult<Vec<EventRow>> {
    let tid = tx.tid().to_owned();
    Ok(fe::table
        .filter(fe::tenant_id.eq(&tid).and(fe::filing_id.eq(filing_id)))
        .order(fe::id.asc())
        .select(EventRow::as_select())
        .load(tx.conn())?)
}

/// Filters of a filing list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Only these units (`None`: any).
    pub unit_ids: Option<Vec<String>>,
    pub unit_kinds: Option<Vec<&'static str>>,
    pub period: Option<String>,
    pub state: Option<FilingState>,
}

pub fn list(tx: &mut TenantTx<'_>, flt: &Filter, page: &PageRequest) -> DbResult<Vec<FilingRow>> {
    let tid = tx.tid().to_owned();
    let mut q = f::table
        .filter(f::tenant_id.eq(&tid))
        .select(FilingRow::as_select())
        .into_boxed();
    if let Some(ids) = &flt.unit_ids {
        q = q.filter(f::unit_id.eq_any(ids.clone()));
    }
    if let Some(k) = &flt.unit_kinds {
        q = q.filter(f::unit_kind.eq_any(k.clone()));
    }
    if let Some(p) = &flt.period {
        q = q.filter(f::period.eq(p.clone()));
    }
    if let Some(s) = flt.state {
        q = q.filter(f::state.eq(s.as_str()));
    }
    if let Some(after) = &page.after {
        q = q.filter(f::id.gt(after.clone()));
    }
    Ok(q.order(f::id.asc()).limit(page.fetch()).load(tx.conn())?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(member: &str, code: &str, version: i32, day: u32, content: &str) -> RecordRow {
        let now = Utc::now().naive_utc();
        RecordRow {
            tenant_id: "t".into(),
            id: format!("{member}{code}{day}"),
            member_id: member.into(),
            item_code: code.into(),
            item_version: version,
            category: "village".into(),
            recorded_on: NaiveDate::from_ymd_opt(2026, 7, day).unwrap(),
            content: content.into(),
            score: None,
            recording_unit_id: "u".into(),
            recorded_by: "x".into(),
            version: 1,
            created_at: now,
            updated_at: now,
        }
    }

    #[test]
    fn lines_count_per_member_and_item_under_the_newest_name() {
        let names = HashMap::from([
            (("V01".to_owned(), 1), "参加组织生活".to_owned()),
            (("V01".to_owned(), 2), "组织生活".to_owned()),
            (("V03".to_owned(), 1), "志愿服务".to_owned()),
        ]);
        let rows = vec![
            rec("m1", "V01", 1, 3, "主题党日"),
            rec("m2", "V03", 1, 4, "清扫街道"),
            rec("m1", "V01", 2, 9, "支部大会"),
        ];
        let lines = summarise(&rows, &names);
        assert_eq!(lines.len(), 2);
        assert_eq!(
            (lines[0].member_id.as_str(), lines[0].count),
            ("m1", 2),
            "first seen first"
        );
        assert_eq!(lines[0].item_name, "组织生活");
        assert_eq!(lines[0].content, "07-03 主题党日；07-09 支部大会");
        assert_eq!(
            (lines[1].item_name.as_str(), lines[1].count),
            ("志愿服务", 1)
        );
        let long = vec![rec("m1", "V01", 1, 1, &"长".repeat(600))];
        assert_eq!(
            summarise(&long, &names)[0].content.chars().count(),
            LINE_CONTENT_MAX
        );
    }
}
