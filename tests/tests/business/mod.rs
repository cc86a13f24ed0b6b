//! Businesses and markets: registration with credit-code checks, stalls in markets, search and
//! sorting, ETags and idempotency, people linked as owners and employees, scoping through the
//! grids, and isolation between counties and between scopes.

use reqwest::StatusCode;
use serde_json::{Value, json};
use shuanglian_tests::{
    County, TestApp, TwoGrids, credit_code, fields, id, problem, send_tagged, spawn_app,
};

mod demo;
mod markets;
mod people;
mod register;
mod scope;

fn names(v: &Value) -> Vec<String> {
    v["items"]
        .as_array()
        .unwrap_or_else(|| panic!("{v}"))
        .iter()
        .map(|b| b["name"].as_str().expect("name").to_owned())
        .collect()
}

/// Two grids: A (office A, party branch A, township A with village A) and B (likewise), a
/// market under office A in grid A.
struct World {
    c: County,
    office_a: String,
    office_b: String,
    branch_a: String,
    branch_b: String,
    town_a: String,
    town_b: String,
    village_a: String,
    village_b: String,
    grid_a: String,
    grid_b: String,
    market_a: String,
}

async fn world(app: &TestApp, code: &str, name: &str) -> World {
    let TwoGrids {
        c,
        branch_a,
        branch_b,
        office_a,
        office_b,
        town_a,
        town_b,
        village_a,
        village_b,
        grid_a,
        grid_b,
        ..
    } = app.two_grids(code, name, "协会党委").await;
    let tok = c.admin_token.clone();
    let market_a = id(&app.created(&tok, "/api/v1/markets", &json!({ "name": "递铺小商品市场", "aic_office_id": office_a, "address": "递铺街道人民路1号",
                "operator": "递铺市场开发有限公司", "stall_count": 300, "grid_id": grid_a }),
    )
    .await);
    World {
        c,
        office_a,
        office_b,
        branch_a,
        branch_b,
        town_a,
        town_b,
        village_a,
        village_b,
        grid_a,
        grid_b,
        market_a,
    }
}

/// Every business and market endpoint, for one caller and one target: the status codes.
async fn statuses(app: &TestApp, tok: &str, biz: &str, market: &str, member: &str) -> Vec<u16> {
    let mut out = Vec::new();
    let people = format!("/api/v1/businesses/{biz}/people");
    // The current ETags as this caller sees them (none when out of reach).
    let tag = |path: String| async move {
        let (_, _, t) = send_tagged(app.get(&path, tok)).await;
        if t.is_empty() { "\"v1\"".to_owned() } else { t }
    };
    let biz_tag = tag(format!("/api/v1/businesses/{biz}")).await;
    let market_tag = tag(format!("/api/v1/markets/{market}")).await;
    for r in [
        app.get(&format!("/api/v1/businesses/{biz}"), tok),
        app.patch(
            &format!("/api/v1/businesses/{biz}"),
            tok,
            &json!({ "employee_count": 2 }),
        )
        .header("If-Match", &biz_tag),
        app.get(&people, tok),
        app.post(
            &people,
            tok,
            &json!({ "member_id": member, "role": "employee" }),
        ),
        app.post(
            &format!("{people}/{}/end", uuid::Uuid::now_v7()),
            tok,
            &json!({}),
        ),
        app.get(&format!("/api/v1/members/{member}/businesses"), tok),
        app.get(&format!("/api/v1/markets/{market}"), tok),
        app.patch(
            &format!("/api/v1/markets/{market}"),
            tok,
            &json!({ "stall_count": 5 }),
        )
        .header("If-Match", &market_tag),
    ] {
        out.push(r.send().await.expect("send").status().as_u16());
    }
    out
}
