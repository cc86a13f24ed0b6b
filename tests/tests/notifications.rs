//! Notifications that are delivered (issue 15 item 5): a notice reaches the staff of its unit in
//! their inbox, by SMS through a gateway speaking Alibaba Cloud's SendSms protocol (the local
//! fake: no real gateway is reachable here) and through the county's signed webhook; a failed
//! send is retried after its backoff, nothing is sent twice after a restart, quiet hours and the
//! county's rate hold, a refusal lands in the dead-letter list and the county admin retries it;
//! other counties and other staff see and change nothing; no phone number leaves in the clear.
//! The worker is driven round by round with an explicit clock (the background one is off).

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, TimeZone, Utc};
use poem::listener::{Acceptor, Listener, TcpListener};
use poem::{EndpointExt, IntoResponse, Route, Server, handler};
use serde_json::{Value, json};
use shuanglian::clock::CHINA;
use shuanglian::db::Mode;
use shuanglian::notify::fake::FakeGateway;
use shuanglian::notify::worker::{self, Channels, Round};
use shuanglian::tenant::TenantId;
use shuanglian_tests::{County, SMS_KEY_ID, SMS_KEY_SECRET, TestApp, fields, send, spawn_app_with};

const PHONE: &str = "13812345678";
const SECRET: &str = "a-webhook-secret-of-32-characters";

/// 10:00 Beijing time on a working day, outside the default quiet hours.
fn morning() -> DateTime<Utc> {
    CHINA
        .with_ymd_and_hms(2026, 12, 7, 10, 0, 0)
        .single()
        .expect("time")
        .with_timezone(&Utc)
}

async fn app() -> TestApp {
    spawn_app_with(|s| {
        s.notify.interval_secs = 0;
        s.notify.webhook_allow_private = true;
    })
    .await
}

/// What a webhook receiver got: headers and body, and the statuses it answers in turn.
#[derive(Default)]
struct Hook {
    got: Vec<(String, String, String, String)>,
    answers: Vec<u16>,
}

