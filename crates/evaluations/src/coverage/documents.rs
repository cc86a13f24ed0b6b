//! The campaign report (“百日攻坚”行动报表, seed 004 attachment 2) of one cycle: the county's
//! totals, each township and branch ranked by coverage, the units listed for a talk, and the
//! forms suggested for the organisations still without a party organisation. Counts only.

use chrono::NaiveDate;

use super::repo::CampaignRow;
use super::view::{Level, ReportLine, ReportView, TallyView};
use crate::documents::{Block, Document};

fn rate(r: Option<f64>) -> String {
    r.map_or_else(|| "—".to_owned(), |r| format!("{r:.1}%"))
}

fn tally_cells(t: &TallyView) -> Vec<String> {
    vec![
        t.businesses.to_string(),
        t.surveyed.to_string(),
        rate(t.survey_rate),
        t.party_org.to_string(),
        rate(t.party_org_rate),
        t.party_work.to_string(),
        rate(t.party_work_rate),
        t.league_org.to_string(),
        rate(t.league_org_rate),
        t.established.to_string(),
    ]
}

const TALLY_HEADERS: [&str; 10] = [
    "经营主体数",
    "已摸底",
    "摸底率",
    "已建党组织",
    "党组织覆盖率",
    "党的工作覆盖",
    "党的工作覆盖率",
    "已建团组织",
    "团组织覆盖率",
    "本次行动新建",
];

fn ranking(caption: &str, unit: &str, lines: &[ReportLine]) -> Block {
    let mut headers = vec!["名次".to_owned(), unit.to_owned()];
    headers.extend(TALLY_HEADERS.iter().map(|h| (*h).to_owned()));
    headers.push("约谈".to_owned());
    Block::Table {
        caption: Some(caption.to_owned()),
        headers,
        rows: lines
            .iter()
            .map(|l| {
                let mut r = vec![
                    l.place.map_or_else(|| "—".to_owned(), |p| p.to_string()),
                    l.name.clone(),
                ];
                r.extend(tally_cells(&l.tally));
                r.push(if l.reasons.is_empty() {
                    String::new()
                } else {
                    "是".to_owned()
                });
                r
            })
            .collect(),
    }
}

pub fn report(
    c: &CampaignRow,
    r: &ReportView,
    county: &str,
    printed_by: &str,
    today: NaiveDate,
) -> Document {
    let laggards = r
        .laggards
        .iter()
        .map(|l| {
            vec![
                match l.level {
                    Level::Township => "乡镇（街道）",
                    Level::Branch => "分会",
                }
                .to_owned(),
                l.name.clone(),
                l.reasons
                    .iter()
                    .map(|x| x.label.clone())
                    .collect::<Vec<_>>()
                    .join("；"),
            ]
        })
        .collect();
    let suggested = r
        .suggested
        .iter()
        .map(|f| vec![f.label.clone(), f.count.to_string()])
        .collect();
    Document {
        title: format!("{county}“百日攻坚”行动报表"),
        subtitle: Some(format!(
            "（第{}轮 · 截至{}，行动第{}天{}）",
            r.cycle,
            r.as_of,
            r.day,
            if r.issued {
                ""
            } else {
                " · 未发布，数字仍可能变动"
            }
        )),
        meta: vec![
            ("行动".to_owned(), c.title.clone()),
            (
                "行动期间".to_owned(),
                format!(
                    "{} 至 {}（{}天，每{}天通报一轮）",
                    c.starts_on,
                    c.ends_on(),
                    c.days,
                    c.cycle_days
                ),
            ),
            (
                "通报日期".to_owned(),
                r.issued_on
                    .map_or_else(|| "未发布".to_owned(), |d| d.to_string()),
            ),
            (
                "比较基准".to_owned(),
                r.compared_with_cycle
                    .map_or_else(|| "首轮通报".to_owned(), |n| format!("第{n}轮通报")),
            ),
        ],
        blocks: vec![
            Block::Table {
                caption: Some("全县合计".to_owned()),
                headers: TALLY_HEADERS.iter().map(|h| (*h).to_owned()).collect(),
                rows: vec![tally_cells(&r.county)],
            },
            ranking("各乡镇（街道）组建进度排名", "乡镇（街道）", &r.townships),
            ranking("各分会组建进度排名", "分会", &r.branches),
            Block::Table {
                caption: Some("约谈名单（行动迟缓、进展慢、排在末位）".to_owned()),
                headers: vec!["层级".to_owned(), "单位".to_owned(), "原因".to_owned()],
                rows: laggards,
            },
            Block::Table {
                caption: Some("未建党组织的经营主体建议组建方式".to_owned()),
                headers: vec!["建议方式".to_owned(), "经营主体数".to_owned()],
                rows: suggested,
            },
        ],
        signatures: vec!["填报人：".to_owned(), "协会党委（盖章）：".to_owned()],
        stamp: format!("双联平台根据调查摸底表和组建计划生成 · {printed_by} · {today}"),
    }
}
