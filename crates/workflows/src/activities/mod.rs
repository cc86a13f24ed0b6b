//! 党员参加活动流程 (seed 002 附件3 三, issue 15 item 3): a service centre's activities. The
//! centre director drafts a plan (theme, kind, day and place, and the audience chosen from the
//! register by org unit, grid, category or market), the association committee approves it or
//! returns it with a reason, the centre's staff notify the audience (SMS through the
//! notification worker to the members who agreed to it), and attendance is recorded: present,
//! absent or excused. Attendance is on the member's time line and in their yearly
//! participation record; trainings are marked so the evaluations count them.

pub mod api;
pub mod attendance;
pub mod demo;
pub mod model;
pub mod repo;
pub mod steps;
pub mod view;

use crate::db::{DbResult, TenantTx};
use crate::enums::StrEnum;
use crate::timeline::entry::TimelineEntry;
use model::{AttendanceStatus, CentreActivityKind};

/// The member's activities on their time line: the notice (invited), and the attendance once
/// recorded. The activity's theme names it; nothing of other members.
pub fn timeline(tx: &mut TenantTx<'_>, member_id: &str) -> DbResult<Vec<TimelineEntry>> {
    let mut out = Vec::new();
    for (a, status, recorded) in repo::all_of_member(tx, member_id)? {
        let kind = CentreActivityKind::parse(&a.kind).map_or("活动", |k| k.label_zh());
        if let Some(on) = a.notified_on {
            out.push(TimelineEntry {
                on,
                source: "activity".to_owned(),
                kind: "invited".to_owned(),
                title: format!("收到{kind}通知：{}", a.theme),
                detail: Some(format!("{}，{}", a.held_on, a.place)),
                org_unit_id: Some(a.centre_id.clone()),
                ref_id: a.id.clone(),
            });
        }
        let status = AttendanceStatus::parse(&status).unwrap_or(AttendanceStatus::Invited);
        if status != AttendanceStatus::Invited && recorded.is_some() {
            out.push(TimelineEntry {
                on: a.held_on,
                source: "activity".to_owned(),
                kind: status.as_str().to_owned(),
                title: format!("{kind}（{}）：{}", status.label_zh(), a.theme),
                detail: Some(a.place.clone()),
                org_unit_id: Some(a.centre_id.clone()),
                ref_id: a.id.clone(),
            });
        }
    }
    Ok(out)
}
