//! Grids: one per AIC office, townships kept as history, who may edit, isolation.

use reqwest::StatusCode;
use serde_json::{Value, json};
use shuanglian_tests::{County, TestApp, fields, problem, spawn_app};

struct Tree {
    office_a: String,
    office_b: String,
    party_branch: String,
    town1: String,
    town2: String,
}

async fn tree(app: &TestApp, c: &County) -> Tree {
    let committee = app
        .org_unit(c, "association_committee", "协会党委", None)
        .await;
    let branch = app
        .org_unit(c, "branch", "递铺分会", Some(&committee))
        .await;
    Tree {
        party_branch: app
            .org_unit(c, "party_branch", "递铺分会第一支部", Some(&branch))
            .await,
        office_a: app.org_unit(c, "aic_office", "递铺工商所", None).await,
        office_b: app.org_unit(c, "aic_office", "孝丰工商所", None).await,
        town1: app.org_unit(c, "township", "递铺街道", None).await,
        town2: app.org_unit(c, "township", "灵峰街道", None).await,
    }
}

fn towns(v: &Value) -> Vec<String> {
    let mut t: Vec<String> = v["townships"]
        .as_array()
        .expect("townships")
        .iter()
        .map(|t| t["township_id"].as_str().expect("id").to_owned())
        .collect();
    t.sort();
    t
}

#[tokio::test]
async fn a_township_moves_between_grids_and_the_history_shows_it() {
    let app = spawn_app().await;
    let c = app.county("330523", "安吉县").await;
    let t = tree(&app, &c).await;
    let tok = &c.admin_token;
    let ga_id = app
        .grid(&c, "递铺网格", &t.office_a, Some(&t.party_branch), &[])
        .await;
    let gb_id = app.grid(&c, "孝丰网格", &t.office_b, None, &[]).await;
    // One grid per office.
    let r = app
        .post(
            "/api/v1/grids",
            tok,
            &json!({ "name": "第二个", "aic_office_id": t.office_a }),
        )
        .send()
        .await
        .expect("c");
    problem(r, 409, "grid_exists").await;
    // Kinds are checked and named.
    let r = app
        .post(
            "/api/v1/grids",
            tok,
            &json!({ "name": "错的", "aic_office_id": t.town1 }),
        )
        .send()
        .await
        .expect("c");
    let v = problem(r, 422, "validation_failed").await;
    assert_eq!(fields(&v), vec!["aic_office_id"]);
    assert_eq!(v["errors"][0]["code"], "wrong_org_kind");
    // Both townships into A, then town2 moves to B.
    for town in [&t.town1, &t.town2] {
        let r = app
            .post(
                &format!("/api/v1/grids/{ga_id}/townships"),
                tok,
                &json!({ "township_id": town }),
            )
            .send()
            .await
            .expect("a");
        assert_eq!(r.status(), StatusCode::OK);
    }
    let r = app
        .post(
            &format!("/api/v1/grids/{ga_id}/townships"),
            tok,
            &json!({ "township_id": t.town1 }),
        )
        .send()
        .await
        .expect("a");
    problem(r, 409, "already_assigned").await;
    let v: Value = app
        .post(
            &format!("/api/v1/grids/{gb_id}/townships"),
            tok,
            &json!({ "township_id": t.town2 }),
        )
        .send()
        .await
        .expect("a")
        .json()
        .await
        .expect("j");
    assert_eq!(towns(&v), vec![t.town2.clone()]);
    let v: Value = app
        .get(&format!("/api/v1/grids/{ga_id}"), tok)
        .send()
        .await
        .expect("g")
        .json()
        .await
        .expect("j");
    assert_eq!(towns(&v), vec![t.town1.clone()]);
    // A's history: town1 open, town2 closed.
    let h: Value = app
        .get(&format!("/api/v1/grids/{ga_id}/history"), tok)
        .send()
        .await
        .expect("h")
        .json()
        .await
        .expect("j");
    let h = h.as_array().expect("array");
    assert_eq!(h.len(), 2);
    let closed = h
        .iter()
        .find(|p| p["township_id"] == t.town2.as_str())
        .expect("town2 period");
    assert!(closed["valid_to"].is_string(), "{closed}");
    assert!(
        h.iter()
            .find(|p| p["township_id"] == t.town1.as_str())
            .expect("town1")["valid_to"]
            .is_null()
    );
    // Taking town1 out closes its period too.
    let r = app
        .client
        .delete(app.url(&format!("/api/v1/grids/{ga_id}/townships/{}", t.town1)))
        .bearer_auth(tok)
        .send()
        .await
        .expect("d");
    assert_eq!(r.status(), StatusCode::OK);
    let r = app
        .client
        .delete(app.url(&format!("/api/v1/grids/{ga_id}/townships/{}", t.town1)))
        .bearer_auth(tok)
        .send()
        .await
        .expect("d");
    problem(r, 404, "not_found").await;
    // Rename with ETags.
    let r = app
        .get(&format!("/api/v1/grids/{gb_id}"), tok)
        .send()
        .await
        .expect("g");
    let tag = r.headers()["etag"].to_str().expect("e").to_owned();
    let r = app
        .patch(
            &format!("/api/v1/grids/{gb_id}"),
            tok,
            &json!({ "name": "孝丰片网格" }),
        )
        .header("If-Match", &tag)
        .send()
        .await
        .expect("p");
    assert_eq!(r.status(), StatusCode::OK);
    let r = app
        .patch(
            &format!("/api/v1/grids/{gb_id}"),
            tok,
            &json!({ "name": "晚到" }),
        )
        .header("If-Match", &tag)
        .send()
        .await
        .expect("p");
    problem(r, 412, "stale_version").await;
}

