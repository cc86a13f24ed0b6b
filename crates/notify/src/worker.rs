//! The delivery worker: in every replica, every few seconds, for every active county, hand new
//! notices to their channels, then claim what is due, send it, and record the outcome. Claims
//! are leases taken with `FOR UPDATE SKIP LOCKED` on PostgreSQL (SQLite has one writer), so
//! replicas never send the same delivery at once; a replica that dies mid-send leaves its
//! claims to expire and be sent again (at least once, with the delivery id for the receiver to
//! drop a repeat). A county's deliveries are claimed in its own transaction, under its own
//! settings and keys.

use chrono::{DateTime, NaiveDateTime, Utc};
use futures_util::StreamExt;
use secrecy::ExposeSecret;

use crate::db::{Db, DbResult, Mode};
use crate::model::Outcome;
use crate::repo::{self, Claimed, Target};
use crate::sms::{SmsGateway, SmsMessage};
use crate::tenant::TenantId;
use crate::webhook;

/// What the worker sends with: the platform's SMS account (if configured) and an HTTP client.
#[derive(Clone)]
pub struct Channels {
    pub sms: Option<SmsGateway>,
    pub http: reqwest::Client,
    pub master_key: [u8; 32],
}

impl Channels {
    /// From the server's settings: SMS when the gateway's endpoint and account are set.
    pub fn from_settings(s: &crate::config::NotifySettings, master_key: [u8; 32]) -> Self {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default();
        let sms = match (
            &s.sms_endpoint,
            &s.sms_access_key_id,
            &s.sms_access_key_secret,
        ) {
            (Some(e), Some(id), Some(secret)) => Some(SmsGateway::new(
                e.clone(),
                id.clone(),
                secret.clone(),
                http.clone(),
            )),
            _ => None,
        };
        Channels {
            sms,
            http,
            master_key,
        }
    }
}

/// One round's counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Round {
    pub dispatched: usize,
    pub sent: usize,
    pub retrying: usize,
    pub dead: usize,
}

/// Claims per county per batch, and sends in flight at once.
const BATCH: i64 = 200;
const IN_FLIGHT: usize = 16;
const MAX_BATCHES: usize = 50;

/// One round over every active county. One county's failure is logged and the others go on.
pub async fn run_once(db: &Db, channels: &Channels, now: DateTime<Utc>) -> DbResult<Round> {
    let tenants = db
        .platform(Mode::Read, shuanglian_register::tenancy::repo::active_ids)
        .await?;
    let mut total = Round::default();
    for id in tenants {
        let Some(tid) = TenantId::parse(&id) else {
            continue;
        };
        match run_county(db, channels, tid, now).await {
            Ok(r) => {
                total.dispatched += r.dispatched;
                total.sent += r.sent;
                total.retrying += r.retrying;
                total.dead += r.dead;
            }
            Err(e) => {
                tracing::warn!(tenant = %id, error = %e, "notification delivery failed for a county")
            }
        }
    }
    Ok(total)
}

/// One county: dispatch, then claim and send batch after batch until nothing is due.
pub async fn run_county(
    db: &Db,
    channels: &Channels,
    tid: TenantId,
    now: DateTime<Utc>,
) -> DbResult<Round> {
    let mut round = Round::default();
    let sms_available = channels.sms.is_some();
    let at = now.naive_utc();
    if !db
        .tenant(tid.clone(), Mode::Read, move |tx| repo::has_work(tx, at))
        .await?
    {
        return Ok(round);
    }
    loop {
        let n = db
            .tenant(tid.clone(), Mode::Write, move |tx| {
                repo::dispatch(tx, at, sms_available, 500)
            })
            .await?;
        round.dispatched += n;
        if n < 500 {
            break;
        }
    }
    // Until nothing more is due (a batch may claim up to BATCH of each channel, so its size
    // says nothing), or MAX_BATCHES, after which the other counties get their turn.
    for _ in 0..MAX_BATCHES {
        let master = channels.master_key;
        let claimed = db
            .tenant(tid.clone(), Mode::Write, move |tx| {
                let keys = shuanglian_http::privacy::keys::load(tx, &master)?;
                repo::claim(tx, &keys, now, BATCH)
            })
            .await?;
        if claimed.is_empty() {
            break;
        }
        let county = tid.as_str().to_owned();
        let outcomes: Vec<(String, i32, Outcome)> = futures_util::stream::iter(claimed)
            .map(|c| {
                let county = county.clone();
                async move {
                    let outcome = send(channels, &county, &c).await;
                    (c.id, c.attempts, outcome)
                }
            })
            .buffer_unordered(IN_FLIGHT)
            .collect()
            .await;
        for (_, _, o) in &outcomes {
            match o {
                Outcome::Sent(_) => round.sent += 1,
                Outcome::Retry(_) => round.retrying += 1,
                Outcome::Permanent(_) => round.dead += 1,
            }
        }
        // The round's instant: outcomes are dated as the round that sent them (a test drives
        // the clock through `now`).
        let done_at: NaiveDateTime = at;
        db.tenant(tid.clone(), Mode::Write, move |tx| {
            for (id, attempts, outcome) in &outcomes {
                repo::record(tx, id, *attempts, outcome, done_at)?;
            }
            Ok(())
        })
        .await?;
    }
    Ok(round)
}

async fn send(channels: &Channels, county: &str, c: &Claimed) -> Outcome {
    match &c.target {
        Target::Sms {
            phone,
            sign_name,
            template_code,
        } => {
            let Some(gateway) = &channels.sms else {
                return Outcome::Retry("sms_gateway_unconfigured".into());
            };
            gateway
                .send(&SmsMessage {
                    phone: phone.expose_secret(),
                    sign_name,
                    template_code,
                    params: serde_json::json!({ "title": c.subject, "content": c.body }),
                    out_id: &c.id,
                })
                .await
        }
        Target::Webhook { url, secret } => {
            webhook::post(
                &channels.http,
                url,
                secret.expose_secret(),
                &webhook::Payload {
                    delivery_id: &c.id,
                    notice_id: &c.notice_id,
                    county,
                    topic: &c.topic,
                    subject: &c.subject,
                    body: &c.body,
                    recipient_org_unit_id: &c.recipient_org_unit_id,
                    created_at: c.created_at.and_utc().to_rfc3339(),
                },
            )
            .await
        }
    }
}

/// Runs rounds every `interval` until the task is dropped. A panic in one round is caught and
/// the next round runs.
pub async fn run_forever(db: Db, channels: Channels, interval: std::time::Duration) {
    let mut tick = tokio::time::interval(interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let round = std::panic::AssertUnwindSafe(run_once(&db, &channels, Utc::now()));
        match futures_util::FutureExt::catch_unwind(round).await {
            Ok(Ok(r)) if r != Round::default() => tracing::info!(
                dispatched = r.dispatched,
                sent = r.sent,
                retrying = r.retrying,
                dead = r.dead,
                "notification round"
            ),
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "notification round failed"),
            Err(_) => tracing::error!("notification round panicked; the next one runs as planned"),
        }
    }
}
