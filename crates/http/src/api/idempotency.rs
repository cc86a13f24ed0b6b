//! Idempotency keys for creating POSTs. The key, a digest of the request and the response are
//! written in the same transaction as the creation, so a retry either replays the stored
//! response or runs for the first time: never twice, never half. Secrets in a response (one-time
//! passwords) are removed before storing; a replay says so.

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use poem::http::StatusCode;
use serde::Serialize;

use shuanglian_core::db::schema::{idempotency_keys as ik, platform_idempotency_keys as pik};
use shuanglian_core::db::{DbResult, PlatformTx, TenantTx};
use shuanglian_core::error::{AppError, FieldError};

/// Keys are honoured for this long.
pub const RETENTION_HOURS: i64 = 24;

#[derive(Debug, Clone)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// `None` when the header is absent; an error when it is present but unusable.
    pub fn parse(header: Option<&str>) -> Result<Option<Self>, AppError> {
        let Some(h) = header else { return Ok(None) };
        if h.is_empty() || h.len() > 200 || !h.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(AppError::validation(vec![FieldError::new(
                "Idempotency-Key",
                "invalid",
                "Idempotency-Key 应为 1 到 200 个可见 ASCII 字符",
                "Idempotency-Key must be 1 to 200 visible ASCII characters",
            )]));
        }
        Ok(Some(Self(h.to_owned())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A digest of what was asked, so a key reused for a different request is caught.
pub fn request_hash(route: &str, body: &impl Serialize) -> String {
    let json = serde_json::to_string(body).unwrap_or_default();
    crate::auth::token::digest(&format!("{route}\n{json}"))
}

#[derive(Debug, Clone)]
pub struct Stored {
    pub status: u16,
    pub body: serde_json::Value,
}

impl Stored {
    /// The stored response, as the type the endpoint returns.
    pub fn into_body<T: serde::de::DeserializeOwned>(self) -> DbResult<T> {
        serde_json::from_value(self.body).map_err(|e| {
            AppError::internal(anyhow::anyhow!("stored idempotent response: {e}")).into()
        })
    }
}

fn reused() -> AppError {
    AppError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "idempotency_key_reused",
        "该 Idempotency-Key 已用于另一个不同的请求",
        "This Idempotency-Key was already used for a different request",
    )
    .with_field(FieldError::new(
        "Idempotency-Key",
        "reused",
        "Idempotency-Key 已被使用",
        "Idempotency-Key already used",
    ))
}

fn cutoff() -> NaiveDateTime {
    (Utc::now() - chrono::Duration::hours(RETENTION_HOURS)).naive_utc()
}

fn decide(
    row: Option<(String, i32, String, NaiveDateTime)>,
    hash: &str,
) -> Result<Option<Stored>, AppError> {
    match row {
        Some((h, status, body, created)) if created > cutoff() => {
            if h != hash {
                return Err(reused());
            }
            let body = serde_json::from_str(&body).unwrap_or(serde_json::Value::Null);
            Ok(Some(Stored {
                status: status as u16,
                body,
            }))
        }
        _ => Ok(None),
    }
}

pub fn tenant_lookup(
    tx: &mut TenantTx<'_>,
    user: &str,
    key: &IdempotencyKey,
    hash: &str,
) -> DbResult<Option<Stored>> {
    let tid = tx.tid().to_owned();
    let row = ik::table
        .filter(
            ik::tenant_id
                .eq(&tid)
                .and(ik::user_id.eq(user))
                .and(ik::key.eq(key.as_str())),
        )
        .select((ik::request_hash, ik::status, ik::body, ik::created_at))
        .first::<(String, i32, String, NaiveDateTime)>(tx.conn())
        .optional()?;
    if row.as_ref().is_some_and(|r| r.3 <= cutoff()) {
        diesel::delete(
            ik::table.filter(
                ik::tenant_id
                    .eq(&tid)
                    .and(ik::user_id.eq(user))
                    .and(ik::key.eq(key.as_str())),
            ),
        )
        .execute(tx.conn())?;
    }
    Ok(decide(row, hash)?)
}

pub fn tenant_store(
    tx: &mut TenantTx<'_>,
    user: &str,
    key: &IdempotencyKey,
    hash: &str,
    status: u16,
    body: &impl Serialize,
) -> DbResult<()> {
    let tid = tx.tid().to_owned();
    diesel::insert_into(ik::table)
        .values((
            ik::tenant_id.eq(tid),
            ik::user_id.eq(user),
            ik::key.eq(key.as_str()),
            ik::request_hash.eq(hash),
            ik::status.eq(i32::from(status)),
            ik::body.eq(serde_json::to_string(body).unwrap_or_default()),
            ik::created_at.eq(Utc::now().naive_utc()),
        ))
        .execute(tx.conn())?;
    Ok(())
}

pub fn platform_lookup(
    tx: &mut PlatformTx<'_>,
    user: &str,
    key: &IdempotencyKey,
    hash: &str,
) -> DbResult<Option<Stored>> {
    let row = pik::table
        .filter(pik::user_id.eq(user).and(pik::key.eq(key.as_str())))
        .select((pik::request_hash, pik::status, pik::body, pik::created_at))
        .first::<(String, i32, String, NaiveDateTime)>(tx.conn())
        .optional()?;
    if row.as_ref().is_some_and(|r| r.3 <= cutoff()) {
        diesel::delete(pik::table.filter(pik::user_id.eq(user).and(pik::key.eq(key.as_str()))))
            .execute(tx.conn())?;
    }
    Ok(decide(row, hash)?)
}

pub fn platform_store(
    tx: &mut PlatformTx<'_>,
    user: &str,
    key: &IdempotencyKey,
    hash: &str,
    status: u16,
    body: &impl Serialize,
) -> DbResult<()> {
    diesel::insert_into(pik::table)
        .values((
            pik::user_id.eq(user),
            pik::key.eq(key.as_str()),
            pik::request_hash.eq(hash),
            pik::status.eq(i32::from(status)),
            pik::body.eq(serde_json::to_string(body).unwrap_or_default()),
            pik::created_at.eq(Utc::now().naive_utc()),
        ))
        .execute(tx.conn())?;
    Ok(())
}

/// Deletes one county's expired keys; returns how many. Runs inside that county's transaction,
/// like every job that touches tenant rows.
pub fn purge_tenant(tx: &mut TenantTx<'_>) -> DbResult<usize> {
    let tid = tx.tid().to_owned();
    Ok(
        diesel::delete(ik::table.filter(ik::tenant_id.eq(tid).and(ik::created_at.le(cutoff()))))
            .execute(tx.conn())?,
    )
}

/// Deletes expired platform keys.
pub fn purge_platform(tx: &mut PlatformTx<'_>) -> DbResult<usize> {
    Ok(diesel::delete(pik::table.filter(pik::created_at.le(cutoff()))).execute(tx.conn())?)
}

/// The hourly clean-up job: platform keys, then each county in its own tenant transaction
/// (a job never holds more than one county's scope at a time).
pub async fn purge_expired(db: &shuanglian_core::db::Db) -> DbResult<usize> {
    use shuanglian_core::db::Mode;
    let mut n = db.platform(Mode::Write, purge_platform).await?;
    let tenants = db
        .platform(Mode::Read, |tx| {
            use shuanglian_core::db::schema::tenants;
            Ok(tenants::table
                .select(tenants::id)
                .order(tenants::id)
                .load::<String>(tx.conn())?)
        })
        .await?;
    for t in tenants {
        // Suspended counties are skipped by the tenant transaction's status check.
        let Some(t) = shuanglian_core::tenant::TenantId::parse(&t) else {
            continue;
        };
        match db.tenant(t, Mode::Write, purge_tenant).await {
            Ok(k) => n += k,
            Err(shuanglian_core::db::DbError::App(_)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_hashes() {
        assert!(IdempotencyKey::parse(None).expect("none").is_none());
        assert!(
            IdempotencyKey::parse(Some("abc-123"))
                .expect("ok")
                .is_some()
        );
        assert!(IdempotencyKey::parse(Some("has space")).is_err());
        assert!(IdempotencyKey::parse(Some(&"x".repeat(201))).is_err());
        assert_ne!(request_hash("a", &1), request_hash("a", &2));
        assert_ne!(request_hash("a", &1), request_hash("b", &1));
    }
}
