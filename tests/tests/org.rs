//! The org tree: shape rules, subtree listing, rename, move, deactivate, isolation.

use reqwest::StatusCode;
use serde_json::{Value, json};
use shuanglian_tests::{County, TestApp, fields, id, problem, spawn_app};

async fn unit(app: &TestApp, c: &County, kind: &str, name: &str, parent: Option<&str>) -> Value {
    let mut body = json!({ "kind": kind, "name": name });
    if let Some(p) = parent {
        body["parent_id"] = json!(p);
    }
    let r = app
        .post("/api/v1/org-units", &c.admin_token, &body)
        .send()
        .await
        .expect("create");
    let status = r.status();
    let v: Value = r.json().await.expect("json");
    assert_eq!(status, StatusCode::CREATED, "{v}");
    v
}

async fn etag(app: &TestApp, c: &County, id: &str) -> String {
    app.get(&format!("/api/v1/org-units/{id}"), &c.admin_token)
        .send()
        .await
        .expect("get")
        .headers()["etag"]
        .to_str()
        .expect("etag")
        .to_owned()
}

async fn subtree(app: &TestApp, c: &County, root: &str) -> Vec<String> {
    let v: Value = app
        .get(
            &format!("/api/v1/org-units?root={root}&limit=200"),
            &c.admin_token,
        )
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    let mut names: Vec<String> = v["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|u| u["name"].as_str().expect("n").to_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn the_tree_follows_the_county_structure() {
    let app = spawn_app().await;
    let c = app.county("330523", "安吉县").await;
    let committee = unit(
        &app,
        &c,
        "association_committee",
        "安吉县个私协会党委",
        None,
    )
    .await;
    let dipu = unit(&app, &c, "branch", "递铺分会", Some(&id(&committee))).await;
    let zhibu = unit(
        &app,
        &c,
        "party_branch",
        "递铺分会第一支部",
        Some(&id(&dipu)),
    )
    .await;
    assert_eq!(zhibu["depth"], 2);
    assert_eq!(zhibu["ancestor_ids"], json!([id(&committee), id(&dipu)]));
    unit(
        &app,
        &c,
        "service_centre",
        "递铺区域性党员服务中心",
        Some(&id(&dipu)),
    )
    .await;
    let town = unit(&app, &c, "township", "递铺街道", None).await;
    unit(&app, &c, "village", "古城村", Some(&id(&town))).await;

    // Wrong places are refused, naming parent_id.
    let r = app
        .post(
            "/api/v1/org-units",
            &c.admin_token,
            &json!({ "kind": "village", "name": "错村", "parent_id": id(&dipu) }),
        )
        .send()
        .await
        .expect("c");
    let v = problem(r, 422, "validation_failed").await;
    assert_eq!(fields(&v), vec!["parent_id"]);
    assert_eq!(v["errors"][0]["code"], "parent_kind_not_allowed");
    let r = app
        .post(
            "/api/v1/org-units",
            &c.admin_token,
            &json!({ "kind": "branch", "name": "无上级分会" }),
        )
        .send()
        .await
        .expect("c");
    problem(r, 422, "validation_failed").await;
    let r = app
        .post(
            "/api/v1/org-units",
            &c.admin_token,
            &json!({ "kind": "association_committee", "name": "第二个党委" }),
        )
        .send()
        .await
        .expect("c");
    problem(r, 409, "association_committee_exists").await;
    let r = app
        .post(
            "/api/v1/org-units",
            &c.admin_token,
            &json!({ "kind": "branch", "name": "递铺分会", "parent_id": id(&committee) }),
        )
        .send()
        .await
        .expect("c");
    problem(r, 409, "duplicate_sibling_name").await;
    let r = app.post("/api/v1/org-units", &c.admin_token, &json!({ "kind": "village", "name": "某村", "parent_id": uuid::Uuid::now_v7().to_string() })).send().await.expect("c");
    let v = problem(r, 422, "validation_failed").await;
    assert_eq!(v["errors"][0]["code"], "parent_not_found");

    // Subtrees include their root and nothing outside.
    assert_eq!(
        subtree(&app, &c, &id(&dipu)).await,
        vec!["递铺分会", "递铺分会第一支部", "递铺区域性党员服务中心"]
    );
    assert_eq!(
        subtree(&app, &c, &id(&town)).await,
        vec!["古城村", "递铺街道"]
    );
    let v: Value = app
        .get("/api/v1/org-units?kind=village", &c.admin_token)
        .send()
        .await
        .expect("l")
        .json()
        .await
        .expect("j");
    assert_eq!(v["items"].as_array().expect("items").len(), 1);
}

#[tokio::test]
async fn moving_a_branch_moves_its_subtree_and_cycles_are_refused() {
    let app = spawn_app().await;
    let c = app.county("330523", "安吉县").await;
    let committee = unit(&app, &c, "association_committee", "协会党委", None).await;
    let a = unit(&app, &c, "branch", "甲分会", Some(&id(&committee))).await;
    let b = unit(&app, &c, "branch", "乙分会", Some(&id(&committee))).await;
    let z = unit(&app, &c, "party_branch", "第一支部", Some(&id(&a))).await;
    // A party branch moves from 甲 to 乙.
    let r = app
        .post(
            &format!("/api/v1/org-units/{}/move", id(&z)),
            &c.admin_token,
            &json!({ "parent_id": id(&b) }),
        )
        .header("If-Match", etag(&app, &c, &id(&z)).await)
        .send()
        .await
        .expect("move");
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.expect("json");
    assert_eq!(v["ancestor_ids"], json!([id(&committee), id(&b)]));
    assert_eq!(subtree(&app, &c, &id(&a)).await, vec!["甲分会"]);
    assert_eq!(subtree(&app, &c, &id(&b)).await, vec!["乙分会", "第一支部"]);
    // A township moved under a township: wrong kind. A unit under its own descendant: a cycle.
    let t1 = unit(&app, &c, "township", "一镇", None).await;
    let t2 = unit(&app, &c, "township", "二镇", None).await;
    let r = app
        .post(
            &format!("/api/v1/org-units/{}/move", id(&t1)),
            &c.admin_token,
            &json!({ "parent_id": id(&t2) }),
        )
        .header("If-Match", etag(&app, &c, &id(&t1)).await)
        .send()
        .await
        .expect("move");
    problem(r, 422, "validation_failed").await;
    let r = app
        .post(
            &format!("/api/v1/org-units/{}/move", id(&b)),
            &c.admin_token,
            &json!({ "parent_id": id(&z) }),
        )
        .header("If-Match", etag(&app, &c, &id(&b)).await)
        .send()
        .await
        .expect("move");
    let v = problem(r, 422, "validation_failed").await;
    assert_eq!(v["errors"][0]["code"], "cycle");
    // A market can move from the top level under an AIC office and keep its party organisation.
    let office = unit(&app, &c, "aic_office", "递铺工商所", None).await;
    let market = unit(&app, &c, "market", "安吉商城", None).await;
    unit(
        &app,
        &c,
        "market_party_org",
        "安吉商城党支部",
        Some(&id(&market)),
    )
    .await;
    let r = app
        .post(
            &format!("/api/v1/org-units/{}/move", id(&market)),
            &c.admin_token,
            &json!({ "parent_id": id(&office) }),
        )
        .header("If-Match", etag(&app, &c, &id(&market)).await)
        .send()
        .await
        .expect("move");
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        subtree(&app, &c, &id(&office)).await,
        vec!["安吉商城", "安吉商城党支部", "递铺工商所"]
    );
    let v: Value = app
        .get("/api/v1/org-units?kind=market_party_org", &c.admin_token)
        .send()
        .await
        .expect("l")
        .json()
        .await
        .expect("j");
    assert_eq!(v["items"][0]["depth"], 2);
}

