//! Businesses and markets: registration with credit-code checks, stalls in markets, search and
//! sorting, ETags and idempotency, people linked as owners and employees, scoping through the
//! grids, and isolation between counties and between scopes.

use reqwest::StatusCode;
use serde_json::{Value, json};
use shuanglian_tests::{County, TestApp, TwoGrids, fields, id, problem, send_tagged, spawn_app};

/// A credit code with a valid GB 32100 check character.
fn credit_code(first17: &str) -> String {
    const CHARS: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    let sum: usize = first17
        .bytes()
        .enumerate()
        .map(|(i, c)| {
            let v = CHARS.iter().position(|&x| x == c).expect("charset");
            // Weights 3^i mod 31.
            let w = (0..i).fold(1usize, |w, _| w * 3 % 31);
            v * w
        })
        .sum();
    format!("{first17}{}", CHARS[(31 - sum % 31) % 31] as char)
}

fn names(v: &Value) -> Vec<String> {
    v["items"]
        .as_array()
        .unwrap_or_else(|| panic!("{v}"))
        .iter()
        .map(|b| b["name"].as_str().expect("name").to_owned())
        .collect()
}

/// Two grids: A (office A, party branch A, township A with village A) and B (likewise), a
/// market under office A in grid A.
struct World {
    c: County,
    office_a: String,
    office_b: String,
    branch_a: String,
    branch_b: String,
    town_a: String,
    town_b: String,
    village_a: String,
    village_b: String,
    grid_a: String,
    grid_b: String,
    market_a: String,
}

async fn world(app: &TestApp, code: &str, name: &str) -> World {
    let TwoGrids {
        c,
        branch_a,
        branch_b,
        office_a,
        office_b,
        town_a,
        town_b,
        village_a,
        village_b,
        grid_a,
        grid_b,
        ..
    } = app.two_grids(code, name, "协会党委").await;
    let tok = c.admin_token.clone();
    let market_a = id(&app.created(&tok, "/api/v1/markets", &json!({ "name": "递铺小商品市场", "aic_office_id": office_a, "address": "递铺街道人民路1号",
                "operator": "递铺市场开发有限公司", "stall_count": 300, "grid_id": grid_a }),
    )
    .await);
    World {
        c,
        office_a,
        office_b,
        branch_a,
        branch_b,
        town_a,
        town_b,
        village_a,
        village_b,
        grid_a,
        grid_b,
        market_a,
    }
}

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

