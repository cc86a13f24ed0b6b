//! Member status changes and transfers: the legal ones change the member and are kept as
//! history, the illegal ones are 409 with a stable code, and the history is scoped like the
//! member.

use serde_json::{Value, json};
use shuanglian_tests::{fields, problem, send_tagged, spawn_app};

#[tokio::test]
async fn status_changes_follow_the_rules_and_are_kept_as_history() {
    let app = spawn_app().await;
    let c = app.county("330523", "安吉县").await;
    let tok = c.admin_token.clone();
    let town = app.org_unit(&c, "township", "递铺街道", None).await;
    let village = app.org_unit(&c, "village", "古城村", Some(&town)).await;
    let committee = app
        .org_unit(&c, "association_committee", "协会党委", None)
        .await;
    let branch = app
        .org_unit(&c, "branch", "递铺分会", Some(&committee))
        .await;
    let id = app.member(&tok, &json!({ "name": "王建国", "is_owner": true, "business_name": "建国五金店", "org_life_unit_id": village,
                "membership_unit_id": village, "membership_status": "probationary",
                "distribution": "individual_business", "joined_party_on": "2025-06-01" }),
    )
    .await;
    let change = format!("/api/v1/members/{id}/status-changes");
    let post = |body: Value| app.post(&change, &tok, &body);
    let conflict = |body: Value, code: &'static str| {
        let r = post(body);
        async move { problem(r.send().await.expect("c"), 409, code).await }
    };
    let invalid = |body: Value| {
        let r = post(body);
        async move {
            let v = problem(r.send().await.expect("c"), 422, "validation_failed").await;
            let f: Vec<(String, String)> = v["errors"]
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
            f
        }
    };
    let current = || {
        let (app, tok, id) = (&app, tok.clone(), id.clone());
        async move {
            let (s, v, tag) = send_tagged(app.get(&format!("/api/v1/members/{id}"), &tok)).await;
            assert_eq!(s, 200);
            (v, tag)
        }
    };

    // Bad requests name the field and change nothing.
    assert_eq!(
        invalid(json!({ "change": "membership_status", "on": "2026-07-01" })).await,
        vec![("membership_status".to_owned(), "required".to_owned())]
    );
    assert_eq!(
        invalid(json!({ "change": "membership_status", "membership_status": "full", "on": "2099-01-01" })).await,
        vec![("on".to_owned(), "date_in_future".to_owned())]
    );
    assert_eq!(
        invalid(json!({ "change": "membership_status", "membership_status": "full", "on": "2025-01-01" })).await,
        vec![("on".to_owned(), "before_joined_party".to_owned())]
    );
    assert_eq!(
        invalid(json!({ "change": "transfer_in", "on": "2026-07-01" })).await,
        vec![
            ("from_org".to_owned(), "required".to_owned()),
            ("to_unit_id".to_owned(), "required".to_owned())
        ]
    );
    assert_eq!(
        invalid(json!({ "change": "transfer_out", "on": "2026-07-01", "to_org": " " })).await,
        vec![("to_org".to_owned(), "invalid_text".to_owned())]
    );
    let (s, v, _) = send_tagged(post(json!({ "change": "promotion", "on": "2026-07-01" }))).await;
    assert_eq!(
        (s, v["errors"][0]["field"].as_str()),
        (400, Some("change")),
        "{v}"
    );
    let (m, tag) = current().await;
    assert_eq!(
        (m["membership_status"].as_str(), tag.as_str()),
        (Some("probationary"), "\"v1\"")
    );

    // 转正, with the member's ETag: a stale one is refused.
    problem(
        post(json!({ "change": "membership_status", "membership_status": "full", "on": "2026-06-01" }))
            .header("If-Match", "\"v7\"")
            .send()
            .await
            .expect("c"),
        412,
        "stale_version",
    )
    .await;
    let (s, e, tag) = send_tagged(
        post(
            json!({ "change": "membership_status", "membership_status": "full", "on": "2026-06-01",
                     "reason": "支部大会讨论通过" }),
        )
        .header("If-Match", "\"v1\""),
    )
    .await;
    assert_eq!(s, 201, "{e}");
    assert_eq!(tag, "\"v2\"");
    assert_eq!(
        (
            e["change"].as_str(),
            e["from"].as_str(),
            e["to"].as_str(),
            e["on"].as_str()
        ),
        (
            Some("membership_status"),
            Some("probationary"),
            Some("full"),
            Some("2026-06-01")
        )
    );
    assert_eq!(e["recorded_by"], c.admin_id.as_str());
    conflict(
        json!({ "change": "membership_status", "membership_status": "full", "on": "2026-06-02" }),
        "already_full_member",
    )
    .await;
    conflict(
        json!({ "change": "membership_status", "membership_status": "probationary", "on": "2026-06-02" }),
        "full_member_cannot_become_probationary",
    )
    .await;

    // Business: suspended, closed, and never reopened.
    for (to, on) in [("suspended", "2026-07-01"), ("closed", "2026-08-01")] {
        let (s, v, _) = send_tagged(post(
            json!({ "change": "business_status", "business_status": to, "on": on }),
        ))
        .await;
        assert_eq!(s, 201, "{v}");
    }
    conflict(
        json!({ "change": "business_status", "business_status": "operating", "on": "2026-09-01" }),
        "business_closed",
    )
    .await;

    // Away operating, and back.
    conflict(
        json!({ "change": "returned", "on": "2026-09-01" }),
        "not_away",
    )
    .await;
    let (s, _, _) = send_tagged(post(json!({ "change": "away", "on": "2026-09-01" }))).await;
    assert_eq!(s, 201);
    assert_eq!(current().await.0["away_since"], "2026-09-01");
    conflict(
        json!({ "change": "away", "on": "2026-09-02" }),
        "already_away",
    )
    .await;
    let (s, _, _) = send_tagged(post(json!({ "change": "returned", "on": "2026-10-01" }))).await;
    assert_eq!(s, 201);
    assert!(current().await.0.get("away_since").is_none());

    // Transfer out: the membership leaves the county, so the category follows (流动).
    conflict(
        json!({ "change": "transfer_in", "on": "2026-10-02", "from_org": "某省某村党支部", "to_unit_id": branch }),
        "already_in_county",
    )
    .await;
    let (s, e, _) = send_tagged(post(json!({ "change": "transfer_out", "on": "2026-10-10",
                                     "to_org": "江西省上饶市某村党支部", "reason": "回原籍" })))
    .await;
    assert_eq!(s, 201, "{e}");
    assert_eq!(
        (e["from_org"].as_str(), e["to_org"].as_str()),
        (Some("古城村"), Some("江西省上饶市某村党支部"))
    );
    let (m, _) = current().await;
    assert_eq!(
        (m["category"].as_str(), m["membership_org_name"].as_str()),
        (Some("floating"), Some("江西省上饶市某村党支部"))
    );
    assert!(m.get("membership_unit_id").is_none(), "{m}");
    conflict(
        json!({ "change": "transfer_out", "on": "2026-10-11", "to_org": "另一个党支部" }),
        "not_held_in_county",
    )
    .await;
    // Transfer in to a unit that cannot hold memberships, then to the branch.
    let office = app.org_unit(&c, "aic_office", "递铺工商所", None).await;
    assert_eq!(
        invalid(json!({ "change": "transfer_in", "on": "2026-11-01", "from_org": "江西省上饶市某村党支部", "to_unit_id": office })).await,
        vec![("to_unit_id".to_owned(), "org_unit_not_found".to_owned())]
    );
    let (s, e, _) = send_tagged(post(json!({ "change": "transfer_in", "on": "2026-11-01",
                                     "from_org": "江西省上饶市某村党支部", "to_unit_id": branch })))
    .await;
    assert_eq!(s, 201, "{e}");
    let (m, tag) = current().await;
    assert_eq!(
        (
            m["category"].as_str(),
            m["membership_unit_id"].as_str(),
            m["membership_org_name"].as_str()
        ),
        (Some("affiliated"), Some(branch.as_str()), Some("递铺分会"))
    );
    assert_eq!(tag, "\"v8\"", "one version per change");

    // The history, oldest first, page by page.
    let mut entries = Vec::new();
    let mut cursor = String::new();
    loop {
        let (s, v, _) = send_tagged(app.get(
            &format!("/api/v1/members/{id}/status-history?limit=3&cursor={cursor}"),
            &tok,
        ))
        .await;
        assert_eq!(s, 200, "{v}");
        for e in v["items"].as_array().expect("items") {
            entries.push(format!(
                "{}:{}->{}@{}",
                e["change"].as_str().expect("c"),
                e["from"].as_str().expect("f"),
                e["to"].as_str().expect("t"),
                e["on"].as_str().expect("o")
            ));
        }
        match v["next_cursor"].as_str() {
            Some(c) => cursor = c.to_owned(),
            None => break,
        }
    }
    assert_eq!(
        entries,
        vec![
            "membership_status:probationary->full@2026-06-01",
            "business_status:operating->suspended@2026-07-01",
            "business_status:suspended->closed@2026-08-01",
            "away:present->away@2026-09-01",
            "returned:away->present@2026-10-01",
            "transfer_out:in_county->outside_county@2026-10-10",
            "transfer_in:outside_county->in_county@2026-11-01",
        ]
    );
    // Each change is audited with its reason and without personal values.
    let (_, audit, _) = send_tagged(app.get(&format!("/api/v1/audit?entity_id={id}"), &tok)).await;
    let changes: Vec<&Value> = audit["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|e| e["action"] == "member.status_change")
        .collect();
    assert_eq!(changes.len(), 7);
    assert_eq!(changes[0]["reason"], "支部大会讨论通过");
    assert_eq!(changes[0]["details"]["to"], "full");
    assert_eq!(changes[5]["reason"], "回原籍");
}