async fn receiver() -> (String, Arc<Mutex<Hook>>) {
    #[handler]
    fn hook(
        req: &poem::Request,
        body: String,
        state: poem::web::Data<&Arc<Mutex<Hook>>>,
    ) -> poem::Response {
        let h = |n: &str| {
            req.headers()
                .get(n)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        let mut s = state.lock().expect("hook");
        s.got.push((
            h("idempotency-key"),
            h("x-shuanglian-timestamp"),
            h("x-shuanglian-signature"),
            body,
        ));
        let status = if s.answers.is_empty() {
            200
        } else {
            s.answers.remove(0)
        };
        poem::http::StatusCode::from_u16(status)
            .expect("status")
            .into_response()
    }
    let state = Arc::new(Mutex::new(Hook::default()));
    let acceptor = TcpListener::bind("127.0.0.1:0")
        .into_acceptor()
        .await
        .expect("bind");
    let addr = *acceptor.local_addr()[0].as_socket_addr().expect("addr");
    let app = Route::new()
        .at("/hook", poem::post(hook))
        .data(state.clone());
    tokio::spawn(async move { Server::new_with_acceptor(acceptor).run(app).await });
    (format!("http://{addr}/hook"), state)
}

struct World {
    c: County,
    village: String,
    /// A village recorder of `village`, who wants SMS.
    recorder: String,
    /// Staff of another unit of the same county.
    other: String,
}

async fn world(app: &TestApp, code: &str) -> World {
    let c = app.county(code, "通知县").await;
    let town = app.org_unit(&c, "township", "递铺街道", None).await;
    let village = app.org_unit(&c, "village", "古城村", Some(&town)).await;
    let other_village = app.org_unit(&c, "village", "横溪坞村", Some(&town)).await;
    let (_, recorder) = app
        .staff(
            &c,
            &format!("rec{code}"),
            "village_recorder",
            Some(&village),
        )
        .await;
    let (_, other) = app
        .staff(
            &c,
            &format!("oth{code}"),
            "village_recorder",
            Some(&other_village),
        )
        .await;
    World {
        c,
        village,
        recorder,
        other,
    }
}

/// `n` notices for `unit` (as the daily job writes them).
async fn notice(app: &TestApp, c: &County, unit: &str, n: usize) {
    app.notices(c, unit, n, "【逾期】测试事项", "测试事项")
        .await;
}

/// The local SendSms gateway of a test.
async fn gateway() -> FakeGateway {
    FakeGateway::start("127.0.0.1:0", SMS_KEY_ID, SMS_KEY_SECRET)
        .await
        .expect("fake gateway")
}

/// A staff member asks for SMS to [`PHONE`].
async fn wants_sms(app: &TestApp, token: &str) {
    let (s, v) = set_preferences(
        app,
        token,
        json!({ "inbox": true, "sms": true, "phone": PHONE }),
    )
    .await;
    assert_eq!(s, 200, "{v}");
}

async fn set_settings(app: &TestApp, c: &County, body: Value) -> (u16, Value) {
    let (_, cur) = send(app.get("/api/v1/notifications/settings", &c.admin_token)).await;
    send(
        app.client
            .put(app.url("/api/v1/notifications/settings"))
            .bearer_auth(&c.admin_token)
            .header("If-Match", format!("\"v{}\"", cur["version"]))
            .json(&body),
    )
    .await
}

async fn set_preferences(app: &TestApp, token: &str, body: Value) -> (u16, Value) {
    let (_, cur) = send(app.get("/api/v1/me/notification-preferences", token)).await;
    send(
        app.client
            .put(app.url("/api/v1/me/notification-preferences"))
            .bearer_auth(token)
            .header("If-Match", format!("\"v{}\"", cur["version"]))
            .json(&body),
    )
    .await
}

fn channels(app: &TestApp, gateway: &FakeGateway) -> Channels {
    app.channels(Some(&gateway.url))
}

async fn round(app: &TestApp, ch: &Channels, c: &County, at: DateTime<Utc>) -> Round {
    app.delivery_round(ch, c, at).await
}

async fn deliveries(app: &TestApp, token: &str, query: &str) -> Vec<Value> {
    let (s, v) = send(app.get(&format!("/api/v1/notifications/deliveries?{query}"), token)).await;
    assert_eq!(s, 200, "{v}");
    v["items"].as_array().expect("items").clone()
}

#[tokio::test]
async fn a_notice_reaches_inbox_sms_and_webhook_once_with_retries_and_a_restart() {
    let app = app().await;
    let w = world(&app, "330523").await;
    let gateway = gateway().await;
    let (hook_url, hook) = receiver().await;

    // The recorder wants SMS: a number is needed, then kept sealed and shown masked.
    let (s, v) = set_preferences(&app, &w.recorder, json!({ "inbox": true, "sms": true })).await;
    assert_eq!((s, fields(&v)), (422, vec!["phone".to_owned()]), "{v}");
    let (s, v) = set_preferences(
        &app,
        &w.recorder,
        json!({ "inbox": true, "sms": true, "phone": "138 1234 5678x" }),
    )
    .await;
    assert_eq!((s, fields(&v)), (422, vec!["phone".to_owned()]), "{v}");
    let (s, v) = set_preferences(
        &app,
        &w.recorder,
        json!({ "inbox": true, "sms": true, "phone": PHONE }),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["phone_masked"], "138****5678");
    assert!(!v.to_string().contains(PHONE));

    let (s, v) = set_settings(&app, &w.c, json!({
        "sms_sign_name": "安吉县个协", "sms_template_code": "SMS_460775112", "sms_per_minute": 60,
        "quiet_start": "21:00", "quiet_end": "08:00",
        "webhook_url": hook_url, "webhook_secret": SECRET,
    }))
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        (v["webhook_secret_set"].as_bool(), v["version"].as_i64()),
        (Some(true), Some(1))
    );
    assert!(!v.to_string().contains(SECRET));

    notice(&app, &w.c, &w.village, 1).await;
    let ch = channels(&app, &gateway);
    let t0 = morning();
    // The gateway and the receiver fail the first time.
    gateway.fail_next(1, 500, "isp.SYSTEM_ERROR");
    hook.lock().expect("hook").answers.push(503);
    let r = round(&app, &ch, &w.c, t0).await;
    assert_eq!((r.dispatched, r.sent, r.retrying, r.dead), (1, 0, 2, 0));
    assert_eq!(gateway.requests(), 1);
    assert!(gateway.messages().is_empty());
    let pending = deliveries(&app, &w.c.admin_token, "status=pending").await;
    assert_eq!(pending.len(), 2, "{pending:?}");
    let sms = pending.iter().find(|d| d["channel"] == "sms").expect("sms");
    assert_eq!(
        (sms["attempts"].as_i64(), sms["last_error"].as_str()),
        (Some(1), Some("isp.SYSTEM_ERROR"))
    );
    assert!(
        !serde_json::to_string(&pending)
            .expect("json")
            .contains(PHONE)
    );

    // The inbox has it at once.
    let (_, inbox) = send(app.get("/api/v1/me/inbox", &w.recorder)).await;
    assert_eq!(
        (
            inbox["unread"].as_i64(),
            inbox["items"][0]["topic"].as_str()
        ),
        (Some(1), Some("overdue"))
    );

    // Within the backoff nothing goes out again; after it, both are delivered.
    assert_eq!(
        round(&app, &ch, &w.c, t0 + Duration::seconds(10)).await,
        Round::default()
    );
    assert_eq!(gateway.requests(), 1);
    let r = round(&app, &ch, &w.c, t0 + Duration::seconds(31)).await;
    assert_eq!((r.sent, r.retrying), (2, 0));
    let got = gateway.messages();
    assert_eq!(got.len(), 1);
    assert_eq!(
        (got[0].phone.as_str(), got[0].sign_name.as_str()),
        (PHONE, "安吉县个协")
    );
    assert_eq!(got[0].template_param["title"], "【逾期】测试事项");
    assert_eq!(got[0].out_id, sms["id"].as_str().expect("id"));
    {
        let h = hook.lock().expect("hook");
        assert_eq!(h.got.len(), 2, "one failed attempt, one delivered");
        let (key, ts, sig, body) = &h.got[1];
        assert_eq!(
            key, &h.got[0].0,
            "the same idempotency key on every attempt"
        );
        let ts: i64 = ts.parse().expect("timestamp");
        assert_eq!(
            sig,
            &shuanglian::notify::webhook::signature(SECRET, ts, body.as_bytes())
        );
        let payload: Value = serde_json::from_str(body).expect("payload");
        assert_eq!(
            (payload["topic"].as_str(), payload["county"].as_str()),
            (Some("overdue"), Some(w.c.id.as_str()))
        );
        assert_eq!(payload["delivery_id"], key.as_str());
    }
    let sent = deliveries(&app, &w.c.admin_token, "status=sent&channel=sms").await;
    assert_eq!((sent.len(), sent[0]["attempts"].as_i64()), (1, Some(2)));

    // A restart sends nothing twice.
    let app = app.restart().await;
    let ch = channels(&app, &gateway);
    assert_eq!(
        round(&app, &ch, &w.c, t0 + Duration::seconds(600)).await,
        Round::default()
    );
    assert_eq!(
        (
            gateway.messages().len(),
            hook.lock().expect("hook").got.len()
        ),
        (1, 2)
    );
}

