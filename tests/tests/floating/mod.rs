//! Floating members (流动党员双重管理, seed 001): registration, identity confirmation, activities,
//! evaluation, the feedback form / letter / receipt form, sending (meets the deadline), the
//! outstanding receipts and their chases, the receipt, filing; every illegal step with its
//! code; branch staff only write; other counties and other branches see nothing.

use calamine::{Data, Reader, Xlsx};
use serde_json::{Value, json};
use shuanglian_tests::{County, TestApp, fields, problem, send_tagged, spawn_app};

mod deadline;
mod demo;
mod scope;
mod steps;

const HOME: &str = "上饶市广丰区五都镇西山村党支部";

/// One county with two branches, each with a party branch and a floating member, a local
/// member, and its staff.
struct World {
    c: County,
    party_branch: String,
    other_party_branch: String,
    floating: String,
    other_floating: String,
    local: String,
    /// Branch staff bound to the first branch.
    staff: String,
    /// Branch staff bound to the second branch.
    other_staff: String,
    village: String,
    assoc: String,
}

async fn world(app: &TestApp, code: &str, name: &str) -> World {
    let c = app.county(code, name).await;
    let tok = c.admin_token.clone();
    let committee = app
        .org_unit(&c, "association_committee", "县个私协会党委", None)
        .await;
    let branch = app
        .org_unit(&c, "branch", "递铺分会", Some(&committee))
        .await;
    let party_branch = app
        .org_unit(&c, "party_branch", "递铺分会第一支部", Some(&branch))
        .await;
    let other_branch = app
        .org_unit(&c, "branch", "孝丰分会", Some(&committee))
        .await;
    let other_party_branch = app
        .org_unit(&c, "party_branch", "孝丰分会支部", Some(&other_branch))
        .await;
    let town = app.org_unit(&c, "township", "递铺街道", None).await;
    let village_unit = app.org_unit(&c, "village", "古城村", Some(&town)).await;
    let floating = app.member(&tok, &json!({ "name": "王建国", "gender": "male", "is_owner": true, "business_name": "建国五金店",
                "org_life_unit_id": party_branch, "membership_org_name": HOME,
                "household_registration": "361123", "membership_status": "full",
                "distribution": "individual_business", "joined_party_on": "2005-07-01" }),
    )
    .await;
    let other_floating = app
        .member(
            &tok,
            &json!({ "name": "李秀英", "is_owner": true, "business_name": "秀英服装店",
                "org_life_unit_id": other_party_branch, "membership_org_name": "宿松县复兴镇党委",
                "membership_status": "full", "distribution": "individual_business" }),
        )
        .await;
    let local = app
        .member(
            &tok,
            &json!({ "name": "张伟", "is_owner": true, "business_name": "张伟茶叶店",
                "org_life_unit_id": party_branch, "membership_unit_id": village_unit,
                "membership_status": "full", "distribution": "individual_business" }),
        )
        .await;
    let (_, staff) = app
        .staff(&c, "branch1", "branch_staff", Some(&branch))
        .await;
    let (_, other_staff) = app
        .staff(&c, "branch2", "branch_staff", Some(&other_branch))
        .await;
    let (_, village) = app
        .staff(&c, "village1", "village_recorder", Some(&village_unit))
        .await;
    let (_, assoc) = app.staff(&c, "assoc1", "association_committee", None).await;
    World {
        c,
        party_branch,
        other_party_branch,
        floating,
        other_floating,
        local,
        staff,
        other_staff,
        village,
        assoc,
    }
}

async fn register(app: &TestApp, tok: &str, body: Value) -> Value {
    let (s, v, tag) = send_tagged(app.post("/api/v1/floating-members", tok, &body)).await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(tag, "\"v1\"");
    v
}

/// Every text cell of an xlsx workbook's first sheet.
fn xlsx_text(bytes: &[u8]) -> Vec<String> {
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).expect("xlsx");
    let name = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&name).expect("sheet");
    range
        .rows()
        .flat_map(|r| r.iter())
        .filter_map(|c| match c {
            Data::String(s) => Some(s.clone()),
            _ => None,
        })
        .collect()
}

async fn bytes(app: &TestApp, path: &str, tok: &str) -> (u16, String, Vec<u8>) {
    let r = app.get(path, tok).send().await.expect("get");
    let status = r.status().as_u16();
    let ct = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    (status, ct, r.bytes().await.expect("bytes").to_vec())
}

/// The floating_feedback obligation of a case on the dashboard, as of a day.
async fn obligation(app: &TestApp, tok: &str, case: &str, as_of: &str) -> Value {
    let (s, v, _) = send_tagged(app.get(
        &format!("/api/v1/deadlines?kind=floating_feedback&as_of={as_of}&limit=200"),
        tok,
    ))
    .await;
    assert_eq!(s, 200, "{v}");
    v["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["subject_id"] == case)
        .cloned()
        .unwrap_or(Value::Null)
}
