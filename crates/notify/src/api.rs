//! /api/v1/notifications/settings (the county's channels and rules, county admin) and
//! /api/v1/me/notification-preferences (a staff member's own channels).

use chrono::Utc;
use diesel::prelude::*;
use poem_openapi::param::Header;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};
use serde::Deserialize;

use crate::AppState;
use crate::api_helpers::{JsonBody, etag, if_match};
use crate::audit::{self, Actor};
use crate::auth::{Auth, Role};
use crate::db::Mode;
use crate::db::schema::{notification_preferences as np, notification_settings as ns};
use crate::error::{AppError, AppResult, FieldError, Gather};
use crate::model::{self, QuietHours};
use crate::repo::{self, SettingsRow};
use shuanglian_http::privacy::identity::MobileNumber;
use shuanglian_http::privacy::keys;

#[derive(Tags)]
pub(crate) enum ApiTags {
    /// 通知送达 / Notifications: channels, inbox and delivery status
    Notifications,
}

pub struct NotifySettingsApi {
    pub state: AppState,
}

/// The county's channels and rules.
#[derive(Debug, Clone, Object)]
pub struct NotifySettingsView {
    /// 短信签名 (approved at the gateway); no SMS while unset.
    #[oai(skip_serializing_if_is_none)]
    pub sms_sign_name: Option<String>,
    /// 短信模板编号, a notice template with the variables `${title}` and `${content}`.
    #[oai(skip_serializing_if_is_none)]
    pub sms_template_code: Option<String>,
    pub sms_per_minute: i32,
    /// Quiet hours, Beijing time `HH:MM`: SMS waits until they end. Equal: none.
    pub quiet_start: String,
    pub quiet_end: String,
    #[oai(skip_serializing_if_is_none)]
    pub webhook_url: Option<String>,
    /// The secret itself is never shown again.
    pub webhook_secret_set: bool,
    /// Whether the platform has an SMS gateway (the county's SMS settings wait for it).
    pub sms_gateway_configured: bool,
    pub version: i64,
}

#[derive(Debug, Clone, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct UpdateNotifySettingsRequest {
    #[oai(validator(max_length = 40))]
    pub sms_sign_name: Option<String>,
    #[oai(validator(max_length = 40))]
    pub sms_template_code: Option<String>,
    #[oai(validator(minimum(value = "1"), maximum(value = "6000")))]
    pub sms_per_minute: i32,
    #[oai(validator(max_length = 8))]
    pub quiet_start: String,
    #[oai(validator(max_length = 8))]
    pub quiet_end: String,
    /// None removes the webhook.
    #[oai(validator(max_length = 600))]
    pub webhook_url: Option<String>,
    /// Needed when a webhook is first set; omitted, the current secret stays.
    #[oai(validator(max_length = 200))]
    pub webhook_secret: Option<String>,
}

