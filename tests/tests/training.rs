//! Training rates (seed 001, issue 16 item 3): from attendance marked present at held
//! trainings, per category against the seed's targets (affiliated 100 %, floating 80 %), market
//! members needing two a year, per org-life unit, with the list of who is missing; scoped like
//! the member register.

use serde_json::{Value, json};
use shuanglian_tests::{CentreWorld, TestApp, fields, send, send_tagged, spawn_app};

async fn post_step(app: &TestApp, tok: &str, id: &str, what: &str) {
    let (_, cur, tag) = send_tagged(app.get(&format!("/api/v1/activities/{id}"), tok)).await;
    let mut r = app
        .client
        .post(app.url(&format!("/api/v1/activities/{id}/{what}")))
        .bearer_auth(tok);
    if cur["version"].is_i64() {
        r = r.header("If-Match", tag);
    }
    let (s, v) = send(r).await;
    assert_eq!(s, 200, "{what}: {v}");
}

/// A training held today at the centre for the party branch, with `present` marked present.
async fn training(app: &TestApp, w: &CentreWorld, present: &[&String]) {
    let plan = json!({ "centre_id": w.centre, "theme": "个体工商户党员集中培训", "kind": "training",
        "held_on": shuanglian::clock::today(), "place": "服务中心培训室",
        "audience": { "unit_id": w.party_branch } });
    let (s, a) = send(app.post("/api/v1/activities", &w.director, &plan)).await;
    assert_eq!(s, 201, "{a}");
    let id = a["id"].as_str().expect("id").to_owned();
    post_step(app, &w.director, &id, "submit").await;
    post_step(app, &w.committee, &id, "approve").await;
    post_step(app, &w.staff, &id, "notify").await;
    let entries: Vec<Value> = present
        .iter()
        .map(|m| json!({ "member_id": m, "status": "present" }))
        .collect();
    let (s, v) = send(
        app.client
            .put(app.url(&format!("/api/v1/activities/{id}/attendance")))
            .bearer_auth(&w.staff)
            .json(&json!({ "entries": entries })),
    )
    .await;
    assert_eq!(s, 200, "{v}");
}

fn category<'a>(r: &'a Value, c: &str) -> &'a Value {
    r["categories"]
        .as_array()
        .expect("categories")
        .iter()
        .find(|x| x["category"] == c)
        .expect("category")
}