#[tokio::test]
async fn members_are_linked_as_owners_and_employees() {
    let app = spawn_app().await;
    let w = world(&app, "330523", "安吉县").await;
    let tok = w.c.admin_token.clone();
    let member = |name: &str| {
        json!({ "name": name, "is_owner": true, "business_name": "某店", "membership_unit_id": w.village_a,
                "membership_status": "full", "distribution": "individual_business" })
    };
    let owner = id(&app
        .created(&tok, "/api/v1/members", &member("王建国"))
        .await);
    let worker = id(&app.created(&tok, "/api/v1/members", &member("李芳")).await);
    let biz = app.created(&tok, "/api/v1/businesses", &json!({ "kind": "individual_business", "name": "建国五金店", "credit_code": credit_code("92330523MA2B3C4D5"),
                "township_id": w.town_a, "owner_member_id": owner }),
    )
    .await;
    let biz_id = id(&biz);
    let stall = id(&app.created(&tok, "/api/v1/businesses", &json!({ "kind": "market_stall", "name": "建国百货摊", "market_id": w.market_a, "stall_no": "A-9" }),
    )
    .await);
    let people_path = format!("/api/v1/businesses/{biz_id}/people");
    let (s, link, _) = send_tagged(app.post(
        &people_path,
        &tok,
        &json!({ "member_id": worker, "role": "employee", "since": "2025-03-01" }),
    ))
    .await;
    assert_eq!(s, 201, "{link}");
    assert_eq!(
        (link["member_name"].as_str(), link["role"].as_str()),
        (Some("李芳"), Some("employee"))
    );
    problem(
        app.post(
            &people_path,
            &tok,
            &json!({ "member_id": worker, "role": "employee" }),
        )
        .send()
        .await
        .expect("l"),
        409,
        "already_linked",
    )
    .await;
    // The same member may own another business.
    let (s, _, _) = send_tagged(app.post(
        &format!("/api/v1/businesses/{stall}/people"),
        &tok,
        &json!({ "member_id": owner, "role": "owner" }),
    ))
    .await;
    assert_eq!(s, 201);
    let (_, people, _) = send_tagged(app.get(&people_path, &tok)).await;
    let got: Vec<(String, String)> = people
        .as_array()
        .expect("people")
        .iter()
        .map(|p| {
            (
                p["member_name"].as_str().expect("n").to_owned(),
                p["role"].as_str().expect("r").to_owned(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("王建国".to_owned(), "owner".to_owned()),
            ("李芳".to_owned(), "employee".to_owned())
        ]
    );
    let (_, mine, _) =
        send_tagged(app.get(&format!("/api/v1/members/{owner}/businesses"), &tok)).await;
    let mut owned: Vec<&str> = mine
        .as_array()
        .expect("list")
        .iter()
        .map(|m| m["business"]["name"].as_str().expect("n"))
        .collect();
    owned.sort_unstable();
    assert_eq!(owned, vec!["建国五金店", "建国百货摊"]);
    // Ending a link keeps it in the history.
    let link_id = id(&link);
    let end = format!("{people_path}/{link_id}/end");
    let v = problem(
        app.post(&end, &tok, &json!({ "until": "2025-01-01" }))
            .send()
            .await
            .expect("e"),
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(fields(&v), vec!["until"]);
    let (s, v, _) = send_tagged(app.post(&end, &tok, &json!({ "until": "2026-01-31" }))).await;
    assert_eq!((s, v["until"].as_str()), (200, Some("2026-01-31")), "{v}");
    problem(
        app.post(&end, &tok, &json!({})).send().await.expect("e"),
        409,
        "link_ended",
    )
    .await;
    let (_, now, _) = send_tagged(app.get(&people_path, &tok)).await;
    assert_eq!(now.as_array().expect("p").len(), 1);
    let (_, all, _) = send_tagged(app.get(&format!("{people_path}?all=true"), &tok)).await;
    assert_eq!(all.as_array().expect("p").len(), 2);
    let (_, past, _) = send_tagged(app.get(
        &format!("/api/v1/members/{worker}/businesses?all=true"),
        &tok,
    ))
    .await;
    assert_eq!(past[0]["until"], "2026-01-31", "{past}");
    let (_, current, _) =
        send_tagged(app.get(&format!("/api/v1/members/{worker}/businesses"), &tok)).await;
    assert_eq!(current, json!([]));
    // Bad member ids name the field; an unknown link is 404.
    let v = problem(
        app.post(
            &people_path,
            &tok,
            &json!({ "member_id": "nope", "role": "owner" }),
        )
        .send()
        .await
        .expect("l"),
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(fields(&v), vec!["member_id"]);
    problem(
        app.post(
            &format!("{people_path}/{}/end", uuid::Uuid::now_v7()),
            &tok,
            &json!({}),
        )
        .send()
        .await
        .expect("e"),
        404,
        "not_found",
    )
    .await;
    let (_, audit, _) =
        send_tagged(app.get(&format!("/api/v1/audit?entity_id={biz_id}"), &tok)).await;
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| e["action"].as_str().expect("a"))
        .collect();
    assert_eq!(
        actions,
        vec![
            "business.create",
            "business.link_person",
            "business.end_link"
        ]
    );
}

/// Every business and market endpoint, for one caller and one target: the status codes.
async fn statuses(app: &TestApp, tok: &str, biz: &str, market: &str, member: &str) -> Vec<u16> {
    let mut out = Vec::new();
    let people = format!("/api/v1/businesses/{biz}/people");
    // The current ETags as this caller sees them (none when out of reach).
    let tag = |path: String| async move {
        let (_, _, t) = send_tagged(app.get(&path, tok)).await;
        if t.is_empty() { "\"v1\"".to_owned() } else { t }
    };
    let biz_tag = tag(format!("/api/v1/businesses/{biz}")).await;
    let market_tag = tag(format!("/api/v1/markets/{market}")).await;
    for r in [
        app.get(&format!("/api/v1/businesses/{biz}"), tok),
        app.patch(
            &format!("/api/v1/businesses/{biz}"),
            tok,
            &json!({ "employee_count": 2 }),
        )
        .header("If-Match", &biz_tag),
        app.get(&people, tok),
        app.post(
            &people,
            tok,
            &json!({ "member_id": member, "role": "employee" }),
        ),
        app.post(
            &format!("{people}/{}/end", uuid::Uuid::now_v7()),
            tok,
            &json!({}),
        ),
        app.get(&format!("/api/v1/members/{member}/businesses"), tok),
        app.get(&format!("/api/v1/markets/{market}"), tok),
        app.patch(
            &format!("/api/v1/markets/{market}"),
            tok,
            &json!({ "stall_count": 5 }),
        )
        .header("If-Match", &market_tag),
    ] {
        out.push(r.send().await.expect("send").status().as_u16());
    }
    out
}

#[tokio::test]
async fn other_counties_and_other_scopes_get_404_everywhere() {
    let app = spawn_app().await;
    let w = world(&app, "330523", "安吉县").await;
    let other = world(&app, "330522", "长兴县").await;
    let tok = w.c.admin_token.clone();
    let mk_member = |holder: &str| {
        json!({ "name": "某人", "is_owner": true, "business_name": "某店", "membership_unit_id": holder,
                "membership_status": "full", "distribution": "individual_business" })
    };
    let member_a = id(&app
        .created(&tok, "/api/v1/members", &mk_member(&w.village_a))
        .await);
    let member_b = id(&app
        .created(&tok, "/api/v1/members", &mk_member(&w.village_b))
        .await);
    let biz_a = id(&app.created(&tok, "/api/v1/businesses", &json!({ "kind": "individual_business", "name": "递铺某店", "credit_code": credit_code("92330523MA2B3C4D5"),
                "township_id": w.town_a }),
    )
    .await);
    let biz_b = id(&app.created(&tok, "/api/v1/businesses", &json!({ "kind": "individual_business", "name": "孝丰某店", "credit_code": credit_code("92330523MA2B3C4D6"),
                "township_id": w.town_b }),
    )
    .await);
    let market_b = id(&app
        .created(
            &tok,
            "/api/v1/markets",
            &json!({ "name": "孝丰农贸市场", "aic_office_id": w.office_b, "grid_id": w.grid_b }),
        )
        .await);

    // Another county's admin: every endpoint is 404, and lists are empty.
    assert_eq!(
        statuses(&app, &other.c.admin_token, &biz_a, &w.market_a, &member_a).await,
        vec![404; 8]
    );
    let (_, v, _) = send_tagged(app.get("/api/v1/businesses", &other.c.admin_token)).await;
    assert_eq!(names(&v), Vec::<String>::new());
    let (_, v, _) = send_tagged(app.get("/api/v1/markets", &other.c.admin_token)).await;
    assert_eq!(names(&v), vec!["递铺小商品市场"], "only its own market");
    // Another county's ids in a body are unknown here.
    let v = problem(
        app.post(
            "/api/v1/businesses",
            &other.c.admin_token,
            &json!({ "kind": "market_stall", "name": "越界摊", "market_id": w.market_a, "stall_no": "X-1" }),
        )
        .send()
        .await
        .expect("c"),
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(fields(&v), vec!["market_id"]);

    // Scoped staff reach their unit's subtree and the grids linked to it.
    let (_, aic_a) = app
        .staff(&w.c, "aic.a", "aic_recorder", Some(&w.office_a))
        .await;
    let (_, branch_b) = app
        .staff(&w.c, "branch.b", "branch_staff", Some(&w.branch_b))
        .await;
    let (_, village_b) = app
        .staff(&w.c, "village.b", "village_recorder", Some(&w.village_b))
        .await;
    let (_, branch_a) = app
        .staff(&w.c, "branch.a", "branch_staff", Some(&w.branch_a))
        .await;
    let list = |t: &str| {
        let (app, t) = (&app, t.to_owned());
        async move {
            let (_, v, _) = send_tagged(app.get("/api/v1/businesses?sort=name", &t)).await;
            let (_, m, _) = send_tagged(app.get("/api/v1/markets", &t)).await;
            (names(&v), names(&m))
        }
    };
    assert_eq!(
        list(&aic_a).await,
        (
            vec!["递铺某店".to_owned()],
            vec!["递铺小商品市场".to_owned()]
        )
    );
    assert_eq!(
        list(&branch_b).await,
        (vec!["孝丰某店".to_owned()], vec!["孝丰农贸市场".to_owned()])
    );
    assert_eq!(
        list(&village_b).await,
        (vec!["孝丰某店".to_owned()], vec!["孝丰农贸市场".to_owned()])
    );
    // Out of scope: 404 on every endpoint.
    assert_eq!(
        statuses(&app, &aic_a, &biz_b, &market_b, &member_b).await,
        vec![404; 8]
    );
    assert_eq!(
        statuses(&app, &branch_b, &biz_a, &w.market_a, &member_a).await,
        vec![404; 8]
    );
    // A village recorder never writes businesses or markets: 403 before any lookup.
    assert_eq!(
        statuses(&app, &village_b, &biz_a, &w.market_a, &member_a).await,
        vec![404, 403, 404, 403, 403, 404, 404, 404]
    );
    // In scope: reads work; writes as the role allows (village recorders only read; branch
    // staff see but do not edit markets; the AIC recorder edits its office's market). Members
    // the caller does not see cannot be linked (422) and have no business list for them (404);
    // the end of an unknown link is 404.
    assert_eq!(
        statuses(&app, &village_b, &biz_b, &market_b, &member_b).await,
        vec![200, 403, 200, 403, 403, 200, 200, 403]
    );
    assert_eq!(
        statuses(&app, &branch_b, &biz_b, &market_b, &member_a).await,
        vec![200, 200, 200, 422, 404, 404, 200, 403]
    );
    assert_eq!(
        statuses(&app, &aic_a, &biz_a, &w.market_a, &member_a).await,
        vec![200, 200, 200, 422, 404, 404, 200, 200]
    );
    // A business linked to a member the caller sees is reached through that member.
    let (s, _, _) = send_tagged(app.post(
        &format!("/api/v1/businesses/{biz_b}/people"),
        &tok,
        &json!({ "member_id": member_a, "role": "employee" }),
    ))
    .await;
    assert_eq!(s, 201);
    let (_, village_a) = app
        .staff(&w.c, "village.a", "village_recorder", Some(&w.village_a))
        .await;
    let (s, _, _) = send_tagged(app.get(&format!("/api/v1/businesses/{biz_b}"), &village_a)).await;
    assert_eq!(s, 200);
    // Scoped writers cannot place a business outside what they reach.
    let v = problem(
        app.post(
            "/api/v1/businesses",
            &branch_a,
            &json!({ "kind": "individual_business", "name": "越界店", "credit_code": credit_code("92330523MA2B3C4D7"),
                    "township_id": w.town_b }),
        )
        .send()
        .await
        .expect("c"),
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(v["errors"][0]["code"], "outside_scope");
    let (s, v, _) = send_tagged(app.post(
        "/api/v1/businesses",
        &branch_a,
        &json!({ "kind": "individual_business", "name": "递铺新店", "credit_code": credit_code("92330523MA2B3C4D7"),
                 "township_id": w.town_a }),
    ))
    .await;
    assert_eq!(s, 201, "{v}");
}

#[tokio::test]
async fn each_role_does_exactly_its_part() {
    let app = spawn_app().await;
    let w = world(&app, "330523", "安吉县").await;
    let tok = w.c.admin_token.clone();
    let member = id(&app.created(&tok, "/api/v1/members", &json!({ "name": "某人", "is_owner": true, "business_name": "某店", "membership_unit_id": w.village_a,
                "membership_status": "full", "distribution": "individual_business" }),
    )
    .await);
    let biz = id(&app.created(&tok, "/api/v1/businesses", &json!({ "kind": "individual_business", "name": "递铺某店", "credit_code": credit_code("92330523MA2B3C4D5"),
                "township_id": w.town_a }),
    )
    .await);
    let (_, assoc) = app
        .staff(&w.c, "assoc", "association_committee", None)
        .await;
    let (_, branch) = app
        .staff(&w.c, "branch.a", "branch_staff", Some(&w.branch_a))
        .await;
    let (_, aic) = app
        .staff(&w.c, "aic.a", "aic_recorder", Some(&w.office_a))
        .await;
    let (_, town) = app
        .staff(&w.c, "town.a", "township_committee", Some(&w.town_a))
        .await;
    let (_, village) = app
        .staff(&w.c, "village.a", "village_recorder", Some(&w.village_a))
        .await;
    // The eight business/market endpoints on in-scope targets, then probes that change
    // nothing: an invalid business, an invalid market, an illegal status change (409 means
    // allowed and in scope), and the member's status history.
    let probe = |t: String| {
        let (app, w, biz, member) = (&app, &w, biz.clone(), member.clone());
        async move {
            let mut out = statuses(app, &t, &biz, &w.market_a, &member).await;
            for r in [
                app.post(
                    "/api/v1/businesses",
                    &t,
                    &json!({ "kind": "individual_business", "name": "某店" }),
                ),
                app.post("/api/v1/markets", &t, &json!({ "name": "x" })),
                app.post(
                    &format!("/api/v1/members/{member}/status-changes"),
                    &t,
                    &json!({ "change": "returned", "on": "2026-01-01" }),
                ),
                app.get(&format!("/api/v1/members/{member}/status-history"), &t),
            ] {
                out.push(r.send().await.expect("send").status().as_u16());
            }
            out
        }
    };
    let expect: [(&str, &String, [u16; 12]); 6] = [
        (
            "county_admin",
            &tok,
            [200, 200, 200, 201, 404, 200, 200, 200, 422, 422, 409, 200],
        ),
        (
            "association_committee",
            &assoc,
            [200, 403, 200, 403, 403, 200, 200, 403, 403, 403, 403, 200],
        ),
        (
            "branch_staff",
            &branch,
            [200, 200, 200, 422, 404, 404, 200, 403, 422, 403, 404, 404],
        ),
        (
            "aic_recorder",
            &aic,
            [200, 200, 200, 422, 404, 404, 200, 200, 422, 403, 403, 404],
        ),
        (
            "township_committee",
            &town,
            [200, 403, 200, 403, 403, 200, 200, 403, 403, 403, 403, 200],
        ),
        (
            "village_recorder",
            &village,
            [200, 403, 200, 403, 403, 200, 200, 403, 403, 403, 403, 200],
        ),
    ];
    for (role, t, want) in expect {
        assert_eq!(probe(t.clone()).await, want.to_vec(), "{role}");
    }
}

#[tokio::test]
async fn demo_data_fills_the_business_register() {
    use diesel::prelude::*;
    use shuanglian::db::Mode;
    use shuanglian::db::schema::{business_people as bp, member_status_history as h};
    let app = spawn_app().await;
    shuanglian::demo::generate(&app.state, shuanglian::demo::Preset::Small, 1)
        .await
        .expect("demo data");
    let tid = app
        .state
        .db
        .platform(Mode::Read, |tx| {
            Ok(shuanglian::tenancy::repo::by_code(tx, "330523")?.expect("county"))
        })
        .await
        .expect("tenant")
        .tenant_id();
    // The demo county admin has the demo's published second factor.
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
    let admin = r.json::<serde_json::Value>().await.expect("json")["token"]
        .as_str()
        .expect("token")
        .to_owned();
    // Every kind and every status, with valid credit codes.
    for kind in [
        "individual_business",
        "small_micro_enterprise",
        "market_stall",
    ] {
        for status in ["operating", "suspended", "closed"] {
            let (s, v, _) = send_tagged(app.get(
                &format!("/api/v1/businesses?kind={kind}&status={status}&limit=200"),
                &admin,
            ))
            .await;
            assert_eq!(s, 200, "{v}");
            let items = v["items"].as_array().expect("items");
            assert!(!items.is_empty(), "{kind} {status}");
            for b in items {
                if let Some(code) = b["credit_code"].as_str() {
                    shuanglian::business::model::CreditCode::parse("credit_code", code)
                        .unwrap_or_else(|e| panic!("{code}: {e:?}"));
                }
                assert!(b["grid_id"].is_string(), "placed in a grid: {b}");
                if kind == "market_stall" {
                    assert!(
                        b["market_id"].is_string() && b["stall_no"].is_string(),
                        "{b}"
                    );
                }
            }
        }
    }
    // Markets carry their facts.
    let (_, markets, _) = send_tagged(app.get("/api/v1/markets?limit=200", &admin)).await;
    let markets = markets["items"].as_array().expect("items");
    assert_eq!(markets.len(), 20);
    assert!(
        markets
            .iter()
            .all(|m| m["recorded"] == true && m["stall_count"].is_i64())
    );
    // Owners, employees (current and past), and a history of every kind of change.
    let (roles, kinds) = app
        .state
        .db
        .tenant(tid, Mode::Read, |tx| {
            let t = tx.tid().to_owned();
            let roles: Vec<(String, bool)> = bp::table
                .filter(bp::tenant_id.eq(&t))
                .select((bp::role, bp::until.is_null()))
                .distinct()
                .load(tx.conn())?;
            let kinds: Vec<String> = h::table
                .filter(h::tenant_id.eq(&t))
                .select(h::change)
                .distinct()
                .load(tx.conn())?;
            Ok((roles, kinds))
        })
        .await
        .expect("counts");
    for r in [("owner", true), ("employee", true), ("employee", false)] {
        assert!(roles.contains(&(r.0.to_owned(), r.1)), "{r:?} in {roles:?}");
    }
    let mut kinds = kinds;
    kinds.sort();
    assert_eq!(
        kinds,
        vec![
            "away",
            "business_status",
            "membership_status",
            "returned",
            "transfer_in",
            "transfer_out"
        ]
    );
    // A village recorder reaches the businesses of its grid, and their people.
    let village = app
        .sign_in(
            Some("330523"),
            "village.0001",
            shuanglian::demo::DEMO_PASSWORD,
        )
        .await;
    let (_, v, _) = send_tagged(app.get("/api/v1/businesses?limit=5", &village)).await;
    let first = v["items"][0]["id"].as_str().expect("a business").to_owned();
    let (s, _, _) =
        send_tagged(app.get(&format!("/api/v1/businesses/{first}/people"), &village)).await;
    assert_eq!(s, 200);
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