#[derive(ApiResponse)]
pub enum NotifySettingsResponse {
    #[oai(status = 200)]
    Ok(Json<NotifySettingsView>, #[oai(header = "ETag")] String),
}

fn view(s: &SettingsRow, gateway: bool) -> NotifySettingsView {
    let q = s.quiet();
    NotifySettingsView {
        sms_sign_name: s.sms_sign_name.clone(),
        sms_template_code: s.sms_template_code.clone(),
        sms_per_minute: s.sms_per_minute,
        quiet_start: QuietHours::format(q.start),
        quiet_end: QuietHours::format(q.end),
        webhook_url: s.webhook_url.clone(),
        webhook_secret_set: s.webhook_secret_enc.is_some(),
        sms_gateway_configured: gateway,
        version: s.version,
    }
}

/// Everything in the request, checked at once (every bad field listed).
struct Validated {
    sign_name: Option<String>,
    template_code: Option<String>,
    per_minute: i32,
    quiet: QuietHours,
    webhook_url: Option<String>,
    webhook_secret: Option<String>,
}

fn validate(b: &UpdateNotifySettingsRequest, allow_private: bool) -> Result<Validated, AppError> {
    let mut errs: Vec<FieldError> = Vec::new();
    let blank = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let sign_name = blank(&b.sms_sign_name)
        .map(|s| model::parse_sign_name("sms_sign_name", &s))
        .gather(&mut errs);
    let template_code = blank(&b.sms_template_code)
        .map(|s| model::parse_template_code("sms_template_code", &s))
        .gather(&mut errs);
    let start = QuietHours::parse_minute("quiet_start", b.quiet_start.trim()).gather(&mut errs);
    let end = QuietHours::parse_minute("quiet_end", b.quiet_end.trim()).gather(&mut errs);
    let webhook_url = blank(&b.webhook_url)
        .map(|s| model::parse_webhook_url("webhook_url", &s, allow_private))
        .gather(&mut errs);
    let webhook_secret = b
        .webhook_secret
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(|s| model::parse_webhook_secret("webhook_secret", s))
        .gather(&mut errs);
    if sign_name.is_some() != template_code.is_some() && errs.is_empty() {
        let missing = if sign_name.is_none() {
            "sms_sign_name"
        } else {
            "sms_template_code"
        };
        errs.push(FieldError::new(
            missing,
            "required",
            format!("{missing}：短信签名与模板编号须同时填写"),
            format!("{missing}: the SMS signature and template go together"),
        ));
    }
    let (Some(start), Some(end), true) = (start, end, errs.is_empty()) else {
        return Err(AppError::validation(errs));
    };
    Ok(Validated {
        sign_name,
        template_code,
        per_minute: b.sms_per_minute,
        quiet: QuietHours { start, end },
        webhook_url,
        webhook_secret,
    })
}

#[OpenApi(tag = "ApiTags::Notifications")]
impl NotifySettingsApi {
    /// 通知设置（县级管理员）/ The county's notification channels and rules (county admin)
    #[oai(path = "/notifications/settings", method = "get")]
    async fn settings(&self, auth: Auth) -> AppResult<NotifySettingsResponse> {
        let tid = auth.0.tenant()?;
        auth.0.require(&[Role::CountyAdmin])?;
        let s = self
            .state
            .db
            .tenant(tid, Mode::Read, repo::settings)
            .await?;
        let gateway = self.state.settings.notify.sms_endpoint.is_some();
        Ok(NotifySettingsResponse::Ok(
            Json(view(&s, gateway)),
            etag(s.version),
        ))
    }

