//! The national working-day calendar (issue 17 item 7): the platform operator loads next year's
//! State Council notice as JSON or iCalendar; every county counts working days by it under its
//! own overrides, and the deadline views flag due dates past the last known year.

use chrono::{Datelike, Utc};
use reqwest::RequestBuilder;
use serde_json::{Value, json};
use shuanglian_tests::{TestApp, fields, problem, send, spawn_app};

/// The 2027 notice as the tests have it (plausible dates; Spring Festival Sat 6 Feb 2027).
fn notice_2027() -> Value {
    json!([
        { "from": "2027-01-01", "to": "2027-01-03", "kind": "holiday", "name": "元旦" },
        { "from": "2027-02-05", "to": "2027-02-13", "kind": "holiday", "name": "春节" },
        { "from": "2027-02-20", "to": "2027-02-20", "kind": "workday", "name": "春节调休上班" },
        { "from": "2027-04-03", "to": "2027-04-05", "kind": "holiday", "name": "清明节" },
        { "from": "2027-10-01", "to": "2027-10-07", "kind": "holiday", "name": "国庆节" },
        { "from": "2027-09-26", "to": "2027-09-26", "kind": "workday", "name": "国庆节调休上班" }
    ])
}

const ICAL_2027: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//CN\r\n\
BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20270205\r\nDTEND;VALUE=DATE:20270214\r\nSUMMARY:春节\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20270220\r\nDTEND;VALUE=DATE:20270221\r\nSUMMARY:春节\r\n 调休上班\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20270926\r\nSUMMARY:国庆节补班\r\nCATEGORIES:WORKDAY\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20271001\r\nDTEND;VALUE=DATE:20271008\r\nSUMMARY:国庆节\r\nEND:VEVENT\r\n\
END:VCALENDAR\r\n";

fn load_json(app: &TestApp, tok: &str, year: i32, body: &Value) -> RequestBuilder {
    app.client
        .put(app.url(&format!("/api/v1/platform/calendar/{year}")))
        .bearer_auth(tok)
        .json(body)
}

fn load_ical(
    app: &TestApp,
    tok: &str,
    year: i32,
    body: &str,
    if_match: Option<&str>,
) -> RequestBuilder {
    let mut r = app
        .client
        .put(app.url(&format!("/api/v1/platform/calendar/{year}")))
        .bearer_auth(tok)
        .header("Content-Type", "text/calendar; charset=utf-8")
        .body(body.to_owned());
    if let Some(m) = if_match {
        r = r.header("If-Match", m);
    }
    r
}

async fn working_days(app: &TestApp, tok: &str, from: &str, days: u32) -> Value {
    let (s, v) = send(app.get(
        &format!("/api/v1/deadlines/working-days?from={from}&days={days}"),
        tok,
    ))
    .await;
    assert_eq!(s, 200, "{v}");
    v
}

async fn years(app: &TestApp, op: &str) -> Value {
    let (s, v) = send(app.get("/api/v1/platform/calendar", op)).await;
    assert_eq!(s, 200, "{v}");
    v
}

