//! The tables of the county's work on a cut-off: organisations and their party coverage,
//! markets and their six standards, two-way reporting, feedback, floating members' receipts,
//! deadlines met on time, and the vanguard stars. Each counts by dates on or before the cut-off.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use strum::VariantArray;

use crate::db::schema::{
    businesses as b, feedback_batches as fb, floating_cases as fc, handbooks as hb,
    market_standards as ms, markets as mk, obligations as ob, vanguard_campaigns as vc,
    vanguard_entries as ve,
};
use crate::db::{DbResult, TenantTx};
use crate::deadlines::ObligationKind;
use crate::enums::StrEnum;
use crate::evaluations::coverage::figures::Data;
use crate::evaluations::coverage::repo::{self as cov, Org};
use crate::evaluations::coverage::rules;
use crate::model::{HalfYear, Label, Table};

fn l(key: &str, zh: &str) -> Label {
    Label::new(key, zh)
}

/// Every work table on `half`'s cut-off.
pub fn tables(tx: &mut TenantTx<'_>, half: HalfYear) -> DbResult<Vec<Table>> {
    let cutoff = half.cutoff();
    let end = crate::clock::china_day_end(cutoff);
    let orgs = organisations(tx, cutoff, end)?;
    let mut out = vec![businesses(&orgs)];
    out.extend(coverage(tx, orgs, cutoff)?);
    out.push(markets(tx, cutoff, end)?);
    out.push(reporting(tx, cutoff)?);
    out.push(feedback(tx, half)?);
    out.push(floating(tx, cutoff)?);
    out.extend(deadlines(tx, half, end)?);
    out.push(stars(tx, cutoff)?);
    Ok(out)
}

/// The businesses register on the cut-off: registered by then and not closed by then.
fn organisations(
    tx: &mut TenantTx<'_>,
    cutoff: NaiveDate,
    end: NaiveDateTime,
) -> DbResult<Vec<Org>> {
    let tid = tx.tid().to_owned();
    Ok(b::table
        .filter(b::tenant_id.eq(tid).and(b::created_at.lt(end)))
        .filter(b::status.ne("closed").or(b::status_since.gt(cutoff)))
        .order(b::id.asc())
        .select((
            b::id,
            b::name,
            b::kind,
            b::market_id,
            b::township_id,
            b::grid_id,
            b::industry,
        ))
        .load(tx.conn())?)
}

fn businesses(orgs: &[Org]) -> Table {
    let kinds = [
        ("individual_business", "个体工商户"),
        ("small_micro_enterprise", "小微企业"),
        ("market_stall", "市场摊位"),
    ];
    Table::flat(
        "businesses_kind",
        "非公经济组织（按类型）",
        "businesses",
        kinds
            .iter()
            .map(|(k, zh)| {
                (
                    l(k, zh),
                    orgs.iter().filter(|o| o.kind == *k).count() as i64,
                )
            })
            .collect(),
    )
}

/// Party and Youth League coverage from the latest coverage campaign started by the cut-off
/// (none: every organisation is 未摸底).
fn coverage(tx: &mut TenantTx<'_>, orgs: Vec<Org>, cutoff: NaiveDate) -> DbResult<Vec<Table>> {
    let campaign = cov::campaigns(tx)?
        .into_iter()
        .find(|c| c.starts_on <= cutoff);
    let (mut party, mut league) = ([0i64; 4], [0i64; 3]);
    let n = orgs.len() as i64;
    match campaign {
        None => {
            party[3] = n;
            league[2] = n;
        }
        Some(c) => {
            let mut data = Data::load(tx, &c.id)?;
            data.orgs = orgs;
            for o in &data.orgs {
                let survey = data.surveys.get(&o.id).map(cov::SurveyRow::facts);
                let plans: Vec<_> = data
                    .plans
                    .get(&o.id)
                    .map(|ps| ps.iter().filter_map(cov::PlanRow::facts).collect())
                    .unwrap_or_default();
                let s = rules::standing(survey.as_ref(), &plans, cutoff);
                party[match (s.party_org, s.party_work, s.surveyed) {
                    (true, _, _) => 0,
                    (false, true, _) => 1,
                    (false, false, true) => 2,
                    _ => 3,
                }] += 1;
                league[match (s.league_org, s.surveyed) {
                    (true, _) => 0,
                    (false, true) => 1,
                    _ => 2,
                }] += 1;
            }
        }
    }
    Ok(vec![
        Table::flat(
            "businesses_party_coverage",
            "党的组织和工作覆盖",
            "businesses",
            vec![
                (l("party_org", "已建党组织（含联合、挂靠）"), party[0]),
                (l("party_work", "党建指导员覆盖"), party[1]),
                (l("uncovered", "已摸底未覆盖"), party[2]),
                (l("not_surveyed", "未摸底"), party[3]),
            ],
        ),
        Table::flat(
            "businesses_league_coverage",
            "团组织覆盖",
            "businesses",
            vec![
                (l("league_org", "已建团组织"), league[0]),
                (l("uncovered", "已摸底未建"), league[1]),
                (l("not_surveyed", "未摸底"), league[2]),
            ],
        ),
    ])
}