#[tokio::test]
async fn history_and_changes_are_404_across_counties_and_scopes() {
    let app = spawn_app().await;
    let c = app.county("330523", "安吉县").await;
    let b = app.county("330522", "长兴县").await;
    let town = app.org_unit(&c, "township", "递铺街道", None).await;
    let v1 = app.org_unit(&c, "village", "古城村", Some(&town)).await;
    let v2 = app.org_unit(&c, "village", "横溪坞村", Some(&town)).await;
    let committee = app
        .org_unit(&c, "association_committee", "协会党委", None)
        .await;
    let branch = app
        .org_unit(&c, "branch", "递铺分会", Some(&committee))
        .await;
    let other_branch = app
        .org_unit(&c, "branch", "孝丰分会", Some(&committee))
        .await;
    let mk = |holder: &str| {
        json!({ "name": "某人", "is_owner": true, "business_name": "某店", "membership_unit_id": holder,
                "membership_status": "probationary", "distribution": "individual_business" })
    };
    let m1 = app.member(&c.admin_token, &mk(&v1)).await;
    let in_branch = app.member(&c.admin_token, &mk(&branch)).await;
    let away = json!({ "change": "away", "on": "2026-09-01" });
    let endpoints = |id: &str| {
        (
            format!("/api/v1/members/{id}/status-changes"),
            format!("/api/v1/members/{id}/status-history"),
        )
    };
    let try_both = |tok: &str, id: &str| {
        let (change, history) = endpoints(id);
        let (app, tok, away) = (&app, tok.to_owned(), away.clone());
        async move {
            let (a, _, _) = send_tagged(app.post(&change, &tok, &away)).await;
            let (b, _, _) = send_tagged(app.get(&history, &tok)).await;
            (a, b)
        }
    };
    // Another county: 404 on both, and nothing changed.
    assert_eq!(try_both(&b.admin_token, &m1).await, (404, 404));
    // A village recorder reads its own members' history but does not change it; another
    // village's member does not exist for it.
    let (_, village1) = app
        .staff(&c, "village.a", "village_recorder", Some(&v1))
        .await;
    let (_, village2) = app
        .staff(&c, "village.b", "village_recorder", Some(&v2))
        .await;
    assert_eq!(try_both(&village1, &m1).await, (403, 200));
    assert_eq!(try_both(&village2, &m1).await, (403, 404));
    // Branch staff change their branch's members; another branch's staff cannot find them.
    let (_, staff) = app
        .staff(&c, "branch.a", "branch_staff", Some(&branch))
        .await;
    let (_, other) = app
        .staff(&c, "branch.b", "branch_staff", Some(&other_branch))
        .await;
    assert_eq!(try_both(&other, &in_branch).await, (404, 404));
    assert_eq!(try_both(&staff, &m1).await, (404, 404));
    assert_eq!(try_both(&staff, &in_branch).await, (201, 200));
    // Path ids that are not ids at all are 404 too.
    assert_eq!(try_both(&c.admin_token, "not-an-id").await, (404, 404));
    let (_, h, _) = send_tagged(app.get(&endpoints(&m1).1, &c.admin_token)).await;
    assert_eq!(h["items"], json!([]), "nothing was recorded for m1");
    let v = problem(
        app.get(&format!("{}?cursor=bad", endpoints(&m1).1), &c.admin_token)
            .send()
            .await
            .expect("h"),
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(fields(&v), vec!["cursor"]);
}
