//! Review by the upper committee; illegal transitions refused.

use super::*;

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
    // A reason on an acceptance is not needed, but held to its documented 500 characters.
    let (s, v) = act(
        &app,
        &w.town_com_a,
        &fid,
        "accept",
        json!({ "reason": "长".repeat(501) }),
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
