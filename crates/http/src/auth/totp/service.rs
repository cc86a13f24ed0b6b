//! The second-factor operations, for county accounts (their county's transaction and key, each
//! change in the county's audit log) and platform accounts (platform rows, master-derived key;
//! there is no platform audit chain, so those changes are logged) through one interface.

use secrecy::{ExposeSecret, SecretString};

use super::repo::{self, Enrolment};
use super::{CodeCheck, check, new_secret, now_unix};
use crate::audit::{self, Actor};
use crate::privacy::keys;
use shuanglian_core::db::{Db, Mode};
use shuanglian_core::error::{AppError, AppResult};
use shuanglian_core::kv::Scope;
use shuanglian_core::tenant::TenantId;

/// Whose second factor: a county user's or a platform/provincial user's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owner {
    County(TenantId),
    Platform,
}

impl Owner {
    pub fn of(scope: &Scope) -> Self {
        match scope {
            Scope::Tenant(t) => Owner::County(t.clone()),
            Scope::Platform => Owner::Platform,
        }
    }
}

/// The outcome of a code presented for an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The account has no active second factor.
    NotEnrolled,
    Accepted,
    Invalid,
    Replayed,
}

pub fn invalid_code_field() -> AppError {
    AppError::field(
        "code",
        "totp_invalid",
        "code：动态码不正确或已过期，请输入验证器应用当前显示的6位数字",
        "code: wrong or expired; enter the 6 digits your authenticator shows now",
    )
}

pub fn replayed_code_field() -> AppError {
    AppError::field(
        "code",
        "totp_replayed",
        "code：该动态码已经用过，请等待验证器显示下一个动态码",
        "code: this code was used already; wait for the next one",
    )
}

/// The account's enrolment, if any.
pub async fn status(db: &Db, owner: &Owner, user_id: &str) -> AppResult<Option<Enrolment>> {
    let uid = user_id.to_owned();
    Ok(match owner {
        Owner::County(t) => {
            db.tenant(t.clone(), Mode::Read, move |tx| repo::get(tx, &uid))
                .await?
        }
        Owner::Platform => {
            db.platform(Mode::Read, move |tx| repo::platform_get(tx, &uid))
                .await?
        }
    })
}

/// The enrolment with its secret in clear, if any.
async fn load(
    db: &Db,
    master: &[u8; 32],
    owner: &Owner,
    user_id: &str,
) -> AppResult<Option<(Enrolment, SecretString)>> {
    let uid = user_id.to_owned();
    let master = *master;
    Ok(match owner {
        Owner::County(t) => {
            db.tenant(t.clone(), Mode::Read, move |tx| {
                let Some(e) = repo::get(tx, &uid)? else {
                    return Ok(None);
                };
                let keys = keys::load(tx, &master)?;
                let secret = repo::open_tenant(&keys, &uid, &e.secret_enc)?;
                Ok(Some((e, secret)))
            })
            .await?
        }
        Owner::Platform => {
            db.platform(Mode::Read, move |tx| {
                let Some(e) = repo::platform_get(tx, &uid)? else {
                    return Ok(None);
                };
                let secret = repo::open_platform(&master, &uid, &e.secret_enc)?;
                Ok(Some((e, secret)))
            })
            .await?
        }
    })
}

/// Starts an enrolment: a new secret, stored encrypted and pending until [`confirm`]. Replaces
/// an earlier pending one; 409 `totp_already_enrolled` if one is active.
pub async fn begin(
    db: &Db,
    master: &[u8; 32],
    owner: &Owner,
    user_id: &str,
) -> AppResult<SecretString> {
    let secret = new_secret();
    store(db, master, owner, user_id, &secret, false).await?;
    Ok(secret)
}

/// Stores a secret for an account, pending or (`confirmed`) active at once. The latter is for
/// seeding accounts whose secret is known (demo accounts, test fixtures).
pub async fn store(
    db: &Db,
    master: &[u8; 32],
    owner: &Owner,
    user_id: &str,
    secret: &SecretString,
    confirmed: bool,
) -> AppResult<()> {
    let uid = user_id.to_owned();
    let master = *master;
    let s = secret.clone();
    match owner {
        Owner::County(t) => {
            db.tenant(t.clone(), Mode::Write, move |tx| {
                let keys = keys::load(tx, &master)?;
                let sealed = repo::seal_tenant(&keys, &uid, &s);
                repo::put(tx, &uid, &sealed, confirmed)
            })
            .await?
        }
        Owner::Platform => {
            db.platform(Mode::Write, move |tx| {
                let sealed = repo::seal_platform(&master, &uid, &s);
                repo::platform_put(tx, &uid, &sealed, confirmed)
            })
            .await?
        }
    }
    Ok(())
}

