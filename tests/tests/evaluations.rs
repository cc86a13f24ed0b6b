//! Branch standardisation grading (seed 003, issue 16 item 4) on the county's versioned rubric:
//! the data proposes deductions with their evidence, a branch assesses itself, the association
//! committee assesses and the county ranks; a rubric's new version leaves earlier results on
//! theirs; other scopes and counties see and change nothing.

use chrono::Datelike;
use reqwest::RequestBuilder;
use serde_json::{Value, json};
use shuanglian_tests::{CentreWorld, TestApp, fields, send, send_tagged, spawn_app};

fn put(app: &TestApp, path: &str, token: &str, body: &Value, tag: Option<&str>) -> RequestBuilder {
    let r = app.client.put(app.url(path)).bearer_auth(token).json(body);
    match tag {
        Some(t) => r.header("If-Match", t),
        None => r,
    }
}

fn past_year() -> i32 {
    shuanglian::clock::today().year() - 1
}

fn path(unit: &str, year: i32) -> String {
    format!("/api/v1/evaluations/branches/{unit}/{year}")
}

fn finding(rule: &str, points: f64) -> Value {
    json!({ "rule": rule, "points": points, "evidence": "检查记录" })
}

async fn assess(app: &TestApp, w: &CentreWorld, unit: &str, year: i32, body: Value) -> Value {
    let (_, cur, tag) = send_tagged(app.get(&path(unit, year), &w.committee)).await;
    let tag = (cur["version"].as_i64() != Some(0)).then_some(tag);
    let (s, v) = send(put(
        app,
        &format!("{}/assessment", path(unit, year)),
        &w.committee,
        &body,
        tag.as_deref(),
    ))
    .await;
    assert_eq!(s, 200, "{v}");
    v
}

