//! Groups per grid or region: who sees them and who changes them.

use super::*;

#[tokio::test]
async fn groups_are_scoped_and_only_the_admin_and_maintainer_change_them() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let admin = &w.c.admin_token;
    // Creation: idempotent, validated, by the right roles.
    let body =
        json!({ "name": "递铺网格实名制党建QQ群", "grid_id": w.grid, "maintainer_id": w.maint1.0 });
    let (s, g1, h) = send(
        app.post("/api/v1/qq-groups", admin, &body)
            .header("Idempotency-Key", "qq-1"),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{g1}");
    assert_eq!(h["etag"], "\"v1\"");
    let g1 = id(&g1);
    let (s, again, h) = send(
        app.post("/api/v1/qq-groups", admin, &body)
            .header("Idempotency-Key", "qq-1"),
    )
    .await;
    assert_eq!((s, id(&again)), (StatusCode::CREATED, g1.clone()));
    assert_eq!(h["idempotent-replayed"], "true");
    let g2 = id(&ok(
        app.post("/api/v1/qq-groups", admin, &json!({ "name": "孝丰镇党建QQ群", "org_unit_id": w.town2, "maintainer_id": w.maint2.0 })),
        201,
    )
    .await);
    let g3 = id(&ok(
        app.post(
            "/api/v1/qq-groups",
            &w.maint2.1,
            &json!({ "name": "孝丰分会支部群", "org_unit_id": w.pb2, "maintainer_id": w.maint2.0 }),
        ),
        201,
    )
    .await);
    problem(
        app.post(
            "/api/v1/qq-groups",
            &w.maint2.1,
            &json!({ "name": "代建的群", "org_unit_id": w.pb2, "maintainer_id": w.maint1.0 }),
        )
        .send()
        .await
        .expect("s"),
        403,
        "forbidden",
    )
    .await;
    for tok in [&w.village_tok, &w.assoc_tok, &w.aic_tok] {
        problem(
            app.post("/api/v1/qq-groups", tok, &body)
                .send()
                .await
                .expect("s"),
            403,
            "forbidden",
        )
        .await;
    }
    let users = ok(app.get("/api/v1/users?limit=200", admin), 200).await;
    let village_id = users["items"]
        .as_array()
        .expect("users")
        .iter()
        .find(|u| u["username"] == "village.one")
        .map(id)
        .expect("village user");
    for (b, field, code) in [
        (
            json!({ "name": "两者都有", "grid_id": w.grid, "org_unit_id": w.town, "maintainer_id": w.maint1.0 }),
            "grid_id",
            "grid_or_unit_required",
        ),
        (
            json!({ "name": "两者都无", "maintainer_id": w.maint1.0 }),
            "grid_id",
            "grid_or_unit_required",
        ),
        (
            json!({ "name": "不存在的网格", "grid_id": uuid::Uuid::now_v7().to_string(), "maintainer_id": w.maint1.0 }),
            "grid_id",
            "grid_not_found",
        ),
        (
            json!({ "name": "村里维护", "grid_id": w.grid, "maintainer_id": village_id }),
            "maintainer_id",
            "not_branch_staff",
        ),
        (
            json!({ "name": "无人维护", "grid_id": w.grid, "maintainer_id": uuid::Uuid::now_v7().to_string() }),
            "maintainer_id",
            "user_not_found",
        ),
        (
            json!({ "name": "群号错", "group_number": "012345", "grid_id": w.grid, "maintainer_id": w.maint1.0 }),
            "group_number",
            "invalid_qq",
        ),
    ] {
        let (s, v, _) = send(app.post("/api/v1/qq-groups", admin, &b)).await;
        assert_eq!(s.as_u16(), 422, "{b}: {v}");
        assert_eq!(fields(&v), vec![field], "{v}");
        assert_eq!(v["errors"][0]["code"], code, "{v}");
    }
    // Who sees what.
    let list = |tok: String| {
        let app = &app;
        async move { names(&ok(app.get("/api/v1/qq-groups", &tok), 200).await, "id") }
    };
    let mut all = vec![g1.clone(), g2.clone(), g3.clone()];
    all.sort();
    assert_eq!(list(admin.clone()).await, all);
    assert_eq!(list(w.assoc_tok.clone()).await, all);
    assert_eq!(
        list(w.maint1.1.clone()).await,
        vec![g1.clone()],
        "branch 1: its party branch's grid"
    );
    let mut two = vec![g2.clone(), g3.clone()];
    two.sort();
    assert_eq!(
        list(w.maint2.1.clone()).await,
        two,
        "branch 2: what it keeps"
    );
    assert_eq!(
        list(w.village_tok.clone()).await,
        vec![g1.clone()],
        "a village: its township's grid"
    );
    assert_eq!(
        list(w.aic_tok.clone()).await,
        vec![g1.clone()],
        "the AIC office: its grid"
    );
    let v = ok(
        app.get(&format!("/api/v1/qq-groups?grid_id={}", w.grid), admin),
        200,
    )
    .await;
    assert_eq!(names(&v, "id"), vec![g1.clone()]);
    let v = ok(app.get("/api/v1/qq-groups?grid_id=nope", admin), 200).await;
    assert!(v["items"].as_array().expect("items").is_empty());
    // Pages.
    let v = ok(app.get("/api/v1/qq-groups?limit=2", admin), 200).await;
    let next = v["next_cursor"].as_str().expect("cursor").to_owned();
    let v = ok(
        app.get(&format!("/api/v1/qq-groups?limit=2&cursor={next}"), admin),
        200,
    )
    .await;
    assert_eq!(v["items"].as_array().expect("items").len(), 1);
    // Reading and changing one group.
    let path = format!("/api/v1/qq-groups/{g1}");
    assert_eq!(
        ok(app.get(&path, &w.village_tok), 200).await["maintainer_id"],
        w.maint1.0.as_str()
    );
    problem(
        app.get(&path, &w.maint2.1).send().await.expect("g"),
        404,
        "not_found",
    )
    .await;
    problem(
        app.get(&path, &w.other.admin_token)
            .send()
            .await
            .expect("g"),
        404,
        "not_found",
    )
    .await;
    let rename = json!({ "name": "递铺网格党建群" });
    for (tok, status, code) in [
        (&w.village_tok, 403, "forbidden"),
        (&w.assoc_tok, 403, "forbidden"),
        (&w.maint2.1, 404, "not_found"),
        (&w.other.admin_token, 404, "not_found"),
    ] {
        let r = app
            .patch(&path, tok, &rename)
            .header("If-Match", "\"v1\"")
            .send()
            .await
            .expect("p");
        problem(r, status, code).await;
        for action in ["deactivate", "reactivate"] {
            let r = app
                .post(&format!("{path}/{action}"), tok, &json!({}))
                .send()
                .await
                .expect("d");
            problem(r, status, code).await;
        }
    }
    assert!(
        list(w.other.admin_token.clone()).await.is_empty(),
        "another county lists none"
    );
    problem(
        app.patch(&path, &w.maint1.1, &rename)
            .send()
            .await
            .expect("p"),
        428,
        "if_match_required",
    )
    .await;
    let v = ok(
        app.patch(&path, &w.maint1.1, &rename)
            .header("If-Match", "\"v1\""),
        200,
    )
    .await;
    assert_eq!(v["name"], "递铺网格党建群");
    let (s, _, h) = send(
        app.patch(&path, &w.maint1.1, &rename)
            .header("If-Match", "\"v2\""),
    )
    .await;
    assert_eq!(
        (s, h["etag"].to_str().expect("e")),
        (StatusCode::OK, "\"v2\""),
        "no change, no new version"
    );
    problem(
        app.patch(&path, admin, &json!({ "name": "又改" }))
            .header("If-Match", "\"v1\"")
            .send()
            .await
            .expect("p"),
        412,
        "stale_version",
    )
    .await;
    // Deactivated groups keep their roster frozen.
    let v = ok(
        app.post(&format!("{path}/deactivate"), &w.maint1.1, &json!({})),
        200,
    )
    .await;
    assert_eq!(v["active"], false);
    let r = app
        .post(
            &format!("{path}/roster"),
            &w.maint1.1,
            &json!({ "real_name": "张三", "role": "member", "qq": "123456789" }),
        )
        .send()
        .await
        .expect("a");
    problem(r, 409, "group_inactive").await;
    problem(
        app.post(&format!("{path}/deactivate"), admin, &json!({}))
            .send()
            .await
            .expect("d"),
        409,
        "status_unchanged",
    )
    .await;
    let v = ok(app.get("/api/v1/qq-groups?active=false", admin), 200).await;
    assert_eq!(names(&v, "id"), vec![g1.clone()]);
    ok(
        app.post(&format!("{path}/reactivate"), admin, &json!({})),
        200,
    )
    .await;
    // Handing the group over moves it out of branch 1's hands.
    let tag = etag(&app, admin, &path).await;
    let v = ok(
        app.patch(&path, admin, &json!({ "maintainer_id": w.maint2.0 }))
            .header("If-Match", &tag),
        200,
    )
    .await;
    assert_eq!(v["maintainer_id"], w.maint2.0.as_str());
    let tag = etag(&app, admin, &path).await;
    let r = app
        .patch(&path, &w.maint1.1, &json!({ "name": "旧维护人改名" }))
        .header("If-Match", &tag)
        .send()
        .await
        .expect("p");
    problem(r, 403, "forbidden").await;
    assert!(
        list(w.maint2.1.clone()).await.contains(&g1),
        "the new maintainer sees it"
    );
    // The history and the audit log both tell.
    let h = ok(app.get(&format!("{path}/history"), admin), 200).await;
    let actions: Vec<&str> = h["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| e["action"].as_str().expect("a"))
        .collect();
    assert_eq!(
        actions,
        vec![
            "group.create",
            "group.update",
            "group.deactivate",
            "group.reactivate",
            "group.update"
        ]
    );
    assert_eq!(
        h["items"][4]["changes"]["maintainer_id"]["new"],
        w.maint2.0.as_str()
    );
    let a = ok(
        app.get(&format!("/api/v1/audit?entity_id={g1}"), admin),
        200,
    )
    .await;
    let text = a.to_string();
    assert!(
        text.contains("qq_group.create") && text.contains("qq_group.deactivate"),
        "{text}"
    );
}