#[tokio::test]
async fn rename_and_deactivate_keep_the_rules() {
    let app = spawn_app().await;
    let c = app.county("330523", "安吉县").await;
    let town = unit(&app, &c, "township", "孝丰镇", None).await;
    let village = unit(&app, &c, "village", "横溪坞村", Some(&id(&town))).await;
    let tag = etag(&app, &c, &id(&town)).await;
    let path = format!("/api/v1/org-units/{}", id(&town));
    let r = app
        .patch(&path, &c.admin_token, &json!({ "name": "孝丰镇（新）" }))
        .send()
        .await
        .expect("p");
    problem(r, 428, "if_match_required").await;
    let r = app
        .patch(&path, &c.admin_token, &json!({ "name": "孝丰镇（新）" }))
        .header("If-Match", &tag)
        .send()
        .await
        .expect("p");
    assert_eq!(r.status(), StatusCode::OK);
    let r = app
        .patch(&path, &c.admin_token, &json!({ "name": "又改名" }))
        .header("If-Match", &tag)
        .send()
        .await
        .expect("p");
    problem(r, 412, "stale_version").await;
    // A unit with active children stays; children first.
    let r = app
        .post(&format!("{path}/deactivate"), &c.admin_token, &json!({}))
        .send()
        .await
        .expect("d");
    problem(r, 409, "has_active_children").await;
    let r = app
        .post(
            &format!("/api/v1/org-units/{}/deactivate", id(&village)),
            &c.admin_token,
            &json!({}),
        )
        .send()
        .await
        .expect("d");
    assert_eq!(r.status(), StatusCode::OK);
    let r = app
        .post(&format!("{path}/deactivate"), &c.admin_token, &json!({}))
        .send()
        .await
        .expect("d");
    assert_eq!(r.status(), StatusCode::OK);
    // Nothing was deleted; inactive units are still listed and readable.
    let v: Value = app
        .get("/api/v1/org-units?active=false", &c.admin_token)
        .send()
        .await
        .expect("l")
        .json()
        .await
        .expect("j");
    assert_eq!(v["items"].as_array().expect("items").len(), 2);
    // A child of an inactive parent cannot come back first, nor can units be created under it.
    let r = app
        .post(
            &format!("/api/v1/org-units/{}/reactivate", id(&village)),
            &c.admin_token,
            &json!({}),
        )
        .send()
        .await
        .expect("r");
    problem(r, 409, "parent_inactive").await;
    let r = app
        .post(
            "/api/v1/org-units",
            &c.admin_token,
            &json!({ "kind": "village", "name": "新村", "parent_id": id(&town) }),
        )
        .send()
        .await
        .expect("c");
    let v = problem(r, 422, "validation_failed").await;
    assert_eq!(v["errors"][0]["code"], "parent_inactive");
    let r = app
        .post(&format!("{path}/reactivate"), &c.admin_token, &json!({}))
        .send()
        .await
        .expect("r");
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn only_the_county_admin_changes_the_tree_and_other_counties_see_nothing() {
    let app = spawn_app().await;
    let a = app.county("330523", "安吉县").await;
    let b = app.county("330522", "长兴县").await;
    let town = unit(&app, &a, "township", "递铺街道", None).await;
    let tid = id(&town);
    // Other county: 404 on every endpoint, and its ids are unknown parents.
    let t = &b.admin_token;
    problem(
        app.get(&format!("/api/v1/org-units/{tid}"), t)
            .send()
            .await
            .expect("g"),
        404,
        "not_found",
    )
    .await;
    problem(
        app.get(&format!("/api/v1/org-units?root={tid}"), t)
            .send()
            .await
            .expect("l"),
        404,
        "not_found",
    )
    .await;
    let r = app
        .patch(
            &format!("/api/v1/org-units/{tid}"),
            t,
            &json!({ "name": "篡改" }),
        )
        .header("If-Match", "\"v1\"")
        .send()
        .await
        .expect("p");
    problem(r, 404, "not_found").await;
    let r = app
        .post(&format!("/api/v1/org-units/{tid}/move"), t, &json!({}))
        .header("If-Match", "\"v1\"")
        .send()
        .await
        .expect("m");
    problem(r, 404, "not_found").await;
    for action in ["deactivate", "reactivate"] {
        problem(
            app.post(&format!("/api/v1/org-units/{tid}/{action}"), t, &json!({}))
                .send()
                .await
                .expect("a"),
            404,
            "not_found",
        )
        .await;
    }
    let r = app
        .post(
            "/api/v1/org-units",
            t,
            &json!({ "kind": "village", "name": "越界村", "parent_id": tid }),
        )
        .send()
        .await
        .expect("c");
    let v = problem(r, 422, "validation_failed").await;
    assert_eq!(v["errors"][0]["code"], "parent_not_found");
    let v: Value = app
        .get("/api/v1/org-units", t)
        .send()
        .await
        .expect("l")
        .json()
        .await
        .expect("j");
    assert_eq!(v["items"].as_array().expect("items").len(), 0);
    // Staff of the same county read what they are bound to, and cannot change the tree.
    let (_, staff) = app
        .staff(&a, "township.one", "township_committee", None)
        .await;
    // Unbound, a scoped role sees nothing.
    problem(
        app.get(&format!("/api/v1/org-units/{tid}"), &staff)
            .send()
            .await
            .expect("g"),
        404,
        "not_found",
    )
    .await;
    let admin_view: Value = app
        .get("/api/v1/users?limit=200", &a.admin_token)
        .send()
        .await
        .expect("u")
        .json()
        .await
        .expect("j");
    let staff_id = admin_view["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|u| u["username"] == "township.one")
        .expect("staff")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let tag = app
        .get(&format!("/api/v1/users/{staff_id}"), &a.admin_token)
        .send()
        .await
        .expect("g")
        .headers()["etag"]
        .to_str()
        .expect("e")
        .to_owned();
    let r = app
        .patch(
            &format!("/api/v1/users/{staff_id}"),
            &a.admin_token,
            &json!({ "org_unit_id": tid }),
        )
        .header("If-Match", tag)
        .send()
        .await
        .expect("bind");
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        app.get(&format!("/api/v1/org-units/{tid}"), &staff)
            .send()
            .await
            .expect("g")
            .status(),
        StatusCode::OK
    );
    let r = app
        .post(
            "/api/v1/org-units",
            &staff,
            &json!({ "kind": "township", "name": "新镇" }),
        )
        .send()
        .await
        .expect("c");
    problem(r, 403, "forbidden").await;
    // Platform accounts are not county users.
    let op = app.operator_token().await;
    problem(
        app.get("/api/v1/org-units", &op).send().await.expect("l"),
        403,
        "tenant_required",
    )
    .await;
}