#[tokio::test]
async fn a_claim_left_by_a_dead_replica_is_sent_after_its_lease_with_the_same_serial() {
    let app = app().await;
    let w = world(&app, "330524").await;
    let gateway = gateway().await;
    wants_sms(&app, &w.recorder).await;
    set_settings(
        &app,
        &w.c,
        json!({
        "sms_sign_name": "安吉县个协", "sms_template_code": "SMS_460775112", "sms_per_minute": 60,
        "quiet_start": "00:00", "quiet_end": "00:00" }),
    )
    .await;
    notice(&app, &w.c, &w.village, 1).await;
    let t0 = morning();
    // A replica dispatches and claims, then dies before sending.
    let tid = TenantId::parse(&w.c.id).expect("tenant");
    let master = *app.state.master_key.bytes();
    let at = t0.naive_utc();
    let claimed = app
        .state
        .db
        .tenant(tid.clone(), Mode::Write, move |tx| {
            shuanglian::notify::repo::dispatch(tx, at, true, 500)?;
            let keys = shuanglian::privacy::keys::load(tx, &master)?;
            Ok(shuanglian::notify::repo::claim(tx, &keys, t0, 10)?.len())
        })
        .await
        .expect("claim");
    assert_eq!(claimed, 1);
    let app = app.restart().await;
    let ch = channels(&app, &gateway);
    // Another replica leaves it alone while the lease holds, and sends it after.
    assert_eq!(
        round(&app, &ch, &w.c, t0 + Duration::seconds(30))
            .await
            .sent,
        0
    );
    assert_eq!(
        round(&app, &ch, &w.c, t0 + Duration::seconds(61))
            .await
            .sent,
        1
    );
    assert_eq!(gateway.messages().len(), 1);
    // (Sessions did not survive the restart on SQLite: the row is read directly.)
    let got = app
        .state
        .db
        .tenant(tid, Mode::Read, |tx| {
            use diesel::prelude::*;
            use shuanglian::db::schema::deliveries as d;
            Ok(d::table
                .filter(d::channel.eq("sms"))
                .select((d::status, d::attempts, d::id))
                .load::<(String, i32, String)>(tx.conn())?)
        })
        .await
        .expect("deliveries");
    assert_eq!((got[0].0.as_str(), got[0].1), ("sent", 2));
    assert_eq!(
        gateway.messages()[0].out_id,
        got[0].2,
        "the delivery id as the serial"
    );
}

