//! /api/v1/qq-groups and /api/v1/qq-settings: real-name QQ groups, their rosters, imports of
//! the actual member list with the diff, who is late for the join deadline, and the history.
//!
//! Who sees a group: county-wide roles all; a scoped user the groups they maintain and those
//! serving a unit relevant to theirs (rules::relevant) — others answer 404, like another
//! county's ids. Who changes one: the county admin and the group's designated maintainer
//! (403 for everyone else who can see it). QQ numbers are accepted in clear, stored encrypted,
//! matched through the blind index and shown masked.
//!
//! One module per resource, each with its own `#[OpenApi]` impl; [`QqApi`] registers them as
//! one API, in the order the document has always listed them.

mod groups;
mod history;
mod late;
mod roster;
mod settings;
mod snapshots;

use std::collections::HashMap;

use chrono::NaiveDate;
use poem::endpoint::BoxEndpoint;
use poem::http::Method;
use poem_openapi::registry::{MetaApi, Registry};
use poem_openapi::{OpenApi, Tags};

use super::parse;
use super::repo::{self, GroupRow};
use crate::AppState;
use crate::auth::{Principal, Role};
use crate::db::{DbResult, TenantTx};
use crate::error::{AppError, FieldError};
use crate::org::scope;
use crate::privacy::crypto::CountyKeys;
use crate::privacy::identity::QqNumber;

/// Every QQ group endpoint, registered where the route table lists the APIs.
pub struct QqApi {
    pub state: AppState,
}

/// The resources in document order: a path lives in exactly one of them, so the document's
/// paths come out as they did from a single impl.
type Resources = (
    groups::GroupsApi,
    roster::RosterApi,
    snapshots::SnapshotsApi,
    late::LateApi,
    history::HistoryApi,
    settings::SettingsApi,
);

impl OpenApi for QqApi {
    fn meta() -> Vec<MetaApi> {
        Resources::meta()
    }

    fn register(registry: &mut Registry) {
        Resources::register(registry);
    }

    fn add_routes(self, route_table: &mut HashMap<String, HashMap<Method, BoxEndpoint<'static>>>) {
        let state = self.state;
        (
            groups::GroupsApi {
                state: state.clone(),
            },
            roster::RosterApi {
                state: state.clone(),
            },
            snapshots::SnapshotsApi {
                state: state.clone(),
            },
            late::LateApi {
                state: state.clone(),
            },
            history::HistoryApi {
                state: state.clone(),
            },
            settings::SettingsApi { state },
        )
            .add_routes(route_table);
    }
}

#[derive(Tags)]
enum ApiTags {
    /// 实名制党建QQ群 / Real-name party-building QQ groups
    QqGroups,
}

/// Field names under which QQ numbers and nicknames are encrypted and indexed. Roster and
/// imported lists share the index field, so they match.
const QQ: &str = "qq";
const NICK: &str = "qq_nickname";

fn masked_qq(keys: &CountyKeys, enc: &str) -> String {
    keys.decrypt(QQ, enc)
        .ok()
        .and_then(|v| QqNumber::parse(QQ, &v).ok())
        .map_or_else(|| "*****".to_owned(), |q| q.masked())
}

/// Whether the county's masking policy shows QQ numbers in clear to a role.
fn qq_visible(tx: &mut crate::db::TenantTx<'_>, role: crate::auth::Role) -> DbResult<bool> {
    use crate::privacy::policy::{self, Exposure, Field};
    Ok(policy::for_role(tx, role)?.get(&Field::QqNumber) == Some(&Exposure::Visible))
}

/// A group the caller can see, or 404.
fn visible_group(tx: &mut TenantTx<'_>, who: &Principal, id: &str) -> DbResult<GroupRow> {
    let grp = repo::get_group(tx, id)?.ok_or_else(AppError::not_found)?;
    let vis = scope::visibility(tx, who.role, &who.user_id)?;
    if !repo::group_visible(tx, &vis, &who.user_id, &grp)? {
        return Err(AppError::not_found().into());
    }
    Ok(grp)
}

/// The county admin and the group's maintainer change a group and its roster.
fn may_edit(who: &Principal, grp: &GroupRow) -> DbResult<()> {
    if who.role == Role::CountyAdmin || grp.maintainer_id == who.user_id {
        Ok(())
    } else {
        Err(AppError::forbidden().into())
    }
}

fn require_active(grp: &GroupRow) -> DbResult<()> {
    if grp.active {
        Ok(())
    } else {
        Err(AppError::conflict(
            "group_inactive",
            "该QQ群已停用，请先启用",
            "The QQ group is deactivated; reactivate it first",
        )
        .into())
    }
}

fn qq_arg(field: &str, s: &str) -> Result<QqNumber, FieldError> {
    let n = parse::normalise(s);
    QqNumber::parse(field, n.trim())
}

fn not_future(field: &str, d: NaiveDate) -> Result<(), FieldError> {
    if d > crate::clock::today() {
        return Err(FieldError::new(
            field,
            "future_date",
            format!("{field}：日期不能晚于今天"),
            format!("{field}: the date is in the future"),
        ));
    }
    Ok(())
}

fn changed_fields(changes: &serde_json::Value) -> Vec<String> {
    changes
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}
