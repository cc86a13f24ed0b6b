//! A county for the records and filing tests: two grids (A and B), each with its AIC office,
//! association party branch and township; villages A1 and A2 in township A, village B in
//! township B; a member in village A1 and one in village B; a signed-in account for every
//! recorder and committee.

#![allow(dead_code)]

use reqwest::RequestBuilder;
use serde_json::{Value, json};
use shuanglian_tests::{County, TestApp};

pub async fn send(r: RequestBuilder) -> (u16, Value, String) {
    let r = r.send().await.expect("send");
    let status = r.status().as_u16();
    let tag = r
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let v = r.json().await.unwrap_or(Value::Null);
    (status, v, tag)
}

pub fn id(v: &Value) -> String {
    v["id"].as_str().unwrap_or_else(|| panic!("{v}")).to_owned()
}

pub async fn created(app: &TestApp, tok: &str, path: &str, body: Value) -> Value {
    let (s, v, _) = send(app.post(path, tok, &body)).await;
    assert_eq!(s, 201, "{path}: {v}");
    v
}

pub struct World {
    pub c: County,
    pub committee: String,
    pub pb_a: String,
    pub pb_b: String,
    pub office_a: String,
    pub office_b: String,
    pub town_a: String,
    pub town_b: String,
    pub village_a: String,
    pub village_a2: String,
    pub village_b: String,
    pub member_a: String,
    pub member_a2: String,
    pub member_b: String,
    /// Tokens.
    pub village_rec_a: String,
    pub village_rec_a2: String,
    pub village_rec_b: String,
    pub aic_a: String,
    pub aic_b: String,
    pub branch_a: String,
    pub branch_b: String,
    pub town_com_a: String,
    pub town_com_b: String,
    pub assoc: String,
}

pub async fn world(app: &TestApp, code: &str, name: &str) -> World {
    let c = app.county(code, name).await;
    let committee = app
        .org_unit(&c, "association_committee", "县个体民营企业协会党委", None)
        .await;
    let branch_a = app
        .org_unit(&c, "branch", "递铺分会", Some(&committee))
        .await;
    let branch_b = app
        .org_unit(&c, "branch", "孝丰分会", Some(&committee))
        .await;
    let pb_a = app
        .org_unit(&c, "party_branch", "递铺分会党支部", Some(&branch_a))
        .await;
    let pb_b = app
        .org_unit(&c, "party_branch", "孝丰分会党支部", Some(&branch_b))
        .await;
    let office_a = app.org_unit(&c, "aic_office", "递铺工商所", None).await;
    let office_b = app.org_unit(&c, "aic_office", "孝丰工商所", None).await;
    let town_a = app.org_unit(&c, "township", "递铺街道", None).await;
    let town_b = app.org_unit(&c, "township", "孝丰镇", None).await;
    let village_a = app.org_unit(&c, "village", "古城村", Some(&town_a)).await;
    let village_a2 = app.org_unit(&c, "village", "鹤鹿溪村", Some(&town_a)).await;
    let village_b = app.org_unit(&c, "village", "横柏村", Some(&town_b)).await;
    let tok = c.admin_token.clone();
    for (name, office, pb, town) in [
        ("递铺网格", &office_a, &pb_a, &town_a),
        ("孝丰网格", &office_b, &pb_b, &town_b),
    ] {
        let g = id(&created(
            app,
            &tok,
            "/api/v1/grids",
            json!({ "name": name, "aic_office_id": office, "party_branch_id": pb }),
        )
        .await);
        let (s, v, _) = send(app.post(
            &format!("/api/v1/grids/{g}/townships"),
            &tok,
            &json!({ "township_id": town }),
        ))
        .await;
        assert_eq!(s, 200, "{v}");
    }
    let member = |name: &str, business: &str, village: &str| {
        json!({ "name": name, "is_owner": true, "business_name": business,
                "membership_unit_id": village, "org_life_unit_id": village,
                "membership_status": "full", "distribution": "individual_business" })
    };
    let member_a = id(&created(
        app,
        &tok,
        "/api/v1/members",
        member("王建国", "建国五金店", &village_a),
    )
    .await);
    let member_a2 = id(&created(
        app,
        &tok,
        "/api/v1/members",
        member("李秀英", "秀英茶叶店", &village_a2),
    )
    .await);
    let member_b = id(&created(
        app,
        &tok,
        "/api/v1/members",
        member("张伟", "张伟竹制品厂", &village_b),
    )
    .await);
    let (_, village_rec_a) = app
        .staff(&c, "village.a", "village_recorder", Some(&village_a))
        .await;
    let (_, village_rec_a2) = app
        .staff(&c, "village.a2", "village_recorder", Some(&village_a2))
        .await;
    let (_, village_rec_b) = app
        .staff(&c, "village.b", "village_recorder", Some(&village_b))
        .await;
    let (_, aic_a) = app
        .staff(&c, "aic.a", "aic_recorder", Some(&office_a))
        .await;
    let (_, aic_b) = app
        .staff(&c, "aic.b", "aic_recorder", Some(&office_b))
        .await;
    // Branch staff bound to the branch act for its only party branch.
    let (_, branch_a_tok) = app
        .staff(&c, "branch.a", "branch_staff", Some(&branch_a))
        .await;
    let (_, branch_b_tok) = app.staff(&c, "branch.b", "branch_staff", Some(&pb_b)).await;
    let (_, town_com_a) = app
        .staff(&c, "town.a", "township_committee", Some(&town_a))
        .await;
    let (_, town_com_b) = app
        .staff(&c, "town.b", "township_committee", Some(&town_b))
        .await;
    let (_, assoc) = app.staff(&c, "assoc", "association_committee", None).await;
    World {
        c,
        committee,
        pb_a,
        pb_b,
        office_a,
        office_b,
        town_a,
        town_b,
        village_a,
        village_a2,
        village_b,
        member_a,
        member_a2,
        member_b,
        village_rec_a,
        village_rec_a2,
        village_rec_b,
        aic_a,
        aic_b,
        branch_a: branch_a_tok,
        branch_b: branch_b_tok,
        town_com_a,
        town_com_b,
        assoc,
    }
}

/// Writes a record and returns it.
pub async fn record(
    app: &TestApp,
    tok: &str,
    member: &str,
    item: &str,
    on: &str,
    content: &str,
) -> Value {
    created(
        app,
        tok,
        "/api/v1/records",
        json!({ "member_id": member, "item_code": item, "recorded_on": on, "content": content }),
    )
    .await
}
