//! Activities at the regional service centres (seed 002 附件3 三, issue 15 item 3): the director
//! plans an activity for an audience chosen from the register, the association committee
//! returns it with a reason and approves the revision, the centre's staff notify the audience
//! (the SMS reaches the fake gateway for the member who agreed to SMS notices, and nobody
//! else), attendance is recorded, and it shows on the member's time line and yearly
//! participation. Every illegal step has its code; other centres and other counties see and
//! change nothing.

use chrono::{Datelike, Duration};
use serde_json::{Value, json};
use shuanglian::db::Mode;
use shuanglian::notify::fake::FakeGateway;
use shuanglian_tests::{
    CentreWorld, County, SMS_KEY_ID, SMS_KEY_SECRET, TestApp, fields, morning_today, send,
    send_tagged,
};

const PHONE: &str = "13812345678";
const OTHER_PHONE: &str = "13900001111";

struct World {
    base: CentreWorld,
    /// In the first party branch, with a mobile number; agrees to SMS notices.
    member: String,
    /// Same party branch, with a mobile number, no SMS consent.
    quiet_member: String,
    /// Of the other branch's region.
    other_member: String,
}

impl std::ops::Deref for World {
    type Target = CentreWorld;
    fn deref(&self) -> &CentreWorld {
        &self.base
    }
}

async fn world(app: &TestApp, code: &str) -> World {
    let base = app.centre_world(code, "活动县").await;
    let tok = base.c.admin_token.clone();
    let person = |name: &str, shop: &str, unit: &str, phone: Option<&str>| {
        let mut b = json!({ "name": name, "is_owner": true, "business_name": shop,
            "org_life_unit_id": unit, "membership_org_name": "宿松县复兴镇党委",
            "membership_status": "full", "distribution": "individual_business" });
        if let Some(p) = phone {
            b["phone"] = json!(p);
        }
        b
    };
    let member = app
        .member(
            &tok,
            &person("王建国", "建国五金店", &base.party_branch, Some(PHONE)),
        )
        .await;
    let quiet_member = app
        .member(
            &tok,
            &person("赵敏", "敏敏花店", &base.party_branch, Some(OTHER_PHONE)),
        )
        .await;
    let other_member = app
        .member(
            &tok,
            &person("李秀英", "秀英服装店", &base.other_party_branch, None),
        )
        .await;
    World {
        base,
        member,
        quiet_member,
        other_member,
    }
}

fn today() -> chrono::NaiveDate {
    shuanglian::clock::today()
}

fn plan(w: &World, held_on: chrono::NaiveDate) -> Value {
    json!({ "centre_id": w.centre, "theme": "电商直播技能培训", "kind": "training",
        "held_on": held_on, "start_time": "9:30", "place": "服务中心二楼培训室",
        "audience": { "unit_id": w.party_branch } })
}

/// A step with the activity's current version; returns (status, body).
async fn step(app: &TestApp, tok: &str, id: &str, what: &str, body: Option<Value>) -> (u16, Value) {
    let (_, cur, tag) = send_tagged(app.get(&format!("/api/v1/activities/{id}"), tok)).await;
    let url = app.url(&format!("/api/v1/activities/{id}/{what}"));
    let mut r = app.client.post(url).bearer_auth(tok);
    if cur["version"].is_i64() {
        r = r.header("If-Match", tag);
    }
    if let Some(b) = body {
        r = r.json(&b);
    }
    send(r).await
}

async fn attendance(app: &TestApp, tok: &str, id: &str, body: &Value) -> (u16, Value) {
    send(
        app.client
            .put(app.url(&format!("/api/v1/activities/{id}/attendance")))
            .bearer_auth(tok)
            .json(body),
    )
    .await
}

/// The activity's row as stored, for "unchanged" checks.
async fn row(app: &TestApp, c: &County, id: &str) -> (String, i64, i64) {
    let (tid, id) = (c.id.clone(), id.to_owned());
    app.state
        .db
        .tenant(
            shuanglian::tenant::TenantId::parse(&tid).expect("tenant"),
            Mode::Read,
            move |tx| {
                use diesel::prelude::*;
                use shuanglian::db::schema::{activities as a, activity_attendance as aa};
                let (state, version): (String, i64) = a::table
                    .filter(a::id.eq(&id))
                    .select((a::state, a::version))
                    .first(tx.conn())?;
                let lines: i64 = aa::table
                    .filter(aa::activity_id.eq(&id))
                    .count()
                    .get_result(tx.conn())?;
                Ok((state, version, lines))
            },
        )
        .await
        .expect("row")
}

