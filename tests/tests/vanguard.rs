//! The vanguard index (党员先锋指数, seed 001; issue 16 item 2) end to end: the list drawn from
//! the register with the excluded and why (six months away is evaluated, a day more is not),
//! self, peer and organisation evaluation, a one-vote veto with its evidence, the public
//! notice with objections, final stars on each member's record and the deadlines met,
//! outstanding members only from 4–5 stars, talks and mentors for 1–2 stars tracked to the
//! end, the printable report; other scopes and counties see and change nothing.

use chrono::{Datelike, Days, Months};
use diesel::prelude::*;
use reqwest::RequestBuilder;
use serde_json::{Value, json};
use shuanglian::db::Mode;
use shuanglian_tests::{CentreWorld, TestApp, fields, send, send_tagged, spawn_app};

fn put(app: &TestApp, path: &str, token: &str, body: &Value, tag: &str) -> RequestBuilder {
    app.client
        .put(app.url(path))
        .bearer_auth(token)
        .header("If-Match", tag)
        .json(body)
}

/// Records a step on a member's entry at its current version.
async fn step(
    app: &TestApp,
    token: &str,
    member: &str,
    year: i32,
    what: &str,
    body: Value,
) -> (u16, Value) {
    let base = format!("/api/v1/members/{member}/vanguard/{year}");
    let (_, _, tag) = send_tagged(app.get(&base, token)).await;
    send(put(app, &format!("{base}/{what}"), token, &body, &tag)).await
}

async fn campaign_step(
    app: &TestApp,
    w: &CentreWorld,
    year: i32,
    what: &str,
    body: Value,
) -> (u16, Value) {
    let (_, _, tag) = send_tagged(app.get(
        &format!("/api/v1/evaluations/vanguard/{year}"),
        &w.committee,
    ))
    .await;
    send(
        app.post(
            &format!("/api/v1/evaluations/vanguard/{year}/{what}"),
            &w.committee,
            &body,
        )
        .header("If-Match", tag),
    )
    .await
}

/// Runs `sql` in county `code` (test setup that only time could otherwise bring).
async fn in_county(app: &TestApp, code: &'static str, sql: String) {
    app.state
        .db
        .platform(Mode::Write, move |tx| {
            let t = shuanglian::tenancy::repo::by_code(tx, code)?.expect("county");
            let mut ttx = tx.enter_tenant(t.tenant_id())?;
            diesel::sql_query(sql).execute(ttx.conn())?;
            Ok(())
        })
        .await
        .expect("sql");
}

/// The notice posted on the board last week: its last day was yesterday.
async fn notice_ended(app: &TestApp, code: &'static str, year: i32) {
    let today = shuanglian::clock::today();
    let (from, until) = (today - Days::new(7), today - Days::new(1));
    let sql = format!(
        "UPDATE vanguard_campaigns SET notice_from = '{from}', notice_until = '{until}' WHERE year = {year}"
    );
    in_county(app, code, sql).await;
}

struct Members {
    evaluated: String,
    three: String,
    revised: String,
    vetoed: String,
    probationary: String,
    six_months: String,
    six_months_and_a_day: String,
}

async fn members(app: &TestApp, w: &CentreWorld) -> Members {
    let today = shuanglian::clock::today();
    let six = today.checked_sub_months(Months::new(6)).expect("date");
    let m = |name: &str, extra: Value| {
        let mut b = json!({ "name": name, "is_owner": true, "business_name": format!("{name}商行"),
            "org_life_unit_id": w.party_branch, "membership_unit_id": w.party_branch,
            "membership_status": "full", "distribution": "individual_business" });
        for (k, v) in extra.as_object().expect("extra") {
            b[k] = v.clone();
        }
        b
    };
    let tok = &w.c.admin_token;
    let floating = |since: chrono::NaiveDate| json!({ "membership_unit_id": null, "membership_org_name": "宿松县复兴镇党委", "away_since": since });
    let out = Members {
        evaluated: app.member(tok, &m("先锋甲", json!({}))).await,
        three: app.member(tok, &m("先锋丙", json!({}))).await,
        revised: app.member(tok, &m("先锋辛", json!({}))).await,
        vetoed: app.member(tok, &m("先锋庚", json!({}))).await,
        probationary: app
            .member(
                tok,
                &m(
                    "先锋乙",
                    json!({ "membership_status": "probationary", "joined_party_on": "2026-01-05" }),
                ),
            )
            .await,
        six_months: app.member(tok, &m("先锋丁", floating(six))).await,
        six_months_and_a_day: app
            .member(tok, &m("先锋戊", floating(six - Days::new(1))))
            .await,
    };
    // Not covered: a local member (the village evaluates them), and a suspended business.
    app.member(
        tok,
        &m("先锋己", json!({ "membership_unit_id": w.village })),
    )
    .await;
    app.member(tok, &m("先锋壬", json!({ "business_status": "suspended" })))
        .await;
    out
}

