//! 定期双向反馈 semi-annual two-way feedback (seed 000 任务4, issue 5 item 4): by 15 July and
//! 15 January the branch sends feedback on each member's business-place conduct to the village
//! holding the membership, and the village on residence conduct to the branch, each reviewed
//! by its upper committee first; the receiver acknowledges. The two printable 反馈表 are
//! generated from the batch. The sender's `semiannual_feedback` obligation for the half is met
//! when its last batch of the half is sent.

pub mod api;
pub mod demo;
pub mod document;
pub mod model;
pub mod repo;
pub mod service;
pub mod view;

use crate::db::{DbResult, TenantTx};
use crate::deadlines::Period;
use crate::enums::StrEnum;
use crate::timeline::entry::TimelineEntry;

/// Feedback received about a member, on the day it was sent.
pub fn timeline(tx: &mut TenantTx<'_>, member_id: &str) -> DbResult<Vec<TimelineEntry>> {
    let got = repo::received_about(tx, member_id)?;
    let mut ids: Vec<String> = got.iter().map(|(_, b)| b.sender_id.clone()).collect();
    ids.sort();
    ids.dedup();
    let names = crate::reporting::repo::unit_names(tx, &ids)?;
    Ok(got
        .into_iter()
        .filter_map(|(i, b)| {
            let d = b.direction();
            let half = model::half_label(Period::parse(&b.period)?);
            Some(TimelineEntry {
                on: b.sent_on?,
                source: "feedback".to_owned(),
                kind: d.as_str().to_owned(),
                title: format!(
                    "{half}{}反馈（{}）",
                    d.conduct_zh(),
                    names.get(&b.sender_id).cloned().unwrap_or_default()
                ),
                detail: Some(i.text),
                org_unit_id: Some(b.sender_id.clone()),
                ref_id: b.id,
            })
        })
        .collect())
}