/// Markets and their six standards (六化): the assessment of the cut-off's year for the
/// second half, of the year before for the first (a year's assessment is made through it).
fn markets(tx: &mut TenantTx<'_>, cutoff: NaiveDate, end: NaiveDateTime) -> DbResult<Table> {
    let tid = tx.tid().to_owned();
    let year = if cutoff.month() == 12 {
        cutoff.year()
    } else {
        cutoff.year() - 1
    };
    let markets: Vec<String> = mk::table
        .filter(mk::tenant_id.eq(&tid).and(mk::created_at.lt(end)))
        .select(mk::id)
        .load(tx.conn())?;
    let met: HashMap<String, i32> = ms::table
        .filter(ms::tenant_id.eq(&tid).and(ms::year.eq(year)))
        .select((ms::market_id, ms::met_count))
        .load::<(String, i32)>(tx.conn())?
        .into_iter()
        .collect();
    let all = crate::evaluations::markets::model::STANDARDS.len() as i32;
    let mut n = [0i64; 3];
    for m in &markets {
        n[match met.get(m) {
            Some(c) if *c >= all => 0,
            Some(_) => 1,
            None => 2,
        }] += 1;
    }
    Ok(Table::flat(
        "markets_six_standards",
        "专业市场“六化”达标",
        "markets",
        vec![
            (l("met", "六化达标"), n[0]),
            (l("not_met", "未达标"), n[1]),
            (l("not_assessed", "未评定"), n[2]),
        ],
    ))
}

/// Two-way reporting (双向报到): the handbooks issued this year by the cut-off and not
/// cancelled or reissued by then, by which sides had confirmed the report by then.
fn reporting(tx: &mut TenantTx<'_>, cutoff: NaiveDate) -> DbResult<Table> {
    let tid = tx.tid().to_owned();
    let first = NaiveDate::from_ymd_opt(cutoff.year(), 1, 1).unwrap_or(cutoff);
    let rows: Vec<(Option<NaiveDate>, Option<NaiveDate>, Option<NaiveDate>)> = hb::table
        .filter(hb::tenant_id.eq(tid))
        .filter(hb::issued_on.ge(first).and(hb::issued_on.le(cutoff)))
        .select((
            hb::village_reported_on,
            hb::branch_reported_on,
            hb::closed_on,
        ))
        .load(tx.conn())?;
    let by = |d: Option<NaiveDate>| d.is_some_and(|d| d <= cutoff);
    let mut n = [0i64; 4];
    for (village, branch, closed) in rows {
        if by(closed) {
            continue;
        }
        n[match (by(village), by(branch)) {
            (true, true) => 0,
            (true, false) => 1,
            (false, true) => 2,
            (false, false) => 3,
        }] += 1;
    }
    Ok(Table::flat(
        "reporting_handbooks",
        "双向报到（本年发放的报到手册）",
        "handbooks",
        vec![
            (l("both", "村、支部均已确认报到"), n[0]),
            (l("village_only", "仅村已确认"), n[1]),
            (l("branch_only", "仅支部已确认"), n[2]),
            (l("neither", "均未确认"), n[3]),
        ],
    ))
}

/// Semi-annual feedback: the batches due in the half, by how far they had got by the cut-off.
fn feedback(tx: &mut TenantTx<'_>, half: HalfYear) -> DbResult<Table> {
    let tid = tx.tid().to_owned();
    let (first, cutoff) = half.bounds();
    let rows: Vec<(NaiveDate, Option<NaiveDate>, Option<NaiveDate>)> = fb::table
        .filter(fb::tenant_id.eq(tid))
        .filter(fb::due_on.ge(first).and(fb::due_on.le(cutoff)))
        .select((fb::due_on, fb::sent_on, fb::acknowledged_on))
        .load(tx.conn())?;
    let mut n = [0i64; 4];
    for (due, sent, ack) in rows {
        let sent = sent.filter(|d| *d <= cutoff);
        n[match (ack.is_some_and(|d| d <= cutoff), sent) {
            (true, _) => 0,
            (false, Some(s)) if s <= due => 1,
            (false, Some(_)) => 2,
            (false, None) => 3,
        }] += 1;
    }
    Ok(Table::flat(
        "feedback_batches",
        "定期双向反馈（本半年应反馈批次）",
        "feedback_batches",
        vec![
            (l("acknowledged", "已送达并确认收到"), n[0]),
            (l("sent_on_time", "按时送出待确认"), n[1]),
            (l("sent_late", "逾期送出待确认"), n[2]),
            (l("not_sent", "未送出"), n[3]),
        ],
    ))
}

