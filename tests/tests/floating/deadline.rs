//! The 30 November deadline of the feedback form, at its boundary.

use super::*;

#[tokio::test]
async fn feedback_sent_on_30_november_is_on_time_and_on_1_december_late() {
    let app = spawn_app().await;
    let w = world(&app, "330523", "安吉县").await;
    let mut ids = Vec::new();
    for (tok, member, sent_on) in [
        (&w.staff, &w.floating, "2025-11-30"),
        (&w.other_staff, &w.other_floating, "2025-12-01"),
    ] {
        let case = register(
            &app,
            tok,
            json!({ "member_id": member, "home_contact_unit": "镇党委", "operating_since": "2024-01-01",
                    "registered_on": "2025-01-10" }),
        )
        .await;
        let id = case["id"].as_str().expect("id").to_owned();
        let p = |step: &str| format!("/api/v1/floating-members/{id}/{step}");
        for (step, body) in [
            (
                "confirm",
                json!({ "proof_reference": "证明", "proof_date": "2025-01-12", "confirmed_on": "2025-01-15" }),
            ),
            (
                "evaluation",
                json!({ "evaluation": "良好", "evaluated_on": "2025-11-15" }),
            ),
            ("send", json!({ "method": "online", "sent_on": sent_on })),
        ] {
            let (s, v, _) = send_tagged(app.post(&p(step), tok, &body)).await;
            assert_eq!(s, 200, "{step}: {v}");
        }
        ids.push(id);
    }
    let on_time = obligation(&app, &w.c.admin_token, &ids[0], "2025-12-10").await;
    assert_eq!(
        (on_time["state"].as_str(), on_time["days_overdue"].as_i64()),
        (Some("done"), None),
        "{on_time}"
    );
    let late = obligation(&app, &w.c.admin_token, &ids[1], "2025-12-10").await;
    assert_eq!(
        (late["state"].as_str(), late["days_overdue"].as_i64()),
        (Some("done"), Some(1)),
        "{late}"
    );
    // Each branch's own obligation: the other branch's staff do not see this one on the dashboard.
    assert_eq!(
        obligation(&app, &w.other_staff, &ids[0], "2025-12-10").await,
        Value::Null
    );
    assert_eq!(
        obligation(&app, &w.staff, &ids[0], "2025-12-10").await["state"].as_str(),
        Some("done")
    );
}
