//! Demo status histories for the demo members.

use chrono::{NaiveDate, Utc};
use diesel::prelude::*;

use super::rules::{AWAY, IN_COUNTY, OUTSIDE_COUNTY, PRESENT};
use super::{Change, NewHistory, insert_history};
use crate::db::schema::members as m;
use crate::db::{DbResult, TenantTx};
use crate::enums::StrEnum;

/// Demo histories consistent with the demo members' current state, covering every kind of
/// change: 转正 for some full members, the way to a suspended or closed business, away and
/// back, and transfers in (members held in the county) and out (members held outside).
pub fn demo(tx: &mut TenantTx<'_>, seed: u64) -> DbResult<usize> {
    const ELSEWHERE: [&str; 4] = [
        "江西省上饶市某村党支部",
        "安徽省宣城市某社区党委",
        "河南省信阳市某村党支部",
        "湖南省邵阳市某村党支部",
    ];
    let tid = tx.tid().to_owned();
    let mut rng = crate::rng::Rng::new(seed);
    let now = Utc::now().naive_utc();
    let today = now.date();
    let home_units: Vec<(String, String)> = crate::db::schema::org_units::table
        .filter(
            crate::db::schema::org_units::tenant_id
                .eq(&tid)
                .and(crate::db::schema::org_units::kind.eq_any(["village", "party_branch"])),
        )
        .select((
            crate::db::schema::org_units::id,
            crate::db::schema::org_units::name,
        ))
        .limit(50)
        .load(tx.conn())?;
    type Facts = (
        String,
        String,
        String,
        Option<NaiveDate>,
        Option<String>,
        String,
        Option<NaiveDate>,
    );
    let rows: Vec<Facts> = m::table
        .filter(m::tenant_id.eq(&tid))
        .select((
            m::id,
            m::membership_status,
            m::business_status,
            m::away_since,
            m::membership_unit_id,
            m::membership_org_name,
            m::joined_party_on,
        ))
        .order(m::id.asc())
        .load(tx.conn())?;
    let mut out = Vec::new();
    for (id, ms, bs, away, unit, org, joined) in rows {
        let mut push =
            |change: Change,
             from: &str,
             to: &str,
             on: NaiveDate,
             fo: Option<String>,
             to_org: Option<String>,
             (from_unit_id, to_unit_id): (Option<String>, Option<String>)| {
                out.push(NewHistory {
                    tenant_id: tid.clone(),
                    id: uuid::Uuid::now_v7().to_string(),
                    member_id: id.clone(),
                    change: change.as_str().to_owned(),
                    from_value: from.to_owned(),
                    to_value: to.to_owned(),
                    effective_on: on.min(today),
                    from_org: fo,
                    to_org,
                    reason: None,
                    recorded_by: "demo-data".to_owned(),
                    recorded_at: now,
                    from_unit_id,
                    to_unit_id,
                });
            };
        let day = |rng: &mut crate::rng::Rng, from_year: i32| {
            NaiveDate::from_ymd_opt(
                from_year + rng.below(5) as i32,
                1 + rng.below(12) as u32,
                1 + rng.below(28) as u32,
            )
            .unwrap_or(today)
        };
        if ms == "full"
            && let Some(j) = joined
            && rng.below(5) == 0
        {
            let on = j
                .checked_add_signed(chrono::Duration::days(365))
                .unwrap_or(j);
            push(
                Change::MembershipStatus,
                "probationary",
                "full",
                on,
                None,
                None,
                (None, None),
            );
        }
        match bs.as_str() {
            "suspended" => {
                let on = day(&mut rng, 2021);
                push(
                    Change::BusinessStatus,
                    "operating",
                    "suspended",
                    on,
                    None,
                    None,
                    (None, None),
                );
            }
            "closed" => {
                let on = day(&mut rng, 2019);
                if rng.below(2) == 0 {
                    push(
                        Change::BusinessStatus,
                        "operating",
                        "suspended",
                        on,
                        None,
                        None,
                        (None, None),
                    );
                    push(
                        Change::BusinessStatus,
                        "suspended",
                        "closed",
                        on + chrono::Duration::days(200),
                        None,
                        None,
                        (None, None),
                    );
                } else {
                    push(
                        Change::BusinessStatus,
                        "operating",
                        "closed",
                        on,
                        None,
                        None,
                        (None, None),
                    );
                }
            }
            _ => {}
        }
        if let Some(since) = away {
            push(Change::Away, PRESENT, AWAY, since, None, None, (None, None));
        } else if rng.below(20) == 0 {
            let on = day(&mut rng, 2019);
            push(Change::Away, PRESENT, AWAY, on, None, None, (None, None));
            push(
                Change::Returned,
                AWAY,
                PRESENT,
                on + chrono::Duration::days(150),
                None,
                None,
                (None, None),
            );
        }
        let on = day(&mut rng, 2018);
        if unit.is_some() && rng.below(6) == 0 {
            let from = ELSEWHERE[rng.below(ELSEWHERE.len())].to_owned();
            push(
                Change::TransferIn,
                OUTSIDE_COUNTY,
                IN_COUNTY,
                on,
                Some(from),
                Some(org),
                (None, unit.clone()),
            );
        } else if unit.is_none() && rng.below(4) == 0 && !home_units.is_empty() {
            let (from_id, from) = home_units[rng.below(home_units.len())].clone();
            push(
                Change::TransferOut,
                IN_COUNTY,
                OUTSIDE_COUNTY,
                on,
                Some(from),
                Some(org),
                (Some(from_id), None),
            );
        }
    }
    insert_history(tx, &out)?;
    Ok(out.len())
}
