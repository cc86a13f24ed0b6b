//! /api/v1/audit: the county admin reads the county's audit log and checks its chain.

use chrono::{DateTime, Utc};
use poem_openapi::param::Query;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi, Tags};

use super::{AuditRow, Verdict};
use crate::api::{PageRequest, path_id};
use crate::auth::{Auth, Role};
use crate::state::AppState;
use shuanglian_core::db::Mode;
use shuanglian_core::error::AppResult;

#[derive(Tags)]
enum ApiTags {
    /// 审计日志 / Audit log
    Audit,
}

#[derive(Debug, Clone, Object)]
pub struct AuditEntry {
    pub seq: i64,
    pub id: String,
    pub at: DateTime<Utc>,
    pub actor_id: String,
    pub actor_role: String,
    /// e.g. `user.create`, `org_unit.move`, `grid.assign_township`.
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    #[oai(skip_serializing_if_is_none)]
    pub reason: Option<String>,
    /// Field names and ids involved; never personal values.
    pub details: serde_json::Value,
    pub hash: String,
}

impl From<AuditRow> for AuditEntry {
    fn from(r: AuditRow) -> Self {
        Self {
            seq: r.seq,
            id: r.id,
            at: r.at.and_utc(),
            actor_id: r.actor_id,
            actor_role: r.actor_role,
            action: r.action,
            entity: r.entity,
            entity_id: r.entity_id,
            reason: r.reason,
            details: serde_json::from_str(&r.details).unwrap_or(serde_json::Value::Null),
            hash: r.hash,
        }
    }
}

#[derive(Debug, Clone, Object)]
pub struct AuditPage {
    pub items: Vec<AuditEntry>,
    #[oai(skip_serializing_if_is_none)]
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Object)]
pub struct ChainCheck {
    /// True when every entry's hash and link recompute.
    pub intact: bool,
    pub entries: u64,
    #[oai(skip_serializing_if_is_none)]
    pub first_broken_seq: Option<i64>,
    #[oai(skip_serializing_if_is_none)]
    pub problem: Option<String>,
}

pub struct AuditApi {
    pub state: AppState,
}

#[OpenApi(tag = "ApiTags::Audit")]
impl AuditApi {
    /// 审计日志 / The county's audit log, oldest first (county admin)
    #[oai(path = "/audit", method = "get")]
    async fn list(
        &self,
        auth: Auth,
        /// Only entries about this entity (e.g. "who touched this user").
        entity_id: Query<Option<String>>,
        /// Only entries of this action (e.g. `member.unmask`: the unmasking log).
        #[oai(validator(pattern = r"^[a-z_]{1,40}(\.[a-z_]{1,40}){0,3}$"))]
        action: Query<Option<String>>,
        limit: Query<Option<crate::api::PageLimit>>,
        #[oai(validator(pattern = r"^[A-Za-z0-9_-]{0,200}$"))] cursor: Query<Option<String>>,
    ) -> AppResult<Json<AuditPage>> {
        let tid = auth.0.tenant()?;
        auth.0.require(&[Role::CountyAdmin])?;
        let page = PageRequest::parse(limit.0, cursor.0.as_deref())?;
        let entity = entity_id.0.as_deref().map(path_id).transpose()?;
        let p2 = page.clone();
        let rows = self
            .state
            .db
            .tenant(tid, Mode::Read, move |tx| {
                super::list(tx, &p2, entity.as_deref(), action.0.as_deref())
            })
            .await?;
        let (rows, next_cursor) = page.finish(rows, |r| &r.id);
        Ok(Json(AuditPage {
            items: rows.into_iter().map(AuditEntry::from).collect(),
            next_cursor,
        }))
    }

    /// 校验审计链 / Recompute the audit chain (county admin)
    #[oai(path = "/audit/verify", method = "get")]
    async fn verify(&self, auth: Auth) -> AppResult<Json<ChainCheck>> {
        let tid = auth.0.tenant()?;
        auth.0.require(&[Role::CountyAdmin])?;
        let v = self.state.db.tenant(tid, Mode::Read, super::verify).await?;
        Ok(Json(match v {
            Verdict::Intact { entries } => ChainCheck {
                intact: true,
                entries,
                first_broken_seq: None,
                problem: None,
            },
            Verdict::Broken { seq, reason } => ChainCheck {
                intact: false,
                entries: 0,
                first_broken_seq: Some(seq),
                problem: Some(reason.to_owned()),
            },
        }))
    }
}
