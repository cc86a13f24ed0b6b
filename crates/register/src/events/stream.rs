//! One subscriber's stream: which events reach them, and when the stream must end.
//!
//! A stream is bound to the session that opened it and lives no longer than the session's
//! right to ordinary requests:
//! - the session record is looked up every [`SESSION_CHECK`] (sign-out, revocation, a disabled
//!   user or a changed role all delete it), and at once when an event names the user;
//! - a county user's account, county and binding are re-read every [`REFRESH`], and at once when
//!   an event names their county (suspension) or their account: a suspended county, a disabled
//!   account or a missing user ends the stream, a new binding narrows or widens what it gets.
//!
//! Errors of the store or the database end the stream too (fail closed): the client reconnects
//! and gets the ordinary answer of the moment.

use std::time::Duration;

use tokio::sync::broadcast::Receiver;
use tokio::sync::broadcast::error::RecvError;
use tokio::time::Instant;

use super::{Event, EventKind, Published, visible};
use crate::AppState;
use crate::auth::{Principal, Role};
use crate::db::Mode;
use crate::error::{AppError, AppResult};
use crate::kv::Scope;
use crate::kv::pubsub::Message;
use crate::org::scope::{self, Visibility};

/// How often the session record is looked up.
pub const SESSION_CHECK: Duration = Duration::from_secs(2);
/// How often a county user's account, county and binding are re-read.
pub const REFRESH: Duration = Duration::from_secs(30);

/// What a county user may receive, as of the last read.
#[derive(Debug, Clone)]
struct Seat {
    vis: Visibility,
}

pub struct Subscription {
    state: AppState,
    rx: Receiver<Message>,
    scope: Scope,
    digest: String,
    user_id: String,
    role: Role,
    /// A provincial office's province (platform channel filter).
    province: Option<String>,
    seat: Option<Seat>,
    expires: Instant,
    next_check: Instant,
    next_refresh: Instant,
}

/// A county user's standing: refused (403 `tenant_suspended` from the tenant transaction,
/// 401 for a missing or disabled account), or what they see.
async fn seat(state: &AppState, scope: &Scope, role: Role, user_id: &str) -> AppResult<Seat> {
    let Scope::Tenant(tid) = scope else {
        return Ok(Seat {
            vis: Visibility::Nothing,
        });
    };
    let uid = user_id.to_owned();
    let vis = state
        .db
        .tenant(tid.clone(), Mode::Read, move |tx| {
            let active = crate::users::repo::get(tx, &uid)?.is_some_and(|u| u.status == "active");
            if !active {
                return Err(AppError::unauthenticated().into());
            }
            scope::visibility(tx, role, &uid)
        })
        .await?;
    Ok(Seat { vis })
}

impl Subscription {
    /// Opens a subscription for a principal, refusing what an ordinary request would refuse.
    pub async fn open(state: &AppState, who: &Principal) -> AppResult<Subscription> {
        let seat = match &who.scope {
            Scope::Tenant(_) => Some(seat(state, &who.scope, who.role, &who.user_id).await?),
            Scope::Platform => None,
        };
        let keys = state.sessions.keys();
        let rx = state
            .sessions
            .kv()
            .subscribe(&keys.events_prefix())
            .await
            .map_err(AppError::internal)?;
        let left = (who.record.expires_at - chrono::Utc::now())
            .to_std()
            .unwrap_or_default();
        let now = Instant::now();
        Ok(Subscription {
            state: state.clone(),
            rx,
            scope: who.scope.clone(),
            digest: who.token_digest.clone(),
            user_id: who.user_id.clone(),
            role: who.role,
            province: (who.role == Role::ProvincialOffice)
                .then(|| who.province_code.clone())
                .flatten(),
            seat,
            expires: now + left,
            next_check: now + SESSION_CHECK,
            next_refresh: now + REFRESH,
        })
    }

    /// Whether the session still exists.
    async fn session_alive(&self) -> bool {
        let key = self
            .state
            .sessions
            .keys()
            .session(&self.scope, &self.digest);
        matches!(self.state.sessions.kv().get(&key).await, Ok(Some(_)))
    }

    /// Re-reads the county user's standing; false when the stream must end.
    async fn refresh(&mut self) -> bool {
        self.next_refresh = Instant::now() + REFRESH;
        if self.seat.is_none() {
            return true;
        }
        match seat(&self.state, &self.scope, self.role, &self.user_id).await {
            Ok(s) => {
                self.seat = Some(s);
                true
            }
            Err(_) => false,
        }
    }

    /// Whether this event, read from `channel`, goes to this subscriber.
    fn admits(&self, channel: &str, p: &Published) -> bool {
        let keys = self.state.sessions.keys();
        if !visible(
            keys,
            &self.scope,
            self.province.as_deref(),
            channel,
            &p.event,
        ) {
            return false;
        }
        match &self.seat {
            Some(seat) => p.audience.reaches(self.role, &self.user_id, &seat.vis),
            None => true,
        }
    }

    /// Whether an event (on any channel) concerns this subscriber's own standing: their
    /// county changed (suspended?) or their account changed (disabled, re-bound?).
    fn concerns_me(&self, p: &Published) -> bool {
        match (&self.scope, p.event.kind) {
            (Scope::Tenant(t), EventKind::TenantChanged) => p.event.entity_id == t.as_str(),
            (_, EventKind::UserChanged) => p.event.entity_id == self.user_id,
            _ => false,
        }
    }

    /// The next event for this subscriber, or None when the stream must end.
    pub async fn next(&mut self) -> Option<Event> {
        loop {
            let msg = tokio::select! {
                r = self.rx.recv() => r,
                _ = tokio::time::sleep_until(self.expires) => return None,
                _ = tokio::time::sleep_until(self.next_check.min(self.next_refresh)) => {
                    let now = Instant::now();
                    if now >= self.next_check {
                        self.next_check = now + SESSION_CHECK;
                        if !self.session_alive().await {
                            return None;
                        }
                    }
                    if now >= self.next_refresh && !self.refresh().await {
                        return None;
                    }
                    continue;
                }
            };
            let msg = match msg {
                Ok(m) => m,
                Err(RecvError::Closed) => return None,
                Err(RecvError::Lagged(_)) => {
                    // What was missed may have been about this subscriber: check before going on.
                    if !self.session_alive().await || !self.refresh().await {
                        return None;
                    }
                    return Some(Event::resync());
                }
            };
            let Ok(p) = serde_json::from_str::<Published>(&msg.payload) else {
                continue;
            };
            if self.concerns_me(&p) && (!self.session_alive().await || !self.refresh().await) {
                return None;
            }
            if self.admits(&msg.channel, &p) {
                return Some(p.event);
            }
        }
    }
}
