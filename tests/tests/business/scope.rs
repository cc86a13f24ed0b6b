//! Other counties and scopes get 404; each role does exactly its part.

use super::*;

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