#[tokio::test]
async fn a_branch_is_proposed_assessed_graded_and_ranked() {
    let app = spawn_app().await;
    let w = app.centre_world("331101", "考评县").await;
    let y = past_year();

    // The seeded rubric: seven categories, 100 points, three outright conditions.
    let (s, r) = send(app.get("/api/v1/evaluations/rubrics", &w.staff)).await;
    assert_eq!(s, 200, "{r}");
    let rubric = &r["items"][0];
    assert_eq!(
        (
            rubric["code"].as_str(),
            rubric["version"].as_i64(),
            rubric["max"].as_f64()
        ),
        (Some("branch_standardisation"), Some(1), Some(100.0))
    );
    assert_eq!(rubric["categories"].as_array().map(Vec::len), Some(7));
    assert_eq!(rubric["seeded"], true);

    // The centre recorded no activity and registered nobody: the data proposes −2, −2 and
    // 较差 outright; the party branch (no activities kept for it) only the registration.
    let (s, c) = send(app.get(&path(&w.centre, y), &w.director)).await;
    assert_eq!(s, 200, "{c}");
    let rules: Vec<&str> = c["proposals"]["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    assert_eq!(
        rules,
        ["ideas.few_activities", "performance.no_registration"]
    );
    assert_eq!(
        c["proposals"]["conditions"][0]["code"],
        "no_activity_last_year"
    );
    assert!(
        c["proposals"]["findings"][0]["evidence"]
            .as_str()
            .is_some_and(|e| e.contains("无已记录出勤的活动"))
    );
    assert_eq!(
        (c["may_self_assess"].as_bool(), c["may_assess"].as_bool()),
        (Some(true), Some(false))
    );
    assert_eq!(c["version"], 0);
    let (_, p) = send(app.get(&path(&w.party_branch, y), &w.director)).await;
    assert_eq!(p["proposals"]["findings"].as_array().map(Vec::len), Some(1));
    assert!(
        p["proposals"]["conditions"]
            .as_array()
            .is_some_and(Vec::is_empty)
    );

    // The director assesses the centre: 2 off for few activities.
    let (s, v, tag) = send_tagged(put(
        &app,
        &format!("{}/self", path(&w.centre, y)),
        &w.director,
        &json!({ "findings": [finding("ideas.few_activities", 2.0)], "note": "全年活动偏少" }),
        None,
    ))
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["state"], "self_assessed");
    assert_eq!(v["self_assessment"]["total"], 98.0);
    assert_eq!(v["self_assessment"]["grade"], "好");
    assert_eq!(v["rubric_version"], 1);
    // A second save needs If-Match, and the current one.
    let again = json!({ "findings": [] });
    let (s, _) = send(put(
        &app,
        &format!("{}/self", path(&w.centre, y)),
        &w.director,
        &again,
        None,
    ))
    .await;
    assert_eq!(s, 428);
    let (s, _) = send(put(
        &app,
        &format!("{}/self", path(&w.centre, y)),
        &w.director,
        &again,
        Some("\"v9\""),
    ))
    .await;
    assert_eq!(s, 412);
    let (s, v) = send(put(
        &app,
        &format!("{}/self", path(&w.centre, y)),
        &w.director,
        &again,
        Some(&tag),
    ))
    .await;
    assert_eq!(
        (s, v["self_assessment"]["total"].as_f64()),
        (200, Some(100.0))
    );

    // Points outside a rule's bounds, an unknown rule, a once-only rule twice: named fields.
    for (body, field, code) in [
        (
            json!({ "findings": [finding("ideas.few_activities", 3.0)] }),
            "findings[0].points",
            "out_of_bounds",
        ),
        (
            json!({ "findings": [finding("ideas.unknown", 1.0)] }),
            "findings[0].rule",
            "unknown_rule",
        ),
        (
            json!({ "findings": [finding("leader.recruitment", 1.25)] }),
            "findings[0].points",
            "invalid_points",
        ),
        (
            json!({ "findings": [{ "rule": "ideas.role", "points": 2, "count": 2 }] }),
            "findings[0].count",
            "invalid_count",
        ),
        (
            json!({ "conditions": [{ "code": "no_such" }] }),
            "conditions[0].code",
            "unknown_condition",
        ),
    ] {
        let (s, e) = send(put(
            &app,
            &format!("{}/assessment", path(&w.party_branch, y)),
            &w.committee,
            &body,
            None,
        ))
        .await;
        assert_eq!(s, 422, "{e}");
        assert_eq!(fields(&e), [field], "{e}");
        assert_eq!(e["errors"][0]["code"], code, "{e}");
        assert!(
            e["errors"][0]["message"]
                .as_str()
                .is_some_and(|m| m.starts_with(field)),
            "{e}"
        );
    }

    // The committee grades all four. The centre: 96 points, but no activity all year makes it
    // 较差 outright. The party branch: 89.5, 较好. The other party branch: no venue takes the
    // category's 10 and no more (the facilities' 3 on top stop at zero): 90, 好. The other
    // centre: 59.5, 较差 by its points.
    let v = assess(&app, &w, &w.centre, y, json!({
        "findings": [finding("ideas.few_activities", 2.0), finding("performance.no_registration", 2.0)],
        "conditions": [{ "code": "no_activity_last_year", "evidence": "活动台账" }],
    })).await;
    assert_eq!(
        (
            v["assessment"]["total"].as_f64(),
            v["assessment"]["grade"].as_str()
        ),
        (Some(96.0), Some("较差"))
    );
    assert_eq!(v["assessment"]["outright"], "no_activity_last_year");
    let v = assess(&app, &w, &w.party_branch, y, json!({
        "findings": [finding("ideas.few_activities", 2.0), { "rule": "performance.late_reply", "points": 0.5, "count": 3 },
                     finding("performance.no_registration", 1.0), finding("mass.survey", 6.0)],
    })).await;
    assert_eq!(
        (
            v["assessment"]["total"].as_f64(),
            v["assessment"]["grade"].as_str()
        ),
        (Some(89.5), Some("较好"))
    );
    let v = assess(
        &app,
        &w,
        &w.other_party_branch,
        y,
        json!({
            "findings": [finding("venue.none", 10.0), finding("venue.facilities", 3.0)],
        }),
    )
    .await;
    assert_eq!(
        (
            v["assessment"]["total"].as_f64(),
            v["assessment"]["grade"].as_str()
        ),
        (Some(90.0), Some("好"))
    );
    let venue = v["assessment"]["categories"]
        .as_array()
        .expect("categories")
        .iter()
        .find(|c| c["code"] == "venue")
        .cloned()
        .expect("venue");
    assert_eq!(
        (venue["deducted"].as_f64(), venue["score"].as_f64()),
        (Some(13.0), Some(0.0))
    );
    let v = assess(
        &app,
        &w,
        &w.other_centre,
        y,
        json!({
            "findings": [finding("leader.none", 15.0), finding("mass.survey", 25.0),
                         { "rule": "performance.late_reply", "points": 0.5, "count": 1 }],
        }),
    )
    .await;
    assert_eq!(
        (
            v["assessment"]["total"].as_f64(),
            v["assessment"]["grade"].as_str()
        ),
        (Some(59.5), Some("较差"))
    );
    assert!(v["assessment"]["outright"].is_null());

    // The ranking: 好 first, the outright 较差 last whatever its points.
    let (s, l) = send(app.get(
        &format!("/api/v1/evaluations/branches?year={y}"),
        &w.committee,
    ))
    .await;
    assert_eq!(s, 200, "{l}");
    let order: Vec<(&str, u64)> = l["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| Some((i["unit_id"].as_str()?, i["rank"].as_u64()?)))
        .collect();
    assert_eq!(order[0], (w.other_party_branch.as_str(), 1));
    assert_eq!(order[1], (w.party_branch.as_str(), 2));
    assert_eq!(order[3], (w.centre.as_str(), 4));
    assert_eq!(
        (l["subjects"].as_u64(), l["assessed"].as_u64()),
        (Some(4), Some(4))
    );

    // Assessed: the self-assessment is closed.
    let (_, cur, tag) = send_tagged(app.get(&path(&w.centre, y), &w.director)).await;
    assert_eq!(cur["rank"], 4);
    let (s, e) = send(put(
        &app,
        &format!("{}/self", path(&w.centre, y)),
        &w.director,
        &again,
        Some(&tag),
    ))
    .await;
    assert_eq!((s, e["code"].as_str()), (409, Some("already_assessed")));

    // Printable, for the committee and for a branch.
    let r = app
        .get(
            &format!("/api/v1/evaluations/branches/report.html?year={y}"),
            &w.committee,
        )
        .send()
        .await
        .expect("html");
    assert_eq!(r.status(), 200);
    let html = r.text().await.expect("text");
    assert!(
        html.contains("规范化建设考评定级结果")
            && html.contains("孝丰分会支部")
            && html.contains("较差（直接定级）"),
        "{html}"
    );
    let r = app
        .get(
            &format!("/api/v1/evaluations/branches/report.xlsx?year={y}"),
            &w.committee,
        )
        .send()
        .await
        .expect("xlsx");
    assert_eq!(r.status(), 200);
    assert!(r.bytes().await.expect("bytes").starts_with(b"PK"));
}

