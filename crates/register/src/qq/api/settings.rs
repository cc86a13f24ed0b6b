//! /api/v1/qq-settings: the county's join deadline.

use poem_openapi::param::Header;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use serde::Deserialize;

use super::ApiTags;
use crate::AppState;
use crate::api::{JsonBody, etag, if_match};
use crate::audit::{self, Actor};
use crate::auth::{Auth, Role};
use crate::db::Mode;
use crate::error::{AppError, AppResult};
use crate::qq::model::JoinDeadline;
use crate::qq::repo;

#[derive(Debug, Clone, Object)]
pub struct QqSettingsView {
    /// `MM-DD`, default `05-10`.
    pub join_deadline: String,
    /// True until the county admin sets it.
    pub is_default: bool,
}

#[derive(Debug, Clone, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct UpdateQqSettingsRequest {
    /// `MM-DD`, e.g. `05-10`.
    #[oai(validator(max_length = 10))]
    pub join_deadline: String,
}

#[derive(ApiResponse)]
pub enum SettingsResponse {
    #[oai(status = 200)]
    Ok(Json<QqSettingsView>, #[oai(header = "ETag")] String),
}

pub struct SettingsApi {
    pub state: AppState,
}

#[OpenApi(tag = "ApiTags::QqGroups")]
impl SettingsApi {
    /// QQ群设置 / The county's QQ group settings (join deadline)
    #[oai(path = "/qq-settings", method = "get")]
    async fn settings(&self, auth: Auth) -> AppResult<SettingsResponse> {
        let tid = auth.0.tenant()?;
        let (d, version) = self
            .state
            .db
            .tenant(tid, Mode::Read, repo::deadline)
            .await?;
        Ok(SettingsResponse::Ok(
            Json(QqSettingsView {
                join_deadline: d.to_string(),
                is_default: version == 0,
            }),
            etag(version),
        ))
    }

    /// 修改QQ群设置 / Set the join deadline (county admin; If-Match, `"v0"` while never set)
    #[oai(path = "/qq-settings", method = "patch")]
    async fn update_settings(
        &self,
        auth: Auth,
        body: JsonBody<UpdateQqSettingsRequest>,
        #[oai(name = "If-Match", validator(pattern = r#"^(W/)?"v[0-9]{1,18}"$"#))]
        if_match_h: Header<String>,
    ) -> AppResult<SettingsResponse> {
        let tid = auth.0.tenant()?;
        auth.0.require(&[Role::CountyAdmin])?;
        let expected = if_match(Some(&if_match_h.0))?;
        let d = JoinDeadline::parse("join_deadline", &body.0.join_deadline)
            .map_err(|e| AppError::validation(vec![e]))?;
        let who = auth.0;
        let version = self
            .state
            .db
            .tenant(tid, Mode::Write, move |tx| {
                let (old, _) = repo::deadline(tx)?;
                let v = repo::set_deadline(tx, expected, d, &who.user_id)?;
                let county = tx.tid().to_owned();
                audit::record(
                    tx,
                    &Actor::of(&who),
                    "qq_settings.update",
                    "qq_settings",
                    &county,
                    None,
                    serde_json::json!({ "join_deadline": { "old": old.to_string(), "new": d.to_string() } }),
                )?;
                Ok(v)
            })
            .await?;
        Ok(SettingsResponse::Ok(
            Json(QqSettingsView {
                join_deadline: d.to_string(),
                is_default: false,
            }),
            etag(version),
        ))
    }
}