    /// 修改通知设置（县级管理员；If-Match，从未设置时为 `"v0"`）/ Set the county's channels and rules
    #[oai(path = "/notifications/settings", method = "put")]
    async fn update_settings(
        &self,
        auth: Auth,
        body: JsonBody<UpdateNotifySettingsRequest>,
        #[oai(name = "If-Match", validator(pattern = r#"^(W/)?"v[0-9]{1,18}"$"#))]
        if_match_h: Header<String>,
    ) -> AppResult<NotifySettingsResponse> {
        let tid = auth.0.tenant()?;
        auth.0.require(&[Role::CountyAdmin])?;
        let expected = if_match(Some(&if_match_h.0))?;
        let v = validate(&body.0, self.state.settings.notify.webhook_allow_private)?;
        let master = *self.state.master_key.bytes();
        let who = auth.0;
        let gateway = self.state.settings.notify.sms_endpoint.is_some();
        let s = self
            .state
            .db
            .tenant(tid, Mode::Write, move |tx| {
                let old = repo::settings(tx)?;
                if old.version != expected {
                    return Err(AppError::precondition_failed().into());
                }
                let secret_enc = match (&v.webhook_url, &v.webhook_secret) {
                    (None, _) => None,
                    (Some(_), Some(secret)) => {
                        Some(keys::load(tx, &master)?.encrypt("webhook_secret", secret))
                    }
                    (Some(_), None) => match old.webhook_secret_enc.clone() {
                        Some(kept) => Some(kept),
                        None => {
                            return Err(AppError::validation(vec![FieldError::new(
                                "webhook_secret",
                                "required",
                                "webhook_secret：设置回调地址时须填写签名密钥",
                                "webhook_secret: a webhook needs its signing secret",
                            )])
                            .into());
                        }
                    },
                };
                let tid = tx.tid().to_owned();
                let now = Utc::now().naive_utc();
                let values = (
                    ns::sms_sign_name.eq(v.sign_name.clone()),
                    ns::sms_template_code.eq(v.template_code.clone()),
                    ns::sms_per_minute.eq(v.per_minute),
                    ns::quiet_start.eq(i32::from(v.quiet.start)),
                    ns::quiet_end.eq(i32::from(v.quiet.end)),
                    ns::webhook_url.eq(v.webhook_url.clone()),
                    ns::webhook_secret_enc.eq(secret_enc),
                    ns::version.eq(expected + 1),
                    ns::updated_by.eq(who.user_id.clone()),
                    ns::updated_at.eq(now),
                );
                if expected == 0 {
                    diesel::insert_into(ns::table)
                        .values((ns::tenant_id.eq(tid.clone()), values))
                        .execute(tx.conn())?;
                } else {
                    let n = diesel::update(
                        ns::table.filter(ns::tenant_id.eq(&tid).and(ns::version.eq(expected))),
                    )
                    .set(values)
                    .execute(tx.conn())?;
                    if n == 0 {
                        return Err(AppError::precondition_failed().into());
                    }
                }
                let new = repo::settings(tx)?;
                audit::record(
                    tx,
                    &Actor::of(&who),
                    "notification_settings.update",
                    "notification_settings",
                    &tid,
                    None,
                    serde_json::json!({
                        "sms_sign_name": new.sms_sign_name,
                        "sms_template_code": new.sms_template_code,
                        "sms_per_minute": new.sms_per_minute,
                        "quiet": [new.quiet_start, new.quiet_end],
                        "webhook_url": new.webhook_url,
                        "webhook_secret_changed": v.webhook_secret.is_some(),
                    }),
                )?;
                Ok(new)
            })
            .await?;
        Ok(NotifySettingsResponse::Ok(
            Json(view(&s, gateway)),
            etag(s.version),
        ))
    }
}

pub struct PreferencesApi {
    pub state: AppState,
}

/// A staff member's own channels.
#[derive(Debug, Clone, Object)]
pub struct NotificationPreferencesView {
    /// 站内消息 (on unless turned off).
    pub inbox: bool,
    /// 短信 to the number below (the county must have SMS set up).
    pub sms: bool,
    /// `138****5678`: the number is never shown whole.
    #[oai(skip_serializing_if_is_none)]
    pub phone_masked: Option<String>,
    pub version: i64,
}

#[derive(Debug, Clone, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct UpdatePreferencesRequest {
    pub inbox: bool,
    pub sms: bool,
    /// A new number; omitted, the current one stays.
    #[oai(validator(max_length = 20))]
    pub phone: Option<String>,
}

#[derive(ApiResponse)]
pub enum PreferencesResponse {
    #[oai(status = 200)]
    Ok(
        Json<NotificationPreferencesView>,
        #[oai(header = "ETag")] String,
    ),
}

#[OpenApi(tag = "ApiTags::Notifications")]
impl PreferencesApi {
    /// 我的通知方式 / My notification channels
    #[oai(path = "/me/notification-preferences", method = "get")]
    async fn preferences(&self, auth: Auth) -> AppResult<PreferencesResponse> {
        let tid = auth.0.tenant()?;
        let master = *self.state.master_key.bytes();
        let me = auth.0.user_id.clone();
        let v = self
            .state
            .db
            .tenant(tid, Mode::Read, move |tx| {
                let p = repo::preferences(tx, &me)?;
                prefs_view(tx, &master, p)
            })
            .await?;
        let version = v.version;
        Ok(PreferencesResponse::Ok(Json(v), etag(version)))
    }

