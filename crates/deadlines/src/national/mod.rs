//! The national working-day calendar the platform operator loads each November from the State
//! Council's notice for the next year (issue 17 item 7). A loaded year supersedes the entries of
//! that year shipped in [`crate::calendar`]; each county's own overrides (`calendar_days`) stay
//! on top. [`crate::repo::calendar`] reads the three layers, for every path that counts working
//! days.

pub mod api;
pub mod file;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::calendar::{DayKind, NationalYear};
use crate::db::schema::{national_calendar_days as nd, national_calendar_years as ny};
use crate::db::{AnyConnection, DbResult};
use crate::enums::StrEnum;
use file::SpanKind;

/// A loaded year's record.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = ny)]
pub struct YearRow {
    pub year: i32,
    pub version: i64,
    pub source: String,
    pub loaded_by: String,
    pub loaded_at: NaiveDateTime,
}

impl From<SpanKind> for DayKind {
    fn from(k: SpanKind) -> Self {
        match k {
            SpanKind::Holiday => DayKind::Holiday,
            SpanKind::Workday => DayKind::Workday,
        }
    }
}

/// Every loaded year with its days, for [`crate::calendar::Calendar::layered`].
pub fn loaded(conn: &mut AnyConnection) -> DbResult<Vec<NationalYear>> {
    let years: Vec<i32> = ny::table
        .select(ny::year)
        .order(ny::year.asc())
        .load(conn)?;
    let days: Vec<(i32, NaiveDate, String, String)> = nd::table
        .select((nd::year, nd::day, nd::kind, nd::name))
        .order(nd::day.asc())
        .load(conn)?;
    Ok(years
        .into_iter()
        .map(|year| NationalYear {
            year,
            days: days
                .iter()
                .filter(|d| d.0 == year)
                .filter_map(|(_, day, kind, name)| {
                    Some((*day, DayKind::parse(kind)?, name.clone()))
                })
                .collect(),
        })
        .collect())
}

pub fn years(conn: &mut AnyConnection) -> DbResult<Vec<YearRow>> {
    Ok(ny::table
        .select(YearRow::as_select())
        .order(ny::year.asc())
        .load(conn)?)
}

pub fn year(conn: &mut AnyConnection, year: i32) -> DbResult<Option<YearRow>> {
    Ok(ny::table
        .filter(ny::year.eq(year))
        .select(YearRow::as_select())
        .first(conn)
        .optional()?)
}

/// Replaces a year's days (the caller has checked the version); returns the new record.
pub fn replace(
    conn: &mut AnyConnection,
    year_: i32,
    source: &str,
    by: &str,
    days: &[(NaiveDate, SpanKind, String)],
) -> DbResult<YearRow> {
    let now = chrono::Utc::now().naive_utc();
    let cur = year(conn, year_)?;
    diesel::delete(nd::table.filter(nd::year.eq(year_))).execute(conn)?;
    match &cur {
        Some(c) => {
            diesel::update(ny::table.filter(ny::year.eq(year_)))
                .set((
                    ny::version.eq(c.version + 1),
                    ny::source.eq(source),
                    ny::loaded_by.eq(by),
                    ny::loaded_at.eq(now),
                ))
                .execute(conn)?;
        }
        None => {
            diesel::insert_into(ny::table)
                .values((
                    ny::year.eq(year_),
                    ny::version.eq(1i64),
                    ny::source.eq(source),
                    ny::loaded_by.eq(by),
                    ny::loaded_at.eq(now),
                ))
                .execute(conn)?;
        }
    }
    let rows: Vec<_> = days
        .iter()
        .map(|(d, k, n)| {
            (
                nd::year.eq(year_),
                nd::day.eq(*d),
                nd::kind.eq(DayKind::from(*k).as_str()),
                nd::name.eq(n.as_str()),
            )
        })
        .collect();
    for chunk in rows.chunks(200) {
        crate::insert_rows!(&mut *conn, nd::table, chunk)?;
    }
    year(conn, year_)?.ok_or_else(|| {
        crate::error::AppError::internal(std::io::Error::other("loaded year vanished")).into()
    })
}