/// Floating members' two-way management: this year's cases registered by the cut-off, by where
/// the feedback form and its receipt stood then (回执 outstanding once sent).
fn floating(tx: &mut TenantTx<'_>, cutoff: NaiveDate) -> DbResult<Table> {
    let tid = tx.tid().to_owned();
    let rows: Vec<(Option<NaiveDate>, Option<NaiveDate>)> = fc::table
        .filter(fc::tenant_id.eq(tid))
        .filter(fc::year.eq(cutoff.year()).and(fc::registered_on.le(cutoff)))
        .select((fc::sent_on, fc::received_on))
        .load(tx.conn())?;
    let by = |d: Option<NaiveDate>| d.is_some_and(|d| d <= cutoff);
    let mut n = [0i64; 3];
    for (sent, received) in rows {
        n[match (by(sent), by(received)) {
            (_, true) => 0,
            (true, false) => 1,
            _ => 2,
        }] += 1;
    }
    Ok(Table::flat(
        "floating_receipts",
        "流动党员双重管理（本年登记）",
        "floating_cases",
        vec![
            (l("receipt_returned", "回执已收回"), n[0]),
            (l("receipt_outstanding", "已寄发、回执未收回"), n[1]),
            (l("not_sent", "反馈表未寄发"), n[2]),
        ],
    ))
}

/// Deadlines that fell due in the half, per kind, by whether they were met on time, met late
/// or still open on the cut-off (a deadline opened late was owed all the same).
fn deadlines(tx: &mut TenantTx<'_>, half: HalfYear, end: NaiveDateTime) -> DbResult<Vec<Table>> {
    let tid = tx.tid().to_owned();
    let (first, cutoff) = half.bounds();
    let rows: Vec<(String, NaiveDate, Option<NaiveDateTime>)> = ob::table
        .filter(ob::tenant_id.eq(tid))
        .filter(ob::due_on.ge(first).and(ob::due_on.le(cutoff)))
        .select((ob::kind, ob::due_on, ob::done_at))
        .load(tx.conn())?;
    let kinds = ObligationKind::VARIANTS;
    let mut cells = vec![vec![0i64; 3]; kinds.len()];
    for (kind, due, done) in rows {
        let Some(i) = kinds.iter().position(|k| k.as_str() == kind) else {
            continue;
        };
        let done = done.filter(|d| *d < end).map(crate::clock::china_date_of);
        cells[i][match done {
            Some(d) if d <= due => 0,
            Some(_) => 1,
            None => 2,
        }] += 1;
    }
    let sum = |c: usize| cells.iter().map(|r| r[c]).sum::<i64>();
    let summary = Table::flat(
        "deadlines_summary",
        "本半年到期事项完成情况（合计）",
        "obligations",
        vec![
            (l("on_time", "按时完成"), sum(0)),
            (l("late", "逾期完成"), sum(1)),
            (l("open", "截止日未完成"), sum(2)),
        ],
    );
    let by_kind = Table {
        key: "deadlines_met".into(),
        title: "本半年到期事项完成情况".into(),
        population: "obligations".into(),
        rows: kinds.iter().map(|k| l(k.as_str(), k.label_zh())).collect(),
        cols: vec![
            l("on_time", "按时完成"),
            l("late", "逾期完成"),
            l("open", "截止日未完成"),
        ],
        cells,
        provincial: true,
    };
    Ok(vec![summary, by_kind])
}

/// Vanguard stars (党员先锋指数): the final stars of the latest campaign finalised by the
/// cut-off, of the members it evaluated.
fn stars(tx: &mut TenantTx<'_>, cutoff: NaiveDate) -> DbResult<Table> {
    let tid = tx.tid().to_owned();
    let campaign: Option<String> = vc::table
        .filter(vc::tenant_id.eq(&tid).and(vc::finalised_on.le(cutoff)))
        .order(vc::year.desc())
        .select(vc::id)
        .first(tx.conn())
        .optional()?;
    let finals: Vec<Option<i32>> = match &campaign {
        Some(id) => ve::table
            .filter(ve::tenant_id.eq(&tid).and(ve::campaign_id.eq(id)))
            .filter(ve::excluded.is_null())
            .select(ve::final_stars)
            .load(tx.conn())?,
        None => Vec::new(),
    };
    let mut n = [0i64; 6];
    for s in finals {
        let i = match s {
            Some(s @ 1..=5) => usize::try_from(5 - s).unwrap_or(5),
            _ => 5,
        };
        n[i] += 1;
    }
    Ok(Table::flat(
        "vanguard_stars",
        "党员先锋指数星级（最近一次定级）",
        "vanguard_entries",
        vec![
            (l("5", "五星"), n[0]),
            (l("4", "四星"), n[1]),
            (l("3", "三星"), n[2]),
            (l("2", "二星"), n[3]),
            (l("1", "一星"), n[4]),
            (l("none", "未定级"), n[5]),
        ],
    ))
}
