//! The demo county has cases in every state, late ones included.

use super::*;

#[tokio::test]
async fn the_demo_county_has_floating_members_in_every_state_and_late_ones() {
    use shuanglian::db::Mode;
    let app = spawn_app().await;
    shuanglian::demo::generate(&app.state, shuanglian::demo::Preset::Small, 1)
        .await
        .expect("demo data");
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
    assert_eq!(r.status(), reqwest::StatusCode::OK);
    let admin = r.json::<Value>().await.expect("json")["token"]
        .as_str()
        .expect("token")
        .to_owned();
    // Every state, this year and last.
    for year in [2025, 2026] {
        let states: &[&str] = if year == 2026 {
            &[
                "registered",
                "confirmed",
                "evaluated",
                "sent",
                "receipt_returned",
                "archived",
            ]
        } else {
            &["confirmed", "evaluated", "sent", "archived"]
        };
        for state in states {
            let (s, v, _) = send_tagged(app.get(
                &format!("/api/v1/floating-members?year={year}&state={state}&limit=5"),
                &admin,
            ))
            .await;
            assert_eq!(s, 200, "{v}");
            assert!(
                !v["items"].as_array().expect("items").is_empty(),
                "no {state} case in {year}"
            );
        }
    }
    // Receipts out for weeks this year, and for a year since 2025, with chases.
    let (_, v, _) = send_tagged(app.get(
        "/api/v1/floating-receipts/outstanding?as_of=2026-11-26&limit=500",
        &admin,
    ))
    .await;
    let items = v["items"].as_array().expect("items");
    assert!(items.iter().any(|i| i["case"]["year"] == 2026
        && i["days_outstanding"].as_i64().is_some_and(|d| d >= 21)
        && i["chase_count"].as_i64().is_some_and(|c| c >= 1)));
    assert!(
        items.iter().any(|i| i["case"]["year"] == 2025
            && i["days_outstanding"].as_i64().is_some_and(|d| d > 300))
    );
    // On 26 November 2026 this year's unsent cases are due, last year's unsent ones overdue,
    // and last year's sent ones done (some late).
    let dash = |state: &'static str| {
        let r = app.get(
            &format!(
                "/api/v1/deadlines?kind=floating_feedback&as_of=2026-11-26&state={state}&limit=200"
            ),
            &admin,
        );
        async move {
            let (s, v, _) = send_tagged(r).await;
            assert_eq!(s, 200, "{v}");
            v
        }
    };
    let due = dash("due").await;
    assert!(
        due["summary"]["due"].as_i64().is_some_and(|n| n > 0),
        "{}",
        due["summary"]
    );
    assert!(
        due["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|i| i["due_on"] == "2026-11-30")
    );
    let overdue = dash("overdue").await;
    let items = overdue["items"].as_array().expect("items");
    assert!(!items.is_empty());
    assert!(
        items
            .iter()
            .all(|i| i["due_on"] == "2025-11-30" && i["days_overdue"] == 361)
    );
    let done = dash("done").await;
    let items = done["items"].as_array().expect("items");
    assert!(
        items
            .iter()
            .any(|i| i["days_overdue"].as_i64().is_some_and(|d| d > 0))
    );
    assert!(items.iter().any(|i| i["days_overdue"].is_null()));
    // The demo's rows are consistent with the step rules: every sent case has its evaluation.
    let tid = app
        .state
        .db
        .platform(Mode::Read, |tx| {
            Ok(shuanglian::tenancy::repo::by_code(tx, "330523")?.expect("county"))
        })
        .await
        .expect("tenant")
        .tenant_id();
    let bad = app
        .state
        .db
        .tenant(tid, Mode::Read, |tx| {
            let page = shuanglian::api::PageRequest {
                limit: 200,
                after: None,
            };
            let f = shuanglian::workflows::floating::repo::Filter {
                state: Some("sent"),
                ..Default::default()
            };
            let vis = shuanglian::org::scope::Visibility::County;
            let rows = shuanglian::workflows::floating::repo::list(tx, &vis, &page, &f)?;
            Ok(rows
                .iter()
                .filter(|r| r.evaluation.is_none() || r.sent_on < r.evaluated_on)
                .count())
        })
        .await
        .expect("rows");
    assert_eq!(bad, 0);
}
