//! 党员登记报到流程 (seed 002 附件3 一, issue 15 item 1): registration at a service centre's
//! window. The survey (专项调查表) holds the register's fields; the staff confirm membership by
//! telephone with the home organisation, record the signed pledge (争先创优承诺书), issue the
//! plaque (亮明身份牌匾) and the member service handbook (党员服务手册), and enter the member in
//! the register from the survey, once. A registration whose home organisation does not confirm,
//! or that sits for ten days, is listed as stalled.

pub mod api;
pub mod demo;
pub mod model;
pub mod repo;

use crate::db::{DbResult, TenantTx};
use crate::timeline::entry::TimelineEntry;

/// The registration that entered the member, step by step, on their time line.
pub fn timeline(tx: &mut TenantTx<'_>, member_id: &str) -> DbResult<Vec<TimelineEntry>> {
    let Some(r) = repo::of_member(tx, member_id)? else {
        return Ok(Vec::new());
    };
    let steps = [
        (
            Some(r.surveyed_on),
            "surveyed",
            "到服务中心登记报到，填写专项调查表",
            None,
        ),
        (r.confirmed_on, "confirmed", "经电话确认党员身份", None),
        (
            r.pledged_on,
            "pledged",
            "签订争先创优承诺书",
            r.pledge_reference.clone(),
        ),
        (
            r.issued_on,
            "issued",
            "发放亮明身份牌匾和党员服务手册",
            r.plaque_no
                .as_ref()
                .map(|p| format!("牌匾{p}，手册{}", r.handbook_no.clone().unwrap_or_default())),
        ),
        (r.entered_on, "entered", "录入党员名册", None),
    ];
    Ok(steps
        .into_iter()
        .filter_map(|(on, kind, title, detail)| {
            on.map(|on| TimelineEntry {
                on,
                source: "registration".to_owned(),
                kind: kind.to_owned(),
                title: title.to_owned(),
                detail,
                org_unit_id: Some(r.centre_id.clone()),
                ref_id: r.id.clone(),
            })
        })
        .collect())
}
