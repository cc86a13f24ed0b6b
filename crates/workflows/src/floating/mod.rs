//! 流动党员管理双向互动反馈机制 (seed 001, issue 5 item 5): a floating member of the register is
//! registered by the branch (流动党员登记), confirmed by the home branch's stamped proof
//! (党员身份确认), their organisational life, training and activities are recorded
//! (参加组织活动备案), and each year the branch secretary's evaluation goes to the home branch
//! with the 《个体工商户和商品交易市场流动党员双重管理反馈表》 and the 《函》; the receipt
//! (回执) is chased until it comes back and the case is filed (党员情况反馈). The year's
//! feedback is due by the end of November (`floating_feedback` in the deadline engine).

pub mod api;
pub mod demo;
pub mod documents;
pub mod model;
pub mod repo;
pub mod steps;
pub mod view;

use chrono::NaiveDate;

use crate::db::{DbResult, TenantTx};
use crate::enums::StrEnum;
use crate::timeline::entry::TimelineEntry;
use model::{ActivityKind, CaseState};

/// What the floating-member workflow puts on a member's time line: registration, identity
/// confirmation, each recorded activity, the evaluation, sending, the receipt and filing.
pub fn timeline(tx: &mut TenantTx<'_>, member_id: &str) -> DbResult<Vec<TimelineEntry>> {
    let mut out = Vec::new();
    for case in repo::of_member(tx, member_id)? {
        let entry =
            |on: NaiveDate, kind: &str, title: String, detail: Option<String>| TimelineEntry {
                on,
                source: "floating".to_owned(),
                kind: kind.to_owned(),
                title,
                detail,
                org_unit_id: Some(case.branch_id.clone()),
                ref_id: case.id.clone(),
            };
        let y = case.year;
        out.push(entry(
            case.registered_on,
            "registered",
            format!("流动党员登记（{y}年度）"),
            Some(format!("联系单位：{}", case.home_contact_unit)),
        ));
        // A confirmation carried over from an earlier year is on that year's line already.
        if let Some(on) = case.confirmed_on.filter(|c| *c >= case.registered_on) {
            out.push(entry(
                on,
                "confirmed",
                "组织关系所在地党支部确认党员身份".to_owned(),
                case.proof_reference.clone(),
            ));
        }
        for a in repo::activities(tx, &case.id, None)? {
            let label = ActivityKind::parse(&a.kind).map_or("组织活动", |k| k.label_zh());
            out.push(TimelineEntry {
                kind: format!("activity.{}", a.kind),
                ref_id: a.id.clone(),
                ..entry(
                    a.held_on,
                    "",
                    format!("参加{label}"),
                    Some(a.content.clone()),
                )
            });
        }
        if let Some(on) = case.evaluated_on {
            out.push(entry(
                on,
                "evaluated",
                format!("支部书记评语（{y}年度）"),
                case.evaluation.clone(),
            ));
        }
        if let Some(on) = case.sent_on {
            out.push(entry(
                on,
                "sent",
                "双重管理反馈表和函寄发组织关系所在地党支部".to_owned(),
                None,
            ));
        }
        if let Some(on) = case.received_on {
            out.push(entry(
                on,
                "receipt_returned",
                "收回回执".to_owned(),
                case.received_by.as_ref().map(|b| format!("签收人：{b}")),
            ));
        }
        if let Some(on) = case
            .archived_on
            .filter(|_| case.state == CaseState::Archived.as_str())
        {
            out.push(entry(on, "archived", "反馈材料归档".to_owned(), None));
        }
    }
    out.sort_by_key(|e| e.on);
    Ok(out)
}
