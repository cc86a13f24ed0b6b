//! Businesses registered, checked, found, sorted and updated; idempotent creates; concurrent edits.

use super::*;

#[tokio::test]
async fn businesses_are_registered_checked_found_sorted_and_updated() {
    let app = spawn_app().await;
    let w = world(&app, "330523", "安吉县").await;
    let tok = w.c.admin_token.clone();
    let code_a = credit_code("92330523MA2B3C4D5");
    // An individual business placed in its township's grid.
    let (s, a, tag_a) = send_tagged(app.post(
        "/api/v1/businesses",
        &tok,
        &json!({ "kind": "individual_business", "name": "递铺建国五金店", "credit_code": code_a.to_lowercase(),
                 "township_id": w.town_a, "address": "递铺街道胜利路8号", "industry": "批发和零售业",
                 "employee_count": 3 }),
    ))
    .await;
    assert_eq!(s, 201, "{a}");
    assert_eq!(tag_a, "\"v1\"");
    assert_eq!(
        a["credit_code"],
        code_a.as_str(),
        "normalised to upper case"
    );
    assert_eq!(a["grid_id"], w.grid_a.as_str(), "the township's grid");
    assert_eq!(a["status"], "operating");
    let a_id = id(&a);
    // A stall: no credit code needed; the market's grid.
    let stall = app.created(&tok, "/api/v1/businesses", &json!({ "kind": "market_stall", "name": "阿芳服装摊", "market_id": w.market_a, "stall_no": "A-001" }),
    )
    .await;
    assert_eq!(stall["grid_id"], w.grid_a.as_str(), "the market's grid");
    assert!(stall.get("credit_code").is_none());
    let code_b = credit_code("91330523MA2B3C4D6");
    let b = app.created(&tok, "/api/v1/businesses", &json!({ "kind": "small_micro_enterprise", "name": "孝丰竹木制品有限公司", "credit_code": code_b,
                "township_id": w.town_b, "status": "suspended", "status_since": "2026-01-05" }),
    )
    .await;
    assert_eq!(b["grid_id"], w.grid_b.as_str());
    assert_eq!(b["status"], "suspended");

    // Bad input names the field; nothing is written.
    let mut wrong = code_a.clone();
    let last = wrong.pop().expect("c");
    wrong.push(if last == '1' { '2' } else { '1' });
    for (body, expect) in [
        (
            json!({ "kind": "individual_business", "name": "某店", "credit_code": wrong }),
            vec![("credit_code", "credit_code_checksum_mismatch")],
        ),
        (
            json!({ "kind": "individual_business", "name": "某店", "credit_code": "91350100M000100Y4" }),
            vec![("credit_code", "invalid_credit_code")],
        ),
        (
            json!({ "kind": "individual_business", "name": "某店" }),
            vec![("credit_code", "required")],
        ),
        (
            json!({ "kind": "market_stall", "name": "某摊", "stall_no": "B-1" }),
            vec![
                ("market_id", "required"),
                ("stall_no", "stall_without_market"),
            ],
        ),
        (
            json!({ "kind": "market_stall", "name": "某摊", "market_id": w.market_a }),
            vec![("stall_no", "required")],
        ),
        (
            json!({ "kind": "individual_business", "name": "  ", "credit_code": credit_code("92330523MA2B3C4D7") }),
            vec![("name", "invalid_text")],
        ),
        (
            json!({ "kind": "individual_business", "name": "某店", "credit_code": credit_code("92330523MA2B3C4D7"),
                    "employee_count": -2 }),
            vec![("employee_count", "out_of_range")],
        ),
        (
            json!({ "kind": "market_stall", "name": "某摊", "market_id": w.town_a, "stall_no": "B-1" }),
            vec![("market_id", "wrong_org_kind")],
        ),
        (
            json!({ "kind": "individual_business", "name": "某店", "credit_code": credit_code("92330523MA2B3C4D7"),
                    "grid_id": uuid::Uuid::now_v7().to_string() }),
            vec![("grid_id", "grid_not_found")],
        ),
        (
            json!({ "kind": "individual_business", "name": "某店", "credit_code": credit_code("92330523MA2B3C4D7"),
                    "owner_member_id": uuid::Uuid::now_v7().to_string() }),
            vec![("owner_member_id", "member_not_found")],
        ),
    ] {
        let v = problem(
            app.post("/api/v1/businesses", &tok, &body)
                .send()
                .await
                .expect("c"),
            422,
            "validation_failed",
        )
        .await;
        let got: Vec<(String, String)> = v["errors"]
            .as_array()
            .expect("errors")
            .iter()
            .map(|e| {
                (
                    e["field"].as_str().expect("f").to_owned(),
                    e["code"].as_str().expect("c").to_owned(),
                )
            })
            .collect();
        let expect: Vec<(String, String)> = expect
            .into_iter()
            .map(|(f, c)| (f.to_owned(), c.to_owned()))
            .collect();
        assert_eq!(got, expect, "{body}");
    }
    // Duplicates: the same credit code, the same stall of the same market.
    let v = problem(
        app.post(
            "/api/v1/businesses",
            &tok,
            &json!({ "kind": "individual_business", "name": "另一家", "credit_code": code_a }),
        )
        .send()
        .await
        .expect("c"),
        409,
        "duplicate_credit_code",
    )
    .await;
    assert_eq!(fields(&v), vec!["credit_code"]);
    let v = problem(
        app.post(
            "/api/v1/businesses",
            &tok,
            &json!({ "kind": "market_stall", "name": "另一摊", "market_id": w.market_a, "stall_no": "A-001" }),
        )
        .send()
        .await
        .expect("c"),
        409,
        "duplicate_stall",
    )
    .await;
    assert_eq!(fields(&v), vec!["stall_no"]);
    let (_, all, _) = send_tagged(app.get("/api/v1/businesses", &tok)).await;
    assert_eq!(names(&all).len(), 3, "nothing else was written: {all}");

    // Search and filters.
    let find = |q: &str| {
        let (app, tok, q) = (&app, tok.clone(), q.to_owned());
        async move {
            let (s, v, _) = send_tagged(app.get(&format!("/api/v1/businesses?{q}"), &tok)).await;
            assert_eq!(s, 200, "{q}: {v}");
            names(&v)
        }
    };
    assert_eq!(find("name=五金").await, vec!["递铺建国五金店"]);
    assert_eq!(find("name=%25").await, Vec::<String>::new(), "% is literal");
    assert_eq!(
        find(&format!("credit_code={}", code_b.to_lowercase())).await,
        vec!["孝丰竹木制品有限公司"]
    );
    assert_eq!(
        find(&format!("market_id={}", w.market_a)).await,
        vec!["阿芳服装摊"]
    );
    assert_eq!(
        find(&format!("grid_id={}", w.grid_b)).await,
        vec!["孝丰竹木制品有限公司"]
    );
    assert_eq!(
        find(&format!("township_id={}", w.town_a)).await,
        vec!["递铺建国五金店"]
    );
    assert_eq!(find("status=suspended").await, vec!["孝丰竹木制品有限公司"]);
    assert_eq!(find("kind=market_stall").await, vec!["阿芳服装摊"]);
    assert_eq!(
        find("grid_id=not-a-uuid").await,
        Vec::<String>::new(),
        "an impossible id matches nothing"
    );
    let v = problem(
        app.get("/api/v1/businesses?credit_code=123", &tok)
            .send()
            .await
            .expect("l"),
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(fields(&v), vec!["credit_code"]);
    // Sorting, and cursors that walk every page in that order.
    let walk = |sort: &str| {
        let (app, tok, sort) = (&app, tok.clone(), sort.to_owned());
        async move {
            let mut out = Vec::new();
            let mut cursor = String::new();
            loop {
                let (s, v, _) = send_tagged(app.get(
                    &format!("/api/v1/businesses?sort={sort}&limit=1&cursor={cursor}"),
                    &tok,
                ))
                .await;
                assert_eq!(s, 200, "{v}");
                out.extend(names(&v));
                match v["next_cursor"].as_str() {
                    Some(c) => cursor = c.to_owned(),
                    None => break,
                }
            }
            out
        }
    };
    let by_created = vec!["递铺建国五金店", "阿芳服装摊", "孝丰竹木制品有限公司"];
    assert_eq!(walk("created").await, by_created);
    assert_eq!(
        walk("created_desc").await,
        by_created.iter().rev().copied().collect::<Vec<_>>()
    );
    let mut by_name = by_created.clone();
    by_name.sort_unstable();
    assert_eq!(walk("name").await, by_name);
    problem(
        app.get("/api/v1/businesses?sort=size", &tok)
            .send()
            .await
            .expect("l"),
        400,
        "invalid_parameter",
    )
    .await;

    // Updates need the current ETag; status changes follow the rule.
    let path = format!("/api/v1/businesses/{a_id}");
    let (s, v, _) = send_tagged(app.patch(&path, &tok, &json!({ "employee_count": 4 }))).await;
    assert_eq!((s, v["code"].as_str()), (428, Some("if_match_required")));
    let (s, v, tag) = send_tagged(
        app.patch(&path, &tok, &json!({ "status": "suspended", "status_since": "2026-02-01", "address": "递铺街道胜利路10号" }))
            .header("If-Match", &tag_a),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        (
            v["status"].as_str(),
            v["status_since"].as_str(),
            tag.as_str()
        ),
        (Some("suspended"), Some("2026-02-01"), "\"v2\"")
    );
    problem(
        app.patch(&path, &tok, &json!({ "employee_count": 9 }))
            .header("If-Match", &tag_a)
            .send()
            .await
            .expect("p"),
        412,
        "stale_version",
    )
    .await;
    let (s, v, tag) = send_tagged(
        app.patch(&path, &tok, &json!({ "status": "closed" }))
            .header("If-Match", &tag),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    problem(
        app.patch(&path, &tok, &json!({ "status": "operating" }))
            .header("If-Match", &tag)
            .send()
            .await
            .expect("p"),
        409,
        "business_closed",
    )
    .await;
    // A credit code already held by another business is refused on update too.
    let v = problem(
        app.patch(&path, &tok, &json!({ "credit_code": code_b }))
            .header("If-Match", &tag)
            .send()
            .await
            .expect("p"),
        409,
        "duplicate_credit_code",
    )
    .await;
    assert_eq!(fields(&v), vec!["credit_code"]);
    let (s, v, _) = send_tagged(app.get(&path, &tok)).await;
    assert_eq!(
        (s, v["status"].as_str(), v["credit_code"].as_str()),
        (200, Some("closed"), Some(code_a.as_str()))
    );
    // Every change is audited, without values.
    let (_, audit, _) =
        send_tagged(app.get(&format!("/api/v1/audit?entity_id={a_id}"), &tok)).await;
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| e["action"].as_str().expect("a"))
        .collect();
    assert_eq!(
        actions,
        vec!["business.create", "business.update", "business.update"]
    );
}

#[tokio::test]
async fn creates_replay_with_an_idempotency_key() {
    let app = spawn_app().await;
    let w = world(&app, "330523", "安吉县").await;
    let tok = &w.c.admin_token;
    let body = json!({ "kind": "market_stall", "name": "老王水果摊", "market_id": w.market_a, "stall_no": "C-7" });
    let post = |b: &Value, key: &str| {
        app.post("/api/v1/businesses", tok, b)
            .header("Idempotency-Key", key)
    };
    let r1 = post(&body, "biz-1").send().await.expect("1");
    assert_eq!(r1.status(), StatusCode::CREATED);
    assert!(r1.headers().get("idempotent-replayed").is_none());
    let v1: Value = r1.json().await.expect("j");
    let r2 = post(&body, "biz-1").send().await.expect("2");
    assert_eq!(r2.status(), StatusCode::CREATED);
    assert_eq!(r2.headers()["idempotent-replayed"], "true");
    let v2: Value = r2.json().await.expect("j");
    assert_eq!(v1["id"], v2["id"]);
    let mut other = body.clone();
    other["stall_no"] = json!("C-8");
    problem(
        post(&other, "biz-1").send().await.expect("3"),
        422,
        "idempotency_key_reused",
    )
    .await;
    let (_, all, _) = send_tagged(app.get("/api/v1/businesses", tok)).await;
    assert_eq!(names(&all), vec!["老王水果摊"], "created once");
    // Markets too.
    let m = json!({ "name": "孝丰农贸市场", "aic_office_id": w.office_b, "grid_id": w.grid_b });
    let r1 = app
        .post("/api/v1/markets", tok, &m)
        .header("Idempotency-Key", "mkt-1")
        .send()
        .await
        .expect("m1");
    assert_eq!(r1.status(), StatusCode::CREATED);
    let v1: Value = r1.json().await.expect("j");
    let r2 = app
        .post("/api/v1/markets", tok, &m)
        .header("Idempotency-Key", "mkt-1")
        .send()
        .await
        .expect("m2");
    assert_eq!(r2.headers()["idempotent-replayed"], "true");
    let v2: Value = r2.json().await.expect("j");
    assert_eq!(v1["id"], v2["id"]);
}

#[tokio::test]
async fn concurrent_edits_give_one_412_and_lose_nothing() {
    let app = spawn_app().await;
    let w = world(&app, "330523", "安吉县").await;
    let tok = w.c.admin_token.clone();
    let biz = id(&app.created(&tok, "/api/v1/businesses", &json!({ "kind": "individual_business", "name": "递铺某店", "credit_code": credit_code("92330523MA2B3C4D5"),
                "township_id": w.town_a }),
    )
    .await);
    let path = format!("/api/v1/businesses/{biz}");
    let edit = |n: i64| {
        app.patch(&path, &tok, &json!({ "employee_count": n }))
            .header("If-Match", "\"v1\"")
            .send()
    };
    let (a, b) = tokio::join!(edit(5), edit(7));
    let (a, b) = (
        a.expect("a").status().as_u16(),
        b.expect("b").status().as_u16(),
    );
    let mut got = vec![a, b];
    got.sort_unstable();
    assert_eq!(got, vec![200, 412]);
    let (_, v, tag) = send_tagged(app.get(&path, &tok)).await;
    let winner = if a == 200 { 5 } else { 7 };
    assert_eq!(
        (v["employee_count"].as_i64(), tag.as_str()),
        (Some(winner), "\"v2\"")
    );
}
