//! The join deadline and who is late, at its boundaries.

use super::*;

#[tokio::test]
async fn who_is_late_for_the_join_deadline_at_its_boundaries() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let admin = &w.c.admin_token;
    let gid = grid_group(&app, &w).await;
    let m = &w.maint1.1;
    let v = ok(app.get("/api/v1/qq-settings", m), 200).await;
    assert_eq!(v, json!({ "join_deadline": "05-10", "is_default": true }));
    for (name, role, qq, joined) in [
        (
            "五月九日",
            "village_organiser",
            "11111111",
            Some("2025-05-09"),
        ),
        (
            "五月十日",
            "village_organiser",
            "22222222",
            Some("2025-05-10"),
        ),
        (
            "五月十一",
            "township_organiser",
            "33333333",
            Some("2025-05-11"),
        ),
        ("未入群", "village_organiser", "44444444", None),
        ("首见于导入", "village_organiser", "55555555", None),
        ("普通党员", "member", "66666666", None),
    ] {
        let mut b = json!({ "real_name": name, "role": role, "qq": qq });
        if let Some(j) = joined {
            b["joined_on"] = json!(j);
        }
        add(&app, m, &gid, b).await;
    }
    // Seen in the group's list of 8 May: that is when this one joined.
    ok(
        app.post(
            &format!("/api/v1/qq-groups/{gid}/snapshots"),
            m,
            &json!({ "text": "55555555 首见", "taken_on": "2025-05-08" }),
        ),
        201,
    )
    .await;
    let late = |q: &str| {
        let (app, url, tok) = (&app, format!("/api/v1/qq-groups/{gid}/late?{q}"), m.clone());
        async move {
            let v = ok(app.get(&url, &tok), 200).await;
            v["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|i| {
                    format!(
                        "{}:{}:{}",
                        i["entry"]["real_name"].as_str().expect("n"),
                        i["status"].as_str().expect("s"),
                        i["days_late"]
                    )
                })
                .collect::<Vec<_>>()
        }
    };
    assert!(late("as_of=2025-05-09").await.is_empty());
    assert!(
        late("as_of=2025-05-10").await.is_empty(),
        "nobody is late on the deadline day"
    );
    assert_eq!(
        late("as_of=2025-05-11").await,
        vec!["五月十一:joined_late:1", "未入群:not_joined:1"]
    );
    assert_eq!(
        late("as_of=2025-05-20").await,
        vec!["五月十一:joined_late:1", "未入群:not_joined:10"]
    );
    assert_eq!(
        late("as_of=2025-05-11&all_roles=true").await,
        vec![
            "五月十一:joined_late:1",
            "未入群:not_joined:1",
            "普通党员:not_joined:1"
        ]
    );
    let v = ok(
        app.get(&format!("/api/v1/qq-groups/{gid}/late?as_of=2025-05-11"), m),
        200,
    )
    .await;
    assert_eq!(
        (v["join_deadline"].as_str(), v["due"].as_str()),
        (Some("05-10"), Some("2025-05-10"))
    );
    let r = app
        .get(&format!("/api/v1/qq-groups/{gid}/late?as_of=2025-13-01"), m)
        .send()
        .await
        .expect("l");
    problem(r, 400, "invalid_parameter").await;
    // The county admin moves the deadline; nobody else may.
    let r = app
        .patch(
            "/api/v1/qq-settings",
            m,
            &json!({ "join_deadline": "05-20" }),
        )
        .header("If-Match", "\"v0\"")
        .send()
        .await
        .expect("s");
    problem(r, 403, "forbidden").await;
    let r = app
        .patch(
            "/api/v1/qq-settings",
            admin,
            &json!({ "join_deadline": "02-29" }),
        )
        .header("If-Match", "\"v0\"")
        .send()
        .await
        .expect("s");
    let v = problem(r, 422, "validation_failed").await;
    assert_eq!(
        (fields(&v), v["errors"][0]["code"].as_str()),
        (vec!["join_deadline".to_owned()], Some("invalid_deadline"))
    );
    let (s, v, h) = send(
        app.patch(
            "/api/v1/qq-settings",
            admin,
            &json!({ "join_deadline": "5-20" }),
        )
        .header("If-Match", "\"v0\""),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v, json!({ "join_deadline": "05-20", "is_default": false }));
    assert_eq!(h["etag"], "\"v1\"");
    let r = app
        .patch(
            "/api/v1/qq-settings",
            admin,
            &json!({ "join_deadline": "05-25" }),
        )
        .header("If-Match", "\"v0\"")
        .send()
        .await
        .expect("s");
    problem(r, 412, "stale_version").await;
    assert!(
        late("as_of=2025-05-20").await.is_empty(),
        "the 11 May join is now in time"
    );
    assert_eq!(late("as_of=2025-05-21").await, vec!["未入群:not_joined:1"]);
    // Another county keeps its own deadline.
    let v = ok(app.get("/api/v1/qq-settings", &w.other.admin_token), 200).await;
    assert_eq!(v["join_deadline"], "05-10");
    let a = ok(app.get("/api/v1/audit", admin), 200).await;
    assert!(a.to_string().contains("qq_settings.update"));
}