/// Activates a pending enrolment with a current code from the app.
pub async fn confirm(
    db: &Db,
    master: &[u8; 32],
    owner: &Owner,
    user_id: &str,
    code: &str,
    actor: &Actor,
) -> AppResult<()> {
    let (e, secret) = load(db, master, owner, user_id)
        .await?
        .ok_or_else(not_pending)?;
    if e.active() {
        return Err(repo::already_enrolled());
    }
    let step = match check(secret.expose_secret(), code, now_unix(), None) {
        CodeCheck::Accepted(s) => s as i64,
        CodeCheck::Invalid | CodeCheck::Replayed => return Err(invalid_code_field()),
    };
    let uid = user_id.to_owned();
    let actor = actor.clone();
    let confirmed = match owner {
        Owner::County(t) => {
            db.tenant(t.clone(), Mode::Write, move |tx| {
                let ok = repo::confirm(tx, &uid, step)?;
                if ok {
                    audit::record(
                        tx,
                        &actor,
                        "user.totp_enrol",
                        "user",
                        &uid,
                        None,
                        serde_json::json!({}),
                    )?;
                }
                Ok(ok)
            })
            .await?
        }
        Owner::Platform => {
            db.platform(Mode::Write, move |tx| {
                repo::platform_confirm(tx, &uid, step)
            })
            .await?
        }
    };
    if !confirmed {
        // Another request confirmed or replaced it in between.
        return Err(not_pending());
    }
    tracing::info!("second factor enrolled");
    Ok(())
}

fn not_pending() -> AppError {
    AppError::conflict(
        "totp_not_pending",
        "没有待确认的二次验证，请先申请（POST /api/v1/auth/totp/enrol）",
        "No enrolment is waiting for a code; start one first (POST /api/v1/auth/totp/enrol)",
    )
}

/// Checks a code for an account with an active second factor and, if it is good, records its
/// step so it is never accepted again.
pub async fn verify(
    db: &Db,
    master: &[u8; 32],
    owner: &Owner,
    user_id: &str,
    code: &str,
) -> AppResult<Verdict> {
    let Some((e, secret)) = load(db, master, owner, user_id).await? else {
        return Ok(Verdict::NotEnrolled);
    };
    if !e.active() {
        return Ok(Verdict::NotEnrolled);
    }
    let step = match check(secret.expose_secret(), code, now_unix(), e.last_step) {
        CodeCheck::Accepted(s) => s as i64,
        CodeCheck::Invalid => return Ok(Verdict::Invalid),
        CodeCheck::Replayed => return Ok(Verdict::Replayed),
    };
    let uid = user_id.to_owned();
    let fresh = match owner {
        Owner::County(t) => {
            db.tenant(t.clone(), Mode::Write, move |tx| {
                repo::accept_step(tx, &uid, step)
            })
            .await?
        }
        Owner::Platform => {
            db.platform(Mode::Write, move |tx| {
                repo::platform_accept_step(tx, &uid, step)
            })
            .await?
        }
    };
    // Losing the conditional update means another request used this step first.
    Ok(if fresh {
        Verdict::Accepted
    } else {
        Verdict::Replayed
    })
}

/// Removes an account's second factor (reset by an admin, or disabled by its owner); audited
/// for county accounts as `action`. Returns whether there was one.
pub async fn remove(
    db: &Db,
    owner: &Owner,
    user_id: &str,
    actor: &Actor,
    action: &'static str,
) -> AppResult<bool> {
    let uid = user_id.to_owned();
    let actor = actor.clone();
    let removed = match owner {
        Owner::County(t) => {
            db.tenant(t.clone(), Mode::Write, move |tx| {
                let removed = repo::remove(tx, &uid)?;
                if removed {
                    audit::record(
                        tx,
                        &actor,
                        action,
                        "user",
                        &uid,
                        None,
                        serde_json::json!({}),
                    )?;
                }
                Ok(removed)
            })
            .await?
        }
        Owner::Platform => {
            db.platform(Mode::Write, move |tx| repo::platform_remove(tx, &uid))
                .await?
        }
    };
    if removed {
        tracing::info!(action, "second factor removed");
    }
    Ok(removed)
}
