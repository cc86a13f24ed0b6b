//! 函告 (seed 002 附件3 三 4, issue 15 item 4): "每年12月30日前，服务中心应将当年区域内个体
//! 工商户和市场经营户党员参加活动、依法经营、信用记录等情况函告其组织关系所在地党委或支部".
//! A centre generates the year's batch from what is recorded (attendance at its activities,
//! the business status, the business-performance records and credit records), prints it, marks
//! it sent, which meets the `participation_letters` deadline, and tracks each receipt.

pub mod api;
pub mod demo;
pub mod documents;
pub mod model;
pub mod repo;

use crate::db::{DbResult, TenantTx};
use crate::timeline::entry::TimelineEntry;

/// The member's letters on their time line, once sent, and their receipts.
pub fn timeline(tx: &mut TenantTx<'_>, member_id: &str) -> DbResult<Vec<TimelineEntry>> {
    let mut out = Vec::new();
    for (l, b) in repo::of_member(tx, member_id)? {
        let Some(sent) = b.sent_on else { continue };
        out.push(TimelineEntry {
            on: sent,
            source: "letter".to_owned(),
            kind: "sent".to_owned(),
            title: format!("{}年度情况函告{}", b.year, l.recipient),
            detail: Some(format!("编号{}", model::letter_no(b.year, l.seq))),
            org_unit_id: Some(b.centre_id.clone()),
            ref_id: l.id.clone(),
        });
        if let Some(on) = l.received_on {
            out.push(TimelineEntry {
                on,
                source: "letter".to_owned(),
                kind: "receipt".to_owned(),
                title: format!("{}年度情况函告回执收回", b.year),
                detail: None,
                org_unit_id: Some(b.centre_id),
                ref_id: l.id,
            });
        }
    }
    Ok(out)
}
