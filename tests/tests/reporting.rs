//! Two-way reporting (双向报到): issue, the village then the branch confirming, re-issue and
//! cancellation, the ledgers, the 15-day boundary through the API and the dashboard, every
//! illegal transition's code, and isolation between counties and between scopes.

use chrono::{Days, NaiveDate};
use serde_json::{Value, json};
use shuanglian_tests::{County, TestApp, TwoGrids, problem, send, spawn_app};

fn today() -> NaiveDate {
    shuanglian::clock::today()
}

/// A county with two grids: party branch A (of branch 递铺分会) linked with township A and its
/// village A; party branch B linked with township B and village B. Staff for each side.
struct World {
    c: County,
    pb_a: String,
    village_a: String,
    branch_a_staff: String,
    branch_b_staff: String,
    village_a_rec: String,
    village_b_rec: String,
    township_a: String,
    assoc: String,
    pb_a_id: String,
    village_b: String,
}

async fn world(app: &TestApp, code: &str, name: &str) -> World {
    let TwoGrids {
        c,
        pb_a,
        pb_b,
        town_a,
        village_a,
        village_b,
        ..
    } = app.two_grids(code, name, "协会党委").await;
    let (_, branch_a_staff) = app.staff(&c, "fenhui.a", "branch_staff", Some(&pb_a)).await;
    let (_, branch_b_staff) = app.staff(&c, "fenhui.b", "branch_staff", Some(&pb_b)).await;
    let (_, village_a_rec) = app
        .staff(&c, "cun.a", "village_recorder", Some(&village_a))
        .await;
    let (_, village_b_rec) = app
        .staff(&c, "cun.b", "village_recorder", Some(&village_b))
        .await;
    let (_, township_a) = app
        .staff(&c, "zhen.a", "township_committee", Some(&town_a))
        .await;
    let (_, assoc) = app.staff(&c, "xiehui", "association_committee", None).await;
    World {
        c,
        pb_a: pb_a.clone(),
        village_a,
        branch_a_staff,
        branch_b_staff,
        village_a_rec,
        village_b_rec,
        township_a,
        assoc,
        pb_a_id: pb_a,
        village_b,
    }
}

async fn member(app: &TestApp, c: &County, name: &str, life: &str, holder: Option<&str>) -> String {
    let mut body = json!({ "name": name, "is_owner": true, "business_name": format!("{name}五金店"),
        "org_life_unit_id": life, "membership_status": "full", "distribution": "individual_business" });
    match holder {
        Some(h) => body["membership_unit_id"] = json!(h),
        None => body["membership_org_name"] = json!("江西省上饶市某村党支部"),
    }
    app.member(&c.admin_token, &body).await
}

async fn issue(app: &TestApp, tok: &str, body: Value) -> Value {
    app.created(tok, "/api/v1/handbooks", &body).await
}

fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