#[tokio::test]
async fn only_the_admin_or_the_offices_own_recorder_edits_and_other_counties_see_nothing() {
    let app = spawn_app().await;
    let c = app.county("330523", "安吉县").await;
    let other = app.county("330522", "长兴县").await;
    let t = tree(&app, &c).await;
    let gid = app.grid(&c, "递铺网格", &t.office_a, None, &[]).await;
    // The recorder bound to office A names A's grid; B's recorder cannot reach it (to them
    // A's office is no office); which townships a grid serves only the county admin decides.
    let (_, rec_a) = app
        .staff(&c, "aic.a", "aic_recorder", Some(&t.office_a))
        .await;
    let (_, rec_b) = app
        .staff(&c, "aic.b", "aic_recorder", Some(&t.office_b))
        .await;
    let r = app
        .patch(
            &format!("/api/v1/grids/{gid}"),
            &rec_a,
            &json!({ "name": "递铺街道网格" }),
        )
        .header("If-Match", "\"v1\"")
        .send()
        .await
        .expect("p");
    assert_eq!(r.status(), StatusCode::OK);
    for rec in [&rec_a, &rec_b] {
        let r = app
            .post(
                &format!("/api/v1/grids/{gid}/townships"),
                rec,
                &json!({ "township_id": t.town2 }),
            )
            .send()
            .await
            .expect("a");
        problem(r, 403, "forbidden").await;
    }
    let r = app
        .patch(
            &format!("/api/v1/grids/{gid}"),
            &rec_b,
            &json!({ "name": "篡改" }),
        )
        .header("If-Match", "\"v2\"")
        .send()
        .await
        .expect("p");
    problem(r, 404, "not_found").await;
    let r = app
        .post(
            "/api/v1/grids",
            &rec_b,
            &json!({ "name": "抢建", "aic_office_id": t.office_a }),
        )
        .send()
        .await
        .expect("c");
    let v = problem(r, 422, "validation_failed").await;
    assert_eq!(v["errors"][0]["code"], "org_unit_not_found", "{v}");
    // Every county role reads grids.
    assert_eq!(
        app.get("/api/v1/grids", &rec_b)
            .send()
            .await
            .expect("l")
            .status(),
        StatusCode::OK
    );
    // Another county: 404 everywhere, nothing listed, and our ids are unknown units there.
    let o = &other.admin_token;
    problem(
        app.get(&format!("/api/v1/grids/{gid}"), o)
            .send()
            .await
            .expect("g"),
        404,
        "not_found",
    )
    .await;
    problem(
        app.get(&format!("/api/v1/grids/{gid}/history"), o)
            .send()
            .await
            .expect("h"),
        404,
        "not_found",
    )
    .await;
    let r = app
        .post(
            &format!("/api/v1/grids/{gid}/townships"),
            o,
            &json!({ "township_id": t.town2 }),
        )
        .send()
        .await
        .expect("a");
    problem(r, 404, "not_found").await;
    let r = app
        .patch(
            &format!("/api/v1/grids/{gid}"),
            o,
            &json!({ "name": "篡改" }),
        )
        .header("If-Match", "\"v1\"")
        .send()
        .await
        .expect("p");
    problem(r, 404, "not_found").await;
    let r = app
        .client
        .delete(app.url(&format!("/api/v1/grids/{gid}/townships/{}", t.town1)))
        .bearer_auth(o)
        .send()
        .await
        .expect("d");
    problem(r, 404, "not_found").await;
    let r = app
        .post(
            "/api/v1/grids",
            o,
            &json!({ "name": "越界", "aic_office_id": t.office_b }),
        )
        .send()
        .await
        .expect("c");
    let v = problem(r, 422, "validation_failed").await;
    assert_eq!(v["errors"][0]["code"], "org_unit_not_found");
    let v: Value = app
        .get("/api/v1/grids", o)
        .send()
        .await
        .expect("l")
        .json()
        .await
        .expect("j");
    assert_eq!(v["items"].as_array().expect("items").len(), 0);
}