fn codes(v: &Value) -> Vec<String> {
    v["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["code"].as_str().unwrap_or("").to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn the_operator_loads_2027_and_every_county_counts_by_it_under_its_overrides() {
    let app = spawn_app().await;
    let a = app.county("330523", "安吉县").await;
    let b = app.county("330522", "长兴县").await;
    let op = app.operator_token().await;

    // Before: 2027 is unknown, a week across the Spring Festival counts weekends only.
    let v = working_days(&app, &a.admin_token, "2027-02-04", 7).await;
    assert_eq!(
        (&v["due_on"], &v["holidays_known"]),
        (&json!("2027-02-15"), &json!(false))
    );
    let y = years(&app, &op).await;
    assert_eq!(y.as_array().map(Vec::len), Some(2), "{y}");
    assert_eq!(y[0]["source"], "shipped");

    // A county admin may not load it: 403, and nothing changed.
    let r = load_json(&app, &a.admin_token, 2027, &notice_2027());
    problem(r.send().await.expect("s"), 403, "forbidden").await;
    assert_eq!(years(&app, &op).await.as_array().map(Vec::len), Some(2));

    // The operator loads it.
    let r = load_json(&app, &op, 2027, &notice_2027())
        .send()
        .await
        .expect("s");
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["etag"], "\"v1\"");
    let v: Value = r.json().await.expect("json");
    assert_eq!(
        (v["holidays"].as_i64(), v["workdays"].as_i64()),
        (Some(22), Some(2)),
        "{v}"
    );
    assert_eq!(v["source"], "json");
    let y = years(&app, &op).await;
    assert_eq!(y[2]["year"], 2027, "{y}");
    assert!(
        y[2]["loaded_by"].as_str().is_some_and(|s| !s.is_empty()),
        "{y}"
    );
    assert!(y[2]["loaded_at"].is_string(), "{y}");

    // Both counties: 5–13 Feb off, Sat 20 Feb worked.
    for tok in [&a.admin_token, &b.admin_token] {
        let v = working_days(&app, tok, "2027-02-04", 7).await;
        assert_eq!(
            (&v["due_on"], &v["holidays_known"]),
            (&json!("2027-02-22"), &json!(true))
        );
    }
    let (s, cal) = send(app.get("/api/v1/deadlines/calendar?year=2027", &a.admin_token)).await;
    assert_eq!((s, &cal["holidays_known"]), (200, &json!(true)), "{cal}");
    let spring = cal["days"]
        .as_array()
        .expect("days")
        .iter()
        .find(|d| d["day"] == "2027-02-08");
    assert_eq!(
        spring.map(|d| (&d["kind"], &d["shipped"])),
        Some((&json!("holiday"), &json!(true)))
    );

    // A county's override still wins: 安吉 works Monday 8 February.
    let (s, v) = send(
        app.client
            .put(app.url("/api/v1/deadlines/calendar/days/2027-02-08"))
            .bearer_auth(&a.admin_token)
            .json(&json!({ "kind": "normal", "name": "" })),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    // Mon 8 = 1, 15–19 = 2..6, Sat 20 (worked) = 7.
    let v = working_days(&app, &a.admin_token, "2027-02-04", 7).await;
    assert_eq!(v["due_on"], "2027-02-20");
    let v = working_days(&app, &b.admin_token, "2027-02-04", 7).await;
    assert_eq!(v["due_on"], "2027-02-22");

    // Every county's log has the load.
    let (s, log) = send(app.get(
        "/api/v1/audit?action=national_calendar.load",
        &b.admin_token,
    ))
    .await;
    assert_eq!(s, 200, "{log}");
    let items = log["items"].as_array().expect("items");
    assert_eq!(items.len(), 1, "{log}");
    assert_eq!(items[0]["entity_id"], "2027");

    // Reloading replaces the year, with the ETag: 428 without, 412 with a stale one.
    let r = load_ical(&app, &op, 2027, ICAL_2027, None);
    problem(r.send().await.expect("s"), 428, "if_match_required").await;
    let r = load_ical(&app, &op, 2027, ICAL_2027, Some("\"v7\""));
    problem(r.send().await.expect("s"), 412, "stale_version").await;
    let r = load_ical(&app, &op, 2027, ICAL_2027, Some("\"v1\""))
        .send()
        .await
        .expect("s");
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["etag"], "\"v2\"");
    let v: Value = r.json().await.expect("json");
    assert_eq!(v["source"], "ical");
    // 9 + 7 holidays, 2 worked weekend days (one by SUMMARY, one by CATEGORIES); 元旦 is gone.
    assert_eq!(
        (v["holidays"].as_i64(), v["workdays"].as_i64()),
        (Some(16), Some(2)),
        "{v}"
    );
    let days = v["days"].as_array().expect("days");
    assert!(days.iter().all(|d| d["day"] != "2027-01-01"), "{v}");
    let worked: Vec<&Value> = days
        .iter()
        .filter(|d| d["kind"] == "workday")
        .map(|d| &d["day"])
        .collect();
    assert_eq!(worked, [&json!("2027-02-20"), &json!("2027-09-26")]);
    let v = working_days(&app, &b.admin_token, "2027-02-04", 7).await;
    assert_eq!(v["due_on"], "2027-02-22");
    let (s, v) = send(app.get("/api/v1/platform/calendar/2026", &op)).await;
    assert_eq!(
        (s, &v["source"], &v["holidays"]),
        (200, &json!("shipped"), &json!(33))
    );
}

