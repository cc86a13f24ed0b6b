//! The permission matrix: each county role × each county endpoint, with org-unit scoping.

use reqwest::StatusCode;
use serde_json::{Value, json};
use shuanglian_tests::{TestApp, problem, spawn_app};

async fn status(r: reqwest::RequestBuilder) -> u16 {
    r.send().await.expect("send").status().as_u16()
}

#[tokio::test]
async fn each_role_can_do_exactly_its_part() {
    let app = spawn_app().await;
    let c = app.county("330523", "安吉县").await;
    let committee = app
        .org_unit(&c, "association_committee", "协会党委", None)
        .await;
    let branch = app
        .org_unit(&c, "branch", "递铺分会", Some(&committee))
        .await;
    let party_branch = app
        .org_unit(&c, "party_branch", "递铺分会第一支部", Some(&branch))
        .await;
    let town = app.org_unit(&c, "township", "递铺街道", None).await;
    let village = app.org_unit(&c, "village", "古城村", Some(&town)).await;
    let office = app.org_unit(&c, "aic_office", "递铺工商所", None).await;
    let market = app.org_unit(&c, "market", "安吉商城", Some(&office)).await;
    let all = [
        &committee,
        &branch,
        &party_branch,
        &town,
        &village,
        &office,
        &market,
    ];

    let roles: Vec<(&str, Option<&String>, Vec<&String>)> = vec![
        ("association_committee", None, all.to_vec()),
        ("branch_staff", Some(&branch), vec![&branch, &party_branch]),
        ("aic_recorder", Some(&office), vec![&office, &market]),
        ("township_committee", Some(&town), vec![&town, &village]),
        ("village_recorder", Some(&village), vec![&village]),
    ];
    let (target, _) = app
        .staff(&c, "target.user", "village_recorder", Some(&village))
        .await;

    // The county admin: everything.
    let t = &c.admin_token;
    assert_eq!(status(app.get("/api/v1/tenant", t)).await, 200);
    assert_eq!(status(app.get("/api/v1/users", t)).await, 200);
    assert_eq!(
        status(app.get(&format!("/api/v1/users/{target}"), t)).await,
        200
    );
    assert_eq!(
        status(app.post(
            &format!("/api/v1/users/{target}/password-reset"),
            t,
            &json!({})
        ))
        .await,
        200
    );
    let v: Value = app
        .get("/api/v1/org-units?limit=200", t)
        .send()
        .await
        .expect("l")
        .json()
        .await
        .expect("j");
    assert_eq!(v["items"].as_array().expect("items").len(), all.len());

    for (i, (role, bound, visible)) in roles.iter().enumerate() {
        let (me, tok) = app
            .staff(
                &c,
                &format!("{}.{i}", role.replace('_', "")),
                role,
                bound.map(String::as_str),
            )
            .await;
        let who = role.to_string();
        // County endpoints every role may use.
        assert_eq!(
            status(app.get("/api/v1/tenant", &tok)).await,
            200,
            "{who} /tenant"
        );
        assert_eq!(status(app.get("/api/v1/me", &tok)).await, 200, "{who} /me");
        assert_eq!(
            status(app.get(&format!("/api/v1/users/{me}"), &tok)).await,
            200,
            "{who} self"
        );
        // County-admin endpoints.
        problem(
            app.get("/api/v1/users", &tok).send().await.expect("s"),
            403,
            "forbidden",
        )
        .await;
        problem(
            app.get(&format!("/api/v1/users/{target}"), &tok)
                .send()
                .await
                .expect("s"),
            403,
            "forbidden",
        )
        .await;
        let body = json!({ "username": format!("x{i}yz"), "display_name": "某", "role": "village_recorder" });
        problem(
            app.post("/api/v1/users", &tok, &body)
                .send()
                .await
                .expect("s"),
            403,
            "forbidden",
        )
        .await;
        let r = app
            .patch(
                &format!("/api/v1/users/{target}"),
                &tok,
                &json!({ "display_name": "改" }),
            )
            .header("If-Match", "\"v1\"")
            .send()
            .await
            .expect("s");
        problem(r, 403, "forbidden").await;
        problem(
            app.post(
                &format!("/api/v1/users/{target}/password-reset"),
                &tok,
                &json!({}),
            )
            .send()
            .await
            .expect("s"),
            403,
            "forbidden",
        )
        .await;
        problem(
            app.post(
                "/api/v1/org-units",
                &tok,
                &json!({ "kind": "township", "name": "新镇" }),
            )
            .send()
            .await
            .expect("s"),
            403,
            "forbidden",
        )
        .await;
        let r = app
            .patch(
                &format!("/api/v1/org-units/{village}"),
                &tok,
                &json!({ "name": "改名村" }),
            )
            .header("If-Match", "\"v1\"")
            .send()
            .await
            .expect("s");
        problem(r, 403, "forbidden").await;
        let r = app
            .post(
                &format!("/api/v1/org-units/{village}/move"),
                &tok,
                &json!({ "parent_id": town }),
            )
            .header("If-Match", "\"v1\"")
            .send()
            .await
            .expect("s");
        problem(r, 403, "forbidden").await;
        for action in ["deactivate", "reactivate"] {
            problem(
                app.post(
                    &format!("/api/v1/org-units/{village}/{action}"),
                    &tok,
                    &json!({}),
                )
                .send()
                .await
                .expect("s"),
                403,
                "forbidden",
            )
            .await;
        }
        // Platform endpoints.
        for p in [
            "/api/v1/platform/tenants",
            "/api/v1/platform/provinces",
            &format!("/api/v1/platform/tenants/{}", c.id),
        ] {
            problem(app.get(p, &tok).send().await.expect("s"), 403, "forbidden").await;
        }
        // The register's spreadsheets and privacy controls: template for all, import and
        // the masking policy for the county admin only; anyone may request an export, only a
        // county admin decides on one.
        assert_eq!(
            status(app.get("/api/v1/members/import/template", &tok)).await,
            200,
            "{who} template"
        );
        let r = app
            .client
            .post(app.url("/api/v1/members/import"))
            .bearer_auth(&tok)
            .header("content-type", "text/csv")
            .body("姓名\n")
            .send()
            .await
            .expect("s");
        problem(r, 403, "forbidden").await;
        problem(
            app.get("/api/v1/privacy/masking-policy", &tok)
                .send()
                .await
                .expect("s"),
            403,
            "forbidden",
        )
        .await;
        let r = app
            .client
            .put(app.url("/api/v1/privacy/masking-policy"))
            .bearer_auth(&tok)
            .json(&json!({ "entries": [{ "role": "village_recorder", "field": "phone", "visibility": "visible" }] }))
            .send()
            .await
            .expect("s");
        problem(r, 403, "forbidden").await;
        let r = app
            .post(
                "/api/v1/member-exports",
                &tok,
                &json!({ "personal": true, "reason": "权限矩阵测试" }),
            )
            .send()
            .await
            .expect("s");
        assert_eq!(r.status().as_u16(), 201, "{who} export request");
        let e: Value = r.json().await.expect("j");
        let eid = e["id"].as_str().expect("id");
        problem(
            app.post(
                &format!("/api/v1/member-exports/{eid}/approve"),
                &tok,
                &json!({}),
            )
            .send()
            .await
            .expect("s"),
            403,
            "forbidden",
        )
        .await;
        assert_eq!(
            status(app.post(
                &format!("/api/v1/member-exports/{eid}/approve"),
                &c.admin_token,
                &json!({})
            ))
            .await,
            200,
            "admin approves {who}'s export"
        );
        // The org tree: exactly the bound subtree.
        let v: Value = app
            .get("/api/v1/org-units?limit=200", &tok)
            .send()
            .await
            .expect("l")
            .json()
            .await
            .expect("j");
        let mut seen: Vec<String> = v["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|u| u["id"].as_str().expect("id").to_owned())
            .collect();
        let mut want: Vec<String> = visible.iter().map(|s| (*s).clone()).collect();
        seen.sort();
        want.sort();
        assert_eq!(seen, want, "{who} list");
        for u in all {
            let expect = if visible.contains(&u) { 200 } else { 404 };
            assert_eq!(
                status(app.get(&format!("/api/v1/org-units/{u}"), &tok)).await,
                expect,
                "{who} GET {u}"
            );
            let expect = if visible.contains(&u) { 200 } else { 404 };
            assert_eq!(
                status(app.get(&format!("/api/v1/org-units?root={u}"), &tok)).await,
                expect,
                "{who} root {u}"
            );
        }
    }
}

#[tokio::test]
async fn bindings_must_fit_the_role_and_the_county() {
    let app = spawn_app().await;
    let a = app.county("330523", "安吉县").await;
    let b = app.county("330522", "长兴县").await;
    let committee = app
        .org_unit(&a, "association_committee", "协会党委", None)
        .await;
    let branch = app
        .org_unit(&a, "branch", "递铺分会", Some(&committee))
        .await;
    let town = app.org_unit(&a, "township", "递铺街道", None).await;
    let village = app.org_unit(&a, "village", "古城村", Some(&town)).await;
    let other_town = app.org_unit(&b, "township", "雉城街道", None).await;
    let create = |body: Value| app.post("/api/v1/users", &a.admin_token, &body).send();
    let r = create(json!({ "username": "v.one", "display_name": "甲", "role": "village_recorder", "org_unit_id": branch })).await.expect("c");
    let v = problem(r, 422, "validation_failed").await;
    assert_eq!(v["errors"][0]["code"], "org_unit_kind_mismatch");
    assert_eq!(v["errors"][0]["field"], "org_unit_id");
    let r = create(json!({ "username": "v.two", "display_name": "乙", "role": "township_committee", "org_unit_id": other_town })).await.expect("c");
    let v = problem(r, 422, "validation_failed").await;
    assert_eq!(v["errors"][0]["code"], "org_unit_not_found");
    let r = create(json!({ "username": "v.three", "display_name": "丙", "role": "village_recorder", "org_unit_id": "nope" })).await.expect("c");
    problem(r, 422, "validation_failed").await;
    // A role change must fit the current binding, or come with a new one.
    let (uid, _) = app
        .staff(&a, "v.four", "village_recorder", Some(&village))
        .await;
    let tag = |app: &TestApp| {
        let path = format!("/api/v1/users/{uid}");
        let tok = a.admin_token.clone();
        let client = app.client.clone();
        let url = app.url(&path);
        async move {
            client
                .get(url)
                .bearer_auth(tok)
                .send()
                .await
                .expect("g")
                .headers()["etag"]
                .to_str()
                .expect("e")
                .to_owned()
        }
    };
    let r = app
        .patch(
            &format!("/api/v1/users/{uid}"),
            &a.admin_token,
            &json!({ "role": "branch_staff" }),
        )
        .header("If-Match", tag(&app).await)
        .send()
        .await
        .expect("p");
    let v = problem(r, 422, "validation_failed").await;
    assert_eq!(v["errors"][0]["code"], "org_unit_kind_mismatch");
    let r = app
        .patch(
            &format!("/api/v1/users/{uid}"),
            &a.admin_token,
            &json!({ "role": "branch_staff", "org_unit_id": branch }),
        )
        .header("If-Match", tag(&app).await)
        .send()
        .await
        .expect("p");
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.expect("j");
    assert_eq!(v["org_unit_id"], branch.as_str());
    // Deactivating the bound unit's subtree root is refused while children are active; a
    // deactivated binding shows nothing (fail closed) — checked through a village unit.
    let (_, vt) = app
        .staff(&a, "v.five", "village_recorder", Some(&village))
        .await;
    assert_eq!(
        status(app.get(&format!("/api/v1/org-units/{village}"), &vt)).await,
        200
    );
    assert_eq!(
        status(app.post(
            &format!("/api/v1/org-units/{village}/deactivate"),
            &a.admin_token,
            &json!({})
        ))
        .await,
        200
    );
    assert_eq!(
        status(app.get(&format!("/api/v1/org-units/{village}"), &vt)).await,
        404
    );
    let v: Value = app
        .get("/api/v1/org-units", &vt)
        .send()
        .await
        .expect("l")
        .json()
        .await
        .expect("j");
    assert_eq!(v["items"].as_array().expect("items").len(), 0);
}
