//! Roster entries: encrypted, masked, found exactly, kept in history.

use super::*;

#[tokio::test]
async fn roster_entries_are_encrypted_masked_found_exactly_and_kept_in_history() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let admin = &w.c.admin_token;
    let gid = grid_group(&app, &w).await;
    let base = format!("/api/v1/qq-groups/{gid}/roster");
    let m = &w.maint1.1;
    let e1 = add(&app, m, &gid, json!({ "real_name": "张三", "role": "township_organiser", "qq": "123456789", "org_unit_id": w.town, "verified": true, "joined_on": "2025-04-01" })).await;
    assert_eq!(e1["qq_masked"], "12*****89");
    assert_eq!(e1["verified"], true);
    assert!(!e1.to_string().contains("123456789"), "{e1}");
    // Full-width digits are the same number.
    let e2 = add(&app, m, &gid, json!({ "real_name": "李四", "role": "village_organiser", "qq": "２３４５６７８９", "org_unit_id": w.village })).await;
    assert_eq!(e2["qq_masked"], "23****89");
    assert_eq!(e2["verified"], false);
    let e3 = add(
        &app,
        admin,
        &gid,
        json!({ "real_name": "王五", "role": "member", "qq": "34567890" }),
    )
    .await;
    let r = app
        .post(
            &base,
            m,
            &json!({ "real_name": "重复", "role": "member", "qq": "23456789" }),
        )
        .send()
        .await
        .expect("d");
    problem(r, 409, "duplicate_qq").await;
    for (b, field, code) in [
        (
            json!({ "real_name": "坏号", "role": "member", "qq": "0123" }),
            "qq",
            "invalid_qq",
        ),
        (
            json!({ "real_name": " ", "role": "member", "qq": "99988877" }),
            "real_name",
            "invalid_display_name",
        ),
        (
            json!({ "real_name": "未来", "role": "member", "qq": "99988877", "joined_on": "2999-01-01" }),
            "joined_on",
            "future_date",
        ),
        (
            json!({ "real_name": "无党员", "role": "member", "qq": "99988877", "member_id": uuid::Uuid::now_v7().to_string() }),
            "member_id",
            "member_not_found",
        ),
        (
            json!({ "real_name": "无组织", "role": "member", "qq": "99988877", "org_unit_id": uuid::Uuid::now_v7().to_string() }),
            "org_unit_id",
            "org_unit_not_found",
        ),
    ] {
        let (s, v, _) = send(app.post(&base, m, &b)).await;
        assert_eq!(s.as_u16(), 422, "{b}: {v}");
        assert_eq!(fields(&v), vec![field], "{v}");
        assert_eq!(v["errors"][0]["code"], code, "{v}");
    }
    let r = app
        .post(
            &base,
            m,
            &json!({ "real_name": "错角色", "role": "boss", "qq": "99988877" }),
        )
        .send()
        .await
        .expect("r");
    problem(r, 400, "malformed_request").await;
    // Exact lookup through the blind index; filters.
    let find = |q: &str| {
        let (app, url, tok) = (&app, format!("{base}?{q}"), admin.clone());
        async move { names(&ok(app.get(&url, &tok), 200).await, "real_name") }
    };
    assert_eq!(find("qq=123456789").await, vec!["张三"]);
    assert_eq!(
        find("qq=%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96%EF%BC%97%EF%BC%98%EF%BC%99").await,
        vec!["李四"]
    );
    assert!(find("qq=999999999").await.is_empty());
    assert_eq!(find("verified=false").await, vec!["李四", "王五"]);
    assert_eq!(find("role=township_organiser").await, vec!["张三"]);
    let v = problem(
        app.get(&format!("{base}?qq=12ab"), admin)
            .send()
            .await
            .expect("l"),
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(fields(&v), vec!["qq"]);
    // Edits need the current ETag; the history shows old → new, QQ numbers masked.
    let p1 = format!("{base}/{}", id(&e1));
    let tag = etag(&app, m, &p1).await;
    let v = ok(
        app.patch(&p1, m, &json!({ "qq": "223456789", "verified": false }))
            .header("If-Match", &tag),
        200,
    )
    .await;
    assert_eq!(v["qq_masked"], "22*****89");
    problem(
        app.patch(&p1, m, &json!({ "real_name": "张三丰" }))
            .header("If-Match", &tag)
            .send()
            .await
            .expect("p"),
        412,
        "stale_version",
    )
    .await;
    // Two edits from the same ETag at once: one wins, the other is told, nothing is lost.
    let tag = etag(&app, m, &p1).await;
    let (a, b) = tokio::join!(
        send(
            app.patch(&p1, m, &json!({ "real_name": "张三甲" }))
                .header("If-Match", &tag)
        ),
        send(
            app.patch(&p1, admin, &json!({ "real_name": "张三乙" }))
                .header("If-Match", &tag)
        ),
    );
    let mut statuses = [a.0.as_u16(), b.0.as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 412], "{} {}", a.1, b.1);
    let winner = if a.0 == StatusCode::OK { &a.1 } else { &b.1 };
    assert_eq!(
        ok(app.get(&p1, admin), 200).await["real_name"],
        winner["real_name"]
    );
    let tag = etag(&app, m, &p1).await;
    ok(
        app.patch(&p1, m, &json!({ "real_name": "张三" }))
            .header("If-Match", &tag),
        200,
    )
    .await;
    assert_eq!(find("qq=223456789").await, vec!["张三"]);
    assert!(find("qq=123456789").await.is_empty());
    let p3 = format!("{base}/{}", id(&e3));
    problem(
        del(&app, &p3, m).send().await.expect("d"),
        428,
        "if_match_required",
    )
    .await;
    let tag3 = etag(&app, m, &p3).await;
    let r = del(&app, &p3, m)
        .header("If-Match", &tag3)
        .send()
        .await
        .expect("d");
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    problem(app.get(&p3, m).send().await.expect("g"), 404, "not_found").await;
    let h = ok(
        app.get(&format!("/api/v1/qq-groups/{gid}/history"), admin),
        200,
    )
    .await;
    let text = h.to_string();
    for clear in ["123456789", "223456789", "23456789", "34567890"] {
        assert!(
            !text.contains(&format!("\"{clear}\"")),
            "{clear} in the history: {text}"
        );
    }
    let items = h["items"].as_array().expect("items");
    let actions: Vec<&str> = items
        .iter()
        .map(|e| e["action"].as_str().expect("a"))
        .collect();
    assert_eq!(
        actions,
        vec![
            "group.create",
            "entry.add",
            "entry.add",
            "entry.add",
            "entry.update",
            "entry.update",
            "entry.update",
            "entry.remove"
        ]
    );
    let upd = &items[4];
    assert_eq!(upd["entry_id"], id(&e1).as_str());
    assert_eq!(upd["actor_id"], w.maint1.0.as_str());
    assert_eq!(
        upd["changes"]["qq"],
        json!({ "old": "12*****89", "new": "22*****89" })
    );
    assert_eq!(
        upd["changes"]["verified"],
        json!({ "old": true, "new": false })
    );
    assert!(
        upd["changes"].get("real_name").is_none(),
        "unchanged fields are not listed"
    );
    assert_eq!(items[6]["changes"]["real_name"]["new"], "张三");
    assert_eq!(items[7]["changes"]["real_name"], json!({ "old": "王五" }));
    let only = ok(
        app.get(
            &format!("/api/v1/qq-groups/{gid}/history?entry_id={}", id(&e1)),
            admin,
        ),
        200,
    )
    .await;
    assert_eq!(only["items"].as_array().expect("items").len(), 4);
    let a = ok(
        app.get(&format!("/api/v1/audit?entity_id={}", id(&e1)), admin),
        200,
    )
    .await;
    let atext = a.to_string();
    assert!(
        atext.contains("qq_roster.update")
            && atext.contains("\"qq\"")
            && !atext.contains("223456789"),
        "{atext}"
    );
    // Seeing a number in clear: the county admin, with a reason, audited, never cached.
    let un = format!("{p1}/unmask");
    problem(
        app.post(&un, admin, &json!({ "reason": "  " }))
            .send()
            .await
            .expect("u"),
        422,
        "validation_failed",
    )
    .await;
    let (s, v, h) = send(app.post(&un, admin, &json!({ "reason": "核对入群身份" }))).await;
    assert_eq!((s, v["qq"].as_str()), (StatusCode::OK, Some("223456789")));
    assert_eq!(h["cache-control"], "no-store");
    problem(
        app.post(&un, m, &json!({ "reason": "想看看号码" }))
            .send()
            .await
            .expect("u"),
        403,
        "unmask_not_allowed",
    )
    .await;
    let a = ok(
        app.get(&format!("/api/v1/audit?entity_id={}", id(&e1)), admin),
        200,
    )
    .await;
    let entry = a["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|e| e["action"] == "qq_roster.unmask")
        .expect("unmask audited")
        .clone();
    assert_eq!(entry["reason"], "核对入群身份");
    // Who may change the roster: the admin and the maintainer; others who see the group get
    // 403, those who do not (another branch, another county) 404.
    let p2 = format!("{base}/{}", id(&e2));
    let tag2 = etag(&app, admin, &p2).await;
    for (tok, status, code) in [
        (w.village_tok.clone(), 403, "forbidden"),
        (w.assoc_tok.clone(), 403, "forbidden"),
        (w.aic_tok.clone(), 403, "forbidden"),
        (w.maint2.1.clone(), 404, "not_found"),
        (w.other.admin_token.clone(), 404, "not_found"),
    ] {
        let r = app
            .post(
                &base,
                &tok,
                &json!({ "real_name": "某", "role": "member", "qq": "88877766" }),
            )
            .send()
            .await
            .expect("a");
        problem(r, status, code).await;
        let r = app
            .patch(&p2, &tok, &json!({ "verified": true }))
            .header("If-Match", &tag2)
            .send()
            .await
            .expect("p");
        problem(r, status, code).await;
        let r = del(&app, &p2, &tok)
            .header("If-Match", &tag2)
            .send()
            .await
            .expect("d");
        problem(r, status, code).await;
        let r = app
            .post(
                &format!("/api/v1/qq-groups/{gid}/snapshots"),
                &tok,
                &json!({ "text": "23456789 李四" }),
            )
            .send()
            .await
            .expect("i");
        problem(r, status, code).await;
        let r = app
            .client
            .post(app.url(&format!("/api/v1/qq-groups/{gid}/snapshots/file")))
            .bearer_auth(&tok)
            .header("content-type", "text/csv")
            .body("QQ号,群昵称\n23456789,李四\n")
            .send()
            .await
            .expect("f");
        problem(r, status, code).await;
    }
    // Reading: whoever sees the group; 404 for the others, on every read endpoint.
    for path in [
        base.clone(),
        p2.clone(),
        format!("/api/v1/qq-groups/{gid}/snapshots"),
        format!("/api/v1/qq-groups/{gid}/late"),
        format!("/api/v1/qq-groups/{gid}/history"),
    ] {
        ok(app.get(&path, &w.village_tok), 200).await;
        for tok in [&w.maint2.1, &w.other.admin_token] {
            problem(
                app.get(&path, tok).send().await.expect("g"),
                404,
                "not_found",
            )
            .await;
        }
    }
    let r = app
        .post(
            &format!("{p2}/unmask"),
            &w.other.admin_token,
            &json!({ "reason": "越界查看号码" }),
        )
        .send()
        .await
        .expect("u");
    problem(r, 404, "not_found").await;
    // An entry id under another group is not found.
    let other_group = id(&ok(
        app.post(
            "/api/v1/qq-groups",
            admin,
            &json!({ "name": "另一个群", "org_unit_id": w.town, "maintainer_id": w.maint1.0 }),
        ),
        201,
    )
    .await);
    problem(
        app.get(
            &format!("/api/v1/qq-groups/{other_group}/roster/{}", id(&e2)),
            admin,
        )
        .send()
        .await
        .expect("g"),
        404,
        "not_found",
    )
    .await;
    // Nothing in the tables holds a number in clear.
    let tid = shuanglian::tenancy::TenantId::parse(&w.c.id).expect("tid");
    let g = gid.clone();
    let raw = app
        .state
        .db
        .tenant(tid, shuanglian::db::Mode::Read, move |tx| {
            let roster = shuanglian::qq::repo::roster(tx, &g)?;
            let page = shuanglian::api::PageRequest {
                limit: 1000,
                after: None,
            };
            let hist = shuanglian::qq::repo::list_history(tx, &g, None, &page)?;
            Ok(format!("{roster:?}{hist:?}"))
        })
        .await
        .expect("raw");
    assert!(
        raw.contains("qq_enc") && raw.contains("v1."),
        "the rows were read"
    );
    for clear in ["123456789", "223456789", "23456789", "34567890"] {
        assert!(!raw.contains(clear), "{clear} stored in clear: {raw}");
    }
}
