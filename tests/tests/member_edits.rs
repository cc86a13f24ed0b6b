//! Concurrent edits of one member: with the same If-Match, exactly one wins and the other gets
//! 412; nothing is lost silently.

use reqwest::StatusCode;
use serde_json::{Value, json};
use shuanglian_tests::spawn_app;

#[tokio::test]
async fn concurrent_edits_give_one_412_and_no_lost_update() {
    let app = spawn_app().await;
    let c = app.county("330523", "安吉县").await;
    let r = app
        .post(
            "/api/v1/members",
            &c.admin_token,
            &json!({ "name": "王建国", "is_owner": true, "business_name": "建国五金店",
                     "membership_org_name": "外县某党支部", "membership_status": "full",
                     "distribution": "individual_business" }),
        )
        .send()
        .await
        .expect("create");
    assert_eq!(r.status(), StatusCode::CREATED);
    let etag = r.headers()["etag"].to_str().expect("etag").to_owned();
    let v: Value = r.json().await.expect("json");
    let url = format!("/api/v1/members/{}", v["id"].as_str().expect("id"));
    for round in 0..5 {
        let etag = if round == 0 {
            etag.clone()
        } else {
            app.get(&url, &c.admin_token)
                .send()
                .await
                .expect("get")
                .headers()["etag"]
                .to_str()
                .expect("etag")
                .to_owned()
        };
        let names: Vec<String> = (0..4).map(|i| format!("店{round}-{i}")).collect();
        let sends = names.iter().map(|n| {
            app.patch(&url, &c.admin_token, &json!({ "business_name": n }))
                .header("If-Match", etag.clone())
                .send()
        });
        let results = futures_util::future::join_all(sends).await;
        let mut ok = Vec::new();
        let mut stale = 0;
        for (n, r) in names.iter().zip(results) {
            match r.expect("send").status() {
                StatusCode::OK => ok.push(n.clone()),
                StatusCode::PRECONDITION_FAILED => stale += 1,
                s => panic!("unexpected {s}"),
            }
        }
        assert_eq!((ok.len(), stale), (1, 3), "round {round}");
        let now: Value = app
            .get(&url, &c.admin_token)
            .send()
            .await
            .expect("get")
            .json()
            .await
            .expect("json");
        assert_eq!(
            now["business_name"],
            ok[0].as_str(),
            "the winner's change is kept"
        );
    }
}
