//! Registration at a service centre's window (seed 002 附件3 一, issue 15 item 1): the survey is
//! checked as the register checks a new member, sealed, and shown masked; the home organisation
//! is called (who, whom, when, the outcome); a refusal stalls the registration and it is listed;
//! the pledge, the plaque and handbook, then the member is entered in the register once, from
//! the survey. Steps out of order have their codes; other centres and counties see and change
//! nothing.

use serde_json::{Value, json};
use shuanglian_tests::{CentreWorld, TestApp, fields, id_number, send, send_tagged, spawn_app};

const PHONE: &str = "13812345678";

async fn world(app: &TestApp, code: &str) -> CentreWorld {
    app.centre_world(code, "登记县").await
}

fn survey(w: &CentreWorld, id: &str) -> Value {
    json!({ "name": "孙丽", "id_number": id, "phone": PHONE, "is_owner": true,
        "business_name": "丽丽鲜花店", "org_life_unit_id": w.party_branch,
        "membership_org_name": "安徽省宿松县复兴镇党委", "membership_status": "full",
        "distribution": "individual_business" })
}

async fn step(app: &TestApp, tok: &str, id: &str, what: &str, body: Value) -> (u16, Value) {
    let (_, _, tag) = send_tagged(app.get(&format!("/api/v1/registrations/{id}"), tok)).await;
    let mut r = app
        .client
        .post(app.url(&format!("/api/v1/registrations/{id}/{what}")))
        .bearer_auth(tok)
        .json(&body);
    if tag.starts_with('"') {
        r = r.header("If-Match", tag);
    }
    send(r).await
}

