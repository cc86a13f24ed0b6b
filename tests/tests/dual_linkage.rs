//! The "done when", end to end through the real API: a branch officer and a village
//! recorder carry one member through two-way reporting, a quarter of records, the village's
//! quarterly filing and a feedback round; the member's time line shows it all; and the county
//! admin sees every overdue obligation and its owner on one screen (`GET /deadlines`).

use chrono::{Datelike, Days, NaiveDate};
use reqwest::RequestBuilder;
use serde_json::{Value, json};
use shuanglian_tests::{OneGrid, send, spawn_app};

async fn ok(r: RequestBuilder, want: u16) -> Value {
    let (s, v) = send(r).await;
    assert_eq!(s, want, "{v}");
    v
}

fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

#[tokio::test]
async fn a_branch_and_a_village_carry_one_member_through_a_year_of_dual_linkage() {
    let app = spawn_app().await;
    let OneGrid {
        c,
        party_branch: pb,
        town,
        village,
        ..
    } = app.one_grid().await;
    let tok = c.admin_token.clone();
    let (_, branch_tok) = app.staff(&c, "fenhui", "branch_staff", Some(&pb)).await;
    let (_, village_tok) = app
        .staff(&c, "cunwei", "village_recorder", Some(&village))
        .await;
    let (_, town_tok) = app
        .staff(&c, "zhenwei", "township_committee", Some(&town))
        .await;
    let (_, assoc_tok) = app.staff(&c, "xiehui", "association_committee", None).await;
    let m = app
        .member_in(&tok, "王建国", "王建国农家乐", &village)
        .await;
    let late_member = app
        .member_in(&tok, "李秀英", "李秀英农家乐", &village)
        .await;
    let today = shuanglian::clock::today();

    // 1. Two-way reporting: issue, the village confirms, then the branch: complete and met.
    let h = ok(
        app.post(
            "/api/v1/handbooks",
            &branch_tok,
            &json!({ "member_id": m, "issued_on": day(today - Days::new(3)) }),
        ),
        201,
    )
    .await;
    let hid = h["id"].as_str().expect("id");
    ok(
        app.post(
            &format!("/api/v1/handbooks/{hid}/village-confirmation"),
            &village_tok,
            &json!({ "reported_on": day(today - Days::new(2)) }),
        ),
        200,
    )
    .await;
    ok(
        app.post(
            &format!("/api/v1/handbooks/{hid}/branch-confirmation"),
            &branch_tok,
            &json!({}),
        ),
        200,
    )
    .await;
    // Another member's handbook, issued 20 days ago and never reported: overdue.
    ok(
        app.post(
            "/api/v1/handbooks",
            &branch_tok,
            &json!({ "member_id": late_member, "issued_on": day(today - Days::new(20)) }),
        ),
        201,
    )
    .await;

    // 2. A quarter of records by the village (activities and residence), last quarter.
    let q_first_month = (today.month() - 1) / 3 * 3 + 1;
    let this_q = NaiveDate::from_ymd_opt(today.year(), q_first_month, 1).expect("quarter");
    let last_q_day = this_q - Days::new(20);
    let q = (last_q_day.month() - 1) / 3 + 1;
    let period = format!("{}Q{q}", last_q_day.year());
    for (item, content) in [("V01", "参加村党组织主题党日活动"), ("R01", "邻里关系和睦")]
    {
        ok(
            app.post(
                "/api/v1/records",
                &village_tok,
                &json!({ "member_id": m, "item_code": item, "recorded_on": day(last_q_day), "content": content }),
            ),
            201,
        )
        .await;
    }

    // 3. The village files the quarter; the township committee accepts it.
    let f = ok(
        app.post(
            "/api/v1/filings",
            &village_tok,
            &json!({ "period": period }),
        ),
        201,
    )
    .await;
    let fid = f["id"].as_str().expect("id");
    ok(
        app.post(
            &format!("/api/v1/filings/{fid}/submit"),
            &village_tok,
            &json!({}),
        ),
        200,
    )
    .await;
    ok(
        app.post(
            &format!("/api/v1/filings/{fid}/accept"),
            &town_tok,
            &json!({}),
        ),
        200,
    )
    .await;
    let r = app
        .get(
            &format!("/api/v1/filings/{fid}/document.html"),
            &village_tok,
        )
        .send()
        .await
        .expect("doc");
    assert_eq!(r.status().as_u16(), 200);
    let html = r.text().await.expect("html");
    assert!(html.contains("季报表") && html.contains("王建国"), "{html}");

    // 4. A feedback round: the branch writes on the member's business-place conduct, the
    //    association committee approves, the branch sends, the village acknowledges.
    let half = if last_q_day.month() <= 6 { 1 } else { 2 };
    let half_period = format!("{}H{half}", last_q_day.year());
    let b = ok(
        app.post(
            "/api/v1/feedback-batches",
            &branch_tok,
            &json!({ "receiver_id": village, "period": half_period, "member_ids": [m] }),
        ),
        201,
    )
    .await;
    let bid = b["id"].as_str().expect("id");
    ok(
        app.client
            .put(app.url(&format!("/api/v1/feedback-batches/{bid}/items/{m}")))
            .bearer_auth(&branch_tok)
            .json(&json!({ "text": "诚信经营，积极参加协会活动" })),
        200,
    )
    .await;
    let step = |who: &str, what: &str, body: Value| {
        app.post(
            &format!("/api/v1/feedback-batches/{bid}/{what}"),
            who,
            &body,
        )
    };
    // Sending before the review is refused.
    let (s, v) = send(step(&branch_tok, "send", json!({}))).await;
    assert_eq!((s, v["code"].as_str()), (409, Some("not_reviewed")), "{v}");
    ok(step(&branch_tok, "submit", json!({})), 200).await;
    ok(
        step(&assoc_tok, "review", json!({ "decision": "approve" })),
        200,
    )
    .await;
    ok(step(&branch_tok, "send", json!({})), 200).await;
    ok(step(&village_tok, "acknowledge", json!({})), 200).await;
    let fb = ok(
        app.get(&format!("/api/v1/members/{m}/feedback"), &village_tok),
        200,
    )
    .await;
    assert!(fb.to_string().contains("诚信经营"), "{fb}");

    // The member's time line shows every workflow.
    let tl = ok(
        app.get(&format!("/api/v1/members/{m}/timeline"), &village_tok),
        200,
    )
    .await;
    let sources: Vec<&str> = tl
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| e["source"].as_str().expect("source"))
        .collect();
    for s in ["reporting", "record", "feedback"] {
        assert!(sources.contains(&s), "{s} in {tl}");
    }

    // 5. The county admin's one screen: every overdue obligation and its owner.
    let d = ok(
        app.get("/api/v1/deadlines?state=overdue&limit=200", &tok),
        200,
    )
    .await;
    let overdue = d["items"].as_array().expect("items");
    assert!(!overdue.is_empty());
    for i in overdue {
        assert_eq!(i["state"], "overdue");
        assert!(!i["owner_name"].as_str().expect("owner").is_empty(), "{i}");
        assert!(i["days_overdue"].as_i64().expect("days") >= 1);
    }
    let reporting: Vec<&Value> = overdue
        .iter()
        .filter(|i| i["kind"] == "two_way_reporting")
        .collect();
    assert_eq!(reporting.len(), 1, "only the unreported handbook: {d}");
    assert_eq!(reporting[0]["owner_name"], "递铺分会第一支部");
    assert_eq!(reporting[0]["member_id"], late_member.as_str());
    let owner = d["by_owner"]
        .as_array()
        .expect("by_owner")
        .iter()
        .find(|o| o["owner_org_unit_id"] == pb.as_str() && o["kind"] == "two_way_reporting")
        .expect("the branch is listed");
    assert_eq!(owner["overdue"], 1);
    // What was done is done: the reporting, the filing and the feedback of this member.
    let done = ok(app.get("/api/v1/deadlines?state=done&limit=200", &tok), 200).await;
    let kinds: Vec<&str> = done["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["kind"].as_str().expect("kind"))
        .collect();
    for k in [
        "two_way_reporting",
        "quarterly_filing",
        "semiannual_feedback",
    ] {
        assert!(kinds.contains(&k), "{k} done: {done}");
    }
}
