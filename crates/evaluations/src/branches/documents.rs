//! The printed county ranking (考评定级结果): every party branch and centre the reader sees,
//! ranked, with its self-assessed and assessed totals and grades.

use chrono::NaiveDate;

use super::view::BranchEvaluationList;
use crate::documents::{Block, Document};

fn points(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_owned(), |p| format!("{p:.1}"))
}

pub fn ranking(
    l: &BranchEvaluationList,
    county: &str,
    printed_by: &str,
    today: NaiveDate,
) -> Document {
    let rows = l
        .items
        .iter()
        .map(|i| {
            vec![
                i.rank.map_or_else(|| "—".to_owned(), |r| r.to_string()),
                i.unit_name.clone(),
                i.unit_kind.label_zh().to_owned(),
                i.parent_name.clone(),
                points(i.self_total),
                i.self_grade.clone().unwrap_or_else(|| "—".to_owned()),
                points(i.total),
                match (&i.grade, i.outright) {
                    (Some(g), true) => format!("{g}（直接定级）"),
                    (Some(g), false) => g.clone(),
                    (None, _) => "未考评".to_owned(),
                },
            ]
        })
        .collect();
    let grades = l
        .grades
        .iter()
        .map(|g| format!("{}{}个", g.grade, g.count))
        .collect::<Vec<_>>()
        .join("，");
    Document {
        title: format!(
            "{county}个私协会党委{}年度支部（党员服务中心）规范化建设考评定级结果",
            l.year
        ),
        subtitle: Some("（100分制：好≥90，较好80–89，一般60–79，较差<60）".to_owned()),
        meta: vec![
            ("参评单位".to_owned(), l.subjects.to_string()),
            ("已考评".to_owned(), l.assessed.to_string()),
            (
                "等次分布".to_owned(),
                if grades.is_empty() {
                    "—".to_owned()
                } else {
                    grades
                },
            ),
        ],
        blocks: vec![Block::Table {
            caption: Some("考评定级排名".to_owned()),
            headers: [
                "名次",
                "单位",
                "类别",
                "所属分会",
                "自评得分",
                "自评等次",
                "考评得分",
                "考评等次",
            ]
            .map(str::to_owned)
            .to_vec(),
            rows,
        }],
        signatures: vec!["考评组：".to_owned(), "协会党委（盖章）：".to_owned()],
        stamp: format!("双联平台根据考评记录生成 · {printed_by} · {today}"),
    }
}
