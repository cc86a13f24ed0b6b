//! Demo statistics: the two half-years before today, computed from the generated records,
//! reviewed and frozen by the county admin; optionally leaving the latest one to the admin (the
//! README's tour freezes it).

use chrono::NaiveDate;

use crate::db::{DbResult, TenantTx};
use crate::deadlines::{self, ObligationKind};
use crate::error::AppError;
use crate::model::{HalfYear, SnapshotState};
use crate::{figures, repo};

pub fn fill(
    tx: &mut TenantTx<'_>,
    admin: &str,
    today: NaiveDate,
    leave_latest: bool,
) -> DbResult<()> {
    let latest = HalfYear::of(today).previous();
    let mut halves = vec![latest.previous()];
    if !leave_latest {
        halves.push(latest);
    }
    for half in halves {
        let f = figures::compute(tx, half)?;
        let json = serde_json::to_string(&f).map_err(AppError::internal)?;
        repo::insert(tx, half, 1, &json, None, admin)?;
        let mut row = repo::revisions(tx, half)?
            .into_iter()
            .next()
            .ok_or_else(AppError::not_found)?;
        repo::advance(tx, &row, row.version, SnapshotState::Reviewed, admin)?;
        row.version += 1;
        repo::advance(tx, &row, row.version, SnapshotState::Frozen, admin)?;
        for committee in crate::evaluations::vanguard::api::committees(tx)? {
            deadlines::close_on(
                tx,
                ObligationKind::StatisticsCutoff,
                &committee,
                half.period(),
                admin,
                today,
            )?;
        }
    }
    Ok(())
}
