//! The markets' six standards (六化, seed 001; issue 16 item 5): a checklist per market and
//! year with evidence per item, next to what the register shows; spot checks with their
//! result; the county's coverage targets as progress; the market's AIC office checks it, other
//! scopes and counties see and change nothing.

use serde_json::{Value, json};
use shuanglian_tests::{TestApp, fields, send, send_tagged, spawn_app};

fn put(
    app: &TestApp,
    path: &str,
    token: &str,
    body: &Value,
    tag: Option<&str>,
) -> reqwest::RequestBuilder {
    let r = app.client.put(app.url(path)).bearer_auth(token).json(body);
    match tag {
        Some(t) => r.header("If-Match", t),
        None => r,
    }
}

fn all_six(met: bool) -> Value {
    let items: Vec<Value> = [
        "member_info",
        "coverage",
        "systems",
        "role",
        "education",
        "guarantees",
    ]
    .iter()
    .map(|c| json!({ "code": c, "met": met, "evidence": "现场查看" }))
    .collect();
    json!({ "items": items })
}

#[tokio::test]
async fn a_market_is_checked_against_the_six_standards_spot_checked_and_counted_against_the_target()
{
    let app = spawn_app().await;
    let c = app.county("331401", "六化县").await;
    let tok = c.admin_token.clone();
    let office = app.org_unit(&c, "aic_office", "递铺工商所", None).await;
    let market = app
        .org_unit(&c, "market", "递铺农贸市场", Some(&office))
        .await;
    let other_office = app.org_unit(&c, "aic_office", "孝丰工商所", None).await;
    let other_market = app
        .org_unit(&c, "market", "孝丰小商品市场", Some(&other_office))
        .await;
    let assoc = app
        .org_unit(&c, "association_committee", "县个私协会党委", None)
        .await;
    let (_, recorder) = app
        .staff(&c, "aic331401", "aic_recorder", Some(&office))
        .await;
    let (_, other_recorder) = app
        .staff(&c, "aico331401", "aic_recorder", Some(&other_office))
        .await;
    let (_, committee) = app
        .staff(&c, "asc331401", "association_committee", Some(&assoc))
        .await;
    app.member(
        &tok,
        &json!({ "name": "市场甲", "is_owner": true, "business_name": "甲记蔬菜",
        "membership_org_name": "宿松县复兴镇党委", "membership_status": "full",
        "distribution": "market_business", "market_id": market }),
    )
    .await;
    let y = chrono::Datelike::year(&shuanglian::clock::today()) - 1;
    let url = format!("/api/v1/evaluations/markets/{market}/{y}");

    // Not listed yet: the six items unchecked, the register's facts beside them.
    let (s, v) = send(app.get(&url, &recorder)).await;
    assert_eq!(
        (s, v["listed"].as_bool(), v["version"].as_i64()),
        (200, Some(false), Some(0)),
        "{v}"
    );
    assert_eq!(v["items"].as_array().map(Vec::len), Some(6));
    assert_eq!(
        (
            v["facts"]["members"].as_u64(),
            v["facts"]["party_org"].as_bool()
        ),
        (Some(1), Some(false))
    );

    // The office's recorder checks two items; unknown and repeated codes are named.
    let (s, e) = send(put(&app, &url, &recorder, &json!({ "items": [{ "code": "x", "met": true }, { "code": "role", "met": true }, { "code": "role", "met": false }] }), None)).await;
    assert_eq!(
        (s, fields(&e)),
        (
            422,
            vec!["items[0].code".to_owned(), "items[2].code".to_owned()]
        ),
        "{e}"
    );
    let (s, v, tag) = send_tagged(put(
        &app,
        &url,
        &recorder,
        &json!({ "items": [
        { "code": "member_info", "met": true, "evidence": "党员信息卡齐全" },
        { "code": "role", "met": false, "evidence": "3户未挂“三亮”牌" }] }),
        None,
    ))
    .await;
    assert_eq!(
        (s, v["met_count"].as_i64(), v["listed"].as_bool()),
        (200, Some(1), Some(true)),
        "{v}"
    );
    assert_eq!(v["items"][3]["evidence"], "3户未挂“三亮”牌");
    assert!(v["items"][1]["met"].is_null(), "coverage not checked yet");
    let (s, _) = send(put(&app, &url, &recorder, &all_six(true), None)).await;
    assert_eq!(s, 428);
    let (s, _) = send(app.get(&url, &other_recorder)).await;
    assert_eq!(s, 404, "another office's recorder");

    // Progress: one of two markets listed, none meeting all six; the target for the year is
    // the seed's (all listed markets from 2014).
    let list = format!("/api/v1/evaluations/markets?year={y}");
    let (_, p) = send(app.get(&list, &committee)).await;
    assert_eq!(
        (
            p["markets"].as_u64(),
            p["listed"].as_u64(),
            p["fully_met"].as_u64(),
            p["target"].as_f64(),
            p["target_met"].as_bool()
        ),
        (Some(2), Some(1), Some(0), Some(100.0), Some(false)),
        "{p}"
    );
    let (s, v) = send(put(&app, &url, &recorder, &all_six(true), Some(&tag))).await;
    assert_eq!((s, v["fully_met"].as_bool()), (200, Some(true)), "{v}");
    let (_, p) = send(app.get(&list, &committee)).await;
    assert_eq!(
        (
            p["fully_met"].as_u64(),
            p["rate"].as_f64(),
            p["target_met"].as_bool()
        ),
        (Some(1), Some(100.0), Some(true))
    );

    // Spot checks: the committee's, on a listed market only.
    let spot = format!("{url}/spot-checks");
    let body = json!({ "result": "failed", "failed_items": ["role"], "note": "抽查发现2户未挂牌" });
    let (s, e) = send(app.post(&spot, &recorder, &body)).await;
    assert_eq!((s, e["code"].as_str()), (403, Some("spot_checkers_only")));
    let (s, v) = send(app.post(&spot, &committee, &body)).await;
    assert_eq!(
        (s, v["spot_checks"][0]["result"].as_str()),
        (200, Some("failed")),
        "{v}"
    );
    assert_eq!(v["spot_checks"][0]["failed_items"], json!(["role"]));
    let (s, e) = send(app.post(
        &format!("/api/v1/evaluations/markets/{other_market}/{y}/spot-checks"),
        &committee,
        &body,
    ))
    .await;
    assert_eq!((s, e["code"].as_str()), (409, Some("market_not_listed")));
    let (s, e) = send(app.post(
        &spot,
        &committee,
        &json!({ "result": "passed", "failed_items": ["nope"] }),
    ))
    .await;
    assert_eq!((s, fields(&e)), (422, vec!["failed_items[0]".to_owned()]));

    // Targets: the seed's by default (两个50% in 2013, all from 2014); the county admin sets its own.
    let (_, t) = send(app.get("/api/v1/evaluations/markets/targets", &committee)).await;
    assert_eq!(
        t["items"][0],
        json!({ "year": 2013, "percent": 50.0, "default": true })
    );
    assert_eq!(t["items"][1]["percent"], 100.0);
    let target = format!("/api/v1/evaluations/markets/targets/{y}");
    let (s, _) = send(put(
        &app,
        &target,
        &committee,
        &json!({ "percent": 80 }),
        None,
    ))
    .await;
    assert_eq!(s, 403);
    let (s, e) = send(put(&app, &target, &tok, &json!({ "percent": 100.5 }), None)).await;
    assert_eq!((s, fields(&e)), (422, vec!["percent".to_owned()]));
    let (s, v) = send(put(&app, &target, &tok, &json!({ "percent": 80 }), None)).await;
    assert_eq!((s, v["default"].as_bool()), (200, Some(false)));
    let (_, p) = send(app.get(&list, &committee)).await;
    assert_eq!(p["target"], 80.0);

    // The market's party organisation shows in the facts once it is in the tree.
    app.org_unit(&c, "market_party_org", "递铺农贸市场党支部", Some(&market))
        .await;
    let (_, v) = send(app.get(&url, &committee)).await;
    assert_eq!(v["facts"]["party_org"], true);
}

