//! The county's report of a year's vanguard evaluation (先锋指数考评情况): the totals, the stars
//! and the exclusions, then one line per org-life unit. Counts only: no member is named.

use chrono::NaiveDate;
use diesel::prelude::*;

use super::view::CampaignView;
use crate::db::schema::{org_units as o, vanguard_entries as ve};
use crate::db::{DbResult, TenantTx};
use crate::documents::{Block, Document};

/// One unit's line: name, listed, excluded, 1–5 stars, vetoed, outstanding.
pub struct UnitLine {
    pub name: String,
    pub listed: u32,
    pub excluded: u32,
    pub stars: [u32; 5],
    pub vetoed: u32,
    pub outstanding: u32,
}

pub fn by_unit(tx: &mut TenantTx<'_>, campaign_id: &str) -> DbResult<Vec<UnitLine>> {
    let tid = tx.tid().to_owned();
    #[allow(clippy::type_complexity)]
    let rows: Vec<(
        Option<String>,
        Option<String>,
        Option<i32>,
        Option<String>,
        bool,
    )> = ve::table
        .filter(ve::tenant_id.eq(&tid).and(ve::campaign_id.eq(campaign_id)))
        .limit(i64::try_from(super::repo::ENTRIES_MAX).unwrap_or(i64::MAX))
        .select((
            ve::unit_id,
            ve::excluded,
            ve::final_stars,
            ve::veto,
            ve::outstanding,
        ))
        .load(tx.conn())?;
    let units: Vec<(String, String, String)> = o::table
        .filter(o::tenant_id.eq(&tid))
        .select((o::id, o::name, o::path))
        .load(tx.conn())?;
    let mut lines: Vec<(String, UnitLine)> = Vec::new();
    for (unit, excluded, stars, veto, outstanding) in rows {
        let (name, path) = unit
            .as_ref()
            .and_then(|u| units.iter().find(|x| &x.0 == u))
            .map_or(
                ("（未定组织生活单位）".to_owned(), "~".to_owned()),
                |x| (x.1.clone(), x.2.clone()),
            );
        let i = match lines.iter().position(|(p, _)| *p == path) {
            Some(i) => i,
            None => {
                lines.push((
                    path,
                    UnitLine {
                        name,
                        listed: 0,
                        excluded: 0,
                        stars: [0; 5],
                        vetoed: 0,
                        outstanding: 0,
                    },
                ));
                lines.len() - 1
            }
        };
        let l = &mut lines[i].1;
        l.listed += 1;
        l.excluded += u32::from(excluded.is_some());
        l.vetoed += u32::from(veto.is_some());
        l.outstanding += u32::from(outstanding);
        if let Some(s) = stars
            .and_then(|s| usize::try_from(s).ok())
            .filter(|s| (1..=5).contains(s))
        {
            l.stars[s - 1] += 1;
        }
    }
    lines.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(lines.into_iter().map(|(_, l)| l).collect())
}

pub fn report(
    v: &CampaignView,
    units: &[UnitLine],
    county: &str,
    printed_by: &str,
    today: NaiveDate,
) -> Document {
    let c = &v.counts;
    let stars = |i: usize| c.final_stars.get(i).copied().unwrap_or(0).to_string();
    let excluded = c
        .excluded_by_reason
        .iter()
        .map(|r| format!("{}{}人", r.label, r.count))
        .collect::<Vec<_>>()
        .join("，");
    let totals = vec![vec![
        c.listed.to_string(),
        c.evaluated.to_string(),
        c.excluded.to_string(),
        stars(4),
        stars(3),
        stars(2),
        stars(1),
        stars(0),
        c.vetoed.to_string(),
        c.outstanding.to_string(),
        c.recommended.to_string(),
        format!("{}/{}", c.help_done, c.needs_help),
    ]];
    let rows = units
        .iter()
        .map(|u| {
            let mut r = vec![u.name.clone(), u.listed.to_string(), u.excluded.to_string()];
            r.extend(u.stars.iter().rev().map(u32::to_string));
            r.extend([u.vetoed.to_string(), u.outstanding.to_string()]);
            r
        })
        .collect();
    let star_headers = ["五星", "四星", "三星", "二星", "一星"];
    let mut unit_headers = vec!["组织生活单位", "名单人数", "暂不参评"];
    unit_headers.extend(star_headers);
    unit_headers.extend(["一票否决", "优秀党员"]);
    let mut total_headers = vec!["名单人数", "参评", "暂不参评"];
    total_headers.extend(star_headers);
    total_headers.extend([
        "一票否决",
        "优秀党员",
        "优先推荐（四、五星）",
        "帮扶办结/一、二星",
    ]);
    Document {
        title: format!("{county}{}年度个体工商户党员先锋指数考评情况", v.year),
        subtitle: Some(format!("（{}）", v.state_label)),
        meta: vec![
            (
                "公示期".to_owned(),
                match (v.notice_from, v.notice_until) {
                    (Some(f), Some(u)) => format!("{f} 至 {u}"),
                    _ => "—".to_owned(),
                },
            ),
            (
                "暂不参评".to_owned(),
                if excluded.is_empty() {
                    "—".to_owned()
                } else {
                    excluded
                },
            ),
            (
                "公示异议".to_owned(),
                format!("{}件（未答复{}件）", v.objections, v.objections_open),
            ),
        ],
        blocks: vec![
            Block::Table {
                caption: Some("全县合计".to_owned()),
                headers: total_headers.into_iter().map(str::to_owned).collect(),
                rows: totals,
            },
            Block::Table {
                caption: Some("分单位情况".to_owned()),
                headers: unit_headers.into_iter().map(str::to_owned).collect(),
                rows,
            },
        ],
        signatures: vec!["填报人：".to_owned(), "协会党委（盖章）：".to_owned()],
        stamp: format!("双联平台根据考评记录生成 · {printed_by} · {today}"),
    }
}
