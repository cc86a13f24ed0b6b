//! The 10th of the quarter's first month, at its boundary.

use super::*;

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
