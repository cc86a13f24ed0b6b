//! The delivery tables: handing notices to their channels, claiming due deliveries, recording
//! outcomes, and the county's settings and staff preferences.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::prelude::*;
use secrecy::SecretString;

use crate::db::schema::{
    activity_attendance as aa, deliveries as d, members as m, notification_preferences as np,
    notification_settings as ns, outbox as ob, users as u,
};
use crate::db::{AnyConnection, DbResult, TenantTx};
use crate::enums::StrEnum;
use crate::model::{self, Channel, DeliveryStatus, LEASE_SECS, Outcome, QuietHours};
use shuanglian_http::privacy::crypto::CountyKeys;
use shuanglian_register::members::consent as member_consent;
use shuanglian_register::users::model::UserStatus;

/// The county's settings row (absent: the defaults, no SMS, no webhook).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = ns)]
pub struct SettingsRow {
    pub sms_sign_name: Option<String>,
    pub sms_template_code: Option<String>,
    pub sms_per_minute: i32,
    pub quiet_start: i32,
    pub quiet_end: i32,
    pub webhook_url: Option<String>,
    pub webhook_secret_enc: Option<String>,
    pub version: i64,
}

impl SettingsRow {
    pub fn defaults() -> Self {
        SettingsRow {
            sms_sign_name: None,
            sms_template_code: None,
            sms_per_minute: 60,
            quiet_start: i32::from(QuietHours::DEFAULT.start),
            quiet_end: i32::from(QuietHours::DEFAULT.end),
            webhook_url: None,
            webhook_secret_enc: None,
            version: 0,
        }
    }

    pub fn quiet(&self) -> QuietHours {
        QuietHours::new(self.quiet_start, self.quiet_end).unwrap_or(QuietHours::DEFAULT)
    }

    /// Whether the county has what SMS needs at the gateway.
    pub fn sms_ready(&self) -> bool {
        self.sms_sign_name.is_some() && self.sms_template_code.is_some()
    }
}

pub fn settings(tx: &mut TenantTx<'_>) -> DbResult<SettingsRow> {
    read_settings(tx, false)
}

/// The county's settings, and on PostgreSQL (`lock`) its row locked for the rest of the
/// transaction (SQLite's writer is alone anyway): claims of one county are taken one replica at
/// a time, so its SMS rate holds across replicas.
fn read_settings(tx: &mut TenantTx<'_>, lock: bool) -> DbResult<SettingsRow> {
    let tid = tx.tid().to_owned();
    let mine = ns::table.filter(ns::tenant_id.eq(tid));
    // Written out per branch: a selection is typed by the backend it runs on.
    let row = if lock && let AnyConnection::Postgresql(c) = tx.conn() {
        mine.select(SettingsRow::as_select())
            .for_update()
            .first(c)
            .optional()?
    } else {
        mine.select(SettingsRow::as_select())
            .first(tx.conn())
            .optional()?
    };
    Ok(row.unwrap_or_else(SettingsRow::defaults))
}

/// A staff member's preferences (absent: inbox on, SMS off).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = np)]
pub struct PreferencesRow {
    pub inbox: bool,
    pub sms: bool,
    pub phone_enc: Option<String>,
    pub version: i64,
}

pub fn preferences(tx: &mut TenantTx<'_>, user_id: &str) -> DbResult<Option<PreferencesRow>> {
    let tid = tx.tid().to_owned();
    Ok(np::table
        .filter(np::tenant_id.eq(tid).and(np::user_id.eq(user_id)))
        .select(PreferencesRow::as_select())
        .first(tx.conn())
        .optional()?)
}