#[tokio::test]
async fn an_activity_goes_from_plan_through_approval_and_sms_notice_to_attendance() {
    let app = shuanglian_tests::spawn_app_with(|s| s.notify.interval_secs = 0).await;
    let w = world(&app, "330523").await;
    let gateway = FakeGateway::start("127.0.0.1:0", SMS_KEY_ID, SMS_KEY_SECRET)
        .await
        .expect("fake gateway");
    app.enable_sms(&w.c).await;
    // The member agrees to SMS notices (a consent of its own, apart from the register's).
    let (s, v) = send(app.post(
        &format!("/api/v1/members/{}/consents", w.member),
        &w.staff,
        &json!({ "purpose": "sms_notices", "notice_version": "2026-短信",
            "consented_on": today(), "form": "written" }),
    ))
    .await;
    assert_eq!(
        (s, v["purpose"].as_str()),
        (201, Some("sms_notices")),
        "{v}"
    );

    // Every fault of a plan is named at once.
    let (s, v) = send(app.post(
        "/api/v1/activities",
        &w.director,
        &json!({ "centre_id": w.centre, "theme": " ", "kind": "training", "held_on": "1999-01-01",
            "start_time": "25:00", "place": "" }),
    ))
    .await;
    assert_eq!(
        (s, fields(&v)),
        (
            422,
            vec![
                "theme".into(),
                "place".into(),
                "held_on".into(),
                "start_time".into()
            ]
        ),
        "{v}"
    );
    let mut bad_audience = plan(&w, today());
    bad_audience["audience"] = json!({ "unit_id": w.other_centre, "market_id": w.centre });
    let (s, v) = send(app.post("/api/v1/activities", &w.director, &bad_audience)).await;
    assert_eq!(
        (s, fields(&v)),
        (
            422,
            vec!["audience.unit_id".into(), "audience.market_id".into()]
        ),
        "{v}"
    );
    // The centre's staff do not plan: the director does.
    let (s, v) = send(app.post("/api/v1/activities", &w.staff, &plan(&w, today()))).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (403, Some("not_activity_director")),
        "{v}"
    );

    let (s, a, tag) =
        send_tagged(app.post("/api/v1/activities", &w.director, &plan(&w, today()))).await;
    assert_eq!((s, tag.as_str()), (201, "\"v1\""), "{a}");
    assert_eq!(
        (
            a["state"].as_str(),
            a["start_time"].as_str(),
            a["training"].as_bool()
        ),
        (Some("draft"), Some("09:30"), Some(true))
    );
    assert!(
        a["audience_label"]
            .as_str()
            .unwrap_or_default()
            .contains("递铺分会第一支部"),
        "{a}"
    );
    let id = a["id"].as_str().expect("id").to_owned();

    // Not approved yet: no notice, no attendance; the committee decides only what was submitted.
    let (s, v) = step(&app, &w.staff, &id, "notify", None).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (409, Some("activity_not_approved")),
        "{v}"
    );
    let (s, v) = step(&app, &w.committee, &id, "approve", None).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (409, Some("activity_not_submitted")),
        "{v}"
    );
    let (s, v) = step(&app, &w.director, &id, "submit", None).await;
    assert_eq!((s, v["state"].as_str()), (200, Some("submitted")), "{v}");
    // Only the committee decides, and a return needs its reason.
    let (s, v) = step(&app, &w.director, &id, "approve", None).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (403, Some("committee_only")),
        "{v}"
    );
    let (s, v) = step(
        &app,
        &w.committee,
        &id,
        "return",
        Some(json!({ "reason": "  " })),
    )
    .await;
    assert_eq!((s, fields(&v)), (422, vec!["reason".into()]), "{v}");
    let (s, v) = step(
        &app,
        &w.committee,
        &id,
        "return",
        Some(json!({ "reason": "请补充培训讲师" })),
    )
    .await;
    assert_eq!(
        (s, v["state"].as_str(), v["return_reason"].as_str()),
        (200, Some("returned"), Some("请补充培训讲师")),
        "{v}"
    );
    // The director revises (a stale version is refused) and submits again; approved.
    let mut revised = plan(&w, today());
    revised["content"] = json!("讲师：县商务局电商办");
    let (s, v) = send(
        app.client
            .put(app.url(&format!("/api/v1/activities/{id}")))
            .bearer_auth(&w.director)
            .header("If-Match", "\"v1\"")
            .json(&revised),
    )
    .await;
    assert_eq!(s, 412, "{v}");
    let (_, _, tag) = send_tagged(app.get(&format!("/api/v1/activities/{id}"), &w.director)).await;
    let (s, v) = send(
        app.client
            .put(app.url(&format!("/api/v1/activities/{id}")))
            .bearer_auth(&w.director)
            .header("If-Match", tag)
            .json(&revised),
    )
    .await;
    assert_eq!(
        (s, v["content"].as_str()),
        (200, Some("讲师：县商务局电商办")),
        "{v}"
    );
    assert_eq!(step(&app, &w.director, &id, "submit", None).await.0, 200);
    let (s, v) = step(&app, &w.committee, &id, "approve", None).await;
    assert_eq!((s, v["state"].as_str()), (200, Some("approved")), "{v}");
    assert!(v["decided_by_name"].is_string(), "{v}");

    // The staff notify: the roster is the audience (the two members of the party branch, not
    // the other branch's member), and one notice goes to the outbox.
    let (s, v) = step(&app, &w.staff, &id, "notify", None).await;
    assert_eq!((s, v["state"].as_str()), (200, Some("notified")), "{v}");
    assert_eq!(v["roster"]["invited"], 2, "{v}");
    let (s, v) = step(&app, &w.staff, &id, "notify", None).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (409, Some("already_notified")),
        "{v}"
    );

    // The worker sends one SMS: to the member who agreed, with the activity, never to the other.
    let ch = app.channels(Some(&gateway.url));
    let r = app.delivery_round(&ch, &w.c, morning_today()).await;
    assert_eq!((r.dispatched, r.sent, r.dead), (1, 1, 0), "{r:?}");
    let got = gateway.messages();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].phone, PHONE);
    assert!(
        got[0]
            .template_param
            .to_string()
            .contains("电商直播技能培训")
    );
    assert!(!got[0].template_param.to_string().contains("王建国"));
    // The roster shows who was told by SMS.
    let (s, roster) = send(app.get(&format!("/api/v1/activities/{id}/attendance"), &w.staff)).await;
    assert_eq!(s, 200, "{roster}");
    let sms_of = |m: &str| {
        roster["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|l| l["member_id"] == m)
            .map(|l| l["sms"].clone())
    };
    assert_eq!(sms_of(&w.member), Some(json!("sent")));
    assert_eq!(sms_of(&w.quiet_member), Some(Value::Null));
    assert!(!roster.to_string().contains(PHONE));

    // Attendance: bad lines named, a member outside the region refused, then recorded.
    let (s, v) = attendance(
        &app,
        &w.staff,
        &id,
        &json!({ "entries": [
        { "member_id": w.member, "status": "invited" },
        { "member_id": w.member, "status": "present" },
    ] }),
    )
    .await;
    assert_eq!(
        (s, fields(&v)),
        (
            422,
            vec!["entries[0].status".into(), "entries[1].member_id".into()]
        ),
        "{v}"
    );
    let (s, v) = attendance(
        &app,
        &w.staff,
        &id,
        &json!({ "entries": [
        { "member_id": w.other_member, "status": "present" },
    ] }),
    )
    .await;
    assert_eq!(
        (s, fields(&v)),
        (422, vec!["entries[0].member_id".into()]),
        "{v}"
    );
    let (s, v) = attendance(
        &app,
        &w.committee,
        &id,
        &json!({ "entries": [
        { "member_id": w.member, "status": "present" },
    ] }),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (403, Some("centre_staff_only")),
        "{v}"
    );
    let (s, v) = attendance(
        &app,
        &w.staff,
        &id,
        &json!({ "entries": [
        { "member_id": w.member, "status": "present" },
        { "member_id": w.quiet_member, "status": "excused", "note": "外出进货" },
    ] }),
    )
    .await;
    assert_eq!((s, v["state"].as_str()), (200, Some("held")), "{v}");
    assert_eq!(
        (
            v["roster"]["present"].as_i64(),
            v["roster"]["excused"].as_i64(),
            v["roster"]["invited"].as_i64()
        ),
        (Some(1), Some(1), Some(0)),
        "{v}"
    );
    let kinds: Vec<&str> = v["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .filter_map(|s| s["kind"].as_str())
        .collect();
    assert_eq!(
        kinds,
        [
            "planned",
            "submitted",
            "returned",
            "revised",
            "submitted",
            "approved",
            "notified",
            "attendance"
        ]
    );
    let (s, v) = step(
        &app,
        &w.director,
        &id,
        "cancel",
        Some(json!({ "reason": "改期" })),
    )
    .await;
    assert_eq!((s, v["code"].as_str()), (409, Some("activity_held")), "{v}");

    // The member's time line and yearly participation count it; a training attended.
    let (s, tl) = send(app.get(&format!("/api/v1/members/{}/timeline", w.member), &w.staff)).await;
    assert_eq!(s, 200, "{tl}");
    let activity: Vec<&str> = tl
        .as_array()
        .expect("timeline")
        .iter()
        .filter(|e| e["source"] == "activity")
        .filter_map(|e| e["kind"].as_str())
        .collect();
    assert_eq!(activity, ["invited", "present"], "{tl}");
    let (s, p) = send(app.get(
        &format!(
            "/api/v1/members/{}/participation?year={}",
            w.member,
            today().year()
        ),
        &w.staff,
    ))
    .await;
    assert_eq!(s, 200, "{p}");
    assert_eq!(
        (
            p["present"].as_i64(),
            p["trainings_attended"].as_i64(),
            p["activities"][0]["status"].as_str()
        ),
        (Some(1), Some(1), Some("present")),
        "{p}"
    );
    let (_, p) = send(app.get(
        &format!(
            "/api/v1/members/{}/participation?year={}",
            w.quiet_member,
            today().year()
        ),
        &w.staff,
    ))
    .await;
    assert_eq!(
        (p["excused"].as_i64(), p["trainings_attended"].as_i64()),
        (Some(1), Some(0)),
        "{p}"
    );

    // The centre's yearly report (情况通报制) counts the training held and its attendance.
    let (s, r) = send(app.get(
        &format!("/api/v1/service-centres/report?centre_id={}", w.centre),
        &w.committee,
    ))
    .await;
    assert_eq!(s, 200, "{r}");
    let f = &r["centres"][0];
    assert_eq!(
        (
            f["activities_held"].as_i64(),
            f["trainings_held"].as_i64(),
            f["attended"].as_i64(),
            f["excused"].as_i64(),
            f["attendance_rate"].as_f64()
        ),
        (Some(1), Some(1), Some(1), Some(1), Some(100.0)),
        "{f}"
    );
    let resp = app
        .get(
            &format!("/api/v1/service-centres/report.html?centre_id={}", w.centre),
            &w.committee,
        )
        .send()
        .await
        .expect("report");
    assert_eq!(resp.status().as_u16(), 200);
    let html = resp.text().await.expect("html");
    assert!(html.contains("党员活动开展及出勤情况"), "{html}");
}

#[tokio::test]
async fn attendance_waits_for_the_day_a_cancelled_notice_reaches_the_roster_and_a_withdrawn_consent_stops_sms()
 {
    let app = shuanglian_tests::spawn_app_with(|s| s.notify.interval_secs = 0).await;
    let w = world(&app, "330523").await;
    let gateway = FakeGateway::start("127.0.0.1:0", SMS_KEY_ID, SMS_KEY_SECRET)
        .await
        .expect("fake gateway");
    app.enable_sms(&w.c).await;
    let (s, consent) = send(app.post(
        &format!("/api/v1/members/{}/consents", w.member),
        &w.c.admin_token,
        &json!({ "purpose": "sms_notices", "notice_version": "2026-短信",
            "consented_on": today(), "form": "electronic" }),
    ))
    .await;
    assert_eq!(s, 201, "{consent}");
    // The SMS consent is not the register's consent: the member still lacks that one.
    let (_, missing) = send(app.get("/api/v1/consents/missing", &w.c.admin_token)).await;
    assert!(missing.to_string().contains(&w.member), "{missing}");

    let next_week = today() + Duration::days(7);
    let (_, a, _) =
        send_tagged(app.post("/api/v1/activities", &w.director, &plan(&w, next_week))).await;
    let id = a["id"].as_str().expect("id").to_owned();
    assert_eq!(step(&app, &w.director, &id, "submit", None).await.0, 200);
    assert_eq!(step(&app, &w.committee, &id, "approve", None).await.0, 200);
    assert_eq!(step(&app, &w.staff, &id, "notify", None).await.0, 200);
    let (s, v) = attendance(
        &app,
        &w.staff,
        &id,
        &json!({ "entries": [
        { "member_id": w.member, "status": "present" } ] }),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (409, Some("activity_not_yet_held")),
        "{v}"
    );

    // The member withdraws SMS consent before the worker runs: no SMS is made for them.
    let (s, v) = send(app.post(
        &format!(
            "/api/v1/members/{}/consents/{}/withdraw",
            w.member,
            consent["id"].as_str().expect("id")
        ),
        &w.c.admin_token,
        &json!({ "withdrawn_on": today() }),
    ))
    .await;
    assert_eq!(s, 200, "{v}");
    let ch = app.channels(Some(&gateway.url));
    let r = app.delivery_round(&ch, &w.c, morning_today()).await;
    assert_eq!((r.dispatched, r.sent), (1, 0), "{r:?}");
    assert!(gateway.messages().is_empty());

    // Consent again; the director calls the activity off: the cancellation reaches the roster.
    let (s, v) = send(app.post(
        &format!("/api/v1/members/{}/consents", w.member),
        &w.c.admin_token,
        &json!({ "purpose": "sms_notices", "notice_version": "2026-短信",
            "consented_on": today(), "form": "written" }),
    ))
    .await;
    assert_eq!(s, 201, "{v}");
    let (s, v) = step(
        &app,
        &w.staff,
        &id,
        "cancel",
        Some(json!({ "reason": "场地检修" })),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (403, Some("not_activity_director")),
        "{v}"
    );
    let (s, v) = step(
        &app,
        &w.director,
        &id,
        "cancel",
        Some(json!({ "reason": "场地检修" })),
    )
    .await;
    assert_eq!((s, v["state"].as_str()), (200, Some("cancelled")), "{v}");
    let r = app
        .delivery_round(&ch, &w.c, morning_today() + Duration::minutes(1))
        .await;
    assert_eq!((r.dispatched, r.sent), (1, 1), "{r:?}");
    let got = gateway.messages();
    assert_eq!(got.len(), 1);
    assert!(
        got[0].template_param.to_string().contains("取消"),
        "{:?}",
        got[0].template_param
    );
    let (s, v) = step(&app, &w.staff, &id, "notify", None).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (409, Some("activity_cancelled")),
        "{v}"
    );
}