async fn stalled(app: &TestApp, tok: &str) -> Vec<String> {
    let (s, v) = send(app.get("/api/v1/registrations?stalled=true", tok)).await;
    assert_eq!(s, 200, "{v}");
    v["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|r| r["id"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn a_registration_goes_from_survey_and_phone_confirmation_to_one_register_entry() {
    let app = spawn_app().await;
    let w = world(&app, "330523").await;
    let idn = id_number("330523", "19850312", "042");

    // The survey is checked as the register checks a new member, and placed in the region.
    let mut bad = survey(&w, &idn);
    bad["phone"] = json!("12345");
    bad["id_number"] = json!("3305231985031204");
    let (s, v) = send(app.post("/api/v1/registrations", &w.staff, &json!({ "survey": bad }))).await;
    assert_eq!(
        (s, fields(&v)),
        (422, vec!["id_number".into(), "phone".into()]),
        "{v}"
    );
    let mut elsewhere = survey(&w, &idn);
    elsewhere["org_life_unit_id"] = json!(w.other_party_branch);
    let (s, v) = send(app.post(
        "/api/v1/registrations",
        &w.staff,
        &json!({ "survey": elsewhere }),
    ))
    .await;
    assert_eq!(
        (s, fields(&v)),
        (422, vec!["org_life_unit_id".into()]),
        "{v}"
    );
    let (s, v) = send(app.post(
        "/api/v1/registrations",
        &w.village_recorder,
        &json!({ "survey": survey(&w, &idn) }),
    ))
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (403, Some("centre_staff_only")),
        "{v}"
    );

    let (s, r, tag) = send_tagged(app.post(
        "/api/v1/registrations",
        &w.staff,
        &json!({ "survey": survey(&w, &idn) }),
    ))
    .await;
    assert_eq!((s, tag.as_str()), (201, "\"v1\""), "{r}");
    assert_eq!(
        (
            r["state"].as_str(),
            r["phone_masked"].as_str(),
            r["home_org"].as_str()
        ),
        (
            Some("surveyed"),
            Some("138****5678"),
            Some("安徽省宿松县复兴镇党委")
        )
    );
    assert!(
        !r.to_string().contains(PHONE) && !r.to_string().contains(&idn),
        "{r}"
    );
    let id = r["id"].as_str().expect("id").to_owned();
    // The same person cannot be registered twice.
    let (s, v) = send(app.post(
        "/api/v1/registrations",
        &w.director,
        &json!({ "centre_id": w.centre, "survey": survey(&w, &idn) }),
    ))
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (409, Some("already_registered")),
        "{v}"
    );

    // Out of order: nothing before the telephone confirmation.
    for (what, body) in [
        ("pledge", json!({ "reference": "承诺书-001" })),
        ("issue", json!({ "plaque_no": "P-1", "handbook_no": "H-1" })),
        ("enter", json!({})),
    ] {
        let (s, v) = step(&app, &w.staff, &id, what, body).await;
        assert_eq!(
            (s, v["code"].as_str()),
            (409, Some("membership_not_confirmed")),
            "{what}: {v}"
        );
    }
    // The home organisation does not confirm: the registration stalls and is listed.
    let (s, v) = step(
        &app,
        &w.staff,
        &id,
        "calls",
        json!({ "whom": "  ", "outcome": "confirmed" }),
    )
    .await;
    assert_eq!((s, fields(&v)), (422, vec!["whom".into()]), "{v}");
    let (s, v) = step(&app, &w.staff, &id, "calls",
        json!({ "whom": "复兴镇党委组织委员 王某", "outcome": "not_confirmed", "note": "称需核查" })).await;
    assert_eq!((s, v["state"].as_str()), (200, Some("surveyed")), "{v}");
    assert!(v["stalled"].is_string(), "{v}");
    assert_eq!(stalled(&app, &w.staff).await, std::slice::from_ref(&id));
    // Called again: confirmed; no longer stalled.
    let (s, v) = step(
        &app,
        &w.director,
        &id,
        "calls",
        json!({ "whom": "复兴镇党委组织委员 王某", "outcome": "confirmed" }),
    )
    .await;
    assert_eq!(
        (s, v["state"].as_str(), v["stalled"].as_str()),
        (200, Some("confirmed"), None),
        "{v}"
    );
    let calls: Vec<(&str, &str)> = v["calls"]
        .as_array()
        .expect("calls")
        .iter()
        .map(|c| {
            (
                c["outcome"].as_str().unwrap_or(""),
                c["org_name"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        calls,
        [
            ("not_confirmed", "安徽省宿松县复兴镇党委"),
            ("confirmed", "安徽省宿松县复兴镇党委")
        ]
    );
    assert!(stalled(&app, &w.staff).await.is_empty());

    let (s, v) = step(
        &app,
        &w.staff,
        &id,
        "issue",
        json!({ "plaque_no": "P-1", "handbook_no": "H-1" }),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (409, Some("pledge_missing")),
        "{v}"
    );
    let (s, v) = step(
        &app,
        &w.staff,
        &id,
        "pledge",
        json!({ "reference": "承诺书-2026-001" }),
    )
    .await;
    assert_eq!((s, v["state"].as_str()), (200, Some("pledged")), "{v}");
    let (s, v) = step(&app, &w.staff, &id, "enter", json!({})).await;
    assert_eq!((s, v["code"].as_str()), (409, Some("not_equipped")), "{v}");
    let (s, v) = step(
        &app,
        &w.staff,
        &id,
        "issue",
        json!({ "plaque_no": "AJ-PB-0042", "handbook_no": "FWSC-00042" }),
    )
    .await;
    assert_eq!((s, v["state"].as_str()), (200, Some("equipped")), "{v}");

    // Entered once, from the survey: the register has the member, with the survey's details.
    let (s, v) = step(&app, &w.staff, &id, "enter", json!({})).await;
    assert_eq!((s, v["state"].as_str()), (200, Some("entered")), "{v}");
    let member = v["member_id"].as_str().expect("member").to_owned();
    let (s, m) = send(app.get(&format!("/api/v1/members/{member}"), &w.staff)).await;
    assert_eq!(s, 200, "{m}");
    assert_eq!(
        (m["name"].as_str(), m["business_name"].as_str()),
        (Some("孙丽"), Some("丽丽鲜花店"))
    );
    let (s, v) = step(&app, &w.staff, &id, "enter", json!({})).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (409, Some("registration_done")),
        "{v}"
    );
    let (_, found) = send(app.get(
        &format!("/api/v1/members?id_number={idn}"),
        &w.c.admin_token,
    ))
    .await;
    assert_eq!(found["items"].as_array().map(Vec::len), Some(1), "{found}");
    // Once in the register, the person cannot be registered again.
    let (s, v) = send(app.post(
        "/api/v1/registrations",
        &w.staff,
        &json!({ "survey": survey(&w, &idn) }),
    ))
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (409, Some("already_registered")),
        "{v}"
    );

    // The member's time line has every step.
    let (_, tl) = send(app.get(&format!("/api/v1/members/{member}/timeline"), &w.staff)).await;
    let kinds: Vec<&str> = tl
        .as_array()
        .expect("timeline")
        .iter()
        .filter(|e| e["source"] == "registration")
        .filter_map(|e| e["kind"].as_str())
        .collect();
    for k in ["surveyed", "confirmed", "pledged", "issued", "entered"] {
        assert!(kinds.contains(&k), "{k} in {kinds:?}");
    }
}