#[tokio::test]
async fn quiet_hours_hold_sms_back_and_the_county_rate_spreads_it() {
    let app = app().await;
    let w = world(&app, "330525").await;
    let gateway = gateway().await;
    wants_sms(&app, &w.recorder).await;
    let (s, v) = set_settings(
        &app,
        &w.c,
        json!({
        "sms_sign_name": "安吉县个协", "sms_template_code": "SMS_460775112", "sms_per_minute": 2,
        "quiet_start": "21:00", "quiet_end": "08:00" }),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    notice(&app, &w.c, &w.village, 5).await;
    let ch = channels(&app, &gateway);
    let night = CHINA
        .with_ymd_and_hms(2026, 12, 7, 23, 0, 0)
        .single()
        .expect("t")
        .with_timezone(&Utc);
    let r = round(&app, &ch, &w.c, night).await;
    assert_eq!(
        (r.dispatched, r.sent),
        (5, 0),
        "quiet hours: the inbox only"
    );
    let (_, inbox) = send(app.get("/api/v1/me/inbox?limit=2", &w.recorder)).await;
    assert_eq!(inbox["unread"], 5);
    assert!(inbox["next_cursor"].is_string(), "paged: {inbox}");
    let eight = CHINA
        .with_ymd_and_hms(2026, 12, 8, 8, 0, 0)
        .single()
        .expect("t")
        .with_timezone(&Utc);
    assert_eq!(round(&app, &ch, &w.c, eight).await.sent, 2);
    assert_eq!(
        round(&app, &ch, &w.c, eight + Duration::seconds(30))
            .await
            .sent,
        0
    );
    assert_eq!(
        round(&app, &ch, &w.c, eight + Duration::seconds(61))
            .await
            .sent,
        2
    );
    assert_eq!(
        round(&app, &ch, &w.c, eight + Duration::seconds(122))
            .await
            .sent,
        1
    );
    assert_eq!(gateway.messages().len(), 5);
}

#[tokio::test]
async fn refusals_are_dead_letters_the_admin_retries_and_nobody_else_sees_or_touches() {
    let app = app().await;
    let w = world(&app, "330526").await;
    let n = world(&app, "330527").await;
    let gateway = gateway().await;
    let (hook_url, hook) = receiver().await;
    set_settings(
        &app,
        &w.c,
        json!({
        "sms_per_minute": 60, "quiet_start": "00:00", "quiet_end": "00:00",
        "webhook_url": hook_url, "webhook_secret": SECRET }),
    )
    .await;
    hook.lock().expect("hook").answers.push(400);
    notice(&app, &w.c, &w.village, 1).await;
    let ch = channels(&app, &gateway);
    let t0 = morning();
    let r = round(&app, &ch, &w.c, t0).await;
    assert_eq!((r.sent, r.dead), (0, 1));
    let dead = deliveries(&app, &w.c.admin_token, "status=dead").await;
    assert_eq!(dead.len(), 1);
    assert_eq!(
        (dead[0]["channel"].as_str(), dead[0]["last_error"].as_str()),
        (Some("webhook"), Some("http_400"))
    );
    let id = dead[0]["id"].as_str().expect("id").to_owned();
    let retry = format!("/api/v1/notifications/deliveries/{id}/retry");

    // Other counties and other roles: nothing to see, nothing to change.
    assert!(deliveries(&app, &n.c.admin_token, "").await.is_empty());
    let (s, v) = send(app.post(&retry, &n.c.admin_token, &json!({}))).await;
    assert_eq!((s, v["code"].as_str()), (404, Some("not_found")), "{v}");
    for tok in [&w.recorder, &w.other] {
        let (s, _) = send(app.post(&retry, tok, &json!({}))).await;
        assert_eq!(s, 403);
        let (s, _) = send(app.get("/api/v1/notifications/deliveries", tok)).await;
        assert_eq!(s, 403);
        let (s, _) = send(app.get("/api/v1/notifications/settings", tok)).await;
        assert_eq!(s, 403);
    }
    let (s, _) = set_settings(
        &app,
        &n.c,
        json!({ "sms_per_minute": 5, "quiet_start": "00:00", "quiet_end": "00:00" }),
    )
    .await;
    assert_eq!(s, 200);
    let (_, mine) = send(app.get("/api/v1/notifications/settings", &w.c.admin_token)).await;
    assert_eq!(
        (mine["sms_per_minute"].as_i64(), mine["version"].as_i64()),
        (Some(60), Some(1)),
        "{mine}"
    );
    assert_eq!(
        deliveries(&app, &w.c.admin_token, "status=dead").await[0]["id"],
        id.as_str()
    );

    let (s, v) = send(app.post(&retry, &w.c.admin_token, &json!({}))).await;
    assert_eq!(s, 200, "{v}");
    let (s, v) = send(app.post(&retry, &w.c.admin_token, &json!({}))).await;
    assert_eq!((s, v["code"].as_str()), (409, Some("delivery_not_dead")));
    // The retry is due now (the county admin's clock, not the test's).
    assert_eq!(
        round(&app, &ch, &w.c, Utc::now() + Duration::seconds(1))
            .await
            .sent,
        1
    );
    assert_eq!(hook.lock().expect("hook").got.len(), 2);

    // The inbox is one's own: another's item is 404 to read and stays unread.
    let (_, inbox) = send(app.get("/api/v1/me/inbox", &w.recorder)).await;
    let item = inbox["items"][0]["id"].as_str().expect("item").to_owned();
    let read = format!("/api/v1/me/inbox/{item}/read");
    for tok in [&w.other, &n.recorder, &n.c.admin_token] {
        let (s, _) = send(app.post(&read, tok, &json!({}))).await;
        assert_eq!(s, 404);
        let (_, theirs) = send(app.get("/api/v1/me/inbox", tok)).await;
        assert_eq!(theirs["items"], json!([]), "{theirs}");
    }
    let (_, inbox) = send(app.get("/api/v1/me/inbox", &w.recorder)).await;
    assert_eq!(inbox["unread"], 1);
    let (s, _) = send(app.post(&read, &w.recorder, &json!({}))).await;
    assert_eq!(s, 200);
    let (_, inbox) = send(app.get("/api/v1/me/inbox?unread=true", &w.recorder)).await;
    assert_eq!(
        (
            inbox["unread"].as_i64(),
            inbox["items"].as_array().map(Vec::len)
        ),
        (Some(0), Some(0))
    );

    // The QQ group's text names units and notices, for the county admin only.
    let (s, v) = send(app.get("/api/v1/notifications/qq-text", &w.c.admin_token)).await;
    assert_eq!(s, 200, "{v}");
    assert!(
        v["text"]
            .as_str()
            .expect("text")
            .contains("古城村：测试事项0"),
        "{v}"
    );
    let (_, theirs) = send(app.get("/api/v1/notifications/qq-text", &n.c.admin_token)).await;
    assert_eq!(theirs["notices"], 0);
    let (s, v) = send(app.get(
        "/api/v1/notifications/qq-text?date=2026-13-01",
        &w.c.admin_token,
    ))
    .await;
    assert_eq!((s, fields(&v)), (422, vec!["date".to_owned()]));
}

#[tokio::test]
async fn bad_settings_name_their_fields_and_change_nothing() {
    let app = spawn_app_with(|s| s.notify.interval_secs = 0).await;
    let w = world(&app, "330528").await;
    let (s, v) = set_settings(
        &app,
        &w.c,
        json!({
        "sms_sign_name": "【安吉】", "sms_template_code": "123", "sms_per_minute": 60,
        "quiet_start": "25:00", "quiet_end": "08:00",
        "webhook_url": "http://127.0.0.1:9/hook", "webhook_secret": "short" }),
    )
    .await;
    assert_eq!(s, 422, "{v}");
    let mut got = fields(&v);
    got.sort();
    assert_eq!(
        got,
        [
            "quiet_start",
            "sms_sign_name",
            "sms_template_code",
            "webhook_secret",
            "webhook_url"
        ]
    );
    let codes: Vec<&str> = v["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["code"].as_str())
        .collect();
    assert!(codes.contains(&"private_address"), "{v}");
    let (s, v) = set_settings(&app, &w.c, json!({
        "sms_sign_name": "安吉县个协", "sms_per_minute": 60, "quiet_start": "21:00", "quiet_end": "08:00" })).await;
    assert_eq!(
        (s, fields(&v)),
        (422, vec!["sms_template_code".to_owned()]),
        "{v}"
    );
    let (s, v) = set_settings(&app, &w.c, json!({
        "sms_per_minute": 60, "quiet_start": "21:00", "quiet_end": "08:00", "webhook_url": "https://oa.example.cn/hook" })).await;
    assert_eq!(
        (s, fields(&v)),
        (422, vec!["webhook_secret".to_owned()]),
        "{v}"
    );
    let (_, now) = send(app.get("/api/v1/notifications/settings", &w.c.admin_token)).await;
    assert_eq!(
        (now["version"].as_i64(), now["quiet_start"].as_str()),
        (Some(0), Some("21:00"))
    );
    // A stale If-Match is refused.
    let (s, _) = send(
        app.client
            .put(app.url("/api/v1/notifications/settings"))
            .bearer_auth(&w.c.admin_token)
            .header("If-Match", "\"v7\"")
            .json(&json!({ "sms_per_minute": 1, "quiet_start": "00:00", "quiet_end": "00:00" })),
    )
    .await;
    assert_eq!(s, 412);
}

/// Replicas share PostgreSQL (SQLite is one replica by design: its one writer).
#[tokio::test]
async fn postgres_only_two_replicas_delivering_at_once_send_each_message_once() {
    assert_eq!(
        shuanglian_tests::backend(),
        shuanglian::db::Backend::Postgres,
        "this test needs SHUANGLIAN_TEST_BACKEND=postgres"
    );
    let app = app().await;
    let w = world(&app, "330529").await;
    let gateway = gateway().await;
    let (hook_url, hook) = receiver().await;
    wants_sms(&app, &w.recorder).await;
    let (s, v) = set_settings(&app, &w.c, json!({
        "sms_sign_name": "安吉县个协", "sms_template_code": "SMS_460775112", "sms_per_minute": 6000,
        "quiet_start": "00:00", "quiet_end": "00:00", "webhook_url": hook_url, "webhook_secret": SECRET })).await;
    assert_eq!(s, 200, "{v}");
    notice(&app, &w.c, &w.village, 300).await;
    let ch = channels(&app, &gateway);
    // A second replica: its own pool on the same database.
    let other = app.replica().await;
    let other_db = other.state.db.clone();
    let tid = TenantId::parse(&w.c.id).expect("tenant");
    let t0 = morning();
    let (a, b) = tokio::join!(
        worker::run_county(&app.state.db, &ch, tid.clone(), t0),
        worker::run_county(&other_db, &ch, tid.clone(), t0),
    );
    let (a, b) = (a.expect("replica a"), b.expect("replica b"));
    assert_eq!(a.dispatched + b.dispatched, 300);
    assert_eq!(a.sent + b.sent, 600, "{a:?} {b:?}");
    let mut serials: Vec<String> = gateway.messages().into_iter().map(|m| m.out_id).collect();
    assert_eq!(gateway.requests(), 300);
    serials.sort();
    serials.dedup();
    assert_eq!(serials.len(), 300, "an SMS sent twice");
    let mut keys: Vec<String> = hook
        .lock()
        .expect("hook")
        .got
        .iter()
        .map(|g| g.0.clone())
        .collect();
    assert_eq!(keys.len(), 300);
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), 300, "a webhook delivery sent twice");
}

