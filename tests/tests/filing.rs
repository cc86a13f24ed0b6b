//! Quarterly filing (季度报送备案): the 10th of the quarter's first month, the review round
//! with its illegal transitions, the upper committees' inboxes, the printable 季报表, the
//! demo data, and isolation between counties and between scopes.

mod records_world;

use records_world::{World, record, world};
use serde_json::{Value, json};
use shuanglian_tests::{TestApp, id, problem, send_tagged, spawn_app};

async fn filing(app: &TestApp, tok: &str, period: &str) -> Value {
    app.created(tok, "/api/v1/filings", &json!({ "period": period }))
        .await
}

async fn act(app: &TestApp, tok: &str, fid: &str, what: &str, body: Value) -> (u16, Value) {
    let (s, v, _) =
        send_tagged(app.post(&format!("/api/v1/filings/{fid}/{what}"), tok, &body)).await;
    (s, v)
}

/// The dashboard's quarterly-filing item for a unit and period, as of a day.
async fn obligation(app: &TestApp, w: &World, unit: &str, period: &str, as_of: &str) -> Value {
    let (s, v, _) = send_tagged(app.get(
        &format!("/api/v1/deadlines?kind=quarterly_filing&as_of={as_of}&limit=200"),
        &w.c.admin_token,
    ))
    .await;
    assert_eq!(s, 200, "{v}");
    v["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["subject_id"] == unit && i["period"] == period)
        .cloned()
        .unwrap_or_else(|| panic!("no obligation for {unit} {period}: {v}"))
}

#[tokio::test]
async fn the_tenth_of_the_quarters_first_month_is_on_time_and_the_eleventh_is_late() {
    let app = spawn_app().await;
    let w = world(&app, "330523", "安吉县").await;
    record(
        &app,
        &w.village_rec_a,
        &w.member_a,
        "V01",
        "2026-08-01",
        "主题党日",
    )
    .await;
    let on_time = filing(&app, &w.village_rec_a, "2026Q3").await;
    assert_eq!(
        (
            on_time["due_on"].as_str(),
            on_time["state"].as_str(),
            on_time["period_label"].as_str()
        ),
        (Some("2026-10-10"), Some("draft"), Some("2026年第三季度"))
    );
    assert_eq!(
        (
            on_time["member_count"].as_i64(),
            on_time["record_count"].as_i64()
        ),
        (Some(1), Some(1))
    );
    let late = filing(&app, &w.village_rec_a2, "2026Q3").await;
    // Not submitted: due on the 10th, overdue from the 11th.
    assert_eq!(
        obligation(&app, &w, &w.village_a2, "2026Q3", "2026-10-10").await["state"],
        "due"
    );
    let o = obligation(&app, &w, &w.village_a2, "2026Q3", "2026-10-11").await;
    assert_eq!(
        (o["state"].as_str(), o["days_overdue"].as_i64()),
        (Some("overdue"), Some(1))
    );
    let (s, v) = act(
        &app,
        &w.village_rec_a,
        &id(&on_time),
        "submit",
        json!({ "submitted_on": "2026-10-10" }),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        (v["late"].as_bool(), v["days_late"].as_i64()),
        (Some(false), None)
    );
    let (s, v) = act(
        &app,
        &w.village_rec_a2,
        &id(&late),
        "submit",
        json!({ "submitted_on": "2026-10-11" }),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        (v["late"].as_bool(), v["days_late"].as_i64()),
        (Some(true), Some(1))
    );
    // The dashboard shows both met, the second one day late.
    let o = obligation(&app, &w, &w.village_a, "2026Q3", "2026-11-26").await;
    assert_eq!(
        (o["state"].as_str(), o["days_overdue"].as_i64()),
        (Some("done"), None),
        "{o}"
    );
    let o = obligation(&app, &w, &w.village_a2, "2026Q3", "2026-11-26").await;
    assert_eq!(
        (o["state"].as_str(), o["days_overdue"].as_i64()),
        (Some("done"), Some(1)),
        "{o}"
    );
    // 2026Q4 is due on 10 January 2027, and cannot be submitted before the quarter ends.
    let q4 = filing(&app, &w.village_rec_a, "2026Q4").await;
    assert_eq!(q4["due_on"], "2027-01-10");
    let (s, v) = act(&app, &w.village_rec_a, &id(&q4), "submit", json!({})).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (409, Some("period_not_ended")),
        "{v}"
    );
    // Quarters that have not begun, or are not quarters, are refused; one filing per quarter.
    for (period, code) in [("2027Q2", "period_not_begun"), ("2026H1", "invalid_period")] {
        let r = app
            .post(
                "/api/v1/filings",
                &w.village_rec_a,
                &json!({ "period": period }),
            )
            .send()
            .await
            .expect("post");
        let v = problem(r, 422, "validation_failed").await;
        assert_eq!(v["errors"][0]["code"], code);
    }
    let r = app
        .post(
            "/api/v1/filings",
            &w.village_rec_a,
            &json!({ "period": "2026Q3" }),
        )
        .send()
        .await
        .expect("post");
    problem(r, 409, "filing_exists").await;
    // Future submission dates are refused.
    let tomorrow = (shuanglian::clock::today() + chrono::Duration::days(1)).to_string();
    let q2 = filing(&app, &w.village_rec_a, "2026Q2").await;
    let (s, v) = act(
        &app,
        &w.village_rec_a,
        &id(&q2),
        "submit",
        json!({ "submitted_on": tomorrow }),
    )
    .await;
    assert_eq!(
        (s, v["errors"][0]["code"].as_str()),
        (422, Some("date_in_future")),
        "{v}"
    );
}

