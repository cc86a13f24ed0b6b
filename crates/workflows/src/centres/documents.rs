//! The printable 《个体工商户（市场经营户）党员服务受（办）理表》 (seed 002 附件3 二、2 and 7): one
//! request as recorded, for the file. Built from the request and its steps only; no ID number or
//! phone number is printed.

use chrono::{Datelike, NaiveDate};

use super::model;
use super::view::ServiceRequestView;
use crate::documents::{Block, Document};

pub const FORM_TITLE: &str = "个体工商户（市场经营户）党员服务受（办）理表";

fn ymd(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

fn opt_ymd(d: Option<NaiveDate>) -> String {
    d.map(ymd).unwrap_or_default()
}

/// A short reference, so a filed paper form finds its record.
pub fn reference(r: &ServiceRequestView) -> String {
    let tail: String = r.id.chars().filter(|c| c.is_ascii_hexdigit()).collect();
    let tail = &tail[tail.len().saturating_sub(8)..];
    format!("诉求〔{}〕{}号", r.received_on.year(), tail.to_uppercase())
}

/// The 受(办)理表 of one request, as it stands.
pub fn form(r: &ServiceRequestView, printed_by: &str, today: NaiveDate) -> Document {
    let step_rows = r
        .steps
        .iter()
        .map(|s| {
            vec![
                ymd(s.on),
                model::step_label_zh(&s.kind).to_owned(),
                s.by_name.clone(),
                s.detail.clone().unwrap_or_default(),
            ]
        })
        .collect();
    let limit = match (r.escalated_on, r.due_on) {
        (Some(_), Some(due)) if r.extensions > 0 => {
            format!(
                "转办后七个工作日内答复；经延长{}次，至{}",
                r.extensions,
                ymd(due)
            )
        }
        (Some(_), Some(due)) => format!("转办后七个工作日内答复，至{}", ymd(due)),
        _ => "即时答复".to_owned(),
    };
    let follow_up = match (r.follow_up_method, r.followed_up_on) {
        (Some(m), Some(on)) => format!(
            "{}（{}）；{}",
            m.label_zh(),
            ymd(on),
            r.satisfaction.map(|s| s.label_zh()).unwrap_or_default()
        ),
        _ if r.major => "重大服务事项，待回访".to_owned(),
        _ => String::new(),
    };
    Document {
        title: FORM_TITLE.to_owned(),
        subtitle: None,
        meta: vec![
            ("编号".to_owned(), reference(r)),
            ("受理单位".to_owned(), r.centre_name.clone()),
        ],
        blocks: vec![
            Block::Fields(vec![
                ("党员姓名".to_owned(), r.member_name.clone()),
                ("受理日期".to_owned(), ymd(r.received_on)),
                ("受理方式".to_owned(), r.channel.label_zh().to_owned()),
                ("诉求类别".to_owned(), r.category.label_zh().to_owned()),
                (
                    "重大服务事项".to_owned(),
                    if r.major { "是" } else { "否" }.to_owned(),
                ),
                ("首问责任人".to_owned(), r.first_responder_name.clone()),
                ("现负责人".to_owned(), r.owner_name.clone()),
                ("办理时限".to_owned(), limit),
                (
                    "答复方式及日期".to_owned(),
                    match (r.answer_method, r.answered_on) {
                        (Some(m), Some(on)) => format!("{}（{}）", m.label_zh(), ymd(on)),
                        _ => String::new(),
                    },
                ),
                ("回访情况".to_owned(), follow_up),
                ("办理状态".to_owned(), r.state_label.clone()),
            ]),
            Block::Text {
                heading: Some("诉求具体内容".to_owned()),
                text: r.content.clone(),
            },
            Block::Text {
                heading: Some("办理结果".to_owned()),
                text: r.answer.clone().unwrap_or_default(),
            },
            Block::Text {
                heading: Some("党员意见".to_owned()),
                text: r.follow_up_opinion.clone().unwrap_or_default(),
            },
            Block::Table {
                caption: Some("办理经过".to_owned()),
                headers: vec![
                    "日期".to_owned(),
                    "环节".to_owned(),
                    "经办人".to_owned(),
                    "说明".to_owned(),
                ],
                rows: step_rows,
            },
        ],
        signatures: vec![
            format!("首问责任人（签名）：{}", r.first_responder_name),
            "中心主任（签名）：".to_owned(),
            format!("归档日期：{}", opt_ymd(r.archived_on)),
        ],
        stamp: format!(
            "双联平台根据受理记录生成 · {printed_by} · {} · 编号 {}",
            ymd(today),
            reference(r)
        ),
    }
}
