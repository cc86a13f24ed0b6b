//! Members: registration with encrypted identifiers, masked views, exact search through blind
//! indexes, categories, scoping and isolation.

use reqwest::StatusCode;
use serde_json::{Value, json};
use shuanglian_tests::{TestApp, fields, id_number, problem, spawn_app};

async fn member(app: &TestApp, token: &str, body: Value) -> Value {
    app.created(token, "/api/v1/members", &body).await
}

#[tokio::test]
async fn members_are_registered_encrypted_shown_masked_and_found_exactly() {
    let app = spawn_app().await;
    let c = app.county("330523", "安吉县").await;
    let b = app.county("330522", "长兴县").await;
    let town = app.org_unit(&c, "township", "递铺街道", None).await;
    let village = app.org_unit(&c, "village", "古城村", Some(&town)).await;
    let committee = app
        .org_unit(&c, "association_committee", "协会党委", None)
        .await;
    let branch = app
        .org_unit(&c, "branch", "递铺分会", Some(&committee))
        .await;
    let id = id_number("330523", "19790315", "251");
    let v = member(
        &app,
        &c.admin_token,
        json!({
            "name": "王建国", "id_number": id, "phone": "13812345678", "home_address": "递铺街道某路1号",
            "household_registration": "330523", "is_owner": true, "business_name": "建国五金店",
            "org_life_unit_id": village, "membership_unit_id": village, "membership_status": "full",
            "distribution": "individual_business", "association_member": true
        }),
    )
    .await;
    let mid = v["id"].as_str().expect("id").to_owned();
    assert_eq!(v["category"], "local");
    assert_eq!(v["gender"], "male");
    assert_eq!(v["birth_date"], "1979-03-15");
    assert_eq!(v["phone_masked"], "138****5678");
    assert_eq!(
        v["id_number_masked"],
        format!("330523********{}", &id[14..])
    );
    assert_eq!(v["has_home_address"], true);
    let text = v.to_string();
    assert!(
        !text.contains("13812345678") && !text.contains(&id) && !text.contains("某路"),
        "{text}"
    );
    assert_eq!(v["membership_org_name"], "古城村");
    // Categories follow the holder of the membership.
    let aff = member(&app, &c.admin_token, json!({ "name": "李芳", "is_owner": false, "business_name": "芳芳服装", "membership_unit_id": branch, "membership_status": "probationary", "distribution": "individual_business" })).await;
    assert_eq!(aff["category"], "affiliated");
    let flo = member(&app, &c.admin_token, json!({ "name": "张伟", "is_owner": true, "business_name": "张记小吃", "membership_org_name": "江西省某县某村党支部", "membership_status": "full", "distribution": "individual_business", "phone": "13900001111" })).await;
    assert_eq!(flo["category"], "floating");
    // Exact search by phone and ID number; prefix by name; filters.
    let find = |q: String| {
        let (app, tok) = (&app, c.admin_token.clone());
        async move {
            let v: Value = app
                .get(&format!("/api/v1/members?{q}"), &tok)
                .send()
                .await
                .expect("l")
                .json()
                .await
                .expect("j");
            v["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|m| m["name"].as_str().expect("n").to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(find("phone=138-1234-5678".into()).await, vec!["王建国"]);
    assert_eq!(
        find(format!("id_number={}", id.to_lowercase())).await,
        vec!["王建国"]
    );
    assert_eq!(find("name=王".into()).await, vec!["王建国"]);
    assert_eq!(find("category=floating".into()).await, vec!["张伟"]);
    assert_eq!(
        find("membership_status=probationary".into()).await,
        vec!["李芳"]
    );
    assert_eq!(find(format!("unit={town}")).await, vec!["王建国"]);
    assert!(find("phone=13800000000".into()).await.is_empty());
    let v = problem(
        app.get("/api/v1/members?phone=12345", &c.admin_token)
            .send()
            .await
            .expect("l"),
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(fields(&v), vec!["phone"]);
    // The same ID number: refused in this county, unseen in another.
    let dup = json!({ "name": "重复", "id_number": id, "is_owner": true, "business_name": "某店", "membership_org_name": "某党支部", "membership_status": "full", "distribution": "individual_business" });
    problem(
        app.post("/api/v1/members", &c.admin_token, &dup)
            .send()
            .await
            .expect("c"),
        409,
        "duplicate_id_number",
    )
    .await;
    member(&app, &b.admin_token, dup.clone()).await;
    // Nothing personal is stored in clear.
    let tid = shuanglian::tenancy::TenantId::parse(&c.id).expect("tid");
    let (mid2, idc) = (mid.clone(), id.clone());
    let raw: String = app
        .state
        .db
        .tenant(tid, shuanglian::db::Mode::Read, move |tx| {
            let r = shuanglian::members::repo::get(tx, &mid2)?.expect("row");
            Ok(format!("{r:?}"))
        })
        .await
        .expect("raw");
    assert!(
        !raw.contains("13812345678") && !raw.contains(&idc) && !raw.contains("某路"),
        "{raw}"
    );
    // Other county: 404.
    problem(
        app.get(&format!("/api/v1/members/{mid}"), &b.admin_token)
            .send()
            .await
            .expect("g"),
        404,
        "not_found",
    )
    .await;
    let r = app
        .patch(
            &format!("/api/v1/members/{mid}"),
            &b.admin_token,
            &json!({ "is_owner": false }),
        )
        .header("If-Match", "\"v1\"")
        .send()
        .await
        .expect("p");
    problem(r, 404, "not_found").await;
    // Updates: If-Match, re-indexed phone, audit without the values.
    let tag = app
        .get(&format!("/api/v1/members/{mid}"), &c.admin_token)
        .send()
        .await
        .expect("g")
        .headers()["etag"]
        .to_str()
        .expect("e")
        .to_owned();
    let r = app
        .patch(
            &format!("/api/v1/members/{mid}"),
            &c.admin_token,
            &json!({ "phone": "13700002222", "business_name": "建国五金（新）" }),
        )
        .header("If-Match", &tag)
        .send()
        .await
        .expect("p");
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(find("phone=13700002222".into()).await, vec!["王建国"]);
    assert!(find("phone=13812345678".into()).await.is_empty());
    let r = app
        .patch(
            &format!("/api/v1/members/{mid}"),
            &c.admin_token,
            &json!({ "is_owner": false }),
        )
        .header("If-Match", &tag)
        .send()
        .await
        .expect("p");
    problem(r, 412, "stale_version").await;
    let audit: Value = app
        .get(&format!("/api/v1/audit?entity_id={mid}"), &c.admin_token)
        .send()
        .await
        .expect("a")
        .json()
        .await
        .expect("j");
    let atext = audit.to_string();
    assert!(
        atext.contains("member.update")
            && atext.contains("phone")
            && !atext.contains("13700002222"),
        "{atext}"
    );
}

#[tokio::test]
async fn bad_member_input_names_the_field() {
    let app = spawn_app().await;
    let c = app.county("330523", "安吉县").await;
    let base = json!({ "name": "某人", "is_owner": true, "business_name": "某店", "membership_org_name": "某党支部", "membership_status": "full", "distribution": "individual_business" });
    let with = |k: &str, v: Value| {
        let mut b = base.clone();
        b[k] = v;
        b
    };
    let mut wrong = id_number("330523", "19790315", "251");
    let last = wrong.pop().expect("c");
    wrong.push(if last == '1' { '2' } else { '1' });
    for (body, field, code) in [
        (
            with("id_number", json!(wrong)),
            "id_number",
            "id_checksum_mismatch",
        ),
        (with("phone", json!("2345")), "phone", "invalid_mobile"),
        (
            with("household_registration", json!("3305")),
            "household_registration",
            "invalid_division_code",
        ),
        (
            with("distribution", json!("market_business")),
            "market_id",
            "required",
        ),
        (
            with("membership_org_name", json!("  ")),
            "membership_org_name",
            "required",
        ),
        (
            with("gender", json!("female"))
                .as_object()
                .map(|o| {
                    let mut o = o.clone();
                    o.insert(
                        "id_number".into(),
                        json!(id_number("330523", "19790315", "251")),
                    );
                    Value::Object(o)
                })
                .expect("obj"),
            "gender",
            "gender_mismatch",
        ),
        (
            with("org_life_unit_id", json!(uuid::Uuid::now_v7().to_string())),
            "org_life_unit_id",
            "org_unit_not_found",
        ),
    ] {
        let r = app
            .post("/api/v1/members", &c.admin_token, &body)
            .send()
            .await
            .expect("c");
        let v = problem(r, 422, "validation_failed").await;
        assert_eq!(fields(&v), vec![field], "{v}");
        assert_eq!(v["errors"][0]["code"], code, "{v}");
    }
    let v: Value = app
        .get("/api/v1/members", &c.admin_token)
        .send()
        .await
        .expect("l")
        .json()
        .await
        .expect("j");
    assert_eq!(
        v["items"].as_array().expect("items").len(),
        0,
        "nothing was written"
    );
}

#[tokio::test]
async fn scoped_staff_see_and_register_only_their_part() {
    let app = spawn_app().await;
    let c = app.county("330523", "安吉县").await;
    let town = app.org_unit(&c, "township", "递铺街道", None).await;
    let v1 = app.org_unit(&c, "village", "古城村", Some(&town)).await;
    let v2 = app.org_unit(&c, "village", "横溪坞村", Some(&town)).await;
    let committee = app
        .org_unit(&c, "association_committee", "协会党委", None)
        .await;
    let branch = app
        .org_unit(&c, "branch", "递铺分会", Some(&committee))
        .await;
    let mk = |name: &str, holder: &str| json!({ "name": name, "is_owner": true, "business_name": "某店", "membership_unit_id": holder, "membership_status": "full", "distribution": "individual_business" });
    let m1 = member(&app, &c.admin_token, mk("甲", &v1)).await;
    let m2 = member(&app, &c.admin_token, mk("乙", &v2)).await;
    let (_, village_staff) = app
        .staff(&c, "village.a", "village_recorder", Some(&v1))
        .await;
    let v: Value = app
        .get("/api/v1/members", &village_staff)
        .send()
        .await
        .expect("l")
        .json()
        .await
        .expect("j");
    let names: Vec<&str> = v["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|m| m["name"].as_str().expect("n"))
        .collect();
    assert_eq!(names, vec!["甲"]);
    assert_eq!(
        app.get(
            &format!("/api/v1/members/{}", m1["id"].as_str().expect("id")),
            &village_staff
        )
        .send()
        .await
        .expect("g")
        .status(),
        StatusCode::OK
    );
    problem(
        app.get(
            &format!("/api/v1/members/{}", m2["id"].as_str().expect("id")),
            &village_staff,
        )
        .send()
        .await
        .expect("g"),
        404,
        "not_found",
    )
    .await;
    // Village recorders do not register members; branch staff do, within their branch.
    problem(
        app.post("/api/v1/members", &village_staff, &mk("丙", &v1))
            .send()
            .await
            .expect("c"),
        403,
        "forbidden",
    )
    .await;
    let (_, branch_staff) = app
        .staff(&c, "branch.a", "branch_staff", Some(&branch))
        .await;
    member(&app, &branch_staff, mk("丁", &branch)).await;
    let r = app
        .post("/api/v1/members", &branch_staff, &mk("戊", &v2))
        .send()
        .await
        .expect("c");
    // A unit outside the branch is, to its staff, no unit at all (no existence oracle).
    let v = problem(r, 422, "validation_failed").await;
    assert_eq!(
        (
            v["errors"][0]["field"].as_str(),
            v["errors"][0]["code"].as_str()
        ),
        (Some("membership_unit_id"), Some("org_unit_not_found"))
    );
}

#[tokio::test]
async fn unmasking_needs_the_role_and_a_reason_and_is_audited() {
    let app = spawn_app().await;
    let c = app.county("330523", "安吉县").await;
    let b = app.county("330522", "长兴县").await;
    let town = app.org_unit(&c, "township", "递铺街道", None).await;
    let village = app.org_unit(&c, "village", "古城村", Some(&town)).await;
    let id = id_number("330523", "19850101", "042");
    let m = member(
        &app,
        &c.admin_token,
        json!({ "name": "钱多", "id_number": id, "phone": "13611112222", "home_address": "某路2号", "is_owner": true,
                "business_name": "钱记", "membership_unit_id": village, "membership_status": "full", "distribution": "individual_business" }),
    )
    .await;
    let mid = m["id"].as_str().expect("id").to_owned();
    let path = format!("/api/v1/members/{mid}/unmask");
    // A reason is required.
    let r = app
        .post(
            &path,
            &c.admin_token,
            &json!({ "fields": ["phone"], "reason": "  " }),
        )
        .send()
        .await
        .expect("u");
    let v = problem(r, 422, "validation_failed").await;
    assert_eq!(fields(&v), vec!["reason"]);
    let r = app
        .post(
            &path,
            &c.admin_token,
            &json!({ "fields": ["phone", "id_number", "home_address"], "reason": "核对报到信息" }),
        )
        .send()
        .await
        .expect("u");
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let v: Value = r.json().await.expect("j");
    assert_eq!(
        (
            v["phone"].as_str(),
            v["id_number"].as_str(),
            v["home_address"].as_str()
        ),
        (Some("13611112222"), Some(id.as_str()), Some("某路2号"))
    );
    // Who looked, when, what and why: one query.
    let a: Value = app
        .get(&format!("/api/v1/audit?entity_id={mid}"), &c.admin_token)
        .send()
        .await
        .expect("a")
        .json()
        .await
        .expect("j");
    let un = a["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|e| e["action"] == "member.unmask")
        .expect("unmask entry")
        .clone();
    assert_eq!(un["reason"], "核对报到信息");
    assert_eq!(un["actor_id"], c.admin_id.as_str());
    assert_eq!(
        un["details"]["fields"],
        json!(["home_address", "id_number", "phone"])
    );
    assert!(
        !a.to_string().contains("13611112222"),
        "the audit log holds no values"
    );
    // Other roles may not; another county cannot even find the member.
    let (_, staff) = app
        .staff(&c, "village.a", "village_recorder", Some(&village))
        .await;
    let r = app
        .post(
            &path,
            &staff,
            &json!({ "fields": ["phone"], "reason": "想看看号码" }),
        )
        .send()
        .await
        .expect("u");
    problem(r, 403, "unmask_not_allowed").await;
    let r = app
        .post(
            &path,
            &b.admin_token,
            &json!({ "fields": ["phone"], "reason": "越界查看" }),
        )
        .send()
        .await
        .expect("u");
    problem(r, 404, "not_found").await;
}
