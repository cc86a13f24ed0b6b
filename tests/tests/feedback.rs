//! Semi-annual two-way feedback (定期双向反馈): draft → review by the upper committee → sent →
//! acknowledged, every illegal step's code, the 15 January boundary across a year end through
//! the API and the dashboard, the two printable 反馈表, the member's received feedback, and
//! isolation between counties and scopes.

use serde_json::{Value, json};
use shuanglian::onboarding::sheet::{Cell, MEMBER_SHEET, rows};
use shuanglian_tests::{County, TestApp, TwoGrids, problem, send, spawn_app};

struct World {
    c: County,
    pb_a: String,
    pb_b: String,
    village_a: String,
    village_b: String,
    branch_a: String,
    branch_b: String,
    village_a_rec: String,
    village_b_rec: String,
    township_a: String,
    township_b: String,
    assoc: String,
}

async fn world(app: &TestApp, code: &str, name: &str) -> World {
    let TwoGrids {
        c,
        pb_a,
        pb_b,
        town_a,
        town_b,
        village_a,
        village_b,
        ..
    } = app
        .two_grids(code, name, "安吉县个体私营企业协会党委")
        .await;
    let (_, branch_a) = app.staff(&c, "fenhui.a", "branch_staff", Some(&pb_a)).await;
    let (_, branch_b) = app.staff(&c, "fenhui.b", "branch_staff", Some(&pb_b)).await;
    let (_, village_a_rec) = app
        .staff(&c, "cun.a", "village_recorder", Some(&village_a))
        .await;
    let (_, village_b_rec) = app
        .staff(&c, "cun.b", "village_recorder", Some(&village_b))
        .await;
    let (_, township_a) = app
        .staff(&c, "zhen.a", "township_committee", Some(&town_a))
        .await;
    let (_, township_b) = app
        .staff(&c, "zhen.b", "township_committee", Some(&town_b))
        .await;
    let (_, assoc) = app.staff(&c, "xiehui", "association_committee", None).await;
    World {
        c,
        pb_a,
        pb_b,
        village_a,
        village_b,
        branch_a,
        branch_b,
        village_a_rec,
        village_b_rec,
        township_a,
        township_b,
        assoc,
    }
}

/// A member held by `village`, issued a handbook by the grid's branch (`branch_tok`).
async fn linked_member(
    app: &TestApp,
    c: &County,
    name: &str,
    village: &str,
    branch_tok: &str,
) -> String {
    let id = app
        .member_in(&c.admin_token, name, &format!("{name}茶叶店"), village)
        .await;
    let (s, h) = send(app.post(
        "/api/v1/handbooks",
        branch_tok,
        &json!({ "member_id": id, "issued_on": "2025-03-01" }),
    ))
    .await;
    assert_eq!(s, 201, "{h}");
    id
}