/// Hands up to `limit` undispatched notices to their channels: every active staff member bound
/// to the recipient unit gets an inbox item (unless turned off) and an SMS (if they asked for it
/// and gave a number, and the county and platform have SMS); an activity's notice also goes by
/// SMS to each member of its roster who agreed to SMS notices and has a mobile number on the
/// register; the county's webhook gets each notice once. Returns the notices handed over.
pub fn dispatch(
    tx: &mut TenantTx<'_>,
    now: NaiveDateTime,
    sms_available: bool,
    limit: i64,
) -> DbResult<usize> {
    let tid = tx.tid().to_owned();
    let q = ob::table
        .filter(ob::tenant_id.eq(&tid))
        .filter(ob::dispatched_at.is_null())
        .order(ob::id.asc())
        .limit(limit)
        .select((ob::id, ob::recipient_org_unit_id, ob::activity_id));
    let notices: Vec<(String, String, Option<String>)> = match tx.conn() {
        // Two replicas dispatching at once take different notices.
        AnyConnection::Postgresql(c) => q.for_update().skip_locked().load(c)?,
        AnyConnection::Sqlite(c) => q.load(c)?,
    };
    if notices.is_empty() {
        return Ok(0);
    }
    let settings = settings(tx)?;
    let units: Vec<&String> = notices.iter().map(|n| &n.1).collect();
    type Staff = (
        String,
        Option<String>,
        Option<bool>,
        Option<bool>,
        Option<String>,
    );
    let staff: Vec<Staff> = u::table
        .left_join(np::table.on(np::tenant_id.eq(u::tenant_id).and(np::user_id.eq(u::id))))
        .filter(u::tenant_id.eq(&tid))
        .filter(u::status.eq(UserStatus::Active.as_str()))
        .filter(u::org_unit_id.eq_any(units))
        .select((
            u::id,
            u::org_unit_id,
            np::inbox.nullable(),
            np::sms.nullable(),
            np::phone_enc.nullable(),
        ))
        .load(tx.conn())?;
    let mut by_unit: HashMap<&str, Vec<&Staff>> = HashMap::new();
    for s in &staff {
        if let Some(unit) = &s.1 {
            by_unit.entry(unit.as_str()).or_default().push(s);
        }
    }
    let sms = sms_available && settings.sms_ready();
    let members = if sms {
        sms_members(tx, &notices)?
    } else {
        HashMap::new()
    };
    let mut rows = Vec::new();
    let row = |notice: &str, channel: Channel, to: To<'_>, status: DeliveryStatus| {
        let (user, member) = match to {
            To::Staff(u) => (Some(u.to_owned()), None),
            To::Member(m) => (None, Some(m.to_owned())),
            To::County => (None, None),
        };
        (
            d::tenant_id.eq(tid.clone()),
            d::id.eq(uuid::Uuid::now_v7().to_string()),
            d::notice_id.eq(notice.to_owned()),
            d::channel.eq(channel.as_str()),
            d::user_id.eq(user),
            d::member_id.eq(member),
            d::status.eq(status.as_str()),
            d::next_attempt_at.eq(now),
            d::sent_at.eq((status == DeliveryStatus::Sent).then_some(now)),
            d::created_at.eq(now),
        )
    };
    for (notice, unit, _) in &notices {
        for (user, _, inbox, wants_sms, phone) in by_unit.get(unit.as_str()).into_iter().flatten() {
            if inbox.unwrap_or(true) {
                rows.push(row(
                    notice,
                    Channel::Inbox,
                    To::Staff(user),
                    DeliveryStatus::Sent,
                ));
            }
            if sms && wants_sms.unwrap_or(false) && phone.is_some() {
                rows.push(row(
                    notice,
                    Channel::Sms,
                    To::Staff(user),
                    DeliveryStatus::Pending,
                ));
            }
        }
        for member in members.get(notice.as_str()).into_iter().flatten() {
            rows.push(row(
                notice,
                Channel::Sms,
                To::Member(member),
                DeliveryStatus::Pending,
            ));
        }
        if settings.webhook_url.is_some() && settings.webhook_secret_enc.is_some() {
            rows.push(row(
                notice,
                Channel::Webhook,
                To::County,
                DeliveryStatus::Pending,
            ));
        }
    }
    for chunk in rows.chunks(500) {
        crate::insert_rows!(tx.conn(), d::table, chunk)?;
    }
    let ids: Vec<&String> = notices.iter().map(|n| &n.0).collect();
    diesel::update(ob::table.filter(ob::tenant_id.eq(&tid).and(ob::id.eq_any(ids))))
        .set(ob::dispatched_at.eq(Some(now)))
        .execute(tx.conn())?;
    Ok(notices.len())
}