#[tokio::test]
async fn training_rates_count_attendance_against_the_targets_and_list_who_is_missing() {
    let app = spawn_app().await;
    let w = app.centre_world("331301", "培训县").await;
    let market = app.org_unit(&w.c, "market", "递铺农贸市场", None).await;
    let tok = w.c.admin_token.clone();
    let m = |name: &str, extra: Value| {
        let mut b = json!({ "name": name, "is_owner": true, "business_name": format!("{name}商行"),
            "org_life_unit_id": w.party_branch, "membership_unit_id": w.party_branch,
            "membership_status": "full", "distribution": "individual_business" });
        for (k, v) in extra.as_object().expect("extra") {
            b[k] = v.clone();
        }
        b
    };
    let outside = json!({ "membership_unit_id": null, "membership_org_name": "宿松县复兴镇党委" });
    let trained = app.member(&tok, &m("培训甲", json!({}))).await;
    let untrained = app.member(&tok, &m("培训乙", json!({}))).await;
    let floating = app.member(&tok, &m("培训丙", outside.clone())).await;
    let floating_missing = app.member(&tok, &m("培训丁", outside)).await;
    let market_two = app
        .member(
            &tok,
            &m(
                "培训戊",
                json!({ "distribution": "market_business", "market_id": market }),
            ),
        )
        .await;
    let market_one = app
        .member(
            &tok,
            &m(
                "培训己",
                json!({ "distribution": "market_business", "market_id": market }),
            ),
        )
        .await;
    training(&app, &w, &[&trained, &floating, &market_two, &market_one]).await;
    training(&app, &w, &[&market_two]).await;

    let (s, r) = send(app.get("/api/v1/evaluations/training", &w.director)).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["trainings_held"], 2);
    // Affiliated: 甲 and the two market members trained? 戊 has two, 己 one (needs two).
    let a = category(&r, "affiliated");
    assert_eq!(
        (
            a["members"].as_u64(),
            a["trained"].as_u64(),
            a["target"].as_f64(),
            a["met"].as_bool()
        ),
        (Some(4), Some(2), Some(100.0), Some(false)),
        "{a}"
    );
    assert_eq!(a["rate"], 50.0);
    let f = category(&r, "floating");
    assert_eq!(
        (
            f["members"].as_u64(),
            f["trained"].as_u64(),
            f["target"].as_f64(),
            f["met"].as_bool()
        ),
        (Some(2), Some(1), Some(80.0), Some(false)),
        "{f}"
    );
    assert_eq!(
        (
            r["market"]["members"].as_u64(),
            r["market"]["trained"].as_u64()
        ),
        (Some(2), Some(1))
    );
    let unit = &r["units"][0];
    assert_eq!(
        (
            unit["unit_name"].as_str(),
            unit["members"].as_u64(),
            unit["trained"].as_u64()
        ),
        (Some("递铺分会第一支部"), Some(6), Some(3))
    );

    // Who is missing, with what they attended and need; narrowed by category.
    let (s, l) = send(app.get("/api/v1/evaluations/training/missing?limit=2", &w.director)).await;
    assert_eq!((s, l["total"].as_u64()), (200, Some(3)), "{l}");
    let cursor = l["next_cursor"].as_str().expect("more").to_owned();
    let (_, l2) = send(app.get(
        &format!("/api/v1/evaluations/training/missing?limit=2&cursor={cursor}"),
        &w.director,
    ))
    .await;
    let mut ids: Vec<String> = l["items"]
        .as_array()
        .expect("items")
        .iter()
        .chain(l2["items"].as_array().expect("items"))
        .map(|i| i["member_id"].as_str().expect("id").to_owned())
        .collect();
    ids.sort();
    let mut want = vec![
        untrained.clone(),
        floating_missing.clone(),
        market_one.clone(),
    ];
    want.sort();
    assert_eq!(ids, want);
    let one = l["items"]
        .as_array()
        .expect("items")
        .iter()
        .chain(l2["items"].as_array().expect("items"))
        .find(|i| i["member_id"] == market_one.as_str())
        .cloned()
        .expect("market member");
    assert_eq!(
        (one["attended"].as_u64(), one["needed"].as_u64()),
        (Some(1), Some(2))
    );
    let (_, l) = send(app.get(
        "/api/v1/evaluations/training/missing?category=floating",
        &w.director,
    ))
    .await;
    assert_eq!(l["items"][0]["member_id"], floating_missing.as_str());

    // Scoped as the register: another branch's staff and another county see none of them.
    let (_, r) = send(app.get("/api/v1/evaluations/training", &w.other_staff)).await;
    assert!(r["units"].as_array().is_some_and(Vec::is_empty), "{r}");
    let o = app.centre_world("331302", "邻县").await;
    let (_, l) = send(app.get("/api/v1/evaluations/training/missing", &o.committee)).await;
    assert_eq!(l["total"], 0);
    let (s, _) = send(app.get(
        &format!("/api/v1/evaluations/training?unit_id={}", w.party_branch),
        &o.committee,
    ))
    .await;
    assert_eq!(s, 404);
    let (s, e) = send(app.get("/api/v1/evaluations/training?year=1999", &w.director)).await;
    assert_eq!((s, fields(&e)), (422, vec!["year".to_owned()]));
    let (s, e) = send(app.get("/api/v1/evaluations/training?unit_id=x", &w.director)).await;
    assert_eq!((s, fields(&e)), (422, vec!["unit".to_owned()]));
}