    /// 修改我的通知方式（If-Match，从未设置时为 `"v0"`）/ Set my notification channels
    #[oai(path = "/me/notification-preferences", method = "put")]
    async fn update_preferences(
        &self,
        auth: Auth,
        body: JsonBody<UpdatePreferencesRequest>,
        #[oai(name = "If-Match", validator(pattern = r#"^(W/)?"v[0-9]{1,18}"$"#))]
        if_match_h: Header<String>,
    ) -> AppResult<PreferencesResponse> {
        let tid = auth.0.tenant()?;
        let expected = if_match(Some(&if_match_h.0))?;
        let b = body.0;
        let phone = b
            .phone
            .as_deref()
            .map(|p| MobileNumber::parse("phone", p))
            .transpose()
            .map_err(|e| AppError::validation(vec![e]))?;
        let master = *self.state.master_key.bytes();
        let me = auth.0.user_id.clone();
        let v = self
            .state
            .db
            .tenant(tid, Mode::Write, move |tx| {
                let old = repo::preferences(tx, &me)?;
                if old.as_ref().map_or(0, |o| o.version) != expected {
                    return Err(AppError::precondition_failed().into());
                }
                let phone_enc = match &phone {
                    Some(p) => Some(keys::load(tx, &master)?.encrypt("phone", p.as_str())),
                    None => old.as_ref().and_then(|o| o.phone_enc.clone()),
                };
                if b.sms && phone_enc.is_none() {
                    return Err(AppError::validation(vec![FieldError::new(
                        "phone",
                        "required",
                        "phone：接收短信须填写手机号",
                        "phone: SMS needs a mobile number",
                    )])
                    .into());
                }
                let tid = tx.tid().to_owned();
                let now = Utc::now().naive_utc();
                let values = (
                    np::inbox.eq(b.inbox),
                    np::sms.eq(b.sms),
                    np::phone_enc.eq(phone_enc),
                    np::version.eq(expected + 1),
                    np::updated_at.eq(now),
                );
                if expected == 0 {
                    diesel::insert_into(np::table)
                        .values((np::tenant_id.eq(tid), np::user_id.eq(me.clone()), values))
                        .execute(tx.conn())?;
                } else {
                    let n = diesel::update(
                        np::table
                            .filter(np::tenant_id.eq(&tid).and(np::user_id.eq(&me)))
                            .filter(np::version.eq(expected)),
                    )
                    .set(values)
                    .execute(tx.conn())?;
                    if n == 0 {
                        return Err(AppError::precondition_failed().into());
                    }
                }
                let p = repo::preferences(tx, &me)?;
                prefs_view(tx, &master, p)
            })
            .await?;
        let version = v.version;
        Ok(PreferencesResponse::Ok(Json(v), etag(version)))
    }
}

fn prefs_view(
    tx: &mut crate::db::TenantTx<'_>,
    master: &[u8; 32],
    p: Option<repo::PreferencesRow>,
) -> crate::db::DbResult<NotificationPreferencesView> {
    let Some(p) = p else {
        return Ok(NotificationPreferencesView {
            inbox: true,
            sms: false,
            phone_masked: None,
            version: 0,
        });
    };
    let phone_masked = match &p.phone_enc {
        Some(enc) => keys::load(tx, master)?
            .decrypt("phone", enc)
            .ok()
            .and_then(|clear| MobileNumber::parse("phone", &clear).ok())
            .map(|m| m.masked()),
        None => None,
    };
    Ok(NotificationPreferencesView {
        inbox: p.inbox,
        sms: p.sms,
        phone_masked,
        version: p.version,
    })
}
