//! Live updates (实时更新) for the console: "something of this kind changed", so an open screen
//! reloads without a manual refresh. An event names only its kind, the entity's id, the county
//! code and the time: never personal data, since it crosses Redis and sits in terminals.
//!
//! Events go to the county's channel (its users) or the platform channel (platform operators
//! and provincial offices), through the kv layer: Redis PUBLISH/PSUBSCRIBE when Redis is
//! configured, an in-process broadcast otherwise.

pub mod api;

use chrono::{DateTime, Utc};
use poem_openapi::{Enum, Object};
use serde::{Deserialize, Serialize};

use crate::auth::Principal;
use crate::kv::Scope;
use crate::startup::AppState;

/// What changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Enum)]
#[serde(rename_all = "snake_case")]
#[oai(rename_all = "snake_case")]
pub enum EventKind {
    /// A county was created, renamed, suspended or reactivated (platform channel).
    TenantChanged,
    /// A grid or its townships changed.
    GridChanged,
    /// A QQ group, its roster or an imported member list changed.
    RosterChanged,
    /// An export of personal data was requested, approved or denied.
    ExportChanged,
    /// A user account was created, changed, locked or reset.
    UserChanged,
    /// The subscriber fell behind and missed events: reload everything shown.
    Resync,
}

/// One live-update event, as sent on `GET /api/v1/events`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Object)]
pub struct Event {
    pub kind: EventKind,
    /// The changed entity's id (a grid's, a QQ group's, an export's, a user's, a county's).
    pub entity_id: String,
    /// The county's 6-digit code.
    #[oai(skip_serializing_if_is_none)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_code: Option<String>,
    pub at: DateTime<Utc>,
}

impl Event {
    pub(crate) fn resync() -> Event {
        Event {
            kind: EventKind::Resync,
            entity_id: String::new(),
            tenant_code: None,
            at: Utc::now(),
        }
    }
}

/// Who a change is published for, taken from the caller before the handler hands its
/// principal to the transaction.
#[derive(Debug, Clone)]
pub struct Emitter {
    scope: Scope,
    tenant_code: Option<String>,
}

impl Emitter {
    pub fn of(who: &Principal) -> Emitter {
        Emitter {
            scope: who.scope.clone(),
            tenant_code: who.tenant_code.clone(),
        }
    }

    /// Publishes a change in the caller's county. Never fails the request that made the
    /// change: a lost event costs a manual refresh, a failed request would cost the change.
    pub async fn send(&self, state: &AppState, kind: EventKind, entity_id: &str) {
        let event = Event {
            kind,
            entity_id: entity_id.to_owned(),
            tenant_code: self.tenant_code.clone(),
            at: Utc::now(),
        };
        send(state, &self.scope, event).await;
    }

    pub async fn grid(&self, state: &AppState, grid_id: &str) {
        self.send(state, EventKind::GridChanged, grid_id).await;
    }

    pub async fn roster(&self, state: &AppState, group_id: &str) {
        self.send(state, EventKind::RosterChanged, group_id).await;
    }

    pub async fn export(&self, state: &AppState, export_id: &str) {
        self.send(state, EventKind::ExportChanged, export_id).await;
    }

    pub async fn user(&self, state: &AppState, user_id: &str) {
        self.send(state, EventKind::UserChanged, user_id).await;
    }
}

/// Publishes a change to a county tenant itself on the platform channel.
pub async fn publish_platform(state: &AppState, tenant_id: &str, tenant_code: &str) {
    send(
        state,
        &Scope::Platform,
        Event {
            kind: EventKind::TenantChanged,
            entity_id: tenant_id.to_owned(),
            tenant_code: Some(tenant_code.to_owned()),
            at: Utc::now(),
        },
    )
    .await;
}

async fn send(state: &AppState, scope: &Scope, event: Event) {
    let channel = state.sessions.keys().events(scope);
    let payload = match serde_json::to_string(&event) {
        Ok(p) => p,
        Err(_) => return,
    };
    if let Err(e) = state.sessions.kv().publish(&channel, &payload).await {
        tracing::warn!(error = %e, kind = ?event.kind, "live-update event not published");
    }
}

/// Whether a subscriber in `scope` of province `province` may see an event from `channel`:
/// county users their own county's channel; platform users the platform channel (a provincial
/// office only its own province's counties).
pub fn visible(
    keys: &crate::kv::Keys,
    scope: &Scope,
    province: Option<&str>,
    channel: &str,
    event: &Event,
) -> bool {
    if channel != keys.events(scope) {
        return false;
    }
    match (scope, province) {
        (Scope::Platform, Some(p)) => event
            .tenant_code
            .as_deref()
            .is_some_and(|c| c.get(..2) == p.get(..2)),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kv::Keys;
    use crate::tenancy::TenantId;

    fn ev(code: Option<&str>) -> Event {
        Event {
            kind: EventKind::GridChanged,
            entity_id: "x".into(),
            tenant_code: code.map(str::to_owned),
            at: Utc::now(),
        }
    }

    #[test]
    fn a_county_sees_only_its_own_channel() {
        let k = Keys::new("sl");
        let a = Scope::Tenant(TenantId::new());
        let b = Scope::Tenant(TenantId::new());
        assert!(visible(&k, &a, None, &k.events(&a), &ev(None)));
        assert!(!visible(&k, &a, None, &k.events(&b), &ev(None)));
        assert!(!visible(
            &k,
            &a,
            None,
            &k.events(&Scope::Platform),
            &ev(None)
        ));
        assert!(!visible(
            &k,
            &Scope::Platform,
            None,
            &k.events(&a),
            &ev(None)
        ));
    }

    #[test]
    fn a_province_sees_only_its_counties() {
        let k = Keys::new("sl");
        let p = Scope::Platform;
        let ch = k.events(&p);
        assert!(visible(&k, &p, Some("330000"), &ch, &ev(Some("330523"))));
        assert!(!visible(&k, &p, Some("330000"), &ch, &ev(Some("320102"))));
        assert!(visible(&k, &p, None, &ch, &ev(Some("320102"))));
    }

    #[test]
    fn events_carry_no_personal_fields() {
        let v = serde_json::to_value(ev(Some("330523"))).expect("json");
        let keys: Vec<&String> = v.as_object().expect("object").keys().collect();
        assert_eq!(keys, ["at", "entity_id", "kind", "tenant_code"]);
    }
}