#[tokio::test]
async fn a_vanguard_campaign_runs_from_the_register_to_the_report() {
    let app = spawn_app().await;
    let w = app.centre_world("331201", "先锋县").await;
    let ms = members(&app, &w).await;
    let y = shuanglian::clock::today().year();
    // The county has kept its records here since January: the year's vanguard deadlines
    // (30 Nov, 10 Dec) are owed, whatever day the test runs.
    let sql = format!("UPDATE org_units SET created_at = '{y}-01-01 00:00:00'");
    in_county(&app, "331201", sql).await;
    let (s, _) = send(app.post("/api/v1/deadlines/run", &w.c.admin_token, &json!({}))).await;
    assert_eq!(s, 200);
    for kind in ["vanguard_evaluation", "vanguard_county_report"] {
        let (_, d) =
            send(app.get(&format!("/api/v1/deadlines?kind={kind}"), &w.c.admin_token)).await;
        assert_eq!(d["items"].as_array().map(Vec::len), Some(1), "{kind}: {d}");
    }

    // Only the committee opens it; the list comes from the register.
    let (s, e) = send(app.post("/api/v1/evaluations/vanguard", &w.director, &json!({}))).await;
    assert_eq!((s, e["code"].as_str()), (403, Some("committee_only")));
    let (s, e) = send(app.post(
        "/api/v1/evaluations/vanguard",
        &w.committee,
        &json!({ "notice_days": 31, "year": y + 1 }),
    ))
    .await;
    assert_eq!(s, 422);
    assert_eq!(fields(&e), ["year", "notice_days"]);
    let (s, c) = send(app.post(
        "/api/v1/evaluations/vanguard",
        &w.committee,
        &json!({ "notice_days": 5 }),
    ))
    .await;
    assert_eq!(s, 201, "{c}");
    let counts = &c["counts"];
    assert_eq!(
        (
            counts["listed"].as_u64(),
            counts["evaluated"].as_u64(),
            counts["excluded"].as_u64()
        ),
        (Some(8), Some(5), Some(3))
    );
    let (s, _) = send(app.post("/api/v1/evaluations/vanguard", &w.committee, &json!({}))).await;
    assert_eq!(s, 409);
    let (_, ex) = send(app.get(
        &format!("/api/v1/evaluations/vanguard/{y}/entries?show=excluded"),
        &w.director,
    ))
    .await;
    let reasons: Vec<(String, String)> = ex["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| {
            (
                i["member_id"].as_str().unwrap_or("").to_owned(),
                i["excluded"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    for (m, r) in [
        (&ms.probationary, "probationary"),
        (&ms.six_months_and_a_day, "away_over_six_months"),
    ] {
        assert!(
            reasons.contains(&(m.clone(), r.to_owned())),
            "{m} {r}: {reasons:?}"
        );
    }
    assert!(
        !reasons.iter().any(|(m, _)| m == &ms.six_months),
        "six months to the day is evaluated"
    );
    assert!(
        ex["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|i| i["excluded"] == "suspended" && i["excluded_label"] == "停歇业")
    );

    // An excluded member is not evaluated; a review needs the self and the peer evaluation.
    let (s, e) = step(
        &app,
        &w.director,
        &ms.probationary,
        y,
        "self",
        json!({ "stars": 4 }),
    )
    .await;
    assert_eq!((s, e["code"].as_str()), (409, Some("member_excluded")));
    let (s, e) = step(
        &app,
        &w.director,
        &ms.three,
        y,
        "review",
        json!({ "stars": 3 }),
    )
    .await;
    assert_eq!(
        (s, e["code"].as_str()),
        (409, Some("review_needs_self_and_peer"))
    );
    let (s, e) = step(
        &app,
        &w.director,
        &ms.three,
        y,
        "self",
        json!({ "stars": 6 }),
    )
    .await;
    assert_eq!((s, fields(&e)), (422, vec!["stars".to_owned()]));
    let (s, e) = step(
        &app,
        &w.director,
        &ms.three,
        y,
        "peer",
        json!({ "votes": [1, 2] }),
    )
    .await;
    assert_eq!((s, fields(&e)), (422, vec!["votes".to_owned()]));

    for (m, me, peers, review) in [
        (&ms.evaluated, 5, [0, 0, 0, 1, 3], 5),
        (&ms.three, 4, [0, 0, 2, 1, 0], 3),
        (&ms.revised, 3, [0, 1, 2, 0, 0], 3),
        (&ms.six_months, 4, [0, 0, 0, 2, 0], 4),
    ] {
        let (s, v) = step(
            &app,
            &w.director,
            m,
            y,
            "self",
            json!({ "stars": me, "summary": "诚信经营" }),
        )
        .await;
        assert_eq!(s, 200, "{v}");
        let (s, v) = step(&app, &w.director, m, y, "peer", json!({ "votes": peers })).await;
        assert_eq!(s, 200, "{v}");
        let (s, v) = step(
            &app,
            &w.committee,
            m,
            y,
            "review",
            json!({ "stars": review }),
        )
        .await;
        assert_eq!((s, v["review_stars"].as_i64()), (200, Some(review)), "{v}");
    }
    let (_, v) = send(app.get(
        &format!("/api/v1/members/{}/vanguard/{y}", ms.evaluated),
        &w.director,
    ))
    .await;
    assert_eq!(
        (v["peer"]["raters"].as_u64(), v["peer"]["mean"].as_f64()),
        (Some(4), Some(4.8)),
        "{v}"
    );

    // The notice waits for every evaluated member: one is still pending, then vetoed.
    let (s, e) = campaign_step(&app, &w, y, "notice", json!({})).await;
    assert_eq!((s, e["code"].as_str()), (409, Some("entries_not_reviewed")));
    let (s, e) = step(
        &app,
        &w.director,
        &ms.vetoed,
        y,
        "veto",
        json!({ "kind": "discipline", "evidence": "" }),
    )
    .await;
    assert_eq!((s, fields(&e)), (422, vec!["evidence".to_owned()]));
    let (s, v) = step(
        &app,
        &w.director,
        &ms.vetoed,
        y,
        "veto",
        json!({ "kind": "discipline", "evidence": "安纪处〔2026〕3号" }),
    )
    .await;
    assert_eq!(
        (s, v["veto_label"].as_str(), v["veto_evidence"].as_str()),
        (200, Some("违纪正在处分期内"), Some("安纪处〔2026〕3号"))
    );
    assert!(v["veto_by_name"].as_str().is_some_and(|n| !n.is_empty()));
    let (s, c) = campaign_step(&app, &w, y, "notice", json!({})).await;
    assert_eq!((s, c["state"].as_str()), (200, Some("notice")), "{c}");
    let today = shuanglian::clock::today();
    assert_eq!(c["notice_until"], json!((today + Days::new(4)).to_string()));
    let (s, e) = step(
        &app,
        &w.director,
        &ms.evaluated,
        y,
        "review",
        json!({ "stars": 4 }),
    )
    .await;
    assert_eq!((s, e["code"].as_str()), (409, Some("campaign_not_open")));

    // Objections during the notice: one upheld (3 → 2 stars), one answered as it stands.
    let url = format!("/api/v1/evaluations/vanguard/{y}/objections");
    let (s, e) = send(app.post(
        &url,
        &w.director,
        &json!({ "member_id": ms.revised, "content": "x" }),
    ))
    .await;
    assert_eq!((s, e["code"].as_str()), (403, Some("committee_only")));
    let (s, e) = send(app.post(
        &url,
        &w.committee,
        &json!({ "member_id": ms.probationary, "content": "不应参评" }),
    ))
    .await;
    assert_eq!((s, fields(&e)), (422, vec!["member_id".to_owned()]));
    let (s, upheld) = send(app.post(
        &url,
        &w.committee,
        &json!({ "member_id": ms.revised, "content": "群众反映该户有欺客行为" }),
    ))
    .await;
    assert_eq!(s, 201, "{upheld}");
    let (_, kept) = send(app.post(
        &url,
        &w.committee,
        &json!({ "member_id": ms.three, "content": "评价偏低" }),
    ))
    .await;
    let answer = |id: &Value| {
        format!(
            "/api/v1/evaluations/vanguard/objections/{}/answer",
            id.as_str().expect("id")
        )
    };
    let (s, v) = send(app.post(
        &answer(&upheld["id"]),
        &w.committee,
        &json!({ "answer": "经核实属实，调整为二星", "revised_stars": 2 }),
    ))
    .await;
    assert_eq!((s, v["revised_stars"].as_i64()), (200, Some(2)), "{v}");
    let (s, e) = send(app.post(
        &answer(&upheld["id"]),
        &w.committee,
        &json!({ "answer": "再答" }),
    ))
    .await;
    assert_eq!((s, e["code"].as_str()), (409, Some("objection_answered")));
    let (s, e) = campaign_step(&app, &w, y, "finalise", json!({})).await;
    assert_eq!((s, e["code"].as_str()), (409, Some("notice_not_over")));
    notice_ended(&app, "331201", y).await;
    let (s, e) = campaign_step(&app, &w, y, "finalise", json!({})).await;
    assert_eq!(
        (s, e["code"].as_str()),
        (409, Some("objections_unanswered"))
    );
    send(app.post(
        &answer(&kept["id"]),
        &w.committee,
        &json!({ "answer": "经复核维持三星" }),
    ))
    .await;
    let (s, c) = campaign_step(&app, &w, y, "finalise", json!({})).await;
    assert_eq!((s, c["state"].as_str()), (200, Some("final")), "{c}");
    let stars = &c["counts"]["final_stars"];
    assert_eq!(stars, &json!([0, 1, 1, 1, 1]), "{c}");
    assert_eq!(
        (
            c["counts"]["vetoed"].as_u64(),
            c["counts"]["recommended"].as_u64(),
            c["counts"]["needs_help"].as_u64()
        ),
        (Some(1), Some(2), Some(1))
    );

    // The stars are each member's record; the vetoed member's record says so.
    let (_, r) = send(app.get(
        &format!("/api/v1/members/{}/records", ms.evaluated),
        &w.committee,
    ))
    .await;
    let rec = r["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["item_code"] == "A04")
        .cloned()
        .expect("record");
    assert_eq!(
        (rec["score"].as_i64(), rec["content"].as_str()),
        (
            Some(5),
            Some(format!("{y}年度党员先锋指数考评为5星").as_str())
        )
    );
    let (_, r) = send(app.get(
        &format!("/api/v1/members/{}/records", ms.vetoed),
        &w.committee,
    ))
    .await;
    assert!(r["items"].as_array().expect("items").iter().any(|i| {
        i["item_code"] == "A04"
            && i["content"]
                .as_str()
                .is_some_and(|c| c.contains("一票否决"))
    }));

    // Outstanding members only from 4–5 stars; the committee chooses them.
    let (s, e) = step(
        &app,
        &w.committee,
        &ms.three,
        y,
        "outstanding",
        json!({ "outstanding": true }),
    )
    .await;
    assert_eq!(
        (s, e["code"].as_str()),
        (409, Some("outstanding_needs_four_stars"))
    );
    let (s, e) = step(
        &app,
        &w.director,
        &ms.evaluated,
        y,
        "outstanding",
        json!({ "outstanding": true }),
    )
    .await;
    assert_eq!((s, e["code"].as_str()), (403, Some("committee_only")));
    let (s, v) = step(
        &app,
        &w.committee,
        &ms.evaluated,
        y,
        "outstanding",
        json!({ "outstanding": true }),
    )
    .await;
    assert_eq!(
        (s, v["outstanding"].as_bool(), v["recommended"].as_bool()),
        (200, Some(true), Some(true))
    );

    // 1–2 stars: a talk and a mentor, tracked to completion.
    let (s, e) = step(
        &app,
        &w.director,
        &ms.evaluated,
        y,
        "help",
        json!({ "talk_on": today }),
    )
    .await;
    assert_eq!((s, e["code"].as_str()), (409, Some("help_not_needed")));
    let (s, e) = step(
        &app,
        &w.director,
        &ms.revised,
        y,
        "help",
        json!({ "talk_on": today, "done_on": today }),
    )
    .await;
    assert_eq!((s, fields(&e)), (422, vec!["done_on".to_owned()]));
    let (s, v) = step(
        &app,
        &w.director,
        &ms.revised,
        y,
        "help",
        json!({ "talk_on": today, "mentor": "王书记", "done_on": today }),
    )
    .await;
    assert_eq!(
        (s, v["needs_help"].as_bool(), v["mentor"].as_str()),
        (200, Some(true), Some("王书记")),
        "{v}"
    );
    let (_, l) = send(app.get(
        &format!("/api/v1/evaluations/vanguard/{y}/entries?show=needs_help"),
        &w.director,
    ))
    .await;
    assert_eq!(l["items"].as_array().map(Vec::len), Some(1));

    // The report: counts only, no member named; sending it meets the report deadline too.
    let r = app
        .get(
            &format!("/api/v1/evaluations/vanguard/{y}/report.html"),
            &w.committee,
        )
        .send()
        .await
        .expect("html");
    let html = r.text().await.expect("text");
    assert!(
        html.contains("党员先锋指数考评情况") && html.contains("递铺分会第一支部"),
        "{html}"
    );
    assert!(
        !html.contains("先锋甲") && !html.contains("先锋辛"),
        "the report names no member"
    );
    let (s, c) = campaign_step(&app, &w, y, "report", json!({})).await;
    assert_eq!((s, c["state"].as_str()), (200, Some("reported")), "{c}");
    for kind in ["vanguard_evaluation", "vanguard_county_report"] {
        let (_, d) = send(app.get(
            &format!("/api/v1/deadlines?kind={kind}&state=done"),
            &w.c.admin_token,
        ))
        .await;
        assert_eq!(d["items"].as_array().map(Vec::len), Some(1), "{kind}: {d}");
    }
}

#[tokio::test]
async fn other_scopes_and_counties_see_and_change_nothing() {
    let app = spawn_app().await;
    let w = app.centre_world("331202", "范围县").await;
    let o = app.centre_world("331203", "邻县").await;
    let ms = members(&app, &w).await;
    let y = shuanglian::clock::today().year();
    let (s, _) = send(app.post("/api/v1/evaluations/vanguard", &w.committee, &json!({}))).await;
    assert_eq!(s, 201);
    let base = format!("/api/v1/members/{}/vanguard/{y}", ms.evaluated);
    let (_, before, tag) = send_tagged(app.get(&base, &w.committee)).await;
    // Reads: another branch's staff and another county get 404.
    for t in [&w.other_staff, &o.committee, &o.c.admin_token] {
        let (s, _) = send(app.get(&base, t)).await;
        assert_eq!(s, 404);
    }
    let (_, l) = send(app.get(
        &format!("/api/v1/evaluations/vanguard/{y}/entries"),
        &w.other_staff,
    ))
    .await;
    assert!(l["items"].as_array().is_some_and(Vec::is_empty), "{l}");
    let (s, _) = send(app.get(&format!("/api/v1/evaluations/vanguard/{y}"), &o.committee)).await;
    assert_eq!(s, 404);
    // Writes: refused alike, the entry unchanged.
    for (what, token, status, code) in [
        ("self", &w.other_staff, 404, "not_found"),
        ("self", &w.village_recorder, 403, "vanguard_evaluators_only"),
        ("self", &w.c.admin_token, 403, "vanguard_evaluators_only"),
        ("review", &o.committee, 404, "not_found"),
        ("veto", &o.director, 404, "not_found"),
    ] {
        let body = match what {
            "veto" => json!({ "kind": "discipline", "evidence": "越界" }),
            _ => json!({ "stars": 1 }),
        };
        let (s, e) = send(put(&app, &format!("{base}/{what}"), token, &body, &tag)).await;
        assert_eq!((s, e["code"].as_str()), (status, Some(code)), "{what}");
    }
    let (s, e) = send(app.post("/api/v1/evaluations/vanguard", &o.committee, &json!({}))).await;
    assert_eq!(s, 201, "{e}");
    let (s, e) = send(app.post(
        &format!("/api/v1/evaluations/vanguard/{y}/objections"),
        &o.committee,
        &json!({ "member_id": ms.evaluated, "content": "越界" }),
    ))
    .await;
    assert_eq!((s, fields(&e)), (422, vec!["member_id".to_owned()]));
    let (_, after) = send(app.get(&base, &w.committee)).await;
    assert_eq!(before, after);
}
