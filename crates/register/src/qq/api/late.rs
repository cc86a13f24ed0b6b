//! /api/v1/qq-groups/{id}/late: who is late for the county's join deadline.

use chrono::NaiveDate;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use serde::{Deserialize, Serialize};

use super::roster::{RosterEntryView, entry_view};
use super::{ApiTags, qq_visible, visible_group};
use crate::AppState;
use crate::api::path_id;
use crate::auth::Auth;
use crate::db::Mode;
use crate::enums::StrEnum;
use crate::error::AppResult;
use crate::privacy::keys;
use crate::qq::model::RosterRole;
use crate::qq::repo::{self, EntryRow};
use crate::qq::rules::{self, Late};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, poem_openapi::Enum)]
#[serde(rename_all = "snake_case")]
#[oai(rename_all = "snake_case")]
pub enum LateStatus {
    /// Not in the group although the deadline has passed.
    NotJoined,
    /// Joined after this year's deadline.
    JoinedLate,
}

#[derive(Debug, Clone, Object)]
pub struct LateEntry {
    pub entry: RosterEntryView,
    pub status: LateStatus,
    /// The join date that counts: recorded, else first seen in an imported list.
    #[oai(skip_serializing_if_is_none)]
    pub joined_on: Option<NaiveDate>,
    /// Days past the deadline (as of `as_of` when not joined).
    pub days_late: i64,
}

#[derive(Debug, Clone, Object)]
pub struct LateReport {
    pub as_of: NaiveDate,
    /// The county's deadline, `MM-DD`.
    pub join_deadline: String,
    /// That year's deadline.
    pub due: NaiveDate,
    /// Whether every role was checked, or only township and village organisers.
    pub all_roles: bool,
    pub items: Vec<LateEntry>,
}

pub struct LateApi {
    pub state: AppState,
}

#[OpenApi(tag = "ApiTags::QqGroups")]
impl LateApi {
    /// 逾期未入群 / Who is late for the join deadline as of a date (default today, Asia/Shanghai)
    ///
    /// Township and village organisers by default; `all_roles=true` checks every entry. An
    /// entry counts as joined from its `joined_on`, else from the first imported list that
    /// held its QQ number.
    #[oai(path = "/qq-groups/:id/late", method = "get")]
    async fn late(
        &self,
        auth: Auth,
        id: Path<String>,
        as_of: Query<Option<NaiveDate>>,
        all_roles: Query<Option<bool>>,
    ) -> AppResult<Json<LateReport>> {
        let tid = auth.0.tenant()?;
        let id = path_id(&id.0)?;
        let as_of = as_of.0.unwrap_or_else(crate::clock::today);
        let all_roles = all_roles.0.unwrap_or(false);
        let master = *self.state.master_key.bytes();
        let who = auth.0;
        let report = self
            .state
            .db
            .tenant(tid, Mode::Read, move |tx| {
                visible_group(tx, &who, &id)?;
                let (deadline, _) = repo::deadline(tx)?;
                let keys = keys::load(tx, &master)?;
                let clear = qq_visible(tx, who.role)?;
                let roster: Vec<EntryRow> = repo::roster(tx, &id)?
                    .into_iter()
                    .filter(|e| {
                        all_roles
                            || RosterRole::parse(&e.role).is_some_and(RosterRole::is_organiser)
                    })
                    .collect();
                let seen =
                    repo::first_seen(tx, &id, roster.iter().map(|e| e.qq_bidx.clone()).collect())?;
                let mut items = Vec::new();
                for e in &roster {
                    let joined = rules::effective_join(e.joined_on, seen.get(&e.qq_bidx).copied());
                    let (status, joined_on, days_late) =
                        match rules::lateness(deadline, as_of, joined) {
                            None => continue,
                            Some(Late::NotJoined { days_overdue }) => {
                                (LateStatus::NotJoined, None, days_overdue)
                            }
                            Some(Late::JoinedLate {
                                joined_on,
                                days_late,
                            }) => (LateStatus::JoinedLate, Some(joined_on), days_late),
                        };
                    items.push(LateEntry {
                        entry: entry_view(&keys, e, clear),
                        status,
                        joined_on,
                        days_late,
                    });
                }
                Ok(LateReport {
                    as_of,
                    join_deadline: deadline.to_string(),
                    due: deadline.in_year(chrono::Datelike::year(&as_of)),
                    all_roles,
                    items,
                })
            })
            .await?;
        Ok(Json(report))
    }
}
