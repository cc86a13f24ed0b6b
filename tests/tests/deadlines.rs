//! The deadline engine through the API: the county's calendar and rules, the daily job's
//! periodic obligations, the dashboard's scopes and boundaries, marking county-level items done.

use chrono::{Datelike, Duration, FixedOffset, NaiveDate, Utc};
use reqwest::RequestBuilder;
use serde_json::{Value, json};
use shuanglian_tests::{County, TestApp, problem, send, spawn_app};

fn put(app: &TestApp, path: &str, tok: &str, body: &Value) -> RequestBuilder {
    app.client.put(app.url(path)).bearer_auth(tok).json(body)
}

fn delete(app: &TestApp, path: &str, tok: &str) -> RequestBuilder {
    app.client.delete(app.url(path)).bearer_auth(tok)
}

fn today() -> NaiveDate {
    Utc::now()
        .with_timezone(&FixedOffset::east_opt(8 * 3600).expect("present"))
        .date_naive()
}

async fn working_days(app: &TestApp, tok: &str, from: &str, days: u32) -> String {
    let (s, v) = send(app.get(
        &format!("/api/v1/deadlines/working-days?from={from}&days={days}"),
        tok,
    ))
    .await;
    assert_eq!(s, 200, "{v}");
    v["due_on"].as_str().expect("due_on").to_owned()
}

fn kind<'a>(cal: &'a Value, k: &str) -> &'a Value {
    cal["deadlines"]
        .as_array()
        .expect("deadlines")
        .iter()
        .find(|d| d["kind"] == k)
        .unwrap_or_else(|| panic!("{k} in {cal}"))
}

