//! 双向报到 two-way reporting (seed 000 任务1, issue 5 item 1): the branch issues a numbered
//! service handbook (《个体经营户党员服务手册》) and activity card (《活动证》) to a member held
//! by a village of the county; within 15 days the member reports to that village, then to the
//! branch, and each confirms in its activity ledger (活动台账). Re-issue of a lost handbook and
//! cancellation keep their reasons. The deadline engine holds one `two_way_reporting`
//! obligation per reporting (subject: the reporting id; owner: the issuing branch).

pub mod api;
pub mod demo;
pub mod model;
pub mod repo;
pub mod service;

use crate::db::{DbResult, TenantTx};
use crate::timeline::entry::TimelineEntry;

/// What two-way reporting puts on a member's time line: each handbook issued, re-issued or
/// cancelled, and each report confirmed (from the ledgers, where each report is recorded once
/// even when a re-issued handbook carries it over).
pub fn timeline(tx: &mut TenantTx<'_>, member_id: &str) -> DbResult<Vec<TimelineEntry>> {
    let rows = repo::of_member(tx, member_id)?;
    let ledger = repo::ledger_of_member(tx, member_id)?;
    let mut ids: Vec<String> = rows
        .iter()
        .flat_map(|r| [r.branch_id.clone(), r.village_id.clone()])
        .chain(ledger.iter().map(|l| l.org_unit_id.clone()))
        .collect();
    ids.sort();
    ids.dedup();
    let names = repo::unit_names(tx, &ids)?;
    let name = |id: &str| names.get(id).cloned().unwrap_or_default();
    let entry = |on, kind: &str, title: String, detail: Option<String>, unit: &str, id: &str| {
        TimelineEntry {
            on,
            source: "reporting".to_owned(),
            kind: kind.to_owned(),
            title,
            detail,
            org_unit_id: Some(unit.to_owned()),
            ref_id: id.to_owned(),
        }
    };
    let mut out = vec![];
    for r in &rows {
        let verb = if r.replaces_id.is_some() {
            "补发"
        } else {
            "发放"
        };
        out.push(entry(
            r.issued_on,
            "issued",
            format!("{verb}服务手册 {}（活动证 {}）", r.handbook_no, r.card_no),
            Some(format!(
                "{}{verb}，{} 前完成双向报到",
                name(&r.branch_id),
                r.due_on
            )),
            &r.branch_id,
            &r.id,
        ));
        let (kind, word) = match r.state() {
            model::HandbookState::Reissued => ("reissued", "遗失补发，原手册停用"),
            model::HandbookState::Cancelled => ("cancelled", "作废"),
            _ => continue,
        };
        out.push(entry(
            r.closed_on.unwrap_or(r.issued_on),
            kind,
            format!("服务手册 {} {word}", r.handbook_no),
            r.close_reason.clone(),
            &r.branch_id,
            &r.id,
        ));
    }
    for l in &ledger {
        let village = rows.iter().any(|r| r.village_id == l.org_unit_id);
        let (kind, title) = if village {
            (
                "reported_to_village",
                format!("向{}报到", name(&l.org_unit_id)),
            )
        } else {
            (
                "reported_to_branch",
                format!("向{}报到，双向报到完成", name(&l.org_unit_id)),
            )
        };
        out.push(entry(
            l.happened_on,
            kind,
            title,
            l.note.clone(),
            &l.org_unit_id,
            l.handbook_id.as_deref().unwrap_or(&l.id),
        ));
    }
    out.sort_by_key(|e| e.on);
    Ok(out)
}