#[tokio::test]
async fn a_new_rubric_version_leaves_earlier_results_on_theirs() {
    let app = spawn_app().await;
    let w = app.centre_world("331102", "版本县").await;
    let (older, y) = (past_year() - 1, past_year());
    let deduct = json!({ "findings": [finding("mass.survey", 15.0)] });
    let v = assess(&app, &w, &w.party_branch, older, deduct.clone()).await;
    assert_eq!(
        (
            v["assessment"]["total"].as_f64(),
            v["assessment"]["grade"].as_str()
        ),
        (Some(85.0), Some("较好"))
    );

    // The county admin lowers 好 to 80. Only the admin may, and a broken rubric is named.
    let (_, r) = send(app.get(
        "/api/v1/evaluations/rubrics/branch_standardisation/versions/1",
        &w.staff,
    ))
    .await;
    let mut next = json!({ "name": r["name"], "categories": r["categories"], "conditions": r["conditions"],
        "bands": [{ "grade": "好", "min": 80 }, { "grade": "一般", "min": 60 }, { "grade": "较差", "min": 0 }] });
    let url = "/api/v1/evaluations/rubrics/branch_standardisation/versions";
    let (s, e) = send(app.post(url, &w.committee, &next)).await;
    assert_eq!((s, e["code"].as_str()), (403, Some("county_admin_only")));
    let mut broken = next.clone();
    broken["bands"][2]["min"] = json!(10);
    broken["categories"][0]["rules"][1]["max"] = json!(16);
    let (s, e) = send(app.post(url, &w.c.admin_token, &broken)).await;
    assert_eq!(s, 422, "{e}");
    assert_eq!(fields(&e), ["categories[0].rules[1]"], "{e}");
    next["name"] = json!("规范化建设考评定级（2026年修订）");
    let (s, v) = send(app.post(url, &w.c.admin_token, &next)).await;
    assert_eq!(
        (s, v["version"].as_i64(), v["seeded"].as_bool()),
        (201, Some(2), Some(false)),
        "{v}"
    );
    let (s, _) = send(app.post(
        "/api/v1/evaluations/rubrics/no_such/versions",
        &w.c.admin_token,
        &next,
    ))
    .await;
    assert_eq!(s, 404);

    // The older year keeps version 1 and its grade, even when the committee revises it; the
    // next year is scored on version 2.
    let v = assess(&app, &w, &w.party_branch, older, deduct.clone()).await;
    assert_eq!(
        (
            v["rubric_version"].as_i64(),
            v["assessment"]["grade"].as_str()
        ),
        (Some(1), Some("较好"))
    );
    let v = assess(&app, &w, &w.party_branch, y, deduct).await;
    assert_eq!(
        (
            v["rubric_version"].as_i64(),
            v["assessment"]["grade"].as_str()
        ),
        (Some(2), Some("好"))
    );
    let (_, l) = send(app.get("/api/v1/evaluations/rubrics", &w.staff)).await;
    let versions: Vec<i64> = l["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["version"].as_i64())
        .collect();
    assert_eq!(versions, [2, 1]);
}

#[tokio::test]
async fn other_scopes_and_counties_see_and_change_nothing() {
    let app = spawn_app().await;
    let w = app.centre_world("331103", "范围县").await;
    let o = app.centre_world("331104", "邻县").await;
    let y = past_year();
    let body = json!({ "findings": [finding("ideas.no_plan", 3.0)] });
    assess(&app, &w, &w.centre, y, body.clone()).await;
    let (_, before, tag) = send_tagged(app.get(&path(&w.centre, y), &w.committee)).await;

    // Reads: the other centre's staff, a village recorder and another county get 404.
    for t in [
        &w.other_staff,
        &w.village_recorder,
        &o.committee,
        &o.c.admin_token,
    ] {
        let (s, _) = send(app.get(&path(&w.centre, y), t)).await;
        assert_eq!(s, 404);
    }
    // The list shows a scoped user the units of its scope (a centre's staff: its branch's),
    // with their county-wide place.
    let (_, l) = send(app.get(
        &format!("/api/v1/evaluations/branches?year={y}"),
        &w.other_staff,
    ))
    .await;
    let units: Vec<&str> = l["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["unit_id"].as_str())
        .collect();
    assert_eq!(
        units,
        [w.other_party_branch.as_str(), w.other_centre.as_str()]
    );
    assert_eq!(l["assessed"], 1);
    let (_, l) = send(app.get(
        &format!("/api/v1/evaluations/branches?year={y}"),
        &o.committee,
    ))
    .await;
    assert!(
        l["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|i| i["unit_id"] != w.centre.as_str())
    );
    assert_eq!(l["assessed"], 0);

    // Writes: the wrong role is refused before anything is read; another scope or county
    // answers as a unit that does not exist; the row is unchanged.
    let self_url = format!("{}/self", path(&w.centre, y));
    let assess_url = format!("{}/assessment", path(&w.centre, y));
    for (url, token, status, code) in [
        (&self_url, &w.other_staff, 404, "not_found"),
        (&self_url, &w.village_recorder, 403, "subject_staff_only"),
        (&self_url, &w.committee, 403, "subject_staff_only"),
        (&self_url, &o.director, 404, "not_found"),
        (&assess_url, &w.director, 403, "committee_only"),
        (&assess_url, &w.c.admin_token, 403, "committee_only"),
        (&assess_url, &o.committee, 404, "not_found"),
    ] {
        let (s, e) = send(put(
            &app,
            url,
            token,
            &json!({ "findings": [] }),
            Some(&tag),
        ))
        .await;
        assert_eq!((s, e["code"].as_str()), (status, Some(code)), "{url}");
    }
    let (_, after) = send(app.get(&path(&w.centre, y), &w.committee)).await;
    assert_eq!(before, after);
    // Not a subject, a year out of range.
    let (s, _) = send(app.get(&path(&w.village, y), &w.committee)).await;
    assert_eq!(s, 404);
    let (s, _) = send(app.get(&path(&w.centre, y + 2), &w.committee)).await;
    assert_eq!(s, 404);
    let (s, e) = send(app.get("/api/v1/evaluations/branches?year=1999", &w.committee)).await;
    assert_eq!((s, fields(&e)), (422, vec!["year".to_owned()]));
}
