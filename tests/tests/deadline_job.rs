//! The daily job over a workflow's obligations: a handbook past its 15 days is recorded overdue
//! once, with one notification; one due within three days gets a reminder; meeting it late
//! shows how late; and the member's time line gathers what the workflows recorded.

use chrono::{Days, NaiveDate};
use serde_json::{Value, json};
use shuanglian_tests::{OneGrid, send, spawn_app};

fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

#[tokio::test]
async fn overdue_obligations_are_notified_once_and_the_time_line_gathers_the_workflows() {
    let app = spawn_app().await;
    let OneGrid {
        c,
        party_branch: pb,
        village,
        ..
    } = app.one_grid().await;
    let tok = c.admin_token.clone();
    let (_, branch_tok) = app.staff(&c, "fenhui", "branch_staff", Some(&pb)).await;
    let (_, village_tok) = app
        .staff(&c, "cunwei", "village_recorder", Some(&village))
        .await;
    let mut members = vec![];
    for name in ["王建国", "李秀英"] {
        members.push(
            app.member_in(&tok, name, &format!("{name}五金店"), &village)
                .await,
        );
    }
    let today = shuanglian::clock::today();
    // Issued 20 days ago: due 5 days ago. Issued 13 days ago: due in 2 days.
    let mut handbooks = vec![];
    for (m, ago) in members.iter().zip([20u64, 13]) {
        let (s, h) = send(app.post(
            "/api/v1/handbooks",
            &branch_tok,
            &json!({ "member_id": m, "issued_on": day(today - Days::new(ago)) }),
        ))
        .await;
        assert_eq!(s, 201, "{h}");
        handbooks.push(h);
    }
    let (_, d) = send(app.get("/api/v1/deadlines?kind=two_way_reporting", &tok)).await;
    let items = d["items"].as_array().expect("items");
    assert_eq!(items.len(), 2, "{d}");
    let late = items
        .iter()
        .find(|i| i["state"] == "overdue")
        .expect("one overdue")
        .clone();
    let soon = items
        .iter()
        .find(|i| i["state"] == "due")
        .expect("one due")
        .clone();
    assert_eq!(late["days_overdue"], 5);
    assert_eq!(late["due_on"], day(today - Days::new(5)));
    assert_eq!(late["owner_org_unit_id"], pb.as_str());

    // The job records the overdue one once, with one notification, and reminds the other.
    let (s, r) = send(app.post("/api/v1/deadlines/run", &tok, &json!({}))).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["newly_overdue"], 1, "{r}");
    assert!(r["reminders"].as_i64().expect("n") >= 1);
    let (_, r2) = send(app.post("/api/v1/deadlines/run", &tok, &json!({}))).await;
    assert_eq!(
        (&r2["newly_overdue"], &r2["reminders"]),
        (&json!(0), &json!(0))
    );
    let (_, ob) = send(app.get("/api/v1/deadlines/outbox?limit=200", &tok)).await;
    let for_obligation = |id: &Value, topic: &str| -> Vec<Value> {
        ob["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter(|i| i["obligation_id"] == *id && i["topic"] == topic)
            .cloned()
            .collect()
    };
    let notes = for_obligation(&late["id"], "overdue");
    assert_eq!(notes.len(), 1, "{ob}");
    assert_eq!(notes[0]["recipient_org_unit_id"], pb.as_str());
    assert_eq!(notes[0]["recipient_name"], "递铺分会第一支部");
    assert!(
        notes[0]["body"]
            .as_str()
            .expect("body")
            .contains("已逾期5天"),
        "{}",
        notes[0]
    );
    assert!(
        !notes[0].to_string().contains("王建国"),
        "no names in notices"
    );
    assert_eq!(for_obligation(&soon["id"], "due_soon").len(), 1);
    assert!(for_obligation(&soon["id"], "overdue").is_empty());
    let (_, d) = send(app.get(
        "/api/v1/deadlines?kind=two_way_reporting&state=overdue",
        &tok,
    ))
    .await;
    assert_eq!(d["items"][0]["overdue_since"], day(today));

    // Met today, five days late: done, and the dashboard keeps how late.
    let hb = handbooks[0]["id"].as_str().expect("id");
    let (s, v) = send(app.post(
        &format!("/api/v1/handbooks/{hb}/village-confirmation"),
        &village_tok,
        &json!({}),
    ))
    .await;
    assert_eq!(s, 200, "{v}");
    let (s, v) = send(app.post(
        &format!("/api/v1/handbooks/{hb}/branch-confirmation"),
        &branch_tok,
        &json!({}),
    ))
    .await;
    assert_eq!(s, 200, "{v}");
    let (_, d) = send(app.get("/api/v1/deadlines?kind=two_way_reporting&state=done", &tok)).await;
    assert_eq!(d["items"][0]["id"], late["id"]);
    assert_eq!(d["items"][0]["days_overdue"], 5);
    assert_eq!(d["summary"]["overdue"], 0);

    // The time line: reporting steps and a status change, newest first; scoped like the member.
    let m = &members[0];
    let (s, v) = send(app.post(
        &format!("/api/v1/members/{m}/status-changes"),
        &tok,
        &json!({ "change": "away", "on": day(today), "reason": "外出经营" }),
    ))
    .await;
    assert_eq!(s, 201, "{v}");
    let (s, tl) = send(app.get(&format!("/api/v1/members/{m}/timeline"), &village_tok)).await;
    assert_eq!(s, 200, "{tl}");
    let entries = tl.as_array().expect("entries");
    let sources: Vec<&str> = entries
        .iter()
        .map(|e| e["source"].as_str().expect("source"))
        .collect();
    assert!(sources.contains(&"reporting"), "{tl}");
    assert!(sources.contains(&"status"), "{tl}");
    let dates: Vec<&str> = entries
        .iter()
        .map(|e| e["on"].as_str().expect("on"))
        .collect();
    let mut sorted = dates.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(dates, sorted, "newest first");
    let other = app.county("330522", "长兴县").await;
    let (s, _) = send(app.get(&format!("/api/v1/members/{m}/timeline"), &other.admin_token)).await;
    assert_eq!(s, 404, "another county's member is unknown");
}
