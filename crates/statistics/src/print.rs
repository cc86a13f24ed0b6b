//! The 统计表: a county's snapshot of one period in the layout counties report upward, each
//! table with its rows, columns and totals. Counts only.

use chrono::NaiveDate;

use crate::api::SnapshotView;
use crate::documents::{Block, Document};
use crate::model::Table;

/// Rows of a table with a total column, and a total row when it has more than one row.
pub fn table_block(t: &Table) -> Block {
    let mut headers = vec![if t.rows.len() == 1 {
        "项目".to_owned()
    } else {
        "分组".to_owned()
    }];
    headers.extend(t.cols.iter().map(|c| c.label.clone()));
    headers.push("合计".to_owned());
    let mut rows: Vec<Vec<String>> = t
        .rows
        .iter()
        .zip(&t.cells)
        .map(|(r, cells)| {
            let mut line = vec![r.label.clone()];
            line.extend(cells.iter().map(i64::to_string));
            line.push(cells.iter().sum::<i64>().to_string());
            line
        })
        .collect();
    if t.rows.len() > 1 {
        let mut total = vec!["合计".to_owned()];
        for c in 0..t.cols.len() {
            total.push(
                t.cells
                    .iter()
                    .map(|r| r.get(c).copied().unwrap_or(0))
                    .sum::<i64>()
                    .to_string(),
            );
        }
        total.push(t.total().to_string());
        rows.push(total);
    }
    Block::Table {
        caption: Some(t.title.clone()),
        headers,
        rows,
    }
}

pub fn report(v: &SnapshotView, county: &str, printed_by: &str, today: NaiveDate) -> Document {
    let c = &v.current;
    Document {
        title: format!("{county}小个专党建工作统计表"),
        subtitle: Some(format!(
            "（{} · 截至{}{}）",
            v.label,
            v.figures.cutoff,
            if c.frozen_at.is_some() {
                String::new()
            } else {
                format!(" · {}，数字仍可能变动", c.state_label)
            }
        )),
        meta: vec![
            ("统计期".to_owned(), v.period.clone()),
            ("修订".to_owned(), format!("第{}次", c.revision)),
            ("状态".to_owned(), c.state_label.clone()),
            (
                "修订原因".to_owned(),
                c.reason.clone().unwrap_or_else(|| "—".to_owned()),
            ),
        ],
        blocks: v.figures.tables.iter().map(table_block).collect(),
        signatures: vec![
            "填报人：".to_owned(),
            "审核人：".to_owned(),
            "县级管理员（盖章）：".to_owned(),
        ],
        stamp: format!("双联平台按截止日的记录生成 · {printed_by} · {today}"),
    }
}
