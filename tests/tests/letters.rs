//! The 30 December letters (seed 002 附件3 三 4, issue 15 item 4), and the "done when"
//! path for activities: an activity goes from plan through approval, notification (delivered to
//! the fake SMS gateway) and attendance to the December letters, which state each member's
//! attendance, business status and records, go to the organisation holding the membership,
//! are printed, marked sent (meeting the `participation_letters` deadline) and their receipts
//! recorded and chased. Other centres and counties see and change nothing.

use chrono::Datelike;
use serde_json::{Value, json};
use shuanglian::db::Mode;
use shuanglian::notify::fake::FakeGateway;
use shuanglian_tests::{
    CentreWorld, County, SMS_KEY_ID, SMS_KEY_SECRET, TestApp, fields, morning_today, send,
    send_tagged,
};

struct World {
    base: CentreWorld,
    /// Membership held by a village of the county.
    held_by_village: String,
    /// Membership held outside the county (a name on the register).
    held_outside: String,
    /// Membership held by the centre's own branch: no letter.
    held_by_branch: String,
}

impl std::ops::Deref for World {
    type Target = CentreWorld;
    fn deref(&self) -> &CentreWorld {
        &self.base
    }
}

async fn world(app: &TestApp, code: &str) -> World {
    let base = app.centre_world(code, "函告县").await;
    let tok = base.c.admin_token.clone();
    let member = |name: &str, shop: &str, held: Value, phone: Option<&str>| {
        let mut b = json!({ "name": name, "is_owner": true, "business_name": shop,
            "org_life_unit_id": base.party_branch, "membership_status": "full",
            "distribution": "individual_business" });
        for (k, v) in held.as_object().expect("held") {
            b[k] = v.clone();
        }
        if let Some(p) = phone {
            b["phone"] = json!(p);
        }
        b
    };
    let held_by_village = app
        .member(
            &tok,
            &member(
                "王建国",
                "建国五金店",
                json!({ "membership_unit_id": base.village }),
                Some("13812345678"),
            ),
        )
        .await;
    let held_outside = app
        .member(
            &tok,
            &member(
                "赵敏",
                "敏敏花店",
                json!({ "membership_org_name": "宿松县复兴镇党委" }),
                None,
            ),
        )
        .await;
    let held_by_branch = app
        .member(
            &tok,
            &member(
                "钱进",
                "钱记粮油",
                json!({ "membership_unit_id": base.party_branch }),
                None,
            ),
        )
        .await;
    World {
        base,
        held_by_village,
        held_outside,
        held_by_branch,
    }
}

fn today() -> chrono::NaiveDate {
    shuanglian::clock::today()
}

async fn post_with_version(
    app: &TestApp,
    tok: &str,
    what: &str,
    step: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let (_, _, tag) = send_tagged(app.get(&format!("/api/v1/{what}"), tok)).await;
    let mut r = app
        .client
        .post(app.url(&format!("/api/v1/{what}/{step}")))
        .bearer_auth(tok);
    if tag.starts_with('"') {
        r = r.header("If-Match", tag);
    }
    if let Some(b) = body {
        r = r.json(&b);
    }
    send(r).await
}

/// Two of the member's business records this year: lawful operation and a credit rating, as
/// the AIC office writes them (a test set-up through the records repository).
async fn records(app: &TestApp, c: &County, member: &str, unit: &str) {
    use shuanglian::workflows::records::model::Category;
    use shuanglian::workflows::records::repo::{RecordValues, insert};
    let (tid, member, unit) = (c.id.clone(), member.to_owned(), unit.to_owned());
    app.state
        .db
        .tenant(
            shuanglian::tenant::TenantId::parse(&tid).expect("tenant"),
            Mode::Write,
            move |tx| {
                shuanglian::workflows::records::repo::ensure_seeded(tx)?;
                for (code, content) in [
                    ("B02", "亮证经营，无违规记录"),
                    ("B03", "评为A级诚信经营户"),
                ] {
                    insert(
                        tx,
                        &RecordValues {
                            member_id: member.clone(),
                            item_code: code.to_owned(),
                            item_version: 1,
                            category: Category::Business,
                            recorded_on: today(),
                            content: content.to_owned(),
                            score: None,
                            recording_unit_id: unit.clone(),
                        },
                        "test",
                    )?;
                }
                Ok(())
            },
        )
        .await
        .expect("records");
}

