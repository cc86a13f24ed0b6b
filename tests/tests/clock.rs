//! One clock (issue 11, item 6): every date rule counts in China's calendar day. The process's
//! date rules are pinned to 16:30 UTC, when Beijing is already at 00:30 of the next day: a
//! status change dated "today in China" is accepted and the day after is refused as future.
//! (Before, status changes compared with the UTC date and refused China's today until 08:00.)
//!
//! The pin is process-wide, so this file holds the tests that need it and nothing else.

use chrono::{Days, NaiveTime, Utc};
use serde_json::{Value, json};
use shuanglian_tests::{problem, spawn_app};

#[tokio::test]
async fn date_rules_use_the_china_date_at_16_30_utc() {
    let at = Utc::now()
        .date_naive()
        .and_time(NaiveTime::from_hms_opt(16, 30, 0).expect("time"))
        .and_utc();
    shuanglian::clock::pin_for_tests(Some(at));
    let china = shuanglian::clock::today();
    assert_eq!(china, at.date_naive() + Days::new(1), "00:30 in Beijing");

    let app = spawn_app().await;
    let c = app.county("330523", "安吉县").await;
    let tok = c.admin_token.clone();
    let town = app.org_unit(&c, "township", "递铺街道", None).await;
    let village = app.org_unit(&c, "village", "古城村", Some(&town)).await;
    let r = app
        .post(
            "/api/v1/members",
            &tok,
            &json!({ "name": "王建国", "is_owner": true, "business_name": "建国五金店",
                     "org_life_unit_id": village, "membership_unit_id": village,
                     "membership_status": "probationary", "distribution": "individual_business",
                     "joined_party_on": "2025-06-01" }),
        )
        .send()
        .await
        .expect("create");
    assert_eq!(r.status(), 201);
    let m: Value = r.json().await.expect("json");
    let id = m["id"].as_str().expect("id");
    let change = format!("/api/v1/members/{id}/status-changes");

    // Tomorrow in China is still the future.
    let r = app
        .post(
            &change,
            &tok,
            &json!({ "change": "membership_status", "membership_status": "full",
                     "on": (china + Days::new(1)).to_string(), "reason": "支部大会讨论通过" }),
        )
        .send()
        .await
        .expect("send");
    let v = problem(r, 422, "validation_failed").await;
    assert_eq!(v["errors"][0]["code"], "date_in_future", "{v}");

    // Today in China is today, although UTC is still on the day before.
    let r = app
        .post(
            &change,
            &tok,
            &json!({ "change": "membership_status", "membership_status": "full",
                     "on": china.to_string(), "reason": "支部大会讨论通过" }),
        )
        .header("If-Match", "\"v1\"")
        .send()
        .await
        .expect("send");
    let status = r.status();
    let v: Value = r.json().await.expect("json");
    assert_eq!(status, 201, "{v}");

    // The deadline dashboard's default day is China's today too.
    let r = app
        .get("/api/v1/deadlines", &tok)
        .send()
        .await
        .expect("dashboard");
    let status = r.status();
    let v: Value = r.json().await.expect("json");
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["as_of"], china.to_string(), "{v}");
    shuanglian::clock::pin_for_tests(None);
}