#[tokio::test]
async fn a_member_reports_to_the_village_then_the_branch() {
    let app = spawn_app().await;
    let w = world(&app, "330523", "安吉县").await;
    let b = world(&app, "330522", "长兴县").await;
    let m = member(&app, &w.c, "王建国", &w.village_a, Some(&w.village_a)).await;
    let issued = today() - Days::new(16);

    // Only branch staff issue.
    problem(
        app.post(
            "/api/v1/handbooks",
            &w.village_a_rec,
            &json!({ "member_id": m }),
        )
        .send()
        .await
        .expect("s"),
        403,
        "not_branch_staff",
    )
    .await;
    // Another county's member is unknown.
    let other = member(&app, &b.c, "李四", &b.village_a, Some(&b.village_a)).await;
    let v = problem(
        app.post(
            "/api/v1/handbooks",
            &w.branch_a_staff,
            &json!({ "member_id": other }),
        )
        .send()
        .await
        .expect("s"),
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(v["errors"][0]["code"], "member_not_found");
    // A member of another grid is outside the branch's reach.
    let far = member(&app, &w.c, "赵六", &w.village_b, Some(&w.village_b)).await;
    let v = problem(
        app.post(
            "/api/v1/handbooks",
            &w.branch_a_staff,
            &json!({ "member_id": far }),
        )
        .send()
        .await
        .expect("s"),
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(v["errors"][0]["code"], "member_not_found");

    let h = issue(
        &app,
        &w.branch_a_staff,
        json!({ "member_id": m, "issued_on": day(issued) }),
    )
    .await;
    let id = h["id"].as_str().expect("id").to_owned();
    let year = issued.format("%Y").to_string();
    assert!(
        h["handbook_no"]
            .as_str()
            .expect("no")
            .starts_with(&format!("AJ-{year}-")),
        "{h}"
    );
    assert!(
        h["card_no"]
            .as_str()
            .expect("no")
            .starts_with(&format!("AJ-HD-{year}-"))
    );
    assert_eq!(
        h["branch_id"],
        w.pb_a_id.as_str(),
        "the grid's party branch issues"
    );
    assert_eq!(h["village_id"], w.village_a.as_str());
    assert_eq!(h["state"], "issued");
    assert_eq!(h["due_on"], day(issued + Days::new(15)));
    assert_eq!(
        (h["overdue"].clone(), h["days_late"].clone()),
        (json!(true), json!(1))
    );

    let path = |s: &str| format!("/api/v1/handbooks/{id}/{s}");
    let post = |tok: &str, s: &str, body: Value| app.post(&path(s), tok, &body);
    // Not visible to the other branch, the other village, or another county: 404.
    for tok in [
        &w.branch_b_staff,
        &w.village_b_rec,
        &b.c.admin_token,
        &b.branch_a_staff,
    ] {
        let (s, _) = send(app.get(&format!("/api/v1/handbooks/{id}"), tok)).await;
        assert_eq!(s, 404);
        let (s, _) = send(post(tok, "village-confirmation", json!({}))).await;
        assert_eq!(s, 404);
        let (s, _) = send(post(tok, "branch-confirmation", json!({}))).await;
        assert_eq!(s, 404);
        let (s, _) = send(post(tok, "reissue", json!({ "reason": "遗失" }))).await;
        assert_eq!(s, 404);
        let (s, _) = send(post(tok, "cancel", json!({ "reason": "测试" }))).await;
        assert_eq!(s, 404);
    }
    // The branch cannot confirm before the village.
    problem(
        post(&w.branch_a_staff, "branch-confirmation", json!({}))
            .send()
            .await
            .expect("s"),
        409,
        "not_reported_to_village",
    )
    .await;
    // Only the village's own recorder confirms the report to the village.
    for tok in [&w.branch_a_staff, &w.township_a, &w.assoc, &w.c.admin_token] {
        problem(
            post(tok, "village-confirmation", json!({}))
                .send()
                .await
                .expect("s"),
            403,
            "not_responsible_recorder",
        )
        .await;
    }
    // Dates: not in the future, not before the issue.
    let v = problem(
        post(
            &w.village_a_rec,
            "village-confirmation",
            json!({ "reported_on": day(today() + Days::new(1)) }),
        )
        .send()
        .await
        .expect("s"),
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(v["errors"][0]["code"], "date_in_future");
    let v = problem(
        post(
            &w.village_a_rec,
            "village-confirmation",
            json!({ "reported_on": day(issued - Days::new(1)) }),
        )
        .send()
        .await
        .expect("s"),
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(v["errors"][0]["code"], "before_issue");
    let (s, v) = send(post(
        &w.village_a_rec,
        "village-confirmation",
        json!({ "reported_on": day(issued + Days::new(3)), "note": "凭活动证报到" }),
    ))
    .await;
    assert_eq!(
        (s, v["state"].as_str()),
        (200, Some("reported_to_village")),
        "{v}"
    );
    problem(
        post(&w.village_a_rec, "village-confirmation", json!({}))
            .send()
            .await
            .expect("s"),
        409,
        "already_confirmed",
    )
    .await;
    // The village cannot confirm for the branch.
    problem(
        post(&w.village_a_rec, "branch-confirmation", json!({}))
            .send()
            .await
            .expect("s"),
        403,
        "not_responsible_branch",
    )
    .await;
    // The branch confirms (a day late): complete, met late.
    let (s, v) = send(post(&w.branch_a_staff, "branch-confirmation", json!({}))).await;
    assert_eq!(
        (s, v["state"].as_str()),
        (200, Some("reported_to_branch")),
        "{v}"
    );
    assert_eq!(
        (v["overdue"].clone(), v["days_late"].clone()),
        (json!(false), json!(1))
    );
    problem(
        post(&w.branch_a_staff, "branch-confirmation", json!({}))
            .send()
            .await
            .expect("s"),
        409,
        "already_confirmed",
    )
    .await;
    problem(
        post(&w.branch_a_staff, "cancel", json!({ "reason": "不再需要" }))
            .send()
            .await
            .expect("s"),
        409,
        "invalid_transition",
    )
    .await;

    // The ledgers: the village's and the branch's, each seen by its own side only.
    let ledger = |unit: &str| format!("/api/v1/org-units/{unit}/activity-ledger");
    let (s, v) = send(app.get(&ledger(&w.village_a), &w.village_a_rec)).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["items"].as_array().expect("items").len(), 1);
    assert_eq!(v["items"][0]["member_name"], "王建国");
    assert_eq!(v["items"][0]["on"], day(issued + Days::new(3)));
    assert_eq!(v["items"][0]["note"], "凭活动证报到");
    let (s, v) = send(app.get(&ledger(&w.pb_a), &w.branch_a_staff)).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["items"][0]["on"], day(today()));
    assert_eq!(v["items"][0]["handbook_no"], h["handbook_no"]);
    for (unit, tok) in [
        (&w.village_a, &w.branch_b_staff),
        (&w.village_a, &w.village_b_rec),
        (&w.pb_a, &w.village_a_rec),
        (&w.village_a, &b.c.admin_token),
    ] {
        let (s, _) = send(app.get(&ledger(unit), tok)).await;
        assert_eq!(s, 404);
    }

    // The obligation is met, late by a day, on the dashboard.
    let (s, d) = send(app.get(
        "/api/v1/deadlines?kind=two_way_reporting&state=done",
        &w.c.admin_token,
    ))
    .await;
    assert_eq!(s, 200, "{d}");
    let item = d["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["subject_id"] == h["reporting_id"])
        .cloned()
        .expect("the reporting's obligation");
    assert_eq!(item["owner_org_unit_id"], w.pb_a_id.as_str());
    assert_eq!(item["days_overdue"], 1);

    // Lists are scoped.
    let (_, l) = send(app.get("/api/v1/handbooks", &w.village_a_rec)).await;
    assert_eq!(l["items"].as_array().expect("items").len(), 1);
    for tok in [&w.branch_b_staff, &w.village_b_rec, &b.c.admin_token] {
        let (_, l) = send(app.get("/api/v1/handbooks", tok)).await;
        assert_eq!(l["items"].as_array().expect("items").len(), 0, "{l}");
    }

    // The member's time line.
    let tid = shuanglian::tenancy::TenantId::parse(&w.c.id).expect("tid");
    let mid = m.clone();
    let entries = app
        .state
        .db
        .tenant(tid, shuanglian::db::Mode::Read, move |tx| {
            shuanglian::workflows::reporting::timeline(tx, &mid)
        })
        .await
        .expect("timeline");
    let kinds: Vec<&str> = entries.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        ["issued", "reported_to_village", "reported_to_branch"]
    );
    assert!(
        entries[0]
            .title
            .contains(h["handbook_no"].as_str().expect("no"))
    );
}

#[tokio::test]
async fn day_fifteen_is_on_time_and_day_sixteen_overdue() {
    let app = spawn_app().await;
    let w = world(&app, "330523", "安吉县").await;
    let m15 = member(&app, &w.c, "钱十五", &w.village_a, Some(&w.village_a)).await;
    let m16 = member(&app, &w.c, "孙十六", &w.village_a, Some(&w.village_a)).await;
    let mjan = member(&app, &w.c, "周一月", &w.village_a, Some(&w.village_a)).await;
    let h15 = issue(
        &app,
        &w.branch_a_staff,
        json!({ "member_id": m15, "issued_on": day(today() - Days::new(15)) }),
    )
    .await;
    let h16 = issue(
        &app,
        &w.branch_a_staff,
        json!({ "member_id": m16, "issued_on": day(today() - Days::new(16)) }),
    )
    .await;
    assert_eq!(
        (h15["overdue"].clone(), h15["days_late"].clone()),
        (json!(false), Value::Null)
    );
    assert_eq!(h16["overdue"], true);
    let (_, l) = send(app.get("/api/v1/handbooks?overdue=true", &w.branch_a_staff)).await;
    let ids: Vec<&str> = l["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["id"].as_str().expect("id"))
        .collect();
    assert_eq!(ids, [h16["id"].as_str().expect("id")]);

    // On the dashboard, with explicit dates: issued 10 January, due 25 January.
    let hj = issue(
        &app,
        &w.branch_a_staff,
        json!({ "member_id": mjan, "issued_on": "2026-01-10" }),
    )
    .await;
    assert_eq!(hj["due_on"], "2026-01-25");
    let (_, l) = send(app.get(
        "/api/v1/handbooks?overdue=true&as_of=2026-01-25",
        &w.branch_a_staff,
    ))
    .await;
    assert!(
        l["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|i| i["id"] != hj["id"])
    );
    let (_, l) = send(app.get(
        "/api/v1/handbooks?overdue=true&as_of=2026-01-26",
        &w.branch_a_staff,
    ))
    .await;
    assert!(
        l["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|i| i["id"] == hj["id"])
    );
    let state_on = |as_of: &'static str| {
        let (app, tok, subject) = (&app, w.c.admin_token.clone(), hj["reporting_id"].clone());
        async move {
            let (s, d) = send(app.get(
                &format!("/api/v1/deadlines?kind=two_way_reporting&as_of={as_of}"),
                &tok,
            ))
            .await;
            assert_eq!(s, 200, "{d}");
            d["items"]
                .as_array()
                .expect("items")
                .iter()
                .find(|i| i["subject_id"] == subject)
                .map(|i| i["state"].as_str().expect("state").to_owned())
                .expect("obligation")
        }
    };
    assert_eq!(state_on("2026-01-25").await, "due");
    assert_eq!(state_on("2026-01-26").await, "overdue");
}

#[tokio::test]
async fn reissue_cancel_numbers_and_who_qualifies() {
    let app = spawn_app().await;
    let w = world(&app, "330523", "安吉县").await;
    let b = world(&app, "330522", "长兴县").await;
    let m = member(&app, &w.c, "吴建华", &w.village_a, Some(&w.village_a)).await;
    let held_by_branch = member(&app, &w.c, "郑隶属", &w.pb_a, Some(&w.pb_a)).await;
    let outside = member(&app, &w.c, "冯流动", &w.pb_a, None).await;
    for (mid, code) in [
        (&held_by_branch, "membership_not_in_village"),
        (&outside, "membership_not_in_county"),
    ] {
        problem(
            app.post(
                "/api/v1/handbooks",
                &w.branch_a_staff,
                &json!({ "member_id": mid }),
            )
            .send()
            .await
            .expect("s"),
            409,
            code,
        )
        .await;
    }
    let h = issue(
        &app,
        &w.branch_a_staff,
        json!({ "member_id": m, "handbook_no": "AJ-2026-900001", "card_no": "AJ-HD-2026-900001",
                "issued_on": day(today() - Days::new(5)) }),
    )
    .await;
    assert_eq!(h["handbook_no"], "AJ-2026-900001");
    let id = h["id"].as_str().expect("id").to_owned();
    problem(
        app.post(
            "/api/v1/handbooks",
            &w.branch_a_staff,
            &json!({ "member_id": m }),
        )
        .send()
        .await
        .expect("s"),
        409,
        "reporting_in_progress",
    )
    .await;
    let m2 = member(&app, &w.c, "陈二", &w.village_a, Some(&w.village_a)).await;
    let v = problem(
        app.post(
            "/api/v1/handbooks",
            &w.branch_a_staff,
            &json!({ "member_id": m2, "handbook_no": "AJ-2026-900001" }),
        )
        .send()
        .await
        .expect("s"),
        409,
        "duplicate_number",
    )
    .await;
    assert_eq!(v["errors"][0]["field"], "handbook_no");
    // Numbers are per county: the other county may use the same.
    let mb = member(&app, &b.c, "褚三", &b.village_a, Some(&b.village_a)).await;
    issue(
        &app,
        &b.branch_a_staff,
        json!({ "member_id": mb, "handbook_no": "AJ-2026-900001" }),
    )
    .await;

    let (s, _) = send(app.post(
        &format!("/api/v1/handbooks/{id}/village-confirmation"),
        &w.village_a_rec,
        &json!({ "reported_on": day(today() - Days::new(3)) }),
    ))
    .await;
    assert_eq!(s, 200);
    // Re-issue needs a reason, from the issuing branch only.
    let v = problem(
        app.post(
            &format!("/api/v1/handbooks/{id}/reissue"),
            &w.branch_a_staff,
            &json!({ "reason": " " }),
        )
        .send()
        .await
        .expect("s"),
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(v["errors"][0]["field"], "reason");
    problem(
        app.post(
            &format!("/api/v1/handbooks/{id}/reissue"),
            &w.village_a_rec,
            &json!({ "reason": "遗失" }),
        )
        .send()
        .await
        .expect("s"),
        403,
        "not_responsible_branch",
    )
    .await;
    let (s, r) = send(app.post(
        &format!("/api/v1/handbooks/{id}/reissue"),
        &w.branch_a_staff,
        &json!({ "reason": "手册遗失" }),
    ))
    .await;
    assert_eq!(s, 201, "{r}");
    assert_eq!(r["old"]["state"], "reissued");
    assert_eq!(r["old"]["close_reason"], "手册遗失");
    let new = &r["new"];
    assert_ne!(new["handbook_no"], h["handbook_no"]);
    assert_eq!(new["reporting_id"], h["reporting_id"]);
    assert_eq!(
        new["due_on"], h["due_on"],
        "the 15 days run from the first issue"
    );
    assert_eq!(new["state"], "reported_to_village", "progress carries over");
    assert_eq!(new["replaces_id"], id.as_str());
    let new_id = new["id"].as_str().expect("id").to_owned();
    for (s, tok, body) in [
        ("reissue", &w.branch_a_staff, json!({ "reason": "再次" })),
        ("village-confirmation", &w.village_a_rec, json!({})),
        ("branch-confirmation", &w.branch_a_staff, json!({})),
        ("cancel", &w.branch_a_staff, json!({ "reason": "再次" })),
    ] {
        problem(
            app.post(&format!("/api/v1/handbooks/{id}/{s}"), tok, &body)
                .send()
                .await
                .expect("s"),
            409,
            "handbook_reissued",
        )
        .await;
    }
    // One obligation, still open, for the reporting.
    assert_eq!(
        open_count(&app, &w.c.admin_token, &h["reporting_id"]).await,
        1
    );
    // Cancellation needs a reason; the obligation is withdrawn.
    let (s, _) = send(app.post(
        &format!("/api/v1/handbooks/{new_id}/cancel"),
        &w.branch_a_staff,
        &json!({}),
    ))
    .await;
    assert_eq!(s, 400);
    problem(
        app.post(
            &format!("/api/v1/handbooks/{new_id}/cancel"),
            &w.village_a_rec,
            &json!({ "reason": "x" }),
        )
        .send()
        .await
        .expect("s"),
        403,
        "not_responsible_branch",
    )
    .await;
    let (s, v) = send(app.post(
        &format!("/api/v1/handbooks/{new_id}/cancel"),
        &w.branch_a_staff,
        &json!({ "reason": "经营户已注销" }),
    ))
    .await;
    assert_eq!((s, v["state"].as_str()), (200, Some("cancelled")), "{v}");
    assert_eq!(
        open_count(&app, &w.c.admin_token, &h["reporting_id"]).await,
        0
    );
    problem(
        app.post(
            &format!("/api/v1/handbooks/{new_id}/cancel"),
            &w.branch_a_staff,
            &json!({ "reason": "x" }),
        )
        .send()
        .await
        .expect("s"),
        409,
        "already_cancelled",
    )
    .await;
    problem(
        app.post(
            &format!("/api/v1/handbooks/{new_id}/branch-confirmation"),
            &w.branch_a_staff,
            &json!({}),
        )
        .send()
        .await
        .expect("s"),
        409,
        "handbook_cancelled",
    )
    .await;
    // A new reporting may start after a cancellation.
    issue(&app, &w.branch_a_staff, json!({ "member_id": m })).await;
    // Audit trail, by handbook.
    let actions = |hid: String| {
        let (app, tok) = (&app, w.c.admin_token.clone());
        async move {
            let (_, a) = send(app.get(&format!("/api/v1/audit?entity_id={hid}"), &tok)).await;
            a["items"]
                .as_array()
                .map(|v| {
                    v.iter()
                        .filter_map(|e| e["action"].as_str().map(str::to_owned))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        }
    };
    let old = actions(id.clone()).await;
    for want in [
        "handbook.issue",
        "handbook.village_confirm",
        "handbook.reissue",
    ] {
        assert!(old.iter().any(|x| x == want), "{want} in {old:?}");
    }
    assert!(
        actions(new_id.clone())
            .await
            .iter()
            .any(|x| x == "handbook.cancel")
    );
}

async fn open_count(app: &TestApp, tok: &str, subject: &Value) -> usize {
    let (_, d) = send(app.get("/api/v1/deadlines?kind=two_way_reporting&state=open", tok)).await;
    d["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|i| &i["subject_id"] == subject)
        .count()
}
