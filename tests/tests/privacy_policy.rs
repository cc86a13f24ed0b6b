//! The county's masking policy: role × field, set by the county admin, audited, per county.

use reqwest::StatusCode;
use serde_json::{Value, json};
use shuanglian_tests::{County, TestApp, id_number, problem, spawn_app};

async fn setup(app: &TestApp, c: &County) -> (String, String) {
    let committee = app
        .org_unit(c, "association_committee", "协会党委", None)
        .await;
    let branch = app
        .org_unit(c, "branch", "递铺分会", Some(&committee))
        .await;
    let pb = app
        .org_unit(c, "party_branch", "五金支部", Some(&branch))
        .await;
    let r = app
        .post(
            "/api/v1/members",
            &c.admin_token,
            &json!({ "name": "王建国", "id_number": id_number("330523", "19790315", "251"),
                     "phone": "13812345678", "home_address": "某路1号", "is_owner": true,
                     "business_name": "建国五金店", "membership_unit_id": pb, "org_life_unit_id": pb,
                     "membership_status": "full", "distribution": "individual_business" }),
        )
        .send()
        .await
        .expect("member");
    let v: Value = r.json().await.expect("json");
    (branch, v["id"].as_str().expect("id").to_owned())
}

fn exposure(m: &Value, role: &str, field: &str) -> String {
    m["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .find(|e| e["role"] == role && e["field"] == field)
        .and_then(|e| e["visibility"].as_str())
        .expect("entry")
        .to_owned()
}

#[tokio::test]
async fn the_county_admin_decides_who_sees_which_field_in_clear() {
    let app = spawn_app().await;
    let c = app.county("330523", "安吉县").await;
    let other = app.county("330522", "长兴县").await;
    let (branch, mid) = setup(&app, &c).await;
    let (staff_id, staff) = app.staff(&c, "clerk", "branch_staff", Some(&branch)).await;
    let url = "/api/v1/privacy/masking-policy";
    let m: Value = app
        .get(url, &c.admin_token)
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(m["entries"].as_array().expect("e").len(), 6 * 4);
    assert_eq!(exposure(&m, "county_admin", "phone"), "on_request");
    assert_eq!(exposure(&m, "branch_staff", "phone"), "masked");
    // By default branch staff see masked values and cannot unmask.
    let member = |tok: String| {
        let app = &app;
        let mid = mid.clone();
        async move {
            app.get(&format!("/api/v1/members/{mid}"), &tok)
                .send()
                .await
                .expect("get")
                .json::<Value>()
                .await
                .expect("json")
        }
    };
    let v = member(staff.clone()).await;
    assert_eq!(v["phone_masked"], "138****5678");
    assert!(v.get("phone").is_none(), "{v}");
    let unmask = |tok: String, field: &str| {
        app.post(
            &format!("/api/v1/members/{mid}/unmask"),
            &tok,
            &json!({ "fields": [field], "reason": "核实联系方式" }),
        )
        .send()
    };
    problem(
        unmask(staff.clone(), "phone").await.expect("u"),
        403,
        "unmask_not_allowed",
    )
    .await;
    // Only the county admin reads or sets the policy.
    problem(
        app.get(url, &staff).send().await.expect("g"),
        403,
        "forbidden",
    )
    .await;
    let put = |tok: &str, body: Value| {
        app.client
            .put(app.url(url))
            .bearer_auth(tok)
            .json(&body)
            .send()
    };
    problem(
        put(&staff, json!({ "entries": [] })).await.expect("p"),
        403,
        "forbidden",
    )
    .await;
    // The admin keeps at least unmasking on request; platform roles are not county roles.
    let r = put(
        &c.admin_token,
        json!({ "entries": [
            { "role": "county_admin", "field": "phone", "visibility": "masked" },
            { "role": "platform_operator", "field": "phone", "visibility": "visible" }
        ] }),
    )
    .await
    .expect("p");
    let p = problem(r, 422, "validation_failed").await;
    let codes: Vec<&str> = p["errors"]
        .as_array()
        .expect("e")
        .iter()
        .filter_map(|e| e["code"].as_str())
        .collect();
    assert_eq!(codes, vec!["admin_must_unmask", "not_a_county_role"]);
    // Phone visible to branch staff; ID number on request.
    let r = put(
        &c.admin_token,
        json!({ "entries": [
            { "role": "branch_staff", "field": "phone", "visibility": "visible" },
            { "role": "branch_staff", "field": "id_number", "visibility": "on_request" }
        ] }),
    )
    .await
    .expect("p");
    assert_eq!(r.status(), StatusCode::OK);
    let m: Value = r.json().await.expect("json");
    assert_eq!(exposure(&m, "branch_staff", "phone"), "visible");
    let v = member(staff.clone()).await;
    assert_eq!(v["phone"], "13812345678");
    assert!(v.get("id_number").is_none() && v.get("home_address").is_none());
    // Lists follow the same policy.
    let l: Value = app
        .get("/api/v1/members", &staff)
        .send()
        .await
        .expect("l")
        .json()
        .await
        .expect("j");
    assert_eq!(l["items"][0]["phone"], "13812345678");
    let r = unmask(staff.clone(), "id_number").await.expect("u");
    assert_eq!(r.status(), StatusCode::OK);
    problem(
        unmask(staff.clone(), "home_address").await.expect("u"),
        403,
        "unmask_not_allowed",
    )
    .await;
    // The change is audited with from → to.
    let a: Value = app
        .get(
            "/api/v1/audit?action=privacy.masking_policy",
            &c.admin_token,
        )
        .send()
        .await
        .expect("a")
        .json()
        .await
        .expect("j");
    let entry = a["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|e| e["action"] == "privacy.masking_policy")
        .expect("audited");
    assert_eq!(
        entry["details"]["changes"][0],
        json!({ "role": "branch_staff", "field": "phone", "from": "masked", "to": "visible" })
    );
    // QQ numbers on group rosters follow the same matrix.
    let g: Value = app
        .post(
            "/api/v1/qq-groups",
            &c.admin_token,
            &json!({ "name": "递铺分会党建群", "org_unit_id": branch, "maintainer_id": staff_id }),
        )
        .send()
        .await
        .expect("group")
        .json()
        .await
        .expect("json");
    let gid = g["id"].as_str().expect("group id").to_owned();
    let r = app
        .post(
            &format!("/api/v1/qq-groups/{gid}/roster"),
            &c.admin_token,
            &json!({ "real_name": "王建国", "role": "member", "qq": "123456789" }),
        )
        .send()
        .await
        .expect("entry");
    assert_eq!(r.status(), StatusCode::CREATED);
    let roster = |tok: String| {
        let app = &app;
        let gid = gid.clone();
        async move {
            app.get(&format!("/api/v1/qq-groups/{gid}/roster"), &tok)
                .send()
                .await
                .expect("roster")
                .json::<Value>()
                .await
                .expect("json")
        }
    };
    let v = roster(staff.clone()).await;
    assert_eq!(v["items"][0]["qq_masked"], "12*****89");
    assert!(v["items"][0].get("qq_number").is_none(), "{v}");
    let r = put(
        &c.admin_token,
        json!({ "entries": [{ "role": "branch_staff", "field": "qq_number", "visibility": "visible" }] }),
    )
    .await
    .expect("p");
    assert_eq!(r.status(), StatusCode::OK);
    let v = roster(staff.clone()).await;
    assert_eq!(v["items"][0]["qq_number"], "123456789");
    // Another county's policy is its own.
    let m: Value = app
        .get(url, &other.admin_token)
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(exposure(&m, "branch_staff", "phone"), "masked");
}