fn due_dates(cal: &Value, k: &str) -> Vec<(String, String)> {
    kind(cal, k)["due"]
        .as_array()
        .expect("due")
        .iter()
        .map(|d| {
            (
                d["period"].as_str().expect("present").to_owned(),
                d["due_on"].as_str().expect("present").to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_calendar_knows_the_state_council_notices_and_the_county_may_change_it() {
    let app = spawn_app().await;
    let a = app.county("330523", "安吉县").await;
    let b = app.county("330522", "长兴县").await;
    let tok = &a.admin_token;

    let (s, cal) = send(app.get("/api/v1/deadlines/calendar?year=2026", tok)).await;
    assert_eq!(s, 200, "{cal}");
    assert_eq!(cal["holidays_known"], true);
    let days = cal["days"].as_array().expect("days");
    let holidays = days.iter().filter(|d| d["kind"] == "holiday").count();
    let workdays: Vec<&str> = days
        .iter()
        .filter(|d| d["kind"] == "workday")
        .map(|d| d["day"].as_str().expect("present"))
        .collect();
    assert_eq!(holidays, 33, "2026: 3+9+3+5+3+3+7 days off");
    assert_eq!(
        workdays,
        [
            "2026-01-04",
            "2026-02-14",
            "2026-02-28",
            "2026-05-09",
            "2026-09-20",
            "2026-10-10"
        ]
    );
    assert_eq!(
        due_dates(&cal, "quarterly_filing"),
        [
            ("2025Q4".to_owned(), "2026-01-10".to_owned()),
            ("2026Q1".to_owned(), "2026-04-10".to_owned()),
            ("2026Q2".to_owned(), "2026-07-10".to_owned()),
            ("2026Q3".to_owned(), "2026-10-10".to_owned()),
        ]
    );
    assert_eq!(
        due_dates(&cal, "semiannual_feedback"),
        [
            ("2025H2".to_owned(), "2026-01-15".to_owned()),
            ("2026H1".to_owned(), "2026-07-15".to_owned()),
        ]
    );
    assert_eq!(
        due_dates(&cal, "vanguard_county_report"),
        [("2026".to_owned(), "2026-12-10".to_owned())]
    );
    assert_eq!(kind(&cal, "two_way_reporting")["days"], 15);
    assert_eq!(kind(&cal, "service_request")["rule"], "working_days_after");

    // 7 working days from Friday 13 Feb 2026 across the Spring Festival and its two adjusted
    // Saturdays; 2025's festival too.
    assert_eq!(working_days(&app, tok, "2026-02-13", 7).await, "2026-03-02");
    assert_eq!(working_days(&app, tok, "2025-01-26", 7).await, "2025-02-11");
    let (s, v) = send(app.get("/api/v1/deadlines/calendar?year=2027", tok)).await;
    assert_eq!((s, &v["holidays_known"]), (200, &json!(false)));

    // The county undoes the adjusted Saturday of 14 Feb: one working day fewer that week.
    let (_, village_tok) = {
        let town = app.org_unit(&a, "township", "递铺街道", None).await;
        let v = app.org_unit(&a, "village", "古城村", Some(&town)).await;
        app.staff(&a, "cunwei", "village_recorder", Some(&v)).await
    };
    let body = json!({ "kind": "normal", "name": "本县不调休" });
    let r = put(
        &app,
        "/api/v1/deadlines/calendar/days/2026-02-14",
        &village_tok,
        &body,
    );
    problem(r.send().await.expect("s"), 403, "forbidden").await;
    let (s, v) = send(put(
        &app,
        "/api/v1/deadlines/calendar/days/2026-02-14",
        tok,
        &body,
    ))
    .await;
    assert_eq!((s, &v["kind"]), (200, &json!("normal")), "{v}");
    assert_eq!(working_days(&app, tok, "2026-02-13", 7).await, "2026-03-03");
    // Another county keeps the national calendar.
    assert_eq!(
        working_days(&app, &b.admin_token, "2026-02-13", 7).await,
        "2026-03-02"
    );
    let r = put(
        &app,
        "/api/v1/deadlines/calendar/days/2026-02-30",
        tok,
        &body,
    );
    problem(r.send().await.expect("s"), 422, "validation_failed").await;
    let (s, _) = send(delete(
        &app,
        "/api/v1/deadlines/calendar/days/2026-02-14",
        tok,
    ))
    .await;
    assert_eq!(s, 200);
    assert_eq!(working_days(&app, tok, "2026-02-13", 7).await, "2026-03-02");
    let r = delete(&app, "/api/v1/deadlines/calendar/days/2026-02-14", tok);
    problem(r.send().await.expect("s"), 404, "not_found").await;

    // Rules: the county moves the feedback dates; a bad date names its field; the QQ date
    // lives in the QQ settings; back to the default.
    let rule = json!({ "month": 7, "day": 20, "month2": 1, "day2": 20 });
    let r = put(
        &app,
        "/api/v1/deadlines/rules/semiannual_feedback",
        &village_tok,
        &rule,
    );
    problem(r.send().await.expect("s"), 403, "forbidden").await;
    let (s, cal) = send(put(
        &app,
        "/api/v1/deadlines/rules/semiannual_feedback",
        tok,
        &rule,
    ))
    .await;
    assert_eq!(s, 200, "{cal}");
    assert_eq!(kind(&cal, "semiannual_feedback")["is_default"], false);
    let (_, cal) = send(app.get("/api/v1/deadlines/calendar?year=2026", tok)).await;
    assert_eq!(
        due_dates(&cal, "semiannual_feedback")[1],
        ("2026H1".to_owned(), "2026-07-20".to_owned())
    );
    let (_, cal_b) = send(app.get("/api/v1/deadlines/calendar?year=2026", &b.admin_token)).await;
    assert_eq!(
        due_dates(&cal_b, "semiannual_feedback")[1].1,
        "2026-07-15",
        "another county keeps the default"
    );
    let bad = json!({ "month": 2, "day": 30, "month2": 1, "day2": 15 });
    let r = put(
        &app,
        "/api/v1/deadlines/rules/semiannual_feedback",
        tok,
        &bad,
    );
    let v = problem(r.send().await.expect("s"), 422, "validation_failed").await;
    assert_eq!(v["errors"][0]["field"], "day");
    assert_eq!(v["errors"][0]["code"], "invalid_date");
    let r = put(
        &app,
        "/api/v1/deadlines/rules/qq_join",
        tok,
        &json!({ "month": 5, "day": 20 }),
    );
    problem(r.send().await.expect("s"), 409, "managed_by_qq_settings").await;
    let r = put(&app, "/api/v1/deadlines/rules/nonsense", tok, &rule);
    problem(r.send().await.expect("s"), 404, "not_found").await;
    let r = put(
        &app,
        "/api/v1/deadlines/rules/two_way_reporting",
        tok,
        &json!({ "days": 15, "month": 3 }),
    );
    let (s, cal) = send(r).await;
    assert_eq!(s, 200, "{cal}");
    assert_eq!(kind(&cal, "two_way_reporting")["month"], Value::Null);
    let r = put(
        &app,
        "/api/v1/deadlines/rules/two_way_reporting",
        tok,
        &json!({ "days": 0 }),
    );
    let v = problem(r.send().await.expect("s"), 422, "validation_failed").await;
    assert_eq!(v["errors"][0]["field"], "days");
    let (s, cal) = send(delete(
        &app,
        "/api/v1/deadlines/rules/semiannual_feedback",
        tok,
    ))
    .await;
    assert_eq!(s, 200);
    assert_eq!(kind(&cal, "semiannual_feedback")["is_default"], true);
    // Platform operators are not county users.
    let op = app.operator_token().await;
    let r = app.get("/api/v1/deadlines/calendar", &op);
    problem(r.send().await.expect("s"), 403, "tenant_required").await;
}

struct Tree {
    committee: String,
    party_branch: String,
    office: String,
    town: String,
    village1: String,
    village2: String,
    village3: String,
    grid: String,
}

async fn tree(app: &TestApp, c: &County) -> Tree {
    let committee = app
        .org_unit(c, "association_committee", "协会党委", None)
        .await;
    let branch = app
        .org_unit(c, "branch", "递铺分会", Some(&committee))
        .await;
    let party_branch = app
        .org_unit(c, "party_branch", "递铺分会支部", Some(&branch))
        .await;
    app.org_unit(c, "service_centre", "递铺党员服务中心", Some(&branch))
        .await;
    let office = app.org_unit(c, "aic_office", "递铺工商所", None).await;
    let town = app.org_unit(c, "township", "递铺街道", None).await;
    let village1 = app.org_unit(c, "village", "古城村", Some(&town)).await;
    let village2 = app.org_unit(c, "village", "鹤鹿溪村", Some(&town)).await;
    let town2 = app.org_unit(c, "township", "孝丰镇", None).await;
    let village3 = app.org_unit(c, "village", "横溪坞村", Some(&town2)).await;
    let grid = app
        .grid(c, "递铺网格", &office, Some(&party_branch), &[&town])
        .await;
    Tree {
        committee,
        party_branch,
        office,
        town,
        village1,
        village2,
        village3,
        grid,
    }
}

async fn dashboard(app: &TestApp, tok: &str, query: &str) -> Value {
    let (s, v) = send(app.get(&format!("/api/v1/deadlines?limit=200&{query}"), tok)).await;
    assert_eq!(s, 200, "{query}: {v}");
    v
}

fn owners(d: &Value) -> Vec<String> {
    let mut o: Vec<String> = d["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["owner_org_unit_id"].as_str().expect("present").to_owned())
        .collect();
    o.sort();
    o.dedup();
    o
}

fn sorted(mut v: Vec<&String>) -> Vec<String> {
    v.sort();
    v.into_iter().cloned().collect()
}

#[tokio::test]
async fn the_daily_job_opens_what_every_unit_owes_and_the_dashboard_scopes_it() {
    let app = spawn_app().await;
    let a = app.county("330523", "安吉县").await;
    let b = app.county("330522", "长兴县").await;
    let tok = &a.admin_token;
    let t = tree(&app, &a).await;
    let tb = tree(&app, &b).await;
    let today = today();

    let (s, r1) = send(app.post("/api/v1/deadlines/run", tok, &json!({}))).await;
    assert_eq!(s, 200, "{r1}");
    assert!(r1["opened"].as_i64().expect("present") >= 8, "{r1}");
    let (_, r2) = send(app.post("/api/v1/deadlines/run", tok, &json!({}))).await;
    assert_eq!(r2["opened"], 0, "a second run opens nothing: {r2}");
    assert_eq!(r2["newly_overdue"], 0);
    let future = (today + Duration::days(1)).to_string();
    let r = app.post("/api/v1/deadlines/run", tok, &json!({ "as_of": future }));
    problem(r.send().await.expect("s"), 422, "validation_failed").await;

    // Quarterly filing: every recording unit (AIC office, party branch, villages), the
    // current quarter at least; nothing due before the county started.
    let d = dashboard(&app, tok, "kind=quarterly_filing").await;
    assert_eq!(
        owners(&d),
        sorted(vec![
            &t.office,
            &t.party_branch,
            &t.village1,
            &t.village2,
            &t.village3
        ])
    );
    for item in d["items"].as_array().expect("present") {
        assert!(item["due_on"].as_str().expect("present") >= today.to_string().as_str());
        assert_eq!(item["state"], "due");
        assert_eq!(item["kind_label"], "季度记实报送备案");
        assert!(!item["owner_name"].as_str().expect("present").is_empty());
    }
    // Feedback: the grid's party branch and the villages of its township, not the village of
    // a township outside every grid.
    let d = dashboard(&app, tok, "kind=semiannual_feedback").await;
    assert_eq!(
        owners(&d),
        sorted(vec![&t.party_branch, &t.village1, &t.village2])
    );
    // The statistics of this half (as of 31 December or 30 June, reported by the 15th of the
    // month after) are owed by the association committee.
    let d = dashboard(&app, tok, "kind=statistics_cutoff&state=open").await;
    assert_eq!(owners(&d), vec![t.committee.clone()]);
    let dec31 = d["items"]
        .as_array()
        .expect("present")
        .iter()
        .find(|i| {
            let due = if today.month() > 6 {
                format!("{}-01-15", today.year() + 1)
            } else {
                format!("{}-07-15", today.year())
            };
            i["due_on"] == due
        })
        .expect("this half's report, due on the 15th after its cut-off")
        .clone();

    // States at the boundary: on the due day still due, the day after overdue by one day.
    let d = dashboard(
        &app,
        tok,
        &format!("kind=quarterly_filing&org_unit_id={}", t.village1),
    )
    .await;
    let item = &d["items"][0];
    let due = NaiveDate::parse_from_str(item["due_on"].as_str().expect("present"), "%Y-%m-%d")
        .expect("present");
    assert_eq!(due.day(), 10, "filing is due on the 10th");
    assert!(
        matches!(due.month(), 1 | 4 | 7 | 10),
        "of a quarter's first month"
    );
    let on = dashboard(
        &app,
        tok,
        &format!(
            "kind=quarterly_filing&org_unit_id={}&as_of={due}",
            t.village1
        ),
    )
    .await;
    assert_eq!(on["items"][0]["state"], "due");
    assert_eq!(on["summary"]["overdue"], 0);
    let after = dashboard(
        &app,
        tok,
        &format!(
            "kind=quarterly_filing&org_unit_id={}&as_of={}",
            t.village1,
            due + Duration::days(1)
        ),
    )
    .await;
    assert_eq!(after["items"][0]["state"], "overdue");
    assert_eq!(after["items"][0]["days_overdue"], 1);
    assert!(after["summary"]["overdue"].as_i64().expect("present") >= 1);
    let owner = &after["by_owner"][0];
    assert_eq!(owner["owner_org_unit_id"], t.village1.as_str());
    assert_eq!(owner["owner_name"], "古城村");
    let only_overdue = dashboard(
        &app,
        tok,
        &format!("state=overdue&as_of={}", due + Duration::days(1)),
    )
    .await;
    assert!(
        only_overdue["items"]
            .as_array()
            .expect("present")
            .iter()
            .all(|i| i["state"] == "overdue")
    );

    // Scopes: a village sees its own; a township its villages; the branch its own; the grid
    // filter keeps the grid's units; another county's unit or grid is unknown.
    let (_, v_tok) = app
        .staff(&a, "cunwei1", "village_recorder", Some(&t.village1))
        .await;
    let d = dashboard(&app, &v_tok, "").await;
    assert_eq!(owners(&d), vec![t.village1.clone()]);
    let r = app.get(
        &format!("/api/v1/deadlines?org_unit_id={}", t.village2),
        &v_tok,
    );
    problem(r.send().await.expect("s"), 404, "not_found").await;
    let (_, town_tok) = app
        .staff(&a, "zhenwei", "township_committee", Some(&t.town))
        .await;
    let d = dashboard(&app, &town_tok, "").await;
    assert_eq!(owners(&d), sorted(vec![&t.village1, &t.village2]));
    let (_, br_tok) = app
        .staff(&a, "fenhui", "branch_staff", Some(&t.party_branch))
        .await;
    let d = dashboard(&app, &br_tok, "").await;
    assert_eq!(owners(&d), vec![t.party_branch.clone()]);
    let d = dashboard(&app, tok, &format!("grid_id={}", t.grid)).await;
    let in_grid = owners(&d);
    assert!(in_grid.contains(&t.office) && in_grid.contains(&t.village2));
    assert!(!in_grid.contains(&t.village3) && !in_grid.contains(&t.committee));
    for q in [
        format!("org_unit_id={}", tb.village1),
        format!("grid_id={}", tb.grid),
    ] {
        let r = app.get(&format!("/api/v1/deadlines?{q}"), tok);
        problem(r.send().await.expect("s"), 404, "not_found").await;
    }
    let d = dashboard(&app, &b.admin_token, "").await;
    assert!(
        !owners(&d).contains(&t.village1),
        "county B sees none of A's obligations"
    );
    let r = app.get("/api/v1/deadlines?as_of=2026-13-01&kind=nope", tok);
    let v = problem(r.send().await.expect("s"), 422, "validation_failed").await;
    let mut f: Vec<&str> = v["errors"]
        .as_array()
        .expect("present")
        .iter()
        .map(|e| e["field"].as_str().expect("present"))
        .collect();
    f.sort();
    assert_eq!(f, ["as_of", "kind"]);

    // Paging walks every item once.
    let all = dashboard(&app, tok, "").await;
    let total = all["items"].as_array().expect("present").len();
    let mut seen = vec![];
    let mut cursor = String::new();
    loop {
        let (s, p) =
            send(app.get(&format!("/api/v1/deadlines?limit=3&cursor={cursor}"), tok)).await;
        assert_eq!(s, 200, "{p}");
        for i in p["items"].as_array().expect("present") {
            seen.push(i["id"].as_str().expect("present").to_owned());
        }
        match p["next_cursor"].as_str() {
            Some(c) => cursor = c.to_owned(),
            None => break,
        }
    }
    seen.dedup();
    assert_eq!(seen.len(), total);

    // County-level items are marked done by the county; workflow items are not.
    let id = dec31["id"].as_str().expect("present");
    let path = format!("/api/v1/deadlines/{id}/complete");
    let note = json!({ "note": "统计报表已报送" });
    let r = app.post(&path, &v_tok, &note);
    problem(r.send().await.expect("s"), 403, "forbidden").await;
    let r = app.post(&path, &b.admin_token, &note);
    problem(r.send().await.expect("s"), 404, "not_found").await;
    let (s, v) = send(app.post(&path, tok, &note)).await;
    assert_eq!((s, &v["state"]), (200, &json!("done")), "{v}");
    let r = app.post(&path, tok, &note);
    problem(r.send().await.expect("s"), 409, "already_done").await;
    let filing = dashboard(&app, tok, "kind=quarterly_filing").await["items"][0]["id"]
        .as_str()
        .expect("present")
        .to_owned();
    let r = app.post(&format!("/api/v1/deadlines/{filing}/complete"), tok, &note);
    problem(r.send().await.expect("s"), 409, "completed_by_workflow").await;
    let d = dashboard(&app, tok, "kind=statistics_cutoff&state=done").await;
    assert_eq!(d["items"][0]["id"], id);

    // The outbox is the county admin's.
    let r = app.get("/api/v1/deadlines/outbox", &v_tok);
    problem(r.send().await.expect("s"), 403, "forbidden").await;
    let (s, v) = send(app.get("/api/v1/deadlines/outbox", tok)).await;
    assert_eq!(s, 200, "{v}");
    let (s, v) = send(app.get("/api/v1/deadlines/outbox", &b.admin_token)).await;
    assert_eq!(s, 200);
    assert!(
        v["items"]
            .as_array()
            .expect("present")
            .iter()
            .all(|i| i["recipient_org_unit_id"] != t.village1.as_str())
    );
}

#[tokio::test]
async fn the_province_sees_each_countys_compliance_as_counts_only() {
    let app = spawn_app().await;
    let a = app.county("330523", "安吉县").await;
    let k = app.county("320583", "昆山市").await;
    tree(&app, &a).await;
    tree(&app, &k).await;
    for c in [&a, &k] {
        let (s, _) = send(app.post("/api/v1/deadlines/run", &c.admin_token, &json!({}))).await;
        assert_eq!(s, 200);
    }
    let zj = app.provincial_office().await;
    // The provincial office sees its own province whatever it asks for.
    let (s, v) = send(app.get("/api/v1/province/deadlines?province=320000", &zj)).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["province_code"], "330000");
    let counties = v["counties"].as_array().expect("present");
    assert_eq!(counties.len(), 1);
    let anji = &counties[0];
    assert_eq!(anji["code"], "330523");
    let due = anji["due"].as_i64().expect("present");
    assert!(due >= 8, "{anji}");
    let by_kind: i64 = anji["by_kind"]
        .as_array()
        .expect("present")
        .iter()
        .map(|k| k["due"].as_i64().expect("present"))
        .sum();
    assert_eq!(by_kind, due);
    assert_eq!(
        anji["on_time_rate"],
        Value::Null,
        "nothing has fallen due yet"
    );
    let text = v.to_string();
    for unit in ["古城村", "递铺工商所", "协会党委"] {
        assert!(!text.contains(unit), "no county rows leak: {unit}");
    }
    // The platform operator names a province; county users are refused.
    let op = app.operator_token().await;
    let r = app.get("/api/v1/province/deadlines", &op);
    problem(r.send().await.expect("s"), 422, "validation_failed").await;
    let (s, v) = send(app.get("/api/v1/province/deadlines?province=320000", &op)).await;
    assert_eq!(s, 200);
    assert_eq!(v["counties"][0]["code"], "320583");
    assert_eq!(v["counties"].as_array().expect("present").len(), 1);
    let r = app.get("/api/v1/province/deadlines", &a.admin_token);
    problem(r.send().await.expect("s"), 403, "forbidden").await;
}

/// One suspended county never fails the provincial view: it is listed as suspended without its
/// counts, and every other county is counted as before (issue 11, reproduction 3).
#[tokio::test]
async fn a_suspended_county_is_shown_as_such_and_the_province_sees_the_others() {
    let app = spawn_app().await;
    let anji = app.county("330523", "安吉县").await;
    let cx = app.county("330522", "长兴县").await;
    tree(&app, &anji).await;
    tree(&app, &cx).await;
    for c in [&anji, &cx] {
        let (s, _) = send(app.post("/api/v1/deadlines/run", &c.admin_token, &json!({}))).await;
        assert_eq!(s, 200);
    }
    let op = app.operator_token().await;
    let path = format!("/api/v1/platform/tenants/{}/suspend", cx.id);
    let (s, v) = send(app.post(&path, &op, &json!({}))).await;
    assert_eq!(s, 200, "{v}");
    let (s, v) = send(app.get(
        "/api/v1/province/deadlines?province=330000&as_of=2026-11-02",
        &op,
    ))
    .await;
    assert_eq!(s, 200, "{v}");
    let counties = v["counties"].as_array().expect("present");
    assert_eq!(counties.len(), 2, "{v}");
    let by_code = |code: &str| {
        counties
            .iter()
            .find(|c| c["code"] == code)
            .unwrap_or_else(|| panic!("{code} listed"))
    };
    let a = by_code("330523");
    assert!(a.get("unavailable").is_none(), "{a}");
    assert!(a["due"].as_i64().expect("due") + a["overdue"].as_i64().expect("overdue") >= 8);
    let c = by_code("330522");
    assert_eq!(c["status"], "suspended");
    assert_eq!(c["unavailable"], "tenant_suspended");
    assert_eq!(c["due"], 0);
    assert_eq!(c["by_kind"], json!([]));
    // Counted counties come first.
    assert_eq!(counties[0]["code"], "330523");
}
