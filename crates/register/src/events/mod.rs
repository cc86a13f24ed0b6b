//! Live updates (实时更新) for the console: "something of this kind changed", so an open screen
//! reloads without a manual refresh. An event names only its kind, the entity's id, the county
//! code and the time: never personal data, since it crosses Redis and sits in terminals.
//!
//! Events go to the county's channel or the platform channel (platform operators and
//! provincial offices), through the kv layer: Redis PUBLISH/PSUBSCRIBE when Redis is
//! configured, an in-process broadcast otherwise. Within a county, each event carries its
//! [`Audience`] (decided when it is published, with the rule the entity's handlers use), and a
//! subscriber gets only the events whose audience includes them. The audience stays on the
//! bus: the wire format is the [`Event`] alone.

pub mod api;
mod stream;

use chrono::{DateTime, Utc};
use poem_openapi::{Enum, Object};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::auth::{Principal, Role};
use crate::db::Mode;
use crate::enums::StrEnum;
use crate::kv::Scope;
use crate::org::scope::Visibility;

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
    /// A two-way reporting handbook was issued, confirmed, reissued or cancelled.
    HandbookChanged,
    /// A quarterly filing was created, edited, submitted, accepted or returned.
    FilingChanged,
    /// A semi-annual feedback batch changed (items, review, sending, acknowledgement).
    FeedbackChanged,
    /// A floating member's case changed (registered, a step, an activity, a reminder).
    FloatingChanged,
    /// A service request was taken, escalated, extended, handed over, answered, followed up
    /// or archived.
    ServiceRequestChanged,
    /// A centre's activity was planned, revised, submitted, approved, returned, notified,
    /// cancelled, or its attendance recorded.
    ActivityChanged,
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

/// Who in a county may receive an event: the rule of the entity's own handlers, decided when
/// the event is published. What cannot be decided goes to the county-wide roles only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Audience {
    /// Every user of the county (grids: every county user reads them).
    #[serde(default)]
    pub everyone: bool,
    /// Roles that receive it whatever their binding.
    #[serde(default)]
    pub roles: Vec<Role>,
    /// These users receive it (a user's own account, an export's requester, a group's
    /// maintainer).
    #[serde(default)]
    pub users: Vec<String>,
    /// Scoped users to whom one of these org-unit paths is relevant (qq::rules::relevant: the
    /// unit is in their subtree or above their unit), as for QQ groups.
    #[serde(default)]
    pub units: Vec<String>,
}

impl Default for Audience {
    /// Undecidable scope (or an event from before audiences existed).
    fn default() -> Self {
        Audience::county_wide()
    }
}

impl Audience {
    pub fn everyone() -> Self {
        Audience {
            everyone: true,
            ..Audience::none()
        }
    }

    /// The roles that see the whole county (bound to no unit).
    pub fn county_wide() -> Self {
        Audience {
            roles: Role::ALL
                .iter()
                .copied()
                .filter(|r| r.is_tenant_role() && crate::org::scope::bindable_kinds(*r).is_none())
                .collect(),
            ..Audience::none()
        }
    }

    fn none() -> Self {
        Audience {
            everyone: false,
            roles: Vec::new(),
            users: Vec::new(),
            units: Vec::new(),
        }
    }

    /// The county admin and these users (users and exports).
    fn admins_and(users: Vec<String>) -> Self {
        Audience {
            roles: vec![Role::CountyAdmin],
            users,
            ..Audience::none()
        }
    }

    /// Whether a county user of `role`, with `vis` as resolved for them, receives the event.
    pub fn reaches(&self, role: Role, user_id: &str, vis: &Visibility) -> bool {
        self.everyone
            || self.roles.contains(&role)
            || self.users.iter().any(|u| u == user_id)
            || match vis {
                Visibility::Subtree(p) => {
                    self.units.iter().any(|u| crate::qq::rules::relevant(p, u))
                }
                Visibility::County | Visibility::Nothing => false,
            }
    }
}