#[tokio::test]
async fn a_calendar_file_is_checked_field_by_field() {
    let app = spawn_app().await;
    let op = app.operator_token().await;

    let bad = json!([
        { "from": "2027-02-05", "to": "2027-02-16", "kind": "holiday", "name": "春节" },
        { "from": "2027-03-01", "to": "2027-03-01", "kind": "workday", "name": "补班" },
        { "from": "2028-01-01", "to": "2028-01-01", "kind": "holiday", "name": "元旦" },
        { "from": "2027-05-01", "to": "2027-05-02", "kind": "holiday", "name": "" },
        { "from": "2027-10-01", "to": "2027-10-03", "kind": "holiday", "name": "国庆节" },
        { "from": "2027-10-03", "to": "2027-10-03", "kind": "holiday", "name": "重复" }
    ]);
    let v = problem(
        load_json(&app, &op, 2027, &bad).send().await.expect("s"),
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(
        codes(&v),
        [
            "holiday_too_long",
            "workday_not_weekend",
            "outside_year",
            "outside_year",
            "invalid_name",
            "overlap"
        ],
        "{v}"
    );
    assert_eq!(
        fields(&v),
        [
            "[0].to", "[1].from", "[2].from", "[2].to", "[3].name", "[5].from"
        ]
    );
    assert!(
        v["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("[0].to")),
        "{v}"
    );

    let v = problem(
        load_json(
            &app,
            &op,
            2027,
            &json!([{ "from": "2027-2-5", "to": "x", "kind": "off", "name": "a" }]),
        )
        .send()
        .await
        .expect("s"),
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(codes(&v), ["invalid_date", "invalid_date", "invalid_kind"]);
    let v = problem(
        load_json(&app, &op, 2027, &json!([]))
            .send()
            .await
            .expect("s"),
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(codes(&v), ["empty_calendar"]);
    let many: Vec<Value> = (0..101).map(|_| notice_2027()[0].clone()).collect();
    let v = problem(
        load_json(&app, &op, 2027, &json!(many))
            .send()
            .await
            .expect("s"),
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(codes(&v), ["too_many_entries"]);
    problem(
        load_json(&app, &op, 1999, &notice_2027())
            .send()
            .await
            .expect("s"),
        422,
        "validation_failed",
    )
    .await;

    let ical = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:20270205T000000Z\r\nSUMMARY:春节\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let v = problem(
        load_ical(&app, &op, 2027, ical, None)
            .send()
            .await
            .expect("s"),
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(
        (codes(&v), fields(&v)),
        (
            vec!["invalid_date".to_owned()],
            vec!["VEVENT[0].DTSTART".to_owned()]
        )
    );
    let v = problem(
        load_ical(&app, &op, 2027, "hello", None)
            .send()
            .await
            .expect("s"),
        422,
        "validation_failed",
    )
    .await;
    assert!(codes(&v).contains(&"invalid_ical".to_owned()), "{v}");

    let r = app
        .client
        .put(app.url("/api/v1/platform/calendar/2027"))
        .bearer_auth(&op)
        .header("Content-Type", "text/plain")
        .body("x");
    problem(r.send().await.expect("s"), 415, "unsupported_media_type").await;
    let r = load_ical(&app, &op, 2027, &"X".repeat(70 * 1024), None);
    problem(r.send().await.expect("s"), 413, "body_too_large").await;

    // Nothing was loaded.
    assert_eq!(years(&app, &op).await.as_array().map(Vec::len), Some(2));
    problem(
        app.get("/api/v1/platform/calendar/2027", &op)
            .send()
            .await
            .expect("s"),
        404,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn due_dates_past_the_last_known_year_are_flagged_until_the_notice_is_loaded() {
    let app = spawn_app().await;
    let a = app.county("330523", "安吉县").await;
    let tok = &a.admin_token;
    let op = app.operator_token().await;
    app.org_unit(&a, "aic_office", "递铺工商所", None).await;
    let town = app.org_unit(&a, "township", "递铺街道", None).await;
    app.org_unit(&a, "village", "古城村", Some(&town)).await;
    let (s, r) = send(app.post("/api/v1/deadlines/run", tok, &json!({}))).await;
    assert_eq!(s, 200, "{r}");

    let items = |d: &Value| d["items"].as_array().cloned().unwrap_or_default();
    let check = |d: &Value, last: i32| {
        for i in items(d) {
            let year: i32 = i["due_on"].as_str().expect("due_on")[..4]
                .parse()
                .expect("year");
            assert_eq!(i["due_beyond_calendar"], json!(year > last), "{i}");
        }
    };
    let (s, d) = send(app.get("/api/v1/deadlines?state=all&limit=200", tok)).await;
    assert_eq!(s, 200, "{d}");
    check(&d, 2026);
    let today = Utc::now().date_naive();
    if today.year() == 2026 && today.month() >= 10 {
        // The fourth quarter's filing and the second half's feedback fall due in January 2027.
        assert!(
            items(&d).iter().any(|i| i["due_beyond_calendar"] == true),
            "{d}"
        );
    }
    let (s, _) = send(load_json(&app, &op, 2027, &notice_2027())).await;
    assert_eq!(s, 200);
    let (_, d) = send(app.get("/api/v1/deadlines?state=all&limit=200", tok)).await;
    check(&d, 2027);
}