#[tokio::test]
async fn a_closed_registration_stops_and_other_centres_and_counties_see_nothing() {
    let app = spawn_app().await;
    let w = world(&app, "330523").await;
    let x = world(&app, "330522").await;
    let idn = id_number("330523", "19900101", "051");
    let (s, r) = send(app.post(
        "/api/v1/registrations",
        &w.staff,
        &json!({ "survey": survey(&w, &idn) }),
    ))
    .await;
    assert_eq!(s, 201, "{r}");
    let id = r["id"].as_str().expect("id").to_owned();
    let (_, before) = send(app.get(&format!("/api/v1/registrations/{id}"), &w.staff)).await;

    for tok in [&w.other_staff, &x.staff, &x.director, &x.c.admin_token] {
        let (s, _) = send(app.get(&format!("/api/v1/registrations/{id}"), tok)).await;
        assert_eq!(s, 404);
        let (_, list) = send(app.get("/api/v1/registrations", tok)).await;
        assert!(!list.to_string().contains(&id), "{list}");
    }
    for tok in [&w.other_staff, &x.staff, &x.director] {
        for (what, body) in [
            ("calls", json!({ "whom": "越界", "outcome": "confirmed" })),
            ("pledge", json!({ "reference": "越界" })),
            ("issue", json!({ "plaque_no": "P", "handbook_no": "H" })),
            ("enter", json!({})),
            ("close", json!({ "reason": "越界" })),
        ] {
            let (s, v) =
                send(app.post(&format!("/api/v1/registrations/{id}/{what}"), tok, &body)).await;
            assert_eq!(s, 404, "{what}: {v}");
        }
        let (s, v) = send(app.post(
            "/api/v1/registrations",
            tok,
            &json!({ "centre_id": w.centre, "survey": survey(&w, &id_number("330523", "19900101", "069")) }),
        ))
        .await;
        assert_eq!((s, fields(&v)), (422, vec!["centre_id".into()]), "{v}");
    }
    let (_, after) = send(app.get(&format!("/api/v1/registrations/{id}"), &w.staff)).await;
    assert_eq!(before, after);

    let (s, v) = step(&app, &w.staff, &id, "close", json!({ "reason": " " })).await;
    assert_eq!((s, fields(&v)), (422, vec!["reason".into()]), "{v}");
    let (s, v) = step(
        &app,
        &w.staff,
        &id,
        "close",
        json!({ "reason": "组织关系所在地查无此人" }),
    )
    .await;
    assert_eq!(
        (s, v["state"].as_str(), v["stalled"].as_str()),
        (200, Some("closed"), None),
        "{v}"
    );
    let (s, v) = step(
        &app,
        &w.staff,
        &id,
        "calls",
        json!({ "whom": "某人", "outcome": "confirmed" }),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (409, Some("registration_done")),
        "{v}"
    );
    assert!(stalled(&app, &w.staff).await.is_empty());
}