#[tokio::test]
async fn an_activity_from_plan_to_sms_and_attendance_reaches_the_december_letters() {
    let app = shuanglian_tests::spawn_app_with(|s| s.notify.interval_secs = 0).await;
    let w = world(&app, "330523").await;
    let gateway = FakeGateway::start("127.0.0.1:0", SMS_KEY_ID, SMS_KEY_SECRET)
        .await
        .expect("fake gateway");
    app.enable_sms(&w.c).await;
    let (s, v) = send(app.post(
        &format!("/api/v1/members/{}/consents", w.held_by_village),
        &w.staff,
        &json!({ "purpose": "sms_notices", "notice_version": "2026-短信",
            "consented_on": today(), "form": "written" }),
    ))
    .await;
    assert_eq!(s, 201, "{v}");
    records(&app, &w.c, &w.held_by_village, &w.party_branch).await;

    // Plan → approval → notice → SMS → attendance.
    let (s, a) = send(app.post(
        "/api/v1/activities",
        &w.director,
        &json!({ "centre_id": w.centre, "theme": "电商直播技能培训", "kind": "training",
            "held_on": today(), "place": "服务中心二楼培训室",
            "audience": { "unit_id": w.party_branch } }),
    ))
    .await;
    assert_eq!(s, 201, "{a}");
    let act = format!("activities/{}", a["id"].as_str().expect("id"));
    assert_eq!(
        post_with_version(&app, &w.director, &act, "submit", None)
            .await
            .0,
        200
    );
    assert_eq!(
        post_with_version(&app, &w.committee, &act, "approve", None)
            .await
            .0,
        200
    );
    let (s, v) = post_with_version(&app, &w.staff, &act, "notify", None).await;
    assert_eq!((s, v["roster"]["invited"].as_i64()), (200, Some(3)), "{v}");
    let r = app
        .delivery_round(&app.channels(Some(&gateway.url)), &w.c, morning_today())
        .await;
    assert_eq!(r.sent, 1, "{r:?}");
    assert_eq!(gateway.messages().len(), 1);
    let (s, v) = send(
        app.client
            .put(app.url(&format!("/api/v1/{act}/attendance")))
            .bearer_auth(&w.staff)
            .json(&json!({ "entries": [
                { "member_id": w.held_by_village, "status": "present" },
                { "member_id": w.held_outside, "status": "excused", "note": "外出进货" },
                { "member_id": w.held_by_branch, "status": "absent" },
            ] })),
    )
    .await;
    assert_eq!((s, v["state"].as_str()), (200, Some("held")), "{v}");

    // The daily job opens the centre's participation_letters deadline for the year.
    let (s, v) = send(app.post("/api/v1/deadlines/run", &w.c.admin_token, &json!({}))).await;
    assert_eq!(s, 200, "{v}");
    let letters_deadline = |state: &'static str| {
        format!(
            "/api/v1/deadlines?kind=participation_letters&state={state}&org_unit_id={}&limit=10",
            w.centre
        )
    };
    let (_, d) = send(app.get(&letters_deadline("open"), &w.c.admin_token)).await;
    assert_eq!(d["items"].as_array().map(Vec::len), Some(1), "{d}");

    // The committee reads but does not generate; the staff generate the year's letters.
    let (s, v) = send(app.post(
        "/api/v1/letter-batches",
        &w.committee,
        &json!({ "centre_id": w.centre }),
    ))
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (403, Some("centre_staff_only")),
        "{v}"
    );
    let (s, v) = send(app.post(
        "/api/v1/letter-batches",
        &w.staff,
        &json!({ "year": today().year() + 1 }),
    ))
    .await;
    assert_eq!((s, fields(&v)), (422, vec!["year".into()]), "{v}");
    let (s, b, tag) = send_tagged(app.post("/api/v1/letter-batches", &w.staff, &json!({}))).await;
    assert_eq!((s, tag.as_str()), (201, "\"v1\""), "{b}");
    assert_eq!(
        (b["state"].as_str(), b["letters"].as_i64()),
        (Some("draft"), Some(2)),
        "{b}"
    );
    let (s, v) = send(app.post("/api/v1/letter-batches", &w.staff, &json!({}))).await;
    assert_eq!((s, v["code"].as_str()), (409, Some("batch_exists")), "{v}");
    let batch = format!("letter-batches/{}", b["id"].as_str().expect("id"));

    // One letter per member whose membership is held outside the region, to that organisation,
    // stating what was recorded.
    let (s, page) = send(app.get(&format!("/api/v1/{batch}/letters"), &w.staff)).await;
    assert_eq!(s, 200, "{page}");
    let items = page["items"].as_array().expect("items").clone();
    let of = |m: &str| items.iter().find(|l| l["member_id"] == m).cloned();
    assert!(of(&w.held_by_branch).is_none(), "{page}");
    let l1 = of(&w.held_by_village).expect("letter to the village");
    assert_eq!(l1["recipient"], "古城村");
    let acts = l1["activities"].as_str().expect("text");
    assert!(
        acts.contains("出席1次") && acts.contains("参加培训1次"),
        "{acts}"
    );
    assert!(acts.contains("电商直播技能培训"), "{acts}");
    let op = l1["operation"].as_str().expect("text");
    assert!(
        op.contains("正常经营") && op.contains("亮证经营，无违规记录"),
        "{op}"
    );
    assert!(
        l1["credit"]
            .as_str()
            .expect("text")
            .contains("评为A级诚信经营户"),
        "{l1}"
    );
    let l2 = of(&w.held_outside).expect("letter outside the county");
    assert_eq!(l2["recipient"], "宿松县复兴镇党委");
    assert!(
        l2["activities"].as_str().expect("text").contains("请假1次"),
        "{l2}"
    );
    assert!(
        l2["credit"]
            .as_str()
            .expect("text")
            .contains("无信用评定记录"),
        "{l2}"
    );

    // Printed: one 函 per page with its receipt; and the register as xlsx.
    let resp = app
        .get(&format!("/api/v1/{batch}/letters.html"), &w.staff)
        .send()
        .await
        .expect("html");
    assert_eq!(resp.status().as_u16(), 200);
    let html = resp.text().await.expect("html");
    assert_eq!(html.matches("<main class=\"page\">").count(), 2, "{html}");
    assert!(html.contains("古城村：") && html.contains("回执"), "{html}");
    assert!(html.contains(&format!("{}-0001", today().year())), "{html}");
    let resp = app
        .get(&format!("/api/v1/{batch}/letters.xlsx"), &w.staff)
        .send()
        .await
        .expect("xlsx");
    assert_eq!(resp.status().as_u16(), 200);
    assert!(resp.bytes().await.expect("bytes").starts_with(b"PK"));
    let (s, _) = send(app.get(&format!("/api/v1/{batch}/letters.html?part=2"), &w.staff)).await;
    assert_eq!(s, 404);

    // Regenerated while a draft (the same letters); receipts wait for sending.
    let (s, v) = post_with_version(&app, &w.staff, &batch, "regenerate", None).await;
    assert_eq!(
        (s, v["letters"].as_i64(), v["version"].as_i64()),
        (200, Some(2), Some(2)),
        "{v}"
    );
    let (_, page) = send(app.get(&format!("/api/v1/{batch}/letters"), &w.staff)).await;
    let first = page["items"][0]["id"].as_str().expect("id").to_owned();
    let second = page["items"][1]["id"].as_str().expect("id").to_owned();
    let (s, v) = send(app.post(
        &format!("/api/v1/{batch}/letters/{first}/receipt"),
        &w.staff,
        &json!({}),
    ))
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (409, Some("batch_not_sent")),
        "{v}"
    );

    // Sent: the deadline is met, nothing can be regenerated or sent again.
    let (s, v) = post_with_version(
        &app,
        &w.staff,
        &batch,
        "send",
        Some(json!({ "method": "post" })),
    )
    .await;
    assert_eq!(
        (s, v["state"].as_str(), v["outstanding"].as_i64()),
        (200, Some("sent"), Some(2)),
        "{v}"
    );
    let (_, d) = send(app.get(&letters_deadline("done"), &w.c.admin_token)).await;
    assert_eq!(d["items"].as_array().map(Vec::len), Some(1), "{d}");
    for (step, body) in [
        ("regenerate", None),
        ("send", Some(json!({ "method": "post" }))),
    ] {
        let (s, v) = post_with_version(&app, &w.staff, &batch, step, body).await;
        assert_eq!(
            (s, v["code"].as_str()),
            (409, Some("batch_sent")),
            "{step}: {v}"
        );
    }

    // A receipt back, the other chased; a receipt is recorded once.
    let (s, v) = send(app.post(
        &format!("/api/v1/{batch}/letters/{first}/receipt"),
        &w.staff,
        &json!({ "received_by": "村党总支书记" }),
    ))
    .await;
    assert_eq!(
        (s, v["received_by"].as_str()),
        (200, Some("村党总支书记")),
        "{v}"
    );
    let (s, v) = send(app.post(
        &format!("/api/v1/{batch}/letters/{first}/receipt"),
        &w.staff,
        &json!({}),
    ))
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (409, Some("receipt_recorded")),
        "{v}"
    );
    let (s, v) = send(app.post(
        &format!("/api/v1/{batch}/letters/{second}/chase"),
        &w.staff,
        &json!({ "method": "phone", "chased_on": "2000-01-01" }),
    ))
    .await;
    assert_eq!((s, fields(&v)), (422, vec!["chased_on".into()]), "{v}");
    let (s, v) = send(app.post(
        &format!("/api/v1/{batch}/letters/{second}/chase"),
        &w.staff,
        &json!({ "method": "phone" }),
    ))
    .await;
    assert_eq!((s, v["chases"].as_i64()), (200, Some(1)), "{v}");
    let (_, out) = send(app.get(
        &format!("/api/v1/{batch}/letters?outstanding=true"),
        &w.staff,
    ))
    .await;
    let outstanding: Vec<&str> = out["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|l| l["id"].as_str())
        .collect();
    assert_eq!(outstanding, [second.as_str()]);
    let (_, b) = send(app.get(&format!("/api/v1/{batch}"), &w.committee)).await;
    assert_eq!(
        (b["received"].as_i64(), b["outstanding"].as_i64()),
        (Some(1), Some(1)),
        "{b}"
    );

    // The member's time line: the activity, the letter, its receipt.
    let (_, tl) = send(app.get(
        &format!("/api/v1/members/{}/timeline", w.held_by_village),
        &w.staff,
    ))
    .await;
    let kinds: Vec<String> = tl
        .as_array()
        .expect("timeline")
        .iter()
        .filter(|e| e["source"] == "activity" || e["source"] == "letter")
        .map(|e| {
            format!(
                "{}:{}",
                e["source"].as_str().unwrap_or(""),
                e["kind"].as_str().unwrap_or("")
            )
        })
        .collect();
    for k in [
        "activity:invited",
        "activity:present",
        "letter:sent",
        "letter:receipt",
    ] {
        assert!(kinds.iter().any(|x| x == k), "{k} in {kinds:?}");
    }
}