/// Who a delivery is for.
enum To<'a> {
    Staff(&'a str),
    Member(&'a str),
    County,
}

/// For each activity notice among `notices`, the members of its roster who agreed to SMS
/// notices and have a mobile number on the register.
fn sms_members(
    tx: &mut TenantTx<'_>,
    notices: &[(String, String, Option<String>)],
) -> DbResult<HashMap<String, Vec<String>>> {
    let tid = tx.tid().to_owned();
    let mut out = HashMap::new();
    for (notice, _, activity) in notices {
        let Some(activity) = activity else { continue };
        let roster: Vec<String> = aa::table
            .inner_join(m::table.on(m::tenant_id.eq(aa::tenant_id).and(m::id.eq(aa::member_id))))
            .filter(aa::tenant_id.eq(&tid).and(aa::activity_id.eq(activity)))
            .filter(m::phone_enc.is_not_null())
            .order(aa::member_id.asc())
            .select(aa::member_id)
            .load(tx.conn())?;
        let consented = member_consent::sms_consented(tx, &roster)?;
        out.insert(notice.clone(), consented);
    }
    Ok(out)
}

/// Whether the county has anything for the worker: a notice not yet handed over, or a
/// delivery due. Read-only, so an idle county costs the worker no write transaction (SQLite has
/// one writer) and no row lock.
pub fn has_work(tx: &mut TenantTx<'_>, at: NaiveDateTime) -> DbResult<bool> {
    let tid = tx.tid().to_owned();
    let undispatched = ob::table
        .filter(ob::tenant_id.eq(&tid).and(ob::dispatched_at.is_null()))
        .select(ob::id)
        .first::<String>(tx.conn())
        .optional()?;
    if undispatched.is_some() {
        return Ok(true);
    }
    let due = d::table
        .filter(d::tenant_id.eq(&tid))
        .filter(d::status.eq(DeliveryStatus::Pending.as_str()))
        .filter(d::next_attempt_at.le(at))
        .filter(d::claimed_until.is_null().or(d::claimed_until.lt(at)))
        .select(d::id)
        .first::<String>(tx.conn())
        .optional()?;
    Ok(due.is_some())
}

/// Where a claimed delivery goes, with what it needs (opened from the county's keys; these
/// values live only in memory for the send and are never logged).
pub enum Target {
    Sms {
        phone: SecretString,
        sign_name: String,
        template_code: String,
    },
    Webhook {
        url: String,
        secret: SecretString,
    },
}

/// A delivery claimed for sending, with its notice.
pub struct Claimed {
    pub id: String,
    pub channel: Channel,
    pub attempts: i32,
    pub notice_id: String,
    pub topic: String,
    pub subject: String,
    pub body: String,
    pub recipient_org_unit_id: String,
    pub created_at: NaiveDateTime,
    pub target: Target,
}

type DueRow = (
    String,
    String,
    Option<String>,
    Option<String>,
    i32,
    String,
    String,
    String,
    String,
    String,
    NaiveDateTime,
);

/// Claims due deliveries of one county: SMS only outside quiet hours and within the county's
/// rate, webhooks up to `limit`. Each claim counts as an attempt and holds a lease, so a
/// replica that dies mid-send leaves them to be sent again. Deliveries whose target went away
/// (the staff member turned SMS off, the webhook was removed) are closed as dead with a code.
pub fn claim(
    tx: &mut TenantTx<'_>,
    keys: &CountyKeys,
    now: DateTime<Utc>,
    limit: i64,
) -> DbResult<Vec<Claimed>> {
    let settings = read_settings(tx, true)?;
    let tid = tx.tid().to_owned();
    let at = now.naive_utc();
    let mut wanted: Vec<(Channel, i64)> = vec![(Channel::Webhook, limit)];
    if !settings.quiet().holds_at(now) {
        let in_last_minute: i64 = d::table
            .filter(
                d::tenant_id
                    .eq(&tid)
                    .and(d::channel.eq(Channel::Sms.as_str())),
            )
            .filter(
                d::sent_at
                    .gt(at - Duration::seconds(60))
                    .or(d::claimed_until.gt(at)),
            )
            .count()
            .get_result(tx.conn())?;
        let budget = model::sms_budget(settings.sms_per_minute, in_last_minute).min(limit);
        wanted.push((Channel::Sms, budget));
    }
    let mut due: Vec<DueRow> = Vec::new();
    for (channel, n) in wanted {
        if n == 0 {
            continue;
        }
        let q = d::table
            .inner_join(ob::table.on(ob::tenant_id.eq(d::tenant_id).and(ob::id.eq(d::notice_id))))
            .filter(d::tenant_id.eq(&tid))
            .filter(d::status.eq(DeliveryStatus::Pending.as_str()))
            .filter(d::channel.eq(channel.as_str()))
            .filter(d::next_attempt_at.le(at))
            .filter(d::claimed_until.is_null().or(d::claimed_until.lt(at)))
            .order(d::next_attempt_at.asc())
            .limit(n)
            .select((
                d::id,
                d::channel,
                d::user_id,
                d::member_id,
                d::attempts,
                ob::id,
                ob::topic,
                ob::subject,
                ob::body,
                ob::recipient_org_unit_id,
                ob::created_at,
            ));
        due.extend(match tx.conn() {
            AnyConnection::Postgresql(c) => q.for_update().skip_locked().load(c)?,
            AnyConnection::Sqlite(c) => q.load(c)?,
        });
    }
    if due.is_empty() {
        return Ok(vec![]);
    }
    let members: Vec<String> = due.iter().filter_map(|r| r.3.clone()).collect();
    // A member's number comes from the register, and only while their consent is in force.
    let consented = member_consent::sms_consented(tx, &members)?;
    let mut member_phones: HashMap<String, String> = HashMap::new();
    for chunk in consented.chunks(500) {
        let rows: Vec<(String, Option<String>)> = m::table
            .filter(m::tenant_id.eq(&tid).and(m::id.eq_any(chunk)))
            .select((m::id, m::phone_enc))
            .load(tx.conn())?;
        member_phones.extend(rows.into_iter().filter_map(|(id, p)| p.map(|p| (id, p))));
    }
    let users: Vec<&String> = due.iter().filter_map(|r| r.2.as_ref()).collect();
    let phones: HashMap<String, (bool, Option<String>)> = np::table
        .filter(np::tenant_id.eq(&tid).and(np::user_id.eq_any(users)))
        .select((np::user_id, np::sms, np::phone_enc))
        .load::<(String, bool, Option<String>)>(tx.conn())?
        .into_iter()
        .map(|(u, sms, p)| (u, (sms, p)))
        .collect();
    let mut claimed = Vec::new();
    let mut gone = Vec::new();
    for r in due {
        let channel = Channel::parse(&r.1).unwrap_or(Channel::Webhook);
        let target = match channel {
            Channel::Sms => {
                let staff =
                    r.2.as_ref()
                        .and_then(|u| phones.get(u))
                        .filter(|(on, _)| *on)
                        .and_then(|(_, p)| p.as_ref());
                let member = r.3.as_ref().and_then(|id| member_phones.get(id));
                staff
                    .or(member)
                    .and_then(|p| keys.decrypt("phone", p).ok())
                    .zip(settings.sms_sign_name.clone())
                    .zip(settings.sms_template_code.clone())
                    .map(|((phone, sign_name), template_code)| Target::Sms {
                        phone: SecretString::from(phone),
                        sign_name,
                        template_code,
                    })
            }
            Channel::Webhook => settings
                .webhook_url
                .clone()
                .zip(settings.webhook_secret_enc.as_ref())
                .and_then(|(url, s)| {
                    keys.decrypt("webhook_secret", s)
                        .ok()
                        .map(|secret| Target::Webhook {
                            url,
                            secret: SecretString::from(secret),
                        })
                }),
            Channel::Inbox => None,
        };
        match target {
            Some(target) => claimed.push(Claimed {
                id: r.0,
                channel,
                attempts: r.4 + 1,
                notice_id: r.5,
                topic: r.6,
                subject: r.7,
                body: r.8,
                recipient_org_unit_id: r.9,
                created_at: r.10,
                target,
            }),
            None => gone.push(r.0),
        }
    }
    if !gone.is_empty() {
        diesel::update(d::table.filter(d::tenant_id.eq(&tid).and(d::id.eq_any(&gone))))
            .set((
                d::status.eq(DeliveryStatus::Dead.as_str()),
                d::last_error.eq(Some("recipient_unavailable")),
            ))
            .execute(tx.conn())?;
    }
    let ids: Vec<&String> = claimed.iter().map(|c| &c.id).collect();
    for chunk in ids.chunks(500) {
        diesel::update(d::table.filter(d::tenant_id.eq(&tid).and(d::id.eq_any(chunk))))
            .set((
                d::attempts.eq(d::attempts + 1),
                d::claimed_until.eq(Some(at + Duration::seconds(LEASE_SECS))),
            ))
            .execute(tx.conn())?;
    }
    Ok(claimed)
}

/// Records what one attempt gave. Only a delivery still claimed is changed (a county admin's
/// retry or a second worker after the lease do not lose their own state to a late answer).
pub fn record(
    tx: &mut TenantTx<'_>,
    id: &str,
    attempts: i32,
    outcome: &Outcome,
    now: NaiveDateTime,
) -> DbResult<()> {
    let tid = tx.tid().to_owned();
    let target = d::table
        .filter(d::tenant_id.eq(&tid).and(d::id.eq(id)))
        .filter(d::status.eq(DeliveryStatus::Pending.as_str()))
        .filter(d::attempts.eq(attempts));
    match outcome {
        Outcome::Sent(receipt) => {
            diesel::update(target)
                .set((
                    d::status.eq(DeliveryStatus::Sent.as_str()),
                    d::sent_at.eq(Some(now)),
                    d::provider_ref.eq(receipt.clone()),
                    d::claimed_until.eq(None::<NaiveDateTime>),
                    d::last_error.eq(None::<String>),
                ))
                .execute(tx.conn())?;
        }
        Outcome::Retry(code) | Outcome::Permanent(code) => {
            let (status, next) = model::after_failure(outcome, attempts, now);
            diesel::update(target)
                .set((
                    d::status.eq(status.as_str()),
                    d::next_attempt_at.eq(next),
                    d::claimed_until.eq(None::<NaiveDateTime>),
                    d::last_error.eq(Some(code.clone())),
                ))
                .execute(tx.conn())?;
        }
    }
    Ok(())
}
