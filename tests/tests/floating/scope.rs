//! Only branch staff write; other counties and branches see nothing.

use super::*;

#[tokio::test]
async fn only_branch_staff_write_and_other_counties_and_branches_see_nothing() {
    let app = spawn_app().await;
    let w = world(&app, "330523", "安吉县").await;
    let b = world(&app, "330522", "长兴县").await;
    let tok = w.staff.clone();
    let case = register(
        &app,
        &tok,
        json!({ "member_id": w.floating, "home_contact_unit": "五都镇党委",
                "operating_since": "2024-05-01", "registered_on": "2025-02-01" }),
    )
    .await;
    let id = case["id"].as_str().expect("id").to_owned();
    // A sent case, so the outstanding list has something to hide.
    let p = |step: &str| format!("/api/v1/floating-members/{id}/{step}");
    for (step, body) in [
        (
            "confirm",
            json!({ "proof_reference": "证明", "proof_date": "2025-02-03", "confirmed_on": "2025-02-05" }),
        ),
        (
            "evaluation",
            json!({ "evaluation": "良好", "evaluated_on": "2025-11-01" }),
        ),
        ("send", json!({ "method": "hand", "sent_on": "2025-11-02" })),
    ] {
        let (s, v, _) = send_tagged(app.post(&p(step), &tok, &body)).await;
        assert_eq!(s, 200, "{step}: {v}");
    }

    // Every endpoint of a case, with a body that would be valid.
    let reads = [
        "",
        "/activities",
        "/feedback-form.xlsx",
        "/feedback-form.html",
        "/letter.xlsx",
        "/letter.html",
        "/receipt-form.xlsx",
        "/receipt-form.html",
    ];
    let writes = [
        (
            "/confirm",
            json!({ "proof_reference": "证明", "proof_date": "2025-02-03" }),
        ),
        (
            "/activities",
            json!({ "held_on": "2025-05-01", "kind": "training", "content": "培训" }),
        ),
        ("/evaluation", json!({ "evaluation": "良好" })),
        ("/send", json!({ "method": "post" })),
        ("/chases", json!({ "method": "phone" })),
        ("/receipt", json!({ "received_by": "陈书记" })),
        ("/archive", json!({})),
    ];
    let base = format!("/api/v1/floating-members/{id}");
    // Another county's branch staff and another branch's staff: 404 everywhere.
    for other in [&b.staff, &w.other_staff] {
        for r in reads {
            problem(
                app.get(&format!("{base}{r}"), other)
                    .send()
                    .await
                    .expect("r"),
                404,
                "not_found",
            )
            .await;
        }
        for (path, body) in &writes {
            problem(
                app.post(&format!("{base}{path}"), other, body)
                    .send()
                    .await
                    .expect("w"),
                404,
                "not_found",
            )
            .await;
        }
        let (s, v, _) = send_tagged(app.get("/api/v1/floating-members", other)).await;
        assert_eq!((s, v["items"].clone()), (200, json!([])), "{v}");
        let (s, v, _) = send_tagged(app.get(
            "/api/v1/floating-receipts/outstanding?as_of=2025-12-01",
            other,
        ))
        .await;
        assert_eq!((s, v["items"].clone()), (200, json!([])), "{v}");
    }
    // Another county's admin: 404 too.
    problem(
        app.get(&base, &b.c.admin_token).send().await.expect("r"),
        404,
        "not_found",
    )
    .await;
    // The village recorder: out of scope for reading, not branch staff for writing.
    problem(
        app.get(&base, &w.village).send().await.expect("r"),
        404,
        "not_found",
    )
    .await;
    let (_, v, _) = send_tagged(app.get("/api/v1/floating-members", &w.village)).await;
    assert_eq!(v["items"], json!([]));
    // County-wide roles read everything and write nothing.
    for reader in [&w.c.admin_token, &w.assoc, &w.village] {
        if reader != &w.village {
            for r in reads {
                let (s, _, _) = bytes(&app, &format!("{base}{r}"), reader).await;
                assert_eq!(s, 200, "{r}");
            }
            let (_, v, _) = send_tagged(app.get(
                "/api/v1/floating-receipts/outstanding?as_of=2025-12-01",
                reader,
            ))
            .await;
            assert_eq!(v["items"][0]["case"]["id"].as_str(), Some(id.as_str()));
            assert_eq!(v["items"][0]["days_outstanding"].as_i64(), Some(29));
        }
        for (path, body) in &writes {
            problem(
                app.post(&format!("{base}{path}"), reader, body)
                    .send()
                    .await
                    .expect("w"),
                403,
                "branch_staff_only",
            )
            .await;
        }
        problem(
            app.post(
                "/api/v1/floating-members",
                reader,
                &json!({ "member_id": w.other_floating, "home_contact_unit": "x",
                         "operating_since": "2024-05-01" }),
            )
            .send()
            .await
            .expect("w"),
            403,
            "branch_staff_only",
        )
        .await;
    }

    // Registering: members and branches outside one's scope or county are unknown.
    let reg = |body: Value| app.post("/api/v1/floating-members", &tok, &body);
    for m in [&w.other_floating, &b.floating, &"not-a-uuid".to_owned()] {
        let v = problem(
            reg(json!({ "member_id": m, "home_contact_unit": "x", "operating_since": "2024-05-01" }))
                .send()
                .await
                .expect("r"),
            422,
            "validation_failed",
        )
        .await;
        assert_eq!(v["errors"][0]["code"], "member_not_found", "{v}");
    }
    for branch in [&w.other_party_branch, &b.party_branch] {
        let v = problem(
            reg(json!({ "member_id": w.floating, "home_contact_unit": "x", "operating_since": "2024-05-01",
                        "branch_id": branch, "registered_on": "2026-01-02" }))
            .send()
            .await
            .expect("r"),
            422,
            "validation_failed",
        )
        .await;
        assert_eq!(
            (
                v["errors"][0]["field"].as_str(),
                v["errors"][0]["code"].as_str()
            ),
            (Some("branch_id"), Some("branch_not_found")),
            "{v}"
        );
    }
    // The other branch registers its own member; each sees only its own.
    let theirs = register(
        &app,
        &w.other_staff,
        json!({ "member_id": w.other_floating, "home_contact_unit": "复兴镇党委",
                "operating_since": "2022-01-01", "registered_on": "2026-02-01" }),
    )
    .await;
    assert_eq!(
        theirs["branch_id"].as_str(),
        Some(w.other_party_branch.as_str())
    );
    let (_, mine, _) = send_tagged(app.get("/api/v1/floating-members", &tok)).await;
    let ids: Vec<&str> = mine["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|c| c["id"].as_str())
        .collect();
    assert_eq!(ids, vec![id.as_str()]);
    let (_, all, _) = send_tagged(app.get("/api/v1/floating-members", &w.c.admin_token)).await;
    assert_eq!(all["items"].as_array().map(Vec::len), Some(2));
    // County B's list holds none of county A's.
    let (_, v, _) = send_tagged(app.get("/api/v1/floating-members", &b.c.admin_token)).await;
    assert_eq!(v["items"], json!([]));

    // An idempotent registration replays.
    let body = json!({ "member_id": b.floating, "home_contact_unit": "x", "operating_since": "2024-05-01",
                       "registered_on": "2026-03-01" });
    let first = app
        .post("/api/v1/floating-members", &b.staff, &body)
        .header("Idempotency-Key", "fl-1")
        .send()
        .await
        .expect("i");
    assert_eq!(first.status().as_u16(), 201);
    let first: Value = first.json().await.expect("json");
    let again = app
        .post("/api/v1/floating-members", &b.staff, &body)
        .header("Idempotency-Key", "fl-1")
        .send()
        .await
        .expect("i");
    assert_eq!(
        again
            .headers()
            .get("idempotent-replayed")
            .and_then(|v| v.to_str().ok()),
        Some("true")
    );
    let again: Value = again.json().await.expect("json");
    assert_eq!(first["id"], again["id"]);
}
