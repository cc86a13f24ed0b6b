//! The two printable 反馈表 of seed 000 (附件4 and 附件5), generated from the batch ("enter
//! once"): the branch's feedback on business-place conduct, reviewed by the association
//! committee, and the village's on residence conduct, reviewed by the township committee.

use chrono::Utc;

use super::model::Direction;
use super::view::BatchView;
use crate::documents::{Block, Document};

/// `安吉县党员个体工商户和商品交易市场党员经营户情况反馈表`, with the county's own name.
pub fn title(county: &str) -> String {
    format!("{county}党员个体工商户和商品交易市场党员经营户情况反馈表")
}

pub fn build(county: &str, b: &BatchView, by: &str) -> Document {
    let conduct = b.direction.conduct_zh();
    let (from_label, to_label) = match b.direction {
        Direction::BranchToVillage => (
            "反馈单位（县个民协会分会支部）",
            "接收单位（村〔社区〕党组织）",
        ),
        Direction::VillageToBranch => (
            "反馈单位（村〔社区〕党组织）",
            "接收单位（县个民协会分会支部）",
        ),
    };
    let rows = b
        .items
        .iter()
        .enumerate()
        .map(|(i, it)| {
            vec![
                (i + 1).to_string(),
                it.member_name.clone(),
                it.business_name.clone(),
                it.membership_org_name.clone(),
                it.text.clone(),
            ]
        })
        .collect();
    Document {
        title: title(county),
        subtitle: Some(b.direction.form_subtitle().to_owned()),
        meta: vec![
            ("反馈期间".to_owned(), b.period_label.clone()),
            ("截止日期".to_owned(), b.due_on.to_string()),
        ],
        blocks: vec![
            Block::Fields(vec![
                (from_label.to_owned(), b.sender_name.clone()),
                (to_label.to_owned(), b.receiver_name.clone()),
                ("审核党委".to_owned(), b.reviewer_name.clone()),
                (
                    "审核日期".to_owned(),
                    b.reviewed_on
                        .map(|d| d.to_string())
                        .unwrap_or_else(|| "未审核".to_owned()),
                ),
                (
                    "发送日期".to_owned(),
                    b.sent_on
                        .map(|d| d.to_string())
                        .unwrap_or_else(|| "未发送".to_owned()),
                ),
            ]),
            Block::Table {
                caption: Some(format!("党员{conduct}情况")),
                headers: vec![
                    "序号".to_owned(),
                    "姓名".to_owned(),
                    "经营户名称".to_owned(),
                    "组织关系所在党组织".to_owned(),
                    conduct.to_owned(),
                ],
                rows,
            },
        ],
        signatures: vec![
            "填表人：".to_owned(),
            "审核人：".to_owned(),
            format!("{}（盖章）", b.reviewer_name),
            "年　月　日".to_owned(),
        ],
        stamp: format!(
            "双联平台生成：{by} {}",
            crate::clock::beijing_minute(Utc::now())
        ),
    }
}
