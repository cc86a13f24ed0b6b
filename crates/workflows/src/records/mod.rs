//! 日常表现记实 Performance records (seed 000, 主要任务 2): a county's catalogue of items in
//! four categories, each written only by its recorder (AIC office: business performance;
//! association branch: association activities; village: village activities and residence
//! conduct), for the members of the recorder's unit, and shown on the member's time line.
//! A quarter's records close for their unit once its quarterly filing is submitted
//! (`workflows::filing`).

pub mod api;
pub mod catalogue;
pub mod demo;
pub mod model;
pub mod repo;
pub mod scope;
mod tags;

use crate::db::{DbResult, TenantTx};
use crate::timeline::entry::TimelineEntry;

/// A member's records on their profile time line, oldest first; each shows the item's name
/// as of the catalogue version it was written against.
pub fn timeline(tx: &mut TenantTx<'_>, member_id: &str) -> DbResult<Vec<TimelineEntry>> {
    let rows = repo::of_member(tx, member_id)?;
    let wanted: Vec<(String, i32)> = rows
        .iter()
        .map(|r| (r.item_code.clone(), r.item_version))
        .collect();
    let names = repo::version_names(tx, &wanted)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let name = names
                .get(&(r.item_code.clone(), r.item_version))
                .cloned()
                .unwrap_or_else(|| r.item_code.clone());
            TimelineEntry {
                on: r.recorded_on,
                source: "record".to_owned(),
                kind: r.item_code.clone(),
                title: format!("{}：{}", r.category().label_zh(), name),
                detail: Some(match r.score {
                    Some(s) => format!("{}（{s}分）", r.content),
                    None => r.content.clone(),
                }),
                org_unit_id: Some(r.recording_unit_id.clone()),
                ref_id: r.id,
            }
        })
        .collect())
}