#[tokio::test]
async fn other_offices_and_counties_see_and_change_nothing() {
    let app = spawn_app().await;
    let c = app.county("331402", "范围县").await;
    let o = app.county("331403", "邻县").await;
    let office = app.org_unit(&c, "aic_office", "递铺工商所", None).await;
    let market = app
        .org_unit(&c, "market", "递铺农贸市场", Some(&office))
        .await;
    let other_office = app.org_unit(&c, "aic_office", "孝丰工商所", None).await;
    let town = app.org_unit(&c, "township", "递铺街道", None).await;
    let village = app.org_unit(&c, "village", "古城村", Some(&town)).await;
    let (_, recorder) = app
        .staff(&c, "aic331402", "aic_recorder", Some(&office))
        .await;
    let (_, other_recorder) = app
        .staff(&c, "aico331402", "aic_recorder", Some(&other_office))
        .await;
    let (_, village_recorder) = app
        .staff(&c, "vil331402", "village_recorder", Some(&village))
        .await;
    let y = chrono::Datelike::year(&shuanglian::clock::today()) - 1;
    let url = format!("/api/v1/evaluations/markets/{market}/{y}");
    let (s, _, tag) = send_tagged(put(&app, &url, &recorder, &all_six(false), None)).await;
    assert_eq!(s, 200);
    let (_, before) = send(app.get(&url, &c.admin_token)).await;
    for t in [&other_recorder, &o.admin_token] {
        let (s, _) = send(app.get(&url, t)).await;
        assert_eq!(s, 404);
    }
    let (_, p) = send(app.get(
        &format!("/api/v1/evaluations/markets?year={y}"),
        &other_recorder,
    ))
    .await;
    assert_eq!(p["markets"], 0);
    for (token, status, code) in [
        (&other_recorder, 404, "not_found"),
        (&o.admin_token, 404, "not_found"),
        (&village_recorder, 403, "market_checkers_only"),
    ] {
        let (s, e) = send(put(&app, &url, token, &all_six(true), Some(&tag))).await;
        assert_eq!((s, e["code"].as_str()), (status, Some(code)));
        let (s, _) = send(app.post(
            &format!("{url}/spot-checks"),
            token,
            &json!({ "result": "passed" }),
        ))
        .await;
        assert!(s == 404 || s == 403, "{s}");
    }
    let (_, after) = send(app.get(&url, &c.admin_token)).await;
    assert_eq!(before, after);
}
