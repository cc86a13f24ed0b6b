//! Notices and delivery rounds for the tests of notification delivery (the background worker
//! is off in the harness: a test drives it).

use chrono::{DateTime, Utc};
use shuanglian::db::Mode;
use shuanglian::deadlines::notices::{Notice, Topic};
use shuanglian::deadlines::{NewObligation, ObligationKind, Period};
use shuanglian::notify::sms::SmsGateway;
use shuanglian::notify::worker::{Channels, Round};
use shuanglian::tenant::TenantId;

use super::accounts::County;
use crate::TestApp;

/// The account the local SendSms gateway of a test accepts.
pub const SMS_KEY_ID: &str = "test-key-id";
pub const SMS_KEY_SECRET: &str = "test-key-secret";

/// 10:00 Beijing time today (the server's "today in China"), outside the default quiet hours:
/// the instant a test's delivery round runs at.
pub fn morning_today() -> DateTime<Utc> {
    use chrono::{Datelike, TimeZone};
    let d = shuanglian::clock::today();
    shuanglian::clock::CHINA
        .with_ymd_and_hms(d.year(), d.month(), d.day(), 10, 0, 0)
        .single()
        .expect("time")
        .with_timezone(&Utc)
}

impl TestApp {
    /// The county admin sets the county's SMS signature and template (the first version of the
    /// settings), quiet hours 21:00–08:00 and 60 a minute, asserting 200.
    pub async fn enable_sms(&self, c: &County) {
        let (_, cur) =
            crate::send(self.get("/api/v1/notifications/settings", &c.admin_token)).await;
        let (s, v) = crate::send(
            self.client
                .put(self.url("/api/v1/notifications/settings"))
                .bearer_auth(&c.admin_token)
                .header("If-Match", format!("\"v{}\"", cur["version"]))
                .json(&serde_json::json!({ "sms_sign_name": "安吉县个协",
                    "sms_template_code": "SMS_460775112", "sms_per_minute": 60,
                    "quiet_start": "21:00", "quiet_end": "08:00" })),
        )
        .await;
        assert_eq!(s, 200, "{v}");
    }

    /// `n` overdue notices for `unit`, each on an obligation of its own (as the daily job
    /// writes them), with subject `subject` and bodies `{title}{i}，应于2026-12-01前完成。`.
    pub async fn notices(&self, c: &County, unit: &str, n: usize, subject: &str, title: &str) {
        let tid = TenantId::parse(&c.id).expect("tenant");
        let (unit, subject, title) = (unit.to_owned(), subject.to_owned(), title.to_owned());
        self.state
            .db
            .tenant(tid, Mode::Write, move |tx| {
                let mut notices = Vec::with_capacity(n);
                for i in 0..n {
                    let about = uuid::Uuid::now_v7().to_string();
                    let id = shuanglian::deadlines::open(
                        tx,
                        NewObligation {
                            kind: ObligationKind::ServiceRequest,
                            period: Period::Anchored,
                            subject_type: "test",
                            subject_id: &about,
                            owner_org_unit_id: &unit,
                            member_id: None,
                            title: format!("{title}{i}"),
                            due_on: chrono::NaiveDate::from_ymd_opt(2026, 12, 1).expect("day"),
                        },
                    )?;
                    notices.push(Notice {
                        topic: Topic::Overdue,
                        about: shuanglian::deadlines::notices::About::Obligation(id),
                        recipient_org_unit_id: unit.clone(),
                        subject: subject.clone(),
                        body: format!("{title}{i}，应于2026-12-01前完成。"),
                    });
                }
                shuanglian::deadlines::notices::enqueue(tx, &notices, Utc::now().naive_utc())
            })
            .await
            .expect("notices");
    }

    /// The worker's channels; SMS through the local gateway at `sms_url` when given.
    pub fn channels(&self, sms_url: Option<&str>) -> Channels {
        let mut ch = Channels::from_settings(&self.settings.notify, *self.state.master_key.bytes());
        ch.sms = sms_url.map(|url| {
            SmsGateway::new(
                url.to_owned(),
                SMS_KEY_ID.into(),
                SMS_KEY_SECRET.to_owned().into(),
                reqwest::Client::new(),
            )
        });
        ch
    }

    /// One delivery round for county `c` at `at`.
    pub async fn delivery_round(&self, ch: &Channels, c: &County, at: DateTime<Utc>) -> Round {
        let tid = TenantId::parse(&c.id).expect("tenant");
        shuanglian::notify::worker::run_county(&self.state.db, ch, tid, at)
            .await
            .expect("delivery round")
    }
}
