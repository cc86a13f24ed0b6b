//! The printable filing: for a village the 季报表 of seed 000's attachment 3
//! (“安吉县党员个体工商户和商品交易市场党员经营户情况季报表（村［社区］党组织填写）”, with the
//! county's own name), for a party branch or an AIC office the equivalent sheet. Generated
//! from the filing, which is generated from the records (enter once).

use crate::documents::{Block, Document};
use crate::org::model::OrgKind;

use super::model::{FilingState, quarter_label};

/// What the form prints about one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrintLine {
    pub member_name: String,
    pub business_name: String,
    pub category_label: String,
    pub item_name: String,
    pub count: i32,
    pub content: String,
    pub note: String,
}

/// Everything the form needs, already looked up.
#[derive(Debug, Clone)]
pub struct Sheet {
    pub county_name: String,
    pub unit_name: String,
    pub unit_kind: OrgKind,
    pub upper_name: String,
    pub period: crate::deadlines::Period,
    pub state: FilingState,
    pub summary: String,
    pub due_on: chrono::NaiveDate,
    pub submitted_on: Option<chrono::NaiveDate>,
    pub days_late: Option<i64>,
    pub reviewed_on: Option<chrono::NaiveDate>,
    pub return_reason: Option<String>,
    pub lines: Vec<PrintLine>,
    pub generated_by: String,
    pub generated_at: String,
}

/// The form's title: the seed's wording with the county's name.
pub fn title(county_name: &str) -> String {
    format!("{county_name}党员个体工商户和商品交易市场党员经营户情况季报表")
}

/// Who fills the form in, printed under the title.
pub fn filled_by(kind: OrgKind) -> &'static str {
    match kind {
        OrgKind::Village => "（村［社区］党组织填写）",
        OrgKind::PartyBranch => "（县个民协会分会党支部填写）",
        _ => "（工商所［分局］填写）",
    }
}

pub const HEADERS: [&str; 8] = [
    "序号",
    "党员姓名",
    "经营单位名称",
    "记实类别",
    "记实项目",
    "次数",
    "主要情况",
    "备注",
];

pub fn build(s: &Sheet) -> Document {
    let rows: Vec<Vec<String>> = s
        .lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            vec![
                (i + 1).to_string(),
                l.member_name.clone(),
                l.business_name.clone(),
                l.category_label.clone(),
                l.item_name.clone(),
                l.count.to_string(),
                l.content.clone(),
                l.note.clone(),
            ]
        })
        .collect();
    let members = {
        let mut names: Vec<&str> = s.lines.iter().map(|l| l.member_name.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        names.len()
    };
    let records: i32 = s.lines.iter().map(|l| l.count).sum();
    let mut status = s.state.label_zh().to_owned();
    if let Some(d) = s.days_late {
        status.push_str(&format!("（逾期{d}天报送）"));
    }
    let mut blocks = vec![
        Block::Fields(vec![
            ("填报单位".to_owned(), s.unit_name.clone()),
            ("报送期间".to_owned(), quarter_label(s.period)),
            ("报送上级党委".to_owned(), s.upper_name.clone()),
            (
                "记实汇总".to_owned(),
                format!("涉及党员{members}名，记实{records}条"),
            ),
        ]),
        Block::Table {
            caption: Some("党员日常表现记实情况".to_owned()),
            headers: HEADERS.iter().map(|h| (*h).to_owned()).collect(),
            rows,
        },
        Block::Text {
            heading: Some("情况说明".to_owned()),
            text: if s.summary.trim().is_empty() {
                "（无）".to_owned()
            } else {
                s.summary.clone()
            },
        },
    ];
    if let (FilingState::Returned, Some(reason)) = (s.state, &s.return_reason) {
        blocks.push(Block::Fields(vec![("退回原因".to_owned(), reason.clone())]));
    }
    Document {
        title: title(&s.county_name),
        subtitle: Some(filled_by(s.unit_kind).to_owned()),
        meta: vec![
            ("填报单位（盖章）".to_owned(), s.unit_name.clone()),
            (
                "应报日期".to_owned(),
                s.due_on.format("%Y年%m月%d日").to_string(),
            ),
            (
                "报送日期".to_owned(),
                s.submitted_on.map_or_else(
                    || "未报送".to_owned(),
                    |d| d.format("%Y年%m月%d日").to_string(),
                ),
            ),
            ("状态".to_owned(), status),
        ],
        blocks,
        signatures: vec![
            "填表人：".to_owned(),
            "党组织书记（签字）：".to_owned(),
            format!(
                "上级党委审核：{}",
                s.reviewed_on
                    .filter(|_| s.state == FilingState::Accepted)
                    .map(|d| d.format("%Y年%m月%d日已备案").to_string())
                    .unwrap_or_default()
            ),
        ],
        stamp: format!(
            "由双联平台根据记实自动生成 · {} · {}",
            s.generated_by, s.generated_at
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_village_form_carries_the_seed_title_and_the_lines() {
        let s = Sheet {
            county_name: "安吉县".into(),
            unit_name: "古城村".into(),
            unit_kind: OrgKind::Village,
            upper_name: "递铺街道党工委".into(),
            period: crate::deadlines::Period::Quarter(2026, 3),
            state: FilingState::Submitted,
            summary: "本季度情况良好。".into(),
            due_on: chrono::NaiveDate::from_ymd_opt(2026, 10, 10).unwrap(),
            submitted_on: chrono::NaiveDate::from_ymd_opt(2026, 10, 12),
            days_late: Some(2),
            reviewed_on: None,
            return_reason: None,
            lines: vec![PrintLine {
                member_name: "王建国".into(),
                business_name: "建国五金店".into(),
                category_label: "居住地表现".into(),
                item_name: "业余生活表现".into(),
                count: 2,
                content: "07-03 邻里调解".into(),
                note: String::new(),
            }],
            generated_by: "古城村记录员".into(),
            generated_at: "2026-11-26 10:00".into(),
        };
        let d = build(&s);
        assert_eq!(
            d.title,
            "安吉县党员个体工商户和商品交易市场党员经营户情况季报表"
        );
        assert_eq!(d.subtitle.as_deref(), Some("（村［社区］党组织填写）"));
        let html = d.to_html();
        for text in [
            "王建国",
            "业余生活表现",
            "2026年第三季度",
            "逾期2天报送",
            "涉及党员1名，记实2条",
        ] {
            assert!(html.contains(text), "{text}");
        }
        assert_eq!(
            filled_by(OrgKind::PartyBranch),
            "（县个民协会分会党支部填写）"
        );
    }
}
