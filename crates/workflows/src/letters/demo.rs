//! Demo letters: at every service centre with staff, last year's batch sent on 28 December with
//! most receipts back and the rest chased, and this year's batch generated as a draft (sent by
//! 30 December). Written through the same composition and storage as the API.

use chrono::{Datelike, NaiveDate};
use diesel::prelude::*;

use super::repo;
use crate::db::schema::users as u;
use crate::db::{DbResult, TenantTx};
use crate::rng::Rng;

pub fn fill(tx: &mut TenantTx<'_>, seed: u64) -> DbResult<usize> {
    let mut rng = Rng::new(seed);
    let tid = tx.tid().to_owned();
    let today = crate::clock::today();
    let mut centres = crate::centres::repo::centres(tx)?;
    centres.sort_by(|a, b| a.id.cmp(&b.id));
    let mut n = 0;
    for centre in centres {
        let staff: Option<String> = u::table
            .filter(u::tenant_id.eq(&tid).and(u::org_unit_id.eq(&centre.id)))
            .filter(u::role.eq("branch_staff").and(u::status.eq("active")))
            .order(u::id.asc())
            .select(u::id)
            .first(tx.conn())
            .optional()?;
        let Some(staff) = staff else { continue };
        let last = today.year() - 1;
        let sent_on = NaiveDate::from_ymd_opt(last, 12, 28).unwrap_or(today);
        let letters = repo::compose(tx, &centre, last)?;
        let batch = repo::store(tx, None, &centre.id, last, &letters, &staff, sent_on)?;
        let batch = repo::mark_sent(tx, &batch, sent_on, "post", &staff)?;
        let lines = repo::letters_in(tx, &batch.id, 1, letters.len())?;
        for (l, _, _) in &lines {
            if rng.below(5) > 0 {
                let back = sent_on + chrono::Days::new(5 + rng.below(20) as u64);
                repo::record_receipt(tx, &l.id, back, Some("支部书记"), None)?;
            } else {
                let chased = sent_on + chrono::Days::new(30);
                repo::record_chase(tx, &l.id, chased.min(today))?;
            }
        }
        let this = repo::compose(tx, &centre, today.year())?;
        repo::store(tx, None, &centre.id, today.year(), &this, &staff, today)?;
        n += 2;
    }
    Ok(n)
}