#[tokio::test]
async fn other_centres_and_other_counties_see_and_change_nothing() {
    let app = shuanglian_tests::spawn_app_with(|s| s.notify.interval_secs = 0).await;
    let w = world(&app, "330523").await;
    let x = world(&app, "330522").await;
    let (_, a, _) =
        send_tagged(app.post("/api/v1/activities", &w.director, &plan(&w, today()))).await;
    let id = a["id"].as_str().expect("id").to_owned();
    assert_eq!(step(&app, &w.director, &id, "submit", None).await.0, 200);
    assert_eq!(step(&app, &w.committee, &id, "approve", None).await.0, 200);
    assert_eq!(step(&app, &w.staff, &id, "notify", None).await.0, 200);
    let before = row(&app, &w.c, &id).await;

    // The other centre's staff, the other county's director, committee and admin: 404 as for an
    // id that does not exist, for reads and for every write; the row is unchanged afterwards.
    for tok in [
        &w.other_staff,
        &x.director,
        &x.committee,
        &x.c.admin_token,
        &x.staff,
    ] {
        let (s, _) = send(app.get(&format!("/api/v1/activities/{id}"), tok)).await;
        assert_eq!(s, 404);
        let (s, _) = send(app.get(&format!("/api/v1/activities/{id}/attendance"), tok)).await;
        assert_eq!(s, 404);
        let (s, list) = send(app.get("/api/v1/activities", tok)).await;
        assert_eq!(s, 200);
        assert!(!list.to_string().contains(&id), "{list}");
    }
    for (tok, what) in [
        (&w.other_staff, "notify"),
        (&x.director, "submit"),
        (&x.committee, "approve"),
        (&x.director, "cancel"),
    ] {
        let body = (what == "cancel").then(|| json!({ "reason": "越界" }));
        let (s, v) = step(&app, tok, &id, what, body).await;
        assert_eq!(s, 404, "{what}: {v}");
    }
    for tok in [&w.other_staff, &x.staff] {
        let (s, v) = attendance(
            &app,
            tok,
            &id,
            &json!({ "entries": [
            { "member_id": w.member, "status": "present" } ] }),
        )
        .await;
        assert_eq!(s, 404, "{v}");
        let (s, _) = send(
            app.client
                .put(app.url(&format!("/api/v1/activities/{id}")))
                .bearer_auth(tok)
                .json(&plan(&w, today())),
        )
        .await;
        assert_eq!(s, 404);
    }
    // The other county's director cannot plan at this county's centre (not found in scope),
    // nor does this centre's plan reach members of another region.
    let (s, v) = send(app.post("/api/v1/activities", &x.director, &plan(&w, today()))).await;
    assert_eq!((s, fields(&v)), (422, vec!["centre_id".into()]), "{v}");
    let (s, _) = send(app.get(
        &format!("/api/v1/members/{}/participation", w.member),
        &x.c.admin_token,
    ))
    .await;
    assert_eq!(s, 404);
    let (s, _) = send(app.get(
        &format!("/api/v1/members/{}/participation", w.member),
        &w.other_staff,
    ))
    .await;
    assert_eq!(s, 404);
    assert_eq!(row(&app, &w.c, &id).await, before);
}