#[tokio::test]
async fn a_filing_is_reviewed_by_its_upper_committee_and_illegal_transitions_are_refused() {
    let app = spawn_app().await;
    let w = world(&app, "330523", "安吉县").await;
    record(
        &app,
        &w.village_rec_a,
        &w.member_a,
        "V01",
        "2026-07-03",
        "主题党日",
    )
    .await;
    record(
        &app,
        &w.village_rec_a,
        &w.member_a,
        "V01",
        "2026-07-09",
        "支部大会",
    )
    .await;
    record(
        &app,
        &w.village_rec_a,
        &w.member_a,
        "R01",
        "2026-08-01",
        "热心公益",
    )
    .await;
    let f = filing(&app, &w.village_rec_a, "2026Q3").await;
    let fid = id(&f);
    let lines: Vec<(String, i64)> = f["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["item_code"].as_str().unwrap().to_owned(),
                l["count"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(lines, vec![("V01".to_owned(), 2), ("R01".to_owned(), 1)]);
    assert!(
        f["summary"]
            .as_str()
            .unwrap()
            .contains("共记实3条，涉及党员1名")
    );
    // A draft cannot be reviewed.
    let (s, v) = act(&app, &w.town_com_a, &fid, "accept", json!({})).await;
    assert_eq!((s, v["code"].as_str()), (409, Some("not_submitted")), "{v}");
    let (s, v) = act(
        &app,
        &w.town_com_a,
        &fid,
        "return",
        json!({ "reason": "x" }),
    )
    .await;
    assert_eq!((s, v["code"].as_str()), (409, Some("not_submitted")), "{v}");
    // Records changed after the draft: refresh first.
    record(
        &app,
        &w.village_rec_a,
        &w.member_a,
        "V03",
        "2026-09-01",
        "清扫街道",
    )
    .await;
    let (s, v) = act(
        &app,
        &w.village_rec_a,
        &fid,
        "submit",
        json!({ "submitted_on": "2026-10-08" }),
    )
    .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (409, Some("draft_out_of_date")),
        "{v}"
    );
    let (_, f, tag) =
        send_tagged(app.get(&format!("/api/v1/filings/{fid}"), &w.village_rec_a)).await;
    assert_eq!(f["records_changed"], true);
    // Notes and the summary are the unit's to edit; they survive a refresh.
    let (s, v, tag) = send_tagged(
        app.patch(
            &format!("/api/v1/filings/{fid}"),
            &w.village_rec_a,
            &json!({ "summary": "本季度组织生活正常。", "notes": [{ "member_id": w.member_a, "item_code": "V01", "note": "表现突出" }] }),
        )
        .header("If-Match", &tag),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let r = app
        .patch(
            &format!("/api/v1/filings/{fid}"),
            &w.village_rec_a,
            &json!({ "notes": [{ "member_id": w.member_b, "item_code": "V01", "note": "x" }] }),
        )
        .header("If-Match", &tag)
        .send()
        .await
        .expect("patch");
    let v = problem(r, 422, "validation_failed").await;
    assert_eq!(v["errors"][0]["code"], "line_not_found");
    let r = app
        .patch(
            &format!("/api/v1/filings/{fid}"),
            &w.town_com_a,
            &json!({ "summary": "改" }),
        )
        .header("If-Match", &tag)
        .send()
        .await
        .expect("patch");
    problem(r, 403, "not_recording_unit").await;
    let (s, v, _) = send_tagged(
        app.post(
            &format!("/api/v1/filings/{fid}/refresh"),
            &w.village_rec_a,
            &json!({}),
        )
        .header("If-Match", &tag),
    )
    .await;
    assert_eq!(
        (s, v["records_changed"].as_bool()),
        (200, Some(false)),
        "{v}"
    );
    assert_eq!(v["record_count"], 4);
    let v01 = v["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["item_code"] == "V01")
        .unwrap()
        .clone();
    assert_eq!(v01["note"], "表现突出");
    // Submit; not twice; locked until reviewed.
    let (s, v) = act(
        &app,
        &w.village_rec_a,
        &fid,
        "submit",
        json!({ "submitted_on": "2026-10-08" }),
    )
    .await;
    assert_eq!((s, v["state"].as_str()), (200, Some("submitted")), "{v}");
    let (s, v) = act(&app, &w.village_rec_a, &fid, "submit", json!({})).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (409, Some("already_submitted")),
        "{v}"
    );
    let (_, _, tag) =
        send_tagged(app.get(&format!("/api/v1/filings/{fid}"), &w.village_rec_a)).await;
    let r = app
        .patch(
            &format!("/api/v1/filings/{fid}"),
            &w.village_rec_a,
            &json!({ "summary": "改" }),
        )
        .header("If-Match", &tag)
        .send()
        .await
        .expect("patch");
    problem(r, 409, "filing_locked").await;
    // Only the village's township committee reviews it: not the village itself, not the
    // association committee; another township's committee does not even see it.
    let (s, v) = act(&app, &w.village_rec_a, &fid, "accept", json!({})).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (403, Some("not_upper_committee")),
        "{v}"
    );
    let (s, v) = act(&app, &w.assoc, &fid, "accept", json!({})).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (403, Some("not_upper_committee")),
        "{v}"
    );
    let (s, _) = act(&app, &w.town_com_b, &fid, "accept", json!({})).await;
    assert_eq!(s, 404);
    // The inboxes.
    let inbox = |tok: String| {
        let app = &app;
        async move {
            let (s, v, _) = send_tagged(app.get("/api/v1/filings/inbox", &tok)).await;
            assert_eq!(s, 200, "{v}");
            v["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["id"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(inbox(w.town_com_a.clone()).await, vec![fid.clone()]);
    assert!(inbox(w.town_com_b.clone()).await.is_empty());
    assert!(inbox(w.assoc.clone()).await.is_empty());
    let r = app
        .get("/api/v1/filings/inbox", &w.village_rec_a)
        .send()
        .await
        .expect("inbox");
    problem(r, 403, "not_upper_committee").await;
    // Returning needs a reason.
    let (s, v) = act(&app, &w.town_com_a, &fid, "return", json!({})).await;
    assert_eq!(
        (s, v["errors"][0]["code"].as_str()),
        (422, Some("reason_required")),
        "{v}"
    );
    let (s, v) = act(
        &app,
        &w.town_com_a,
        &fid,
        "return",
        json!({ "reason": "   " }),
    )
    .await;
    assert_eq!(
        (s, v["errors"][0]["field"].as_str()),
        (422, Some("reason")),
        "{v}"
    );
    let (s, v) = act(
        &app,
        &w.town_com_a,
        &fid,
        "return",
        json!({ "reason": "请补充居住地表现的具体事例", "reviewed_on": "2026-10-09" }),
    )
    .await;
    assert_eq!(
        (s, v["state"].as_str(), v["return_reason"].as_str()),
        (200, Some("returned"), Some("请补充居住地表现的具体事例")),
        "{v}"
    );
    assert!(inbox(w.town_com_a.clone()).await.is_empty());
    // Corrected and submitted again after the due date: lateness still counts from the first
    // submission.
    let (_, _, tag) =
        send_tagged(app.get(&format!("/api/v1/filings/{fid}"), &w.village_rec_a)).await;
    let (s, _, _) = send_tagged(
        app.patch(
            &format!("/api/v1/filings/{fid}"),
            &w.village_rec_a,
            &json!({ "summary": "已补充具体事例。" }),
        )
        .header("If-Match", &tag),
    )
    .await;
    assert_eq!(s, 200);
    let (s, v) = act(
        &app,
        &w.village_rec_a,
        &fid,
        "submit",
        json!({ "submitted_on": "2026-10-08" }),
    )
    .await;
    assert_eq!(
        (s, v["errors"][0]["code"].as_str()),
        (422, Some("before_review")),
        "{v}"
    );
    let (s, v) = act(
        &app,
        &w.village_rec_a,
        &fid,
        "submit",
        json!({ "submitted_on": "2026-10-14" }),
    )
    .await;
    assert_eq!(
        (
            s,
            v["state"].as_str(),
            v["late"].as_bool(),
            v["first_submitted_on"].as_str()
        ),
        (200, Some("submitted"), Some(false), Some("2026-10-08")),
        "{v}"
    );
    assert!(v["return_reason"].is_null());
    let (s, v) = act(
        &app,
        &w.town_com_a,
        &fid,
        "accept",
        json!({ "reviewed_on": "2026-10-15" }),
    )
    .await;
    assert_eq!((s, v["state"].as_str()), (200, Some("accepted")), "{v}");
    let (s, v) = act(&app, &w.town_com_a, &fid, "accept", json!({})).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (409, Some("already_accepted")),
        "{v}"
    );
    let (s, v) = act(&app, &w.village_rec_a, &fid, "submit", json!({})).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (409, Some("already_accepted")),
        "{v}"
    );
    let (_, f, _) = send_tagged(app.get(&format!("/api/v1/filings/{fid}"), &w.assoc)).await;
    let history: Vec<(&str, &str)> = f["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap(),
                e["reason"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        history,
        vec![
            ("created", ""),
            ("submitted", ""),
            ("returned", "请补充居住地表现的具体事例"),
            ("submitted", ""),
            ("accepted", ""),
        ]
    );
    // Party branches and AIC offices file with the association committee.
    record(
        &app,
        &w.branch_a,
        &w.member_a,
        "A01",
        "2026-08-05",
        "主题党日",
    )
    .await;
    record(&app, &w.aic_a, &w.member_a, "B01", "2026-08-06", "经营正常").await;
    for tok in [&w.branch_a, &w.aic_a] {
        let f = filing(&app, tok, "2026Q3").await;
        let fid = id(&f);
        let (s, v) = act(
            &app,
            tok,
            &fid,
            "submit",
            json!({ "submitted_on": "2026-10-09" }),
        )
        .await;
        assert_eq!(s, 200, "{v}");
        assert!(inbox(w.assoc.clone()).await.contains(&fid));
        let (s, v) = act(&app, &w.town_com_a, &fid, "accept", json!({})).await;
        assert_eq!(
            s, 404,
            "a township committee does not see the association's filings: {v}"
        );
        let (s, v) = act(&app, &w.assoc, &fid, "accept", json!({})).await;
        assert_eq!(
            (s, v["state"].as_str(), v["upper_committee"].as_str()),
            (200, Some("accepted"), Some("县个体民营企业协会党委")),
            "{v}"
        );
    }
}

async fn xlsx_text(bytes: &[u8]) -> Vec<String> {
    use shuanglian::onboarding::sheet::{Cell, MEMBER_SHEET, rows};
    let (_, rows) = rows(bytes, MEMBER_SHEET).expect("xlsx");
    rows.iter()
        .flat_map(|(_, r)| r.iter())
        .filter_map(|c| match c {
            Cell::Text(s) => Some(s.clone()),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn the_filing_prints_as_the_quarterly_form_in_xlsx_and_html() {
    let app = spawn_app().await;
    let w = world(&app, "330523", "安吉县").await;
    record(
        &app,
        &w.village_rec_a,
        &w.member_a,
        "R01",
        "2026-08-01",
        "热心公益，调解邻里纠纷",
    )
    .await;
    let f = filing(&app, &w.village_rec_a, "2026Q3").await;
    let fid = id(&f);
    act(
        &app,
        &w.village_rec_a,
        &fid,
        "submit",
        json!({ "submitted_on": "2026-10-12" }),
    )
    .await;
    let r = app
        .get(
            &format!("/api/v1/filings/{fid}/document.xlsx"),
            &w.town_com_a,
        )
        .send()
        .await
        .expect("xlsx");
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    );
    let cd = r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cd.contains("filename*=UTF-8''"), "{cd}");
    let text = xlsx_text(&r.bytes().await.expect("bytes")).await;
    for want in [
        "安吉县党员个体工商户和商品交易市场党员经营户情况季报表",
        "（村［社区］党组织填写）",
        "古城村",
        "2026年第三季度",
        "王建国",
        "建国五金店",
        "居住地表现",
        "业余生活表现",
        "情况说明",
    ] {
        assert!(text.iter().any(|t| t.contains(want)), "{want} in {text:?}");
    }
    assert!(text.iter().any(|t| t.contains("逾期2天报送")), "{text:?}");
    let (s, html, _) = {
        let r = app
            .get(
                &format!("/api/v1/filings/{fid}/document.html"),
                &w.village_rec_a,
            )
            .send()
            .await
            .expect("html");
        (r.status().as_u16(), r.text().await.expect("text"), ())
    };
    assert_eq!(s, 200);
    for want in [
        "<h1>安吉县党员个体工商户和商品交易市场党员经营户情况季报表</h1>",
        "（村［社区］党组织填写）",
        "王建国",
        "业余生活表现",
        "08-01 热心公益，调解邻里纠纷",
        "递铺街道党委",
        "@page { size: A4",
    ] {
        assert!(html.contains(want), "{want}");
    }
    // The branch's sheet says who filled it in.
    record(
        &app,
        &w.branch_a,
        &w.member_a,
        "A02",
        "2026-08-05",
        "电商培训",
    )
    .await;
    let f = filing(&app, &w.branch_a, "2026Q3").await;
    let r = app
        .get(
            &format!("/api/v1/filings/{}/document.html", id(&f)),
            &w.branch_a,
        )
        .send()
        .await
        .expect("html");
    let html = r.text().await.expect("text");
    assert!(html.contains("（县个民协会分会党支部填写）") && html.contains("电商培训"));
}

/// Status of every filing endpoint for `tok` on filing `fid` of unit `unit`.
async fn statuses(app: &TestApp, tok: &str, fid: &str, unit: &str) -> Vec<u16> {
    let p = format!("/api/v1/filings/{fid}");
    let mut out = vec![send_tagged(app.get(&p, tok)).await.0];
    out.push(
        send_tagged(
            app.patch(&p, tok, &json!({ "summary": "x" }))
                .header("If-Match", "\"v1\""),
        )
        .await
        .0,
    );
    out.push(
        send_tagged(
            app.post(&format!("{p}/refresh"), tok, &json!({}))
                .header("If-Match", "\"v1\""),
        )
        .await
        .0,
    );
    for what in ["submit", "accept"] {
        out.push(act(app, tok, fid, what, json!({})).await.0);
    }
    out.push(
        act(app, tok, fid, "return", json!({ "reason": "x" }))
            .await
            .0,
    );
    out.push(
        send_tagged(app.get(&format!("{p}/document.xlsx"), tok))
            .await
            .0,
    );
    out.push(
        send_tagged(app.get(&format!("{p}/document.html"), tok))
            .await
            .0,
    );
    out.push(
        send_tagged(app.get(&format!("/api/v1/filings?unit_id={unit}"), tok))
            .await
            .0,
    );
    out
}

#[tokio::test]
async fn other_counties_and_other_scopes_get_404_on_every_filing_endpoint() {
    let app = spawn_app().await;
    let a = world(&app, "330523", "安吉县").await;
    let b = world(&app, "330522", "长兴县").await;
    record(
        &app,
        &a.village_rec_a,
        &a.member_a,
        "V01",
        "2026-07-03",
        "主题党日",
    )
    .await;
    let fid = id(&filing(&app, &a.village_rec_a, "2026Q3").await);
    for tok in [&b.c.admin_token, &b.village_rec_a, &b.town_com_a, &b.assoc] {
        assert_eq!(statuses(&app, tok, &fid, &a.village_a).await, vec![404; 9]);
    }
    for tok in [
        &a.village_rec_a2,
        &a.village_rec_b,
        &a.town_com_b,
        &a.aic_b,
        &a.branch_b,
    ] {
        assert_eq!(statuses(&app, tok, &fid, &a.village_a).await, vec![404; 9]);
    }
    // Lists are scoped: the village sees its own filings, its township committee all of its
    // villages', the association committee and the admin the county's.
    filing(&app, &a.village_rec_a2, "2026Q3").await;
    filing(&app, &a.village_rec_b, "2026Q3").await;
    let count = |tok: String| {
        let app = &app;
        async move {
            let (s, v, _) = send_tagged(app.get("/api/v1/filings?period=2026Q3", &tok)).await;
            assert_eq!(s, 200, "{v}");
            v["items"].as_array().unwrap().len()
        }
    };
    assert_eq!(count(a.village_rec_a.clone()).await, 1);
    assert_eq!(count(a.town_com_a.clone()).await, 2);
    assert_eq!(count(a.town_com_b.clone()).await, 1);
    assert_eq!(count(a.assoc.clone()).await, 3);
    assert_eq!(count(a.c.admin_token.clone()).await, 3);
    assert_eq!(count(b.c.admin_token.clone()).await, 0);
    // Someone with no recording unit cannot file.
    let r = app
        .post(
            "/api/v1/filings",
            &a.town_com_a,
            &json!({ "period": "2026Q3" }),
        )
        .send()
        .await
        .expect("post");
    problem(r, 403, "not_a_recorder").await;
}

#[tokio::test]
async fn demo_data_has_records_by_every_recorder_and_filings_in_every_state() {
    use diesel::dsl::count_star;
    use diesel::prelude::*;
    use shuanglian::db::Mode;
    use shuanglian::db::schema::{filings as f, obligations as o, performance_records as r};
    let app = spawn_app().await;
    shuanglian::demo::generate(&app.state, shuanglian::demo::Preset::Small, 1)
        .await
        .expect("demo data");
    let tid = app
        .state
        .db
        .platform(Mode::Read, |tx| {
            Ok(shuanglian::tenancy::repo::by_code(tx, "330523")?.expect("county"))
        })
        .await
        .expect("tenant")
        .tenant_id();
    let (categories, quarters, states, late, overdue) = app
        .state
        .db
        .tenant(tid, Mode::Read, |tx| {
            let tid = tx.tid().to_owned();
            let categories: Vec<(String, i64)> = r::table
                .filter(r::tenant_id.eq(&tid))
                .group_by(r::category)
                .select((r::category, count_star()))
                .load(tx.conn())?;
            let dates: Vec<chrono::NaiveDate> = r::table
                .filter(r::tenant_id.eq(&tid))
                .select(r::recorded_on)
                .load(tx.conn())?;
            let mut quarters: Vec<String> = dates
                .iter()
                .map(|d| shuanglian::deadlines::Period::quarter_of(*d).to_string())
                .collect();
            quarters.sort();
            quarters.dedup();
            let states: Vec<(String, String, i64)> = f::table
                .filter(f::tenant_id.eq(&tid))
                .group_by((f::period, f::state))
                .select((f::period, f::state, count_star()))
                .load(tx.conn())?;
            let late: i64 = f::table
                .filter(f::tenant_id.eq(&tid))
                .filter(f::first_submitted_on.gt(f::due_on.nullable()))
                .count()
                .get_result(tx.conn())?;
            let overdue: i64 = o::table
                .filter(o::tenant_id.eq(&tid))
                .filter(o::kind.eq("quarterly_filing"))
                .filter(o::done_at.is_null())
                .count()
                .get_result(tx.conn())?;
            Ok((categories, quarters, states, late, overdue))
        })
        .await
        .expect("query");
    assert_eq!(categories.len(), 4, "{categories:?}");
    assert!(categories.iter().all(|(_, n)| *n > 20), "{categories:?}");
    assert_eq!(quarters, vec!["2026Q1", "2026Q2", "2026Q3", "2026Q4"]);
    for state in ["draft", "submitted", "accepted", "returned"] {
        assert!(
            states.iter().any(|(p, s, _)| p == "2026Q3" && s == state),
            "{state} in {states:?}"
        );
    }
    assert!(late > 0 && overdue > 0, "late {late}, overdue {overdue}");
    // The dashboard shows the overdue filings with their owners.
    let r = app
        .sign_in_with_code(
            Some("330523"),
            "admin",
            shuanglian::demo::DEMO_PASSWORD,
            Some(&shuanglian_tests::totp_code(
                shuanglian::demo::DEMO_TOTP_SECRET,
            )),
        )
        .await;
    let admin = r.json::<Value>().await.expect("json")["token"]
        .as_str()
        .expect("token")
        .to_owned();
    let (s, v, _) = send_tagged(app.get(
        "/api/v1/deadlines?kind=quarterly_filing&state=overdue&as_of=2026-11-26",
        &admin,
    ))
    .await;
    assert_eq!(s, 200, "{v}");
    assert!(v["summary"]["overdue"].as_i64().unwrap() > 0, "{v}");
    assert!(
        v["items"][0]["owner_name"]
            .as_str()
            .is_some_and(|n| !n.is_empty())
    );
}
