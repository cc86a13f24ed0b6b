//! What an activity looks like to the API: the plan with names, its audience, where it stands,
//! the roster's counts and (for one activity) its steps.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;
use poem_openapi::Object;
use serde::{Deserialize, Serialize};

use super::model::{ActivityState, CentreActivityKind, Tally};
use super::repo::{self, ActivityRow};
use crate::centres::view::names;
use crate::db::schema::grids as g;
use crate::db::{DbResult, TenantTx};
use crate::enums::StrEnum;
use crate::members::model::Category;

/// Who the activity is for: the members of the centre's region, narrowed by every criterion
/// given (all must hold).
#[derive(Debug, Clone, Default, Object, Serialize, Deserialize, PartialEq, Eq)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct ActivityAudience {
    /// An org unit in the region: members whose org-life or membership unit lies in its subtree.
    #[oai(skip_serializing_if_is_none)]
    pub unit_id: Option<String>,
    /// A grid: members whose business place lies in it.
    #[oai(skip_serializing_if_is_none)]
    pub grid_id: Option<String>,
    /// 隶属 / 属地 / 流动 …
    #[oai(skip_serializing_if_is_none)]
    pub category: Option<Category>,
    /// A market: its members.
    #[oai(skip_serializing_if_is_none)]
    pub market_id: Option<String>,
}

impl ActivityAudience {
    /// The audience an activity's plan holds.
    pub fn of(r: &ActivityRow) -> Self {
        ActivityAudience {
            unit_id: r.audience_unit_id.clone(),
            grid_id: r.audience_grid_id.clone(),
            category: r.audience_category.as_deref().and_then(Category::parse),
            market_id: r.audience_market_id.clone(),
        }
    }
}

#[derive(Debug, Clone, Object, Serialize, Deserialize)]
pub struct ActivityStep {
    /// planned / revised / submitted / approved / returned / notified / attendance / cancelled
    pub kind: String,
    pub on: NaiveDate,
    pub by_user_id: String,
    pub by_name: String,
    #[oai(skip_serializing_if_is_none)]
    pub detail: Option<String>,
}

/// The roster's counts by attendance.
#[derive(Debug, Clone, Copy, Default, Object, Serialize, Deserialize)]
pub struct ActivityRosterCounts {
    pub invited: i64,
    pub present: i64,
    pub absent: i64,
    pub excused: i64,
    pub total: i64,
}

impl From<Tally> for ActivityRosterCounts {
    fn from(t: Tally) -> Self {
        ActivityRosterCounts {
            invited: t.invited,
            present: t.present,
            absent: t.absent,
            excused: t.excused,
            total: t.total(),
        }
    }
}

/// An activity of a service centre (党员活动).
#[derive(Debug, Clone, Object, Serialize, Deserialize)]
pub struct CentreActivityView {
    pub id: String,
    pub centre_id: String,
    pub centre_name: String,
    pub theme: String,
    pub kind: CentreActivityKind,
    pub kind_label: String,
    /// Counted for training rates (the evaluations).
    pub training: bool,
    pub held_on: NaiveDate,
    /// `HH:MM`, Beijing time.
    #[oai(skip_serializing_if_is_none)]
    pub start_time: Option<String>,
    pub place: String,
    #[oai(skip_serializing_if_is_none)]
    pub content: Option<String>,
    pub audience: ActivityAudience,
    /// The audience in words: the region and every criterion, named.
    pub audience_label: String,
    pub state: ActivityState,
    pub state_label: String,
    pub planned_by: String,
    pub planned_by_name: String,
    #[oai(skip_serializing_if_is_none)]
    pub decided_by: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub decided_by_name: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub decided_on: Option<NaiveDate>,
    /// Why the committee returned the plan.
    #[oai(skip_serializing_if_is_none)]
    pub return_reason: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub notified_on: Option<NaiveDate>,
    pub roster: ActivityRosterCounts,
    /// The steps so far, oldest first (one activity only; lists leave them out).
    #[oai(default, skip_serializing_if_is_empty)]
    #[serde(default)]
    pub steps: Vec<ActivityStep>,
    pub version: i64,
}

#[derive(Debug, Clone, Object)]
pub struct CentreActivityPage {
    pub items: Vec<CentreActivityView>,
    #[oai(skip_serializing_if_is_none)]
    pub next_cursor: Option<String>,
}

fn grid_names(tx: &mut TenantTx<'_>, ids: &[&str]) -> DbResult<HashMap<String, String>> {
    let tid = tx.tid().to_owned();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(g::table
        .filter(g::tenant_id.eq(tid).and(g::id.eq_any(ids)))
        .select((g::id, g::name))
        .load::<(String, String)>(tx.conn())?
        .into_iter()
        .collect())
}

