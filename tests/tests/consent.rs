//! Notice and consent records of members (SPEC §11, PIPL: party membership is sensitive
//! personal information): record, withdraw, list, the members lacking consent, audit, and that
//! all of it is scoped like the members themselves.

use reqwest::StatusCode;
use serde_json::{Value, json};
use shuanglian_tests::{County, TestApp, fields, problem, spawn_app};

async fn member(app: &TestApp, token: &str, name: &str, unit: &str) -> String {
    app.member_in(token, name, &format!("{name}商店"), unit)
        .await
}

fn consent_body(version: &str) -> Value {
    json!({
        "notice_version": version,
        "notice_reference": "安吉县个私协党委〔2026〕1号《党员信息处理告知书》",
        "consented_on": "2026-01-05",
        "form": "written"
    })
}

async fn add(app: &TestApp, token: &str, member: &str, body: &Value) -> reqwest::Response {
    app.post(&format!("/api/v1/members/{member}/consents"), token, body)
        .send()
        .await
        .expect("add")
}

/// Member ids (and whether their consent was withdrawn) in the caller's list of members
/// lacking consent.
async fn lacking(app: &TestApp, token: &str, query: &str) -> Vec<(String, bool)> {
    let r = app
        .get(&format!("/api/v1/consents/missing?limit=200{query}"), token)
        .send()
        .await
        .expect("missing");
    let status = r.status();
    let v: Value = r.json().await.expect("json");
    assert_eq!(status, StatusCode::OK, "{v}");
    v["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| {
            (
                i["member_id"].as_str().expect("id").to_owned(),
                i["withdrawn"].as_bool().expect("withdrawn"),
            )
        })
        .collect()
}

/// A county with two branches, each with a party branch.
struct Setup {
    c: County,
    branch1: String,
    pb1: String,
    pb2: String,
}

async fn county_with_branches(app: &TestApp, code: &str, name: &str) -> Setup {
    let c = app.county(code, name).await;
    let committee = app
        .org_unit(&c, "association_committee", "协会党委", None)
        .await;
    let branch1 = app
        .org_unit(&c, "branch", "递铺分会", Some(&committee))
        .await;
    let pb1 = app
        .org_unit(&c, "party_branch", "递铺分会第一支部", Some(&branch1))
        .await;
    let branch2 = app
        .org_unit(&c, "branch", "孝丰分会", Some(&committee))
        .await;
    let pb2 = app
        .org_unit(&c, "party_branch", "孝丰分会第一支部", Some(&branch2))
        .await;
    Setup {
        c,
        branch1,
        pb1,
        pb2,
    }
}

