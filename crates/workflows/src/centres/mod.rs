//! 区域性党员服务中心 (seed 002, issue 15): the regional party-member service centres. So far
//! the members' requests (党员诉求, the 受(办)理表): taken on site or by phone by the staff
//! member who becomes their first responder (首问责任制), answered at once or escalated to the
//! centre director and answered within 7 working days on the county's calendar (限时办结制,
//! extensions with a reason), followed up when major (办理回访制), archived. Escalation opens the
//! `service_request` obligation in the deadline engine and the answer closes it.

pub mod api;
pub mod demo;
pub mod documents;
pub mod model;
pub mod repo;
pub mod report;
pub mod steps;
pub mod view;

use crate::db::{DbResult, TenantTx};
use crate::enums::StrEnum;
use crate::timeline::entry::TimelineEntry;
use model::RequestCategory;

/// Every step of the member's requests on their time line. The request's content stays on the
/// request: the line names the category and the step.
pub fn timeline(tx: &mut TenantTx<'_>, member_id: &str) -> DbResult<Vec<TimelineEntry>> {
    let requests = repo::of_member(tx, member_id)?;
    let ids: Vec<String> = requests.iter().map(|r| r.id.clone()).collect();
    let events = repo::events(tx, &ids)?;
    let mut out = Vec::with_capacity(events.len());
    for e in events {
        let Some(r) = requests.iter().find(|r| r.id == e.request_id) else {
            continue;
        };
        let category = RequestCategory::parse(&r.category).map_or("其他", |c| c.label_zh());
        let step = model::step_label_zh(&e.kind);
        out.push(TimelineEntry {
            on: e.on_day,
            source: "service_request".to_owned(),
            kind: e.kind.clone(),
            title: format!("党员诉求{step}（{category}）"),
            detail: e.detail.clone(),
            org_unit_id: Some(r.centre_id.clone()),
            ref_id: e.id.clone(),
        });
    }
    Ok(out)
}