/// What travels on the bus: the event and, for county events, its audience.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Published {
    #[serde(flatten)]
    event: Event,
    #[serde(default)]
    audience: Audience,
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
    async fn send(&self, state: &AppState, kind: EventKind, entity_id: &str, audience: Audience) {
        let event = Event {
            kind,
            entity_id: entity_id.to_owned(),
            tenant_code: self.tenant_code.clone(),
            at: Utc::now(),
        };
        send(state, &self.scope, event, audience).await;
    }

    /// Reads what an audience needs after the change committed; county-wide roles only if it
    /// cannot be read.
    async fn audience_from<F>(&self, state: &AppState, f: F) -> Audience
    where
        F: FnOnce(&mut crate::db::TenantTx<'_>) -> crate::db::DbResult<Audience> + Send + 'static,
    {
        let Scope::Tenant(tid) = &self.scope else {
            return Audience::county_wide();
        };
        match state.db.tenant(tid.clone(), Mode::Read, f).await {
            Ok(a) => a,
            Err(e) => {
                tracing::warn!(error = %e, "live-update audience not read; county-wide roles only");
                Audience::county_wide()
            }
        }
    }

    /// Grids are read by every county user.
    pub async fn grid(&self, state: &AppState, grid_id: &str) {
        self.send(state, EventKind::GridChanged, grid_id, Audience::everyone())
            .await;
    }

    /// A QQ group: those who see it (qq::repo::group_visible), i.e. the county-wide roles, its
    /// maintainer, and scoped users to whom a unit it serves is relevant.
    pub async fn roster(&self, state: &AppState, group_id: &str) {
        let id = group_id.to_owned();
        let audience = self
            .audience_from(state, move |tx| {
                let Some(grp) = crate::qq::repo::get_group(tx, &id)? else {
                    return Ok(Audience::county_wide());
                };
                let units = crate::qq::repo::group_units(tx, &grp)?;
                Ok(Audience {
                    users: vec![grp.maintainer_id.clone()],
                    units: units.into_iter().map(|u| u.path).collect(),
                    ..Audience::county_wide()
                })
            })
            .await;
        self.send(state, EventKind::RosterChanged, group_id, audience)
            .await;
    }

    /// An export: the county admin and its requester (as `visible_export`).
    pub async fn export(&self, state: &AppState, export_id: &str) {
        let id = export_id.to_owned();
        let audience = self
            .audience_from(state, move |tx| {
                Ok(match crate::onboarding::export::get(tx, &id)? {
                    Some(row) => Audience::admins_and(vec![row.requested_by]),
                    None => Audience::admins_and(Vec::new()),
                })
            })
            .await;
        self.send(state, EventKind::ExportChanged, export_id, audience)
            .await;
    }

    /// A workflow's record (a handbook, a filing, a feedback batch, a floating case) that these org units take
    /// part in: the county-wide roles, and the scoped users to whom one of the units is relevant
    /// (the unit in their subtree, as each workflow's `visible` rule reaches them).
    pub async fn workflow(
        &self,
        state: &AppState,
        kind: EventKind,
        entity_id: &str,
        unit_ids: Vec<String>,
    ) {
        let audience = self
            .audience_from(state, move |tx| {
                let mut units = Vec::with_capacity(unit_ids.len());
                for id in &unit_ids {
                    if let Some(u) = crate::org::repo::get(tx, id)? {
                        units.push(u.path);
                    }
                }
                Ok(Audience {
                    units,
                    ..Audience::county_wide()
                })
            })
            .await;
        self.send(state, kind, entity_id, audience).await;
    }

    /// A user account: the county admin and the user (who alone read it).
    pub async fn user(&self, state: &AppState, user_id: &str) {
        let audience = Audience::admins_and(vec![user_id.to_owned()]);
        self.send(state, EventKind::UserChanged, user_id, audience)
            .await;
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
        Audience::everyone(),
    )
    .await;
}

async fn send(state: &AppState, scope: &Scope, event: Event, audience: Audience) {
    let channel = state.sessions.keys().events(scope);
    let payload = match serde_json::to_string(&Published {
        event: event.clone(),
        audience,
    }) {
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
    fn audiences_follow_the_handlers_rules() {
        let village_a = Visibility::Subtree("/t1/va/".into());
        let vr = Role::VillageRecorder;
        // A group serving village B or another township: not village A's.
        let group_b = Audience {
            users: vec!["maint".into()],
            units: vec!["/t1/vb/".into()],
            ..Audience::county_wide()
        };
        assert!(!group_b.reaches(vr, "me", &village_a));
        assert!(group_b.reaches(vr, "maint", &village_a), "its maintainer");
        assert!(group_b.reaches(Role::AssociationCommittee, "x", &Visibility::County));
        // A group of village A's township, or of village A itself, is.
        for unit in ["/t1/", "/t1/va/"] {
            let g = Audience {
                units: vec![unit.into()],
                ..Audience::county_wide()
            };
            assert!(g.reaches(vr, "me", &village_a), "{unit}");
            assert!(
                !g.reaches(vr, "me", &Visibility::Nothing),
                "unbound: nothing"
            );
        }
        // Accounts and exports: the county admin and the one user only.
        let user = Audience::admins_and(vec!["u1".into()]);
        assert!(user.reaches(Role::CountyAdmin, "admin", &Visibility::County));
        assert!(user.reaches(vr, "u1", &village_a));
        assert!(!user.reaches(vr, "u2", &village_a));
        assert!(!user.reaches(Role::AssociationCommittee, "x", &Visibility::County));
        // Undecidable: the county-wide roles only.
        let cw = Audience::default();
        assert!(cw.reaches(Role::AssociationCommittee, "x", &Visibility::County));
        for &r in Role::ALL {
            if crate::org::scope::bindable_kinds(r).is_some() {
                assert!(
                    !cw.reaches(r, "x", &Visibility::Subtree("/".into())),
                    "{r:?}"
                );
            }
        }
        assert!(Audience::everyone().reaches(vr, "x", &Visibility::Nothing));
    }

    #[test]
    fn the_audience_stays_on_the_bus() {
        let p = Published {
            event: ev(Some("330523")),
            audience: Audience::admins_and(vec!["u1".into()]),
        };
        let wire = serde_json::to_string(&p).expect("json");
        let back: Published = serde_json::from_str(&wire).expect("back");
        assert_eq!(back.audience, p.audience);
        assert_eq!(back.event, p.event);
        // An event alone (published before audiences) goes to the county-wide roles only.
        let old = serde_json::to_string(&p.event).expect("json");
        let back: Published = serde_json::from_str(&old).expect("old");
        assert_eq!(back.audience, Audience::county_wide());
    }

    #[test]
    fn events_carry_no_personal_fields() {
        let v = serde_json::to_value(ev(Some("330523"))).expect("json");
        let keys: Vec<&String> = v.as_object().expect("object").keys().collect();
        assert_eq!(keys, ["at", "entity_id", "kind", "tenant_code"]);
    }
}