fn build(
    r: &ActivityRow,
    n: &HashMap<String, String>,
    tally: Tally,
    steps: Vec<ActivityStep>,
) -> CentreActivityView {
    let name = |id: &str| n.get(id).cloned().unwrap_or_default();
    let kind = CentreActivityKind::parse(&r.kind).unwrap_or(CentreActivityKind::Other);
    let state = ActivityState::parse(&r.state).unwrap_or(ActivityState::Draft);
    let audience = ActivityAudience::of(r);
    let mut label = format!("{}所在区域党员", name(&r.centre_id));
    for part in [
        r.audience_unit_id
            .as_deref()
            .map(|u| format!("组织：{}", name(u))),
        r.audience_grid_id
            .as_deref()
            .map(|g| format!("网格：{}", name(g))),
        audience.category.map(|c| format!("类别：{}", c.label_zh())),
        r.audience_market_id
            .as_deref()
            .map(|mk| format!("市场：{}", name(mk))),
    ]
    .into_iter()
    .flatten()
    {
        label.push('，');
        label.push_str(&part);
    }
    CentreActivityView {
        id: r.id.clone(),
        centre_id: r.centre_id.clone(),
        centre_name: name(&r.centre_id),
        theme: r.theme.clone(),
        kind,
        kind_label: kind.label_zh().to_owned(),
        training: kind == CentreActivityKind::Training,
        held_on: r.held_on,
        start_time: r.start_time.clone(),
        place: r.place.clone(),
        content: r.content.clone(),
        audience,
        audience_label: label,
        state,
        state_label: state.label_zh().to_owned(),
        planned_by: r.planned_by.clone(),
        planned_by_name: name(&r.planned_by),
        decided_by: r.decided_by.clone(),
        decided_by_name: r.decided_by.as_deref().map(name),
        decided_on: r.decided_on,
        return_reason: r.return_reason.clone(),
        notified_on: r.notified_on,
        roster: tally.into(),
        steps,
        version: r.version,
    }
}

/// Names of a page of activities: centres, audience units and markets, users, grids.
fn all_names(
    tx: &mut TenantTx<'_>,
    rows: &[&ActivityRow],
    more_users: &[&str],
) -> DbResult<HashMap<String, String>> {
    let units: Vec<&str> = rows
        .iter()
        .flat_map(|r| {
            [
                Some(r.centre_id.as_str()),
                r.audience_unit_id.as_deref(),
                r.audience_market_id.as_deref(),
            ]
        })
        .flatten()
        .collect();
    let mut users: Vec<&str> = rows
        .iter()
        .flat_map(|r| [Some(r.planned_by.as_str()), r.decided_by.as_deref()])
        .flatten()
        .collect();
    users.extend_from_slice(more_users);
    let mut n = names(tx, &units, &[], &users)?;
    let grids: Vec<&str> = rows
        .iter()
        .filter_map(|r| r.audience_grid_id.as_deref())
        .collect();
    n.extend(grid_names(tx, &grids)?);
    Ok(n)
}

/// One activity; with its steps when `with_steps`.
pub(super) fn view(
    tx: &mut TenantTx<'_>,
    r: &ActivityRow,
    with_steps: bool,
) -> DbResult<CentreActivityView> {
    let events = if with_steps {
        repo::events(tx, &r.id)?
    } else {
        Vec::new()
    };
    let by: Vec<&str> = events.iter().map(|e| e.by_user_id.as_str()).collect();
    let n = all_names(tx, &[r], &by)?;
    let tally = repo::tallies(tx, std::slice::from_ref(&r.id))?
        .remove(&r.id)
        .unwrap_or_default();
    let steps = events
        .iter()
        .map(|e| ActivityStep {
            kind: e.kind.clone(),
            on: e.on_day,
            by_user_id: e.by_user_id.clone(),
            by_name: n.get(&e.by_user_id).cloned().unwrap_or_default(),
            detail: e.detail.clone(),
        })
        .collect();
    Ok(build(r, &n, tally, steps))
}

/// A page of activities, names and counts read once.
pub(super) fn views(
    tx: &mut TenantTx<'_>,
    rows: &[ActivityRow],
) -> DbResult<Vec<CentreActivityView>> {
    let refs: Vec<&ActivityRow> = rows.iter().collect();
    let n = all_names(tx, &refs, &[])?;
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let tallies = repo::tallies(tx, &ids)?;
    Ok(rows
        .iter()
        .map(|r| {
            let t = tallies.get(&r.id).copied().unwrap_or_default();
            build(r, &n, t, Vec::new())
        })
        .collect())
}
