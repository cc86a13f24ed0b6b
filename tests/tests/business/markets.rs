//! Markets are org units with facts.

use super::*;

#[tokio::test]
async fn markets_are_org_units_with_facts() {
    let app = spawn_app().await;
    let w = world(&app, "330523", "安吉县").await;
    let tok = w.c.admin_token.clone();
    // The market created through /markets is an org unit of kind market under its office.
    let (s, unit, _) =
        send_tagged(app.get(&format!("/api/v1/org-units/{}", w.market_a), &tok)).await;
    assert_eq!(
        (s, unit["kind"].as_str(), unit["parent_id"].as_str()),
        (200, Some("market"), Some(w.office_a.as_str()))
    );
    let (s, m, tag) = send_tagged(app.get(&format!("/api/v1/markets/{}", w.market_a), &tok)).await;
    assert_eq!(s, 200, "{m}");
    assert_eq!(
        (
            m["name"].as_str(),
            m["stall_count"].as_i64(),
            m["grid_id"].as_str(),
            m["recorded"].as_bool(),
            tag.as_str()
        ),
        (
            Some("递铺小商品市场"),
            Some(300),
            Some(w.grid_a.as_str()),
            Some(true),
            "\"v1\""
        )
    );
    // A market made in the org tree has no facts yet: ETag v0, and the first PATCH records them.
    let bare = app
        .org_unit(&w.c, "market", "孝丰竹木市场", Some(&w.office_b))
        .await;
    let path = format!("/api/v1/markets/{bare}");
    let (s, m, tag) = send_tagged(app.get(&path, &tok)).await;
    assert_eq!(
        (s, m["recorded"].as_bool(), tag.as_str()),
        (200, Some(false), "\"v0\"")
    );
    let (s, m, tag) = send_tagged(
        app.patch(
            &path,
            &tok,
            &json!({ "stall_count": 120, "grid_id": w.grid_b }),
        )
        .header("If-Match", "\"v0\""),
    )
    .await;
    assert_eq!((s, tag.as_str()), (200, "\"v1\""), "{m}");
    assert_eq!(m["recorded"], true);
    problem(
        app.patch(&path, &tok, &json!({ "stall_count": 1 }))
            .header("If-Match", "\"v0\"")
            .send()
            .await
            .expect("p"),
        412,
        "stale_version",
    )
    .await;
    let v = problem(
        app.patch(&path, &tok, &json!({ "stall_count": -1 }))
            .header("If-Match", &tag)
            .send()
            .await
            .expect("p"),
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(fields(&v), vec!["stall_count"]);
    // Listing: every market unit, with or without facts; filters by name and grid.
    let (_, all, _) = send_tagged(app.get("/api/v1/markets", &tok)).await;
    assert_eq!(names(&all).len(), 2, "{all}");
    let (_, v, _) =
        send_tagged(app.get(&format!("/api/v1/markets?grid_id={}", w.grid_b), &tok)).await;
    assert_eq!(names(&v), vec!["孝丰竹木市场"]);
    let (_, v, _) = send_tagged(app.get("/api/v1/markets?name=小商品", &tok)).await;
    assert_eq!(names(&v), vec!["递铺小商品市场"]);
    // Validation names the field; only the county admin creates markets; ids of other kinds
    // are no markets.
    let v = problem(
        app.post(
            "/api/v1/markets",
            &tok,
            &json!({ "name": "某市场", "aic_office_id": w.town_a }),
        )
        .send()
        .await
        .expect("c"),
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(fields(&v), vec!["aic_office_id"]);
    let (_, aic) = app
        .staff(&w.c, "aic.a", "aic_recorder", Some(&w.office_a))
        .await;
    problem(
        app.post("/api/v1/markets", &aic, &json!({ "name": "某市场" }))
            .send()
            .await
            .expect("c"),
        403,
        "forbidden",
    )
    .await;
    problem(
        app.get(&format!("/api/v1/markets/{}", w.town_a), &tok)
            .send()
            .await
            .expect("g"),
        404,
        "not_found",
    )
    .await;
}