#[tokio::test]
async fn consent_is_recorded_withdrawn_listed_and_audited() {
    let app = spawn_app().await;
    let s = county_with_branches(&app, "330523", "安吉县").await;
    let t = &s.c.admin_token;
    let m1 = member(&app, t, "王建国", &s.pb1).await;
    let m2 = member(&app, t, "李芳", &s.pb2).await;
    let m3 = member(&app, t, "张伟", &s.pb2).await;
    let list = format!("/api/v1/members/{m1}/consents");
    let v: Value = app
        .get(&list, t)
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    assert_eq!(v, json!([]));
    assert_eq!(
        lacking(&app, t, "").await,
        vec![
            (m1.clone(), false),
            (m2.clone(), false),
            (m3.clone(), false)
        ]
    );

    let r = add(&app, t, &m1, &consent_body("2026-01")).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let location = r.headers()["location"].to_str().expect("loc").to_owned();
    let c1: Value = r.json().await.expect("json");
    let cid = c1["id"].as_str().expect("id").to_owned();
    assert_eq!(location, format!("/api/v1/members/{m1}/consents/{cid}"));
    assert_eq!(c1["member_id"], json!(m1));
    assert_eq!(c1["notice_version"], "2026-01");
    assert_eq!(
        c1["notice_reference"],
        "安吉县个私协党委〔2026〕1号《党员信息处理告知书》"
    );
    assert_eq!(c1["consented_on"], "2026-01-05");
    assert_eq!(c1["form"], "written");
    assert_eq!(c1["recorded_by"], json!(s.c.admin_id));
    assert_eq!(c1["in_force"], true);
    assert!(c1.get("withdrawn_on").is_none(), "{c1}");
    let got: Value = app
        .get(&location, t)
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(got, c1);
    // Consent to the same notice version is recorded once while in force.
    problem(
        add(&app, t, &m1, &consent_body("2026-01")).await,
        409,
        "consent_exists",
    )
    .await;
    assert_eq!(
        lacking(&app, t, "").await,
        vec![(m2.clone(), false), (m3.clone(), false)]
    );
    // After the notice changes, everyone lacks consent to the new version.
    assert_eq!(lacking(&app, t, "&notice_version=2026-02").await.len(), 3);
    assert_eq!(lacking(&app, t, "&notice_version=2026-01").await.len(), 2);
    // Pages follow the cursor.
    let v: Value = app
        .get("/api/v1/consents/missing?limit=1", t)
        .send()
        .await
        .expect("p1")
        .json()
        .await
        .expect("json");
    assert_eq!(v["items"][0]["member_id"], json!(m2));
    assert_eq!(v["items"][0]["name"], "李芳");
    assert_eq!(v["items"][0]["business_name"], "李芳商店");
    let cursor = v["next_cursor"].as_str().expect("cursor");
    let v: Value = app
        .get(
            &format!("/api/v1/consents/missing?limit=1&cursor={cursor}"),
            t,
        )
        .send()
        .await
        .expect("p2")
        .json()
        .await
        .expect("json");
    assert_eq!(v["items"][0]["member_id"], json!(m3));
    assert!(v.get("next_cursor").is_none(), "{v}");

    // Withdrawal: dated between the consent and today, once.
    let withdraw = |on: &str| {
        app.post(
            &format!("{location}/withdraw"),
            t,
            &json!({ "withdrawn_on": on }),
        )
        .send()
    };
    let v = problem(
        withdraw("2025-12-31").await.expect("w"),
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(fields(&v), vec!["withdrawn_on"]);
    assert_eq!(v["errors"][0]["code"], "before_consent");
    let v = problem(
        withdraw("2999-01-01").await.expect("w"),
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(v["errors"][0]["code"], "date_in_future");
    let r = withdraw("2026-03-01").await.expect("w");
    assert_eq!(r.status(), StatusCode::OK);
    let w: Value = r.json().await.expect("json");
    assert_eq!(w["withdrawn_on"], "2026-03-01");
    assert_eq!(w["withdrawn_by"], json!(s.c.admin_id));
    assert!(w["withdrawn_at"].is_string());
    assert_eq!(w["in_force"], false);
    problem(
        withdraw("2026-03-02").await.expect("w"),
        409,
        "consent_already_withdrawn",
    )
    .await;
    assert!(lacking(&app, t, "").await.contains(&(m1.clone(), true)));
    // A new consent after a withdrawal is a new record; both are kept, newest first.
    let r = add(&app, t, &m1, &consent_body("2026-01")).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let c2: Value = r.json().await.expect("json");
    let v: Value = app
        .get(&list, t)
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    let ids: Vec<&str> = v
        .as_array()
        .expect("array")
        .iter()
        .map(|c| c["id"].as_str().expect("id"))
        .collect();
    assert_eq!(ids, vec![c2["id"].as_str().expect("id"), cid.as_str()]);
    // Every change is in the member's audit trail.
    let v: Value = app
        .get(&format!("/api/v1/audit?entity_id={m1}"), t)
        .send()
        .await
        .expect("audit")
        .json()
        .await
        .expect("json");
    let actions: Vec<&str> = v["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| e["action"].as_str().expect("action"))
        .collect();
    assert_eq!(
        actions,
        vec![
            "member.create",
            "member.consent_add",
            "member.consent_withdraw",
            "member.consent_add"
        ]
    );
}

#[tokio::test]
async fn bad_consent_input_names_the_field() {
    let app = spawn_app().await;
    let s = county_with_branches(&app, "330523", "安吉县").await;
    let t = &s.c.admin_token;
    let m = member(&app, t, "王建国", &s.pb1).await;
    let mut body = consent_body("  ");
    body["consented_on"] = json!("2999-01-01");
    let v = problem(add(&app, t, &m, &body).await, 422, "validation_failed").await;
    assert_eq!(fields(&v), vec!["notice_version", "consented_on"]);
    assert!(
        v["errors"][0]["message"]
            .as_str()
            .expect("msg")
            .starts_with("notice_version："),
        "{v}"
    );
    let mut body = consent_body("2026-01");
    body["form"] = json!("oral");
    let r = add(&app, t, &m, &body).await;
    assert!(r.status().is_client_error());
    let v: Value = r.json().await.expect("json");
    assert_eq!(fields(&v), vec!["form"], "{v}");
    let mut body = consent_body("2026-01");
    body["consented_on"] = json!("2026-02-30");
    let r = add(&app, t, &m, &body).await;
    assert!(r.status().is_client_error());
    let v: Value = r.json().await.expect("json");
    assert_eq!(fields(&v), vec!["consented_on"], "{v}");
    let mut body = consent_body("2026-01");
    body["extra"] = json!(1);
    assert!(add(&app, t, &m, &body).await.status().is_client_error());
    assert_eq!(
        lacking(&app, t, "").await,
        vec![(m, false)],
        "nothing was recorded"
    );
}

#[tokio::test]
async fn consent_is_scoped_like_members_and_isolated_between_counties() {
    let app = spawn_app().await;
    let s = county_with_branches(&app, "330523", "安吉县").await;
    let other = county_with_branches(&app, "330522", "长兴县").await;
    let t = &s.c.admin_token;
    let mine = member(&app, t, "王建国", &s.pb1).await;
    let theirs = member(&app, t, "李芳", &s.pb2).await;
    let r = add(&app, t, &theirs, &consent_body("2026-01")).await;
    let theirs_consent: Value = r.json().await.expect("json");
    let theirs_cid = theirs_consent["id"].as_str().expect("id").to_owned();
    let (_, staff) = app
        .staff(&s.c, "branch.one", "branch_staff", Some(&s.branch1))
        .await;

    // Branch staff: their branch's members only; another branch's member does not exist.
    assert_eq!(
        app.get(&format!("/api/v1/members/{mine}/consents"), &staff)
            .send()
            .await
            .expect("l")
            .status(),
        StatusCode::OK
    );
    problem(
        app.get(&format!("/api/v1/members/{theirs}/consents"), &staff)
            .send()
            .await
            .expect("l"),
        404,
        "not_found",
    )
    .await;
    problem(
        app.get(
            &format!("/api/v1/members/{theirs}/consents/{theirs_cid}"),
            &staff,
        )
        .send()
        .await
        .expect("g"),
        404,
        "not_found",
    )
    .await;
    problem(
        add(&app, &staff, &theirs, &consent_body("2026-02")).await,
        404,
        "not_found",
    )
    .await;
    problem(
        app.post(
            &format!("/api/v1/members/{theirs}/consents/{theirs_cid}/withdraw"),
            &staff,
            &json!({ "withdrawn_on": "2026-03-01" }),
        )
        .send()
        .await
        .expect("w"),
        404,
        "not_found",
    )
    .await;
    assert_eq!(lacking(&app, &staff, "").await, vec![(mine.clone(), false)]);
    let r = add(&app, &staff, &mine, &consent_body("2026-01")).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let mine_consent: Value = r.json().await.expect("json");
    let mine_cid = mine_consent["id"].as_str().expect("id").to_owned();
    assert_eq!(lacking(&app, &staff, "").await, vec![]);
    // A consent id under another member's path is not found.
    problem(
        app.get(&format!("/api/v1/members/{theirs}/consents/{mine_cid}"), t)
            .send()
            .await
            .expect("g"),
        404,
        "not_found",
    )
    .await;

    // A read-only role may look within its scope but not record; unbound, it sees nothing.
    let (_, viewer) = app.staff(&s.c, "aic.one", "aic_recorder", None).await;
    problem(
        add(&app, &viewer, &mine, &consent_body("2026-02")).await,
        403,
        "forbidden",
    )
    .await;
    assert_eq!(lacking(&app, &viewer, "").await, vec![]);
    let (_, committee) = app
        .staff(&s.c, "assoc.one", "association_committee", None)
        .await;
    assert_eq!(
        app.get(&format!("/api/v1/members/{theirs}/consents"), &committee)
            .send()
            .await
            .expect("l")
            .status(),
        StatusCode::OK,
        "the association committee sees the county"
    );

    // Another county: none of it exists.
    let o = &other.c.admin_token;
    for path in [
        format!("/api/v1/members/{mine}/consents"),
        format!("/api/v1/members/{mine}/consents/{mine_cid}"),
    ] {
        problem(app.get(&path, o).send().await.expect("g"), 404, "not_found").await;
    }
    problem(
        add(&app, o, &mine, &consent_body("2026-02")).await,
        404,
        "not_found",
    )
    .await;
    problem(
        app.post(
            &format!("/api/v1/members/{mine}/consents/{mine_cid}/withdraw"),
            o,
            &json!({ "withdrawn_on": "2026-03-01" }),
        )
        .send()
        .await
        .expect("w"),
        404,
        "not_found",
    )
    .await;
    assert_eq!(lacking(&app, o, "").await, vec![]);
    // The consent is untouched.
    let v: Value = app
        .get(&format!("/api/v1/members/{mine}/consents/{mine_cid}"), t)
        .send()
        .await
        .expect("g")
        .json()
        .await
        .expect("json");
    assert_eq!(v["in_force"], true);
    // Platform accounts have no county.
    let op = app.operator_token().await;
    problem(
        app.get("/api/v1/consents/missing", &op)
            .send()
            .await
            .expect("m"),
        403,
        "tenant_required",
    )
    .await;
}
