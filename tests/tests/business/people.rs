//! Members linked to businesses as owners and employees.

use super::*;

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