fn texts(bytes: &[u8]) -> Vec<String> {
    let (_, rows) = rows(bytes, MEMBER_SHEET).expect("xlsx");
    rows.iter()
        .flat_map(|(_, r)| r.iter())
        .filter_map(|c| match c {
            Cell::Text(s) => Some(s.clone()),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn branch_feedback_is_reviewed_sent_and_acknowledged() {
    let app = spawn_app().await;
    let w = world(&app, "330523", "安吉县").await;
    let b = world(&app, "330522", "长兴县").await;
    let m = linked_member(&app, &w.c, "王建国", &w.village_a, &w.branch_a).await;
    let create = json!({ "receiver_id": w.village_a, "period": "2026H1" });
    for tok in [&w.township_a, &w.assoc, &w.c.admin_token] {
        problem(
            app.post("/api/v1/feedback-batches", tok, &create)
                .send()
                .await
                .expect("s"),
            403,
            "not_a_sender",
        )
        .await;
    }
    // A village outside the branch's grid and reporting is not its partner.
    let v = problem(
        app.post(
            "/api/v1/feedback-batches",
            &w.branch_a,
            &json!({ "receiver_id": w.village_b, "period": "2026H1" }),
        )
        .send()
        .await
        .expect("s"),
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(v["errors"][0]["code"], "not_linked");
    let v = problem(
        app.post(
            "/api/v1/feedback-batches",
            &w.branch_a,
            &json!({ "receiver_id": w.village_a, "period": "2099H1" }),
        )
        .send()
        .await
        .expect("s"),
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(v["errors"][0]["code"], "period_not_started");
    // The member's 党员先锋指数 (a record of item A04 with its stars, as the vanguard campaign
    // writes it) shows on the feedback, for the village's own star rating.
    let (s, r) = send(app.post(
        "/api/v1/records",
        &w.branch_a,
        &json!({ "member_id": m,
        "item_code": "A04", "content": "2025年度党员先锋指数考评为4星", "score": 4,
        "recorded_on": "2025-12-01" }),
    ))
    .await;
    assert_eq!(s, 201, "{r}");
    let (s, batch) = send(app.post("/api/v1/feedback-batches", &w.branch_a, &create)).await;
    assert_eq!(s, 201, "{batch}");
    assert_eq!(
        (
            batch["items"][0]["vanguard_stars"].as_i64(),
            batch["items"][0]["vanguard_on"].as_str()
        ),
        (Some(4), Some("2025-12-01"))
    );
    assert_eq!(batch["direction"], "branch_to_village");
    assert_eq!(batch["conduct_label"], "经营地表现");
    assert_eq!(batch["due_on"], "2026-07-15");
    assert_eq!(batch["reviewer_name"], "安吉县个体私营企业协会党委");
    assert_eq!(batch["items"][0]["member_id"], m.as_str());
    assert_eq!(batch["items"][0]["text"], "");
    problem(
        app.post("/api/v1/feedback-batches", &w.branch_a, &create)
            .send()
            .await
            .expect("s"),
        409,
        "batch_exists",
    )
    .await;
    let id = batch["id"].as_str().expect("id").to_owned();
    let url = |s: &str| format!("/api/v1/feedback-batches/{id}{s}");
    let post = |tok: &str, s: &str, body: Value| app.post(&url(s), tok, &body);

    // Outsiders, and the receiver before sending, see nothing.
    for tok in [
        &w.village_a_rec,
        &w.branch_b,
        &w.village_b_rec,
        &w.township_b,
        &b.c.admin_token,
        &b.branch_a,
    ] {
        for path in ["", "/document.html", "/document.xlsx"] {
            let (s, _) = send(app.get(&url(path), tok)).await;
            assert_eq!(s, 404, "{path}");
        }
        let (s, _) = send(post(tok, "/submit", json!({}))).await;
        assert_eq!(s, 404);
        let (s, _) = send(post(tok, "/review", json!({ "decision": "approve" }))).await;
        assert_eq!(s, 404);
        let (s, _) = send(post(tok, "/send", json!({}))).await;
        assert_eq!(s, 404);
        let (s, _) = send(post(tok, "/acknowledge", json!({}))).await;
        assert_eq!(s, 404);
        let (s, _) = send(
            app.client
                .put(app.url(&url(&format!("/items/{m}"))))
                .bearer_auth(tok)
                .json(&json!({ "text": "x" })),
        )
        .await;
        assert_eq!(s, 404);
    }
    // Empty texts cannot be submitted; nothing is sent before review.
    let v = problem(
        post(&w.branch_a, "/submit", json!({}))
            .send()
            .await
            .expect("s"),
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(v["errors"][0]["code"], "feedback_text_required");
    assert_eq!(v["errors"][0]["field"], format!("items.{m}"));
    problem(
        post(&w.branch_a, "/send", json!({}))
            .send()
            .await
            .expect("s"),
        409,
        "not_reviewed",
    )
    .await;
    problem(
        post(&w.assoc, "/review", json!({ "decision": "approve" }))
            .send()
            .await
            .expect("s"),
        409,
        "not_submitted",
    )
    .await;
    let put = |tok: &str, text: &str| {
        app.client
            .put(app.url(&url(&format!("/items/{m}"))))
            .bearer_auth(tok)
            .json(&json!({ "text": text }))
    };
    problem(
        put(&w.assoc, "诚信经营").send().await.expect("s"),
        403,
        "not_sender",
    )
    .await;
    let (s, v) = send(put(&w.branch_a, "诚信经营，无投诉，带头参与市场文明创建")).await;
    assert_eq!(s, 200, "{v}");
    let (s, v) = send(post(&w.branch_a, "/submit", json!({}))).await;
    assert_eq!((s, v["state"].as_str()), (200, Some("submitted")), "{v}");
    problem(
        put(&w.branch_a, "改").send().await.expect("s"),
        409,
        "under_review",
    )
    .await;
    problem(
        post(&w.branch_a, "/send", json!({}))
            .send()
            .await
            .expect("s"),
        409,
        "not_reviewed",
    )
    .await;
    // Only the association committee reviews a branch's feedback; returning needs a reason.
    problem(
        post(&w.township_a, "/review", json!({ "decision": "approve" }))
            .send()
            .await
            .expect("s"),
        404,
        "not_found",
    )
    .await;
    problem(
        post(&w.branch_a, "/review", json!({ "decision": "approve" }))
            .send()
            .await
            .expect("s"),
        403,
        "not_reviewer",
    )
    .await;
    let v = problem(
        post(&w.assoc, "/review", json!({ "decision": "return" }))
            .send()
            .await
            .expect("s"),
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(v["errors"][0]["field"], "reason");
    let (s, v) = send(post(
        &w.assoc,
        "/review",
        json!({ "decision": "return", "reason": "请写明具体表现", "reviewed_on": "2026-07-05" }),
    ))
    .await;
    assert_eq!(
        (s, v["state"].as_str(), v["return_reason"].as_str()),
        (200, Some("returned"), Some("请写明具体表现")),
        "{v}"
    );
    problem(
        post(&w.branch_a, "/send", json!({}))
            .send()
            .await
            .expect("s"),
        409,
        "not_reviewed",
    )
    .await;
    let (s, _) = send(put(
        &w.branch_a,
        "诚信经营，无消费投诉；带头参与市场文明创建",
    ))
    .await;
    assert_eq!(s, 200);
    let (s, _) = send(post(&w.branch_a, "/submit", json!({}))).await;
    assert_eq!(s, 200);
    let (s, v) = send(post(
        &w.assoc,
        "/review",
        json!({ "decision": "approve", "reviewed_on": "2026-07-10" }),
    ))
    .await;
    assert_eq!((s, v["state"].as_str()), (200, Some("approved")), "{v}");
    problem(
        post(&w.assoc, "/review", json!({ "decision": "approve" }))
            .send()
            .await
            .expect("s"),
        409,
        "already_reviewed",
    )
    .await;
    let v = problem(
        post(&w.branch_a, "/send", json!({ "sent_on": "2026-07-09" }))
            .send()
            .await
            .expect("s"),
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(v["errors"][0]["code"], "before_review");
    let (s, v) = send(post(
        &w.branch_a,
        "/send",
        json!({ "sent_on": "2026-07-15" }),
    ))
    .await;
    assert_eq!(
        (s, v["state"].as_str(), v["late"].clone()),
        (200, Some("sent"), json!(false)),
        "{v}"
    );
    problem(
        post(&w.branch_a, "/send", json!({}))
            .send()
            .await
            .expect("s"),
        409,
        "already_sent",
    )
    .await;
    problem(
        put(&w.branch_a, "再改").send().await.expect("s"),
        409,
        "already_sent",
    )
    .await;

    // The receiver sees it now and acknowledges once; the sender cannot.
    let (s, _) = send(app.get(&url(""), &w.village_a_rec)).await;
    assert_eq!(s, 200);
    problem(
        post(&w.branch_a, "/acknowledge", json!({}))
            .send()
            .await
            .expect("s"),
        403,
        "not_receiver",
    )
    .await;
    problem(
        post(&w.township_a, "/acknowledge", json!({}))
            .send()
            .await
            .expect("s"),
        403,
        "not_receiver",
    )
    .await;
    let (s, v) = send(post(
        &w.village_a_rec,
        "/acknowledge",
        json!({ "acknowledged_on": "2026-07-16" }),
    ))
    .await;
    assert_eq!((s, v["state"].as_str()), (200, Some("acknowledged")), "{v}");
    problem(
        post(&w.village_a_rec, "/acknowledge", json!({}))
            .send()
            .await
            .expect("s"),
        409,
        "already_acknowledged",
    )
    .await;
    for tok in [&w.village_b_rec, &w.branch_b, &b.c.admin_token] {
        let (s, _) = send(app.get(&url(""), tok)).await;
        assert_eq!(s, 404);
    }

    // The branch's obligation for 2026H1 is met on the day it was sent.
    let (_, d) = send(app.get(
        &format!(
            "/api/v1/deadlines?kind=semiannual_feedback&org_unit_id={}",
            w.pb_a
        ),
        &w.c.admin_token,
    ))
    .await;
    let item = d["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["period"] == "2026H1")
        .cloned()
        .expect("obligation");
    assert_eq!(
        (item["state"].as_str(), item["days_overdue"].clone()),
        (Some("done"), Value::Null),
        "{item}"
    );

    // The member's received feedback, for the village's star rating.
    let fb = format!("/api/v1/members/{m}/feedback");
    let (s, v) = send(app.get(&fb, &w.village_a_rec)).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        v["items"][0]["text"],
        "诚信经营，无消费投诉；带头参与市场文明创建"
    );
    assert_eq!(v["items"][0]["conduct_label"], "经营地表现");
    for tok in [&w.village_b_rec, &w.branch_b, &b.c.admin_token] {
        let (s, _) = send(app.get(&fb, tok)).await;
        assert_eq!(s, 404);
    }
    let tid = shuanglian::tenancy::TenantId::parse(&w.c.id).expect("tid");
    let mid = m.clone();
    let tl = app
        .state
        .db
        .tenant(tid, shuanglian::db::Mode::Read, move |tx| {
            shuanglian::workflows::feedback::timeline(tx, &mid)
        })
        .await
        .expect("timeline");
    assert_eq!(tl.len(), 1);
    assert_eq!(tl[0].on.to_string(), "2026-07-15");
    assert!(
        tl[0].title.contains("2026年上半年经营地表现反馈"),
        "{}",
        tl[0].title
    );

    // The printable form (附件4).
    let r = app
        .get(&url("/document.html"), &w.village_a_rec)
        .send()
        .await
        .expect("html");
    assert_eq!(r.status().as_u16(), 200);
    let html = r.text().await.expect("text");
    for want in [
        "安吉县党员个体工商户和商品交易市场党员经营户情况反馈表",
        "（县个民协会党委填写）",
        "王建国",
        "王建国茶叶店",
        "古城村",
        "经营地表现",
        "2026-07-15",
        "安吉县个体私营企业协会党委",
        "2026年上半年",
    ] {
        assert!(html.contains(want), "{want} missing");
    }
    let r = app
        .get(&url("/document.xlsx"), &w.branch_a)
        .send()
        .await
        .expect("xlsx");
    assert_eq!(r.status().as_u16(), 200);
    let t = texts(&r.bytes().await.expect("bytes"));
    assert!(
        t.iter()
            .any(|s| s == "安吉县党员个体工商户和商品交易市场党员经营户情况反馈表")
    );
    assert!(
        t.iter()
            .any(|s| s == "诚信经营，无消费投诉；带头参与市场文明创建")
    );
    assert!(t.iter().any(|s| s == "2026-07-15"));
}

#[tokio::test]
async fn village_feedback_on_time_on_the_fifteenth_of_january_late_on_the_sixteenth() {
    let app = spawn_app().await;
    let w = world(&app, "330523", "安吉县").await;
    let ma = linked_member(&app, &w.c, "李居民", &w.village_a, &w.branch_a).await;
    let mb = linked_member(&app, &w.c, "赵居民", &w.village_b, &w.branch_b).await;
    // Village A → party branch A, village B → party branch B, for 2025H2 (due 2026-01-15).
    let mut ids = vec![];
    for (tok, to, m) in [
        (&w.village_a_rec, &w.pb_a, &ma),
        (&w.village_b_rec, &w.pb_b, &mb),
    ] {
        let (s, v) = send(app.post(
            "/api/v1/feedback-batches",
            tok,
            &json!({ "receiver_id": to, "period": "2025H2" }),
        ))
        .await;
        assert_eq!(s, 201, "{v}");
        assert_eq!(v["direction"], "village_to_branch");
        assert_eq!(v["due_on"], "2026-01-15");
        assert_eq!(v["conduct_label"], "居住地表现");
        let id = v["id"].as_str().expect("id").to_owned();
        let (s, _) = send(
            app.client
                .put(app.url(&format!("/api/v1/feedback-batches/{id}/items/{m}")))
                .bearer_auth(tok)
                .json(&json!({ "text": "邻里和睦，按时参加主题党日" })),
        )
        .await;
        assert_eq!(s, 200);
        let (s, _) = send(app.post(
            &format!("/api/v1/feedback-batches/{id}/submit"),
            tok,
            &json!({}),
        ))
        .await;
        assert_eq!(s, 200);
        ids.push(id);
    }
    // Each village's own township reviews; the other township cannot see it, the association
    // committee may see it but is not its reviewer.
    let review = |id: &str, tok: &str| {
        app.post(
            &format!("/api/v1/feedback-batches/{id}/review"),
            tok,
            &json!({ "decision": "approve", "reviewed_on": "2026-01-10" }),
        )
    };
    problem(
        review(&ids[0], &w.township_b).send().await.expect("s"),
        404,
        "not_found",
    )
    .await;
    problem(
        review(&ids[0], &w.assoc).send().await.expect("s"),
        403,
        "not_reviewer",
    )
    .await;
    let (s, v) = send(review(&ids[0], &w.township_a)).await;
    assert_eq!(s, 200, "{v}");
    let (s, _) = send(review(&ids[1], &w.township_b)).await;
    assert_eq!(s, 200);

    // The dashboard: village A's obligation is due on 15 January and overdue on the 16th.
    let state_on = |as_of: &'static str| {
        let (app, tok, unit) = (&app, w.c.admin_token.clone(), w.village_a.clone());
        async move {
            let (s, d) = send(app.get(
                &format!(
                    "/api/v1/deadlines?kind=semiannual_feedback&org_unit_id={unit}&as_of={as_of}"
                ),
                &tok,
            ))
            .await;
            assert_eq!(s, 200, "{d}");
            let i = d["items"]
                .as_array()
                .expect("items")
                .iter()
                .find(|i| i["period"] == "2025H2")
                .cloned()
                .expect("obligation");
            (
                i["state"].as_str().expect("s").to_owned(),
                i["days_overdue"].clone(),
            )
        }
    };
    assert_eq!(
        state_on("2026-01-15").await,
        ("due".to_owned(), Value::Null)
    );
    assert_eq!(
        state_on("2026-01-16").await,
        ("overdue".to_owned(), json!(1))
    );
    let (_, l) = send(app.get(
        "/api/v1/feedback-batches?period=2025H2&as_of=2026-01-16",
        &w.village_a_rec,
    ))
    .await;
    assert_eq!(l["items"][0]["overdue"], true);
    let (_, l) = send(app.get(
        "/api/v1/feedback-batches?period=2025H2&as_of=2026-01-15",
        &w.village_a_rec,
    ))
    .await;
    assert_eq!(l["items"][0]["overdue"], false);

    // Sent on the 16th: late by a day; on the 15th: on time.
    let (s, a) = send(app.post(
        &format!("/api/v1/feedback-batches/{}/send", ids[0]),
        &w.village_a_rec,
        &json!({ "sent_on": "2026-01-16" }),
    ))
    .await;
    assert_eq!((s, a["late"].clone()), (200, json!(true)), "{a}");
    let (s, b) = send(app.post(
        &format!("/api/v1/feedback-batches/{}/send", ids[1]),
        &w.village_b_rec,
        &json!({ "sent_on": "2026-01-15" }),
    ))
    .await;
    assert_eq!((s, b["late"].clone()), (200, json!(false)), "{b}");
    assert_eq!(state_on("2026-11-26").await, ("done".to_owned(), json!(1)));
    let (_, d) = send(app.get(
        &format!(
            "/api/v1/deadlines?kind=semiannual_feedback&org_unit_id={}",
            w.village_b
        ),
        &w.c.admin_token,
    ))
    .await;
    let i = d["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["period"] == "2025H2")
        .cloned()
        .expect("obligation");
    assert_eq!(
        (i["state"].as_str(), i["days_overdue"].clone()),
        (Some("done"), Value::Null)
    );

    // The branch receives, reads the form (附件5) and acknowledges; credit rating reads it.
    let r = app
        .get(
            &format!("/api/v1/feedback-batches/{}/document.html", ids[0]),
            &w.branch_a,
        )
        .send()
        .await
        .expect("html");
    assert_eq!(r.status().as_u16(), 200);
    let html = r.text().await.expect("t");
    for want in [
        "（乡镇［街道］党委填写）",
        "居住地表现",
        "递铺街道",
        "李居民",
        "2026-01-16",
        "2025年下半年",
    ] {
        assert!(html.contains(want), "{want} missing");
    }
    problem(
        app.post(
            &format!("/api/v1/feedback-batches/{}/acknowledge", ids[0]),
            &w.branch_b,
            &json!({}),
        )
        .send()
        .await
        .expect("s"),
        404,
        "not_found",
    )
    .await;
    let (s, _) = send(app.post(
        &format!("/api/v1/feedback-batches/{}/acknowledge", ids[0]),
        &w.branch_a,
        &json!({}),
    ))
    .await;
    assert_eq!(s, 200);
    let (s, v) = send(app.get(&format!("/api/v1/members/{ma}/feedback"), &w.assoc)).await;
    assert_eq!(s, 200);
    assert_eq!(v["items"][0]["conduct_label"], "居住地表现");
    assert_eq!(v["items"][0]["period"], "2025H2");
}

/// The demo county shows the linkage workflows in every state, late ones included.
#[tokio::test]
async fn demo_county_has_reporting_and_feedback_in_every_state() {
    use diesel::prelude::*;
    use shuanglian::db::schema::{feedback_batches as fb, handbooks as h, obligations as o};
    let app = spawn_app().await;
    shuanglian::demo::generate(&app.state, shuanglian::demo::Preset::Small, 1)
        .await
        .expect("demo data");
    let (states, batches, overdue) = app
        .state
        .db
        .platform(shuanglian::db::Mode::Read, |tx| {
            let t = shuanglian::tenancy::repo::by_code(tx, "330523")?.expect("Anji");
            let mut ttx = tx.enter_tenant(t.tenant_id())?;
            let tid = ttx.tid().to_owned();
            let states: Vec<String> = h::table
                .filter(h::tenant_id.eq(&tid))
                .select(h::state)
                .load(ttx.conn())?;
            let batches: Vec<(String, String, Option<chrono::NaiveDate>, chrono::NaiveDate)> =
                fb::table
                    .filter(fb::tenant_id.eq(&tid).and(fb::period.eq("2026H1")))
                    .select((fb::state, fb::direction, fb::sent_on, fb::due_on))
                    .load(ttx.conn())?;
            let overdue: Vec<(String, Option<chrono::NaiveDateTime>)> = o::table
                .filter(o::tenant_id.eq(&tid))
                .filter(o::kind.eq_any(["two_way_reporting", "semiannual_feedback"]))
                .filter(o::due_on.lt(chrono::NaiveDate::from_ymd_opt(2026, 11, 26).expect("d")))
                .select((o::kind, o::done_at))
                .load(ttx.conn())?;
            Ok((states, batches, overdue))
        })
        .await
        .expect("read");
    for s in [
        "issued",
        "reported_to_village",
        "reported_to_branch",
        "reissued",
        "cancelled",
    ] {
        assert!(states.iter().any(|x| x == s), "handbooks {s}");
    }
    for s in [
        "draft",
        "submitted",
        "returned",
        "approved",
        "sent",
        "acknowledged",
    ] {
        assert!(batches.iter().any(|b| b.0 == s), "batches {s}");
    }
    assert!(
        batches
            .iter()
            .any(|b| b.0 == "sent" && b.2.is_some_and(|d| d > b.3)),
        "a batch sent late"
    );
    for d in ["branch_to_village", "village_to_branch"] {
        assert!(batches.iter().any(|b| b.1 == d));
    }
    for k in ["two_way_reporting", "semiannual_feedback"] {
        assert!(
            overdue
                .iter()
                .any(|(kind, done)| kind == k && done.is_none()),
            "{k} overdue"
        );
        assert!(
            overdue
                .iter()
                .any(|(kind, done)| kind == k && done.is_some()),
            "{k} met"
        );
    }
}