#[tokio::test]
async fn each_county_s_messages_go_out_under_its_own_settings() {
    let app = app().await;
    let a = world(&app, "330530").await;
    let b = world(&app, "330531").await;
    let gateway = gateway().await;
    for (w, phone, sign, quiet) in [
        (&a, "13800000001", "甲县个协", "00:00"),
        (&b, "13800000002", "乙县个协", "08:00"),
    ] {
        let (s, v) = set_preferences(
            &app,
            &w.recorder,
            json!({ "inbox": true, "sms": true, "phone": phone }),
        )
        .await;
        assert_eq!(s, 200, "{v}");
        // County B is quiet from 08:00 to 00:00 (it is 10:00): its SMS waits.
        let (s, v) = set_settings(
            &app,
            &w.c,
            json!({
            "sms_sign_name": sign, "sms_template_code": "SMS_1", "sms_per_minute": 60,
            "quiet_start": quiet, "quiet_end": "00:00" }),
        )
        .await;
        assert_eq!(s, 200, "{v}");
        notice(&app, &w.c, &w.village, 2).await;
    }
    let ch = channels(&app, &gateway);
    let r = worker::run_once(&app.state.db, &ch, morning())
        .await
        .expect("round");
    assert_eq!((r.dispatched, r.sent), (4, 2), "{r:?}");
    let got = gateway.messages();
    assert!(
        got.iter()
            .all(|m| m.phone == "13800000001" && m.sign_name == "甲县个协"),
        "{got:?}"
    );
    let midnight = CHINA
        .with_ymd_and_hms(2026, 12, 8, 0, 0, 0)
        .single()
        .expect("t")
        .with_timezone(&Utc);
    assert_eq!(
        worker::run_once(&app.state.db, &ch, midnight)
            .await
            .expect("round")
            .sent,
        2
    );
    let b_got: Vec<_> = gateway.messages().into_iter().skip(2).collect();
    assert!(
        b_got
            .iter()
            .all(|m| m.phone == "13800000002" && m.sign_name == "乙县个协"),
        "{b_got:?}"
    );
}
