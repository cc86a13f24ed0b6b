//! /api/v1/qq-groups/{id}/history: every change to a group and its roster.

use chrono::{DateTime, Utc};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};

use super::{ApiTags, visible_group};
use crate::AppState;
use crate::api::{PageRequest, path_id};
use crate::auth::Auth;
use crate::db::Mode;
use crate::error::AppResult;
use crate::qq::repo;

#[derive(Debug, Clone, Object)]
pub struct HistoryEntry {
    pub id: String,
    pub at: DateTime<Utc>,
    pub actor_id: String,
    /// e.g. `entry.add`, `entry.update`, `entry.remove`, `snapshot.import`, `group.update`.
    pub action: String,
    #[oai(skip_serializing_if_is_none)]
    pub entry_id: Option<String>,
    /// Field → `{old, new}`; QQ numbers masked.
    pub changes: serde_json::Value,
}

#[derive(Debug, Clone, Object)]
pub struct HistoryPage {
    pub items: Vec<HistoryEntry>,
    #[oai(skip_serializing_if_is_none)]
    pub next_cursor: Option<String>,
}

pub struct HistoryApi {
    pub state: AppState,
}

#[OpenApi(tag = "ApiTags::QqGroups")]
impl HistoryApi {
    /// 名单变更历史 / Every change to the group and its roster, oldest first
    #[oai(path = "/qq-groups/:id/history", method = "get")]
    async fn history(
        &self,
        auth: Auth,
        id: Path<String>,
        entry_id: Query<Option<String>>,
        limit: Query<Option<crate::api::PageLimit>>,
        #[oai(validator(pattern = r"^[A-Za-z0-9_-]{0,200}$"))] cursor: Query<Option<String>>,
    ) -> AppResult<Json<HistoryPage>> {
        let tid = auth.0.tenant()?;
        let id = path_id(&id.0)?;
        let page = PageRequest::parse(limit.0, cursor.0.as_deref())?;
        let entry = entry_id.0.as_deref().map(path_id).transpose()?;
        let who = auth.0;
        let (items, next_cursor) = self
            .state
            .db
            .tenant(tid, Mode::Read, move |tx| {
                visible_group(tx, &who, &id)?;
                let rows = repo::list_history(tx, &id, entry.as_deref(), &page)?;
                let (rows, next) = page.finish(rows, |r| &r.id);
                let items = rows
                    .into_iter()
                    .map(|r| HistoryEntry {
                        id: r.id,
                        at: r.at.and_utc(),
                        actor_id: r.actor_id,
                        action: r.action,
                        entry_id: r.entry_id,
                        changes: serde_json::from_str(&r.changes)
                            .unwrap_or(serde_json::Value::Null),
                    })
                    .collect();
                Ok((items, next))
            })
            .await?;
        Ok(Json(HistoryPage { items, next_cursor }))
    }
}
