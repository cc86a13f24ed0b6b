//! A county for the records and filing tests: two grids (A and B), each with its AIC office,
//! association party branch and township; villages A1 and A2 in township A, village B in
//! township B; a member in village A1 and one in village B; a signed-in account for every
//! recorder and committee.

#![allow(dead_code)]

use serde_json::{Value, json};
use shuanglian_tests::{County, TestApp, TwoGrids};

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
    let TwoGrids {
        c,
        committee,
        branch_a,
        pb_a,
        pb_b,
        office_a,
        office_b,
        town_a,
        town_b,
        village_a,
        village_b,
        ..
    } = app.two_grids(code, name, "县个体民营企业协会党委").await;
    let village_a2 = app.org_unit(&c, "village", "鹤鹿溪村", Some(&town_a)).await;
    let tok = c.admin_token.clone();
    let member_a = app
        .member_in(&tok, "王建国", "建国五金店", &village_a)
        .await;
    let member_a2 = app
        .member_in(&tok, "李秀英", "秀英茶叶店", &village_a2)
        .await;
    let member_b = app
        .member_in(&tok, "张伟", "张伟竹制品厂", &village_b)
        .await;
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
    app.created(
        tok,
        "/api/v1/records",
        &json!({ "member_id": member, "item_code": item, "recorded_on": on, "content": content }),
    )
    .await
}