#[tokio::test]
async fn other_centres_and_other_counties_see_and_change_no_letters() {
    let app = shuanglian_tests::spawn_app_with(|s| s.notify.interval_secs = 0).await;
    let w = world(&app, "330523").await;
    let x = world(&app, "330522").await;
    let (s, b) = send(app.post("/api/v1/letter-batches", &w.staff, &json!({}))).await;
    assert_eq!(s, 201, "{b}");
    let id = b["id"].as_str().expect("id").to_owned();
    let (_, page) = send(app.get(&format!("/api/v1/letter-batches/{id}/letters"), &w.staff)).await;
    let letter = page["items"][0]["id"].as_str().expect("letter").to_owned();
    let (_, before) = send(app.get(&format!("/api/v1/letter-batches/{id}"), &w.staff)).await;

    for tok in [&w.other_staff, &x.staff, &x.director, &x.c.admin_token] {
        for path in ["", "/letters", "/letters.html", "/letters.xlsx"] {
            let (s, _) = send(app.get(&format!("/api/v1/letter-batches/{id}{path}"), tok)).await;
            assert_eq!(s, 404, "{path}");
        }
        let (s, list) = send(app.get("/api/v1/letter-batches", tok)).await;
        assert_eq!(s, 200);
        assert!(!list.to_string().contains(&id), "{list}");
    }
    for tok in [&w.other_staff, &x.staff, &x.director] {
        for (step, body) in [
            ("regenerate".to_owned(), json!({})),
            ("send".to_owned(), json!({ "method": "post" })),
            (format!("letters/{letter}/receipt"), json!({})),
            (
                format!("letters/{letter}/chase"),
                json!({ "method": "phone" }),
            ),
        ] {
            let (s, v) =
                send(app.post(&format!("/api/v1/letter-batches/{id}/{step}"), tok, &body)).await;
            assert_eq!(s, 404, "{step}: {v}");
        }
        // Naming this county's centre generates nothing there.
        let (s, v) = send(app.post(
            "/api/v1/letter-batches",
            tok,
            &json!({ "centre_id": w.centre }),
        ))
        .await;
        assert_eq!((s, fields(&v)), (422, vec!["centre_id".into()]), "{v}");
    }
    let (_, after) = send(app.get(&format!("/api/v1/letter-batches/{id}"), &w.staff)).await;
    assert_eq!(before, after);
    let (_, page_after) =
        send(app.get(&format!("/api/v1/letter-batches/{id}/letters"), &w.staff)).await;
    assert_eq!(page, page_after);
}
