//! The county saves a mapping of its headers and organisation names, adjusts it, and imports
//! with it; no other county or role can read, change or use it.

use reqwest::StatusCode;
use serde_json::{Value, json};
use shuanglian_tests::{TestApp, id, id_number, problem, send, send_tagged, spawn_app};

use super::sheet::{HEADER, V, bad_rows, errors, members, t, upload_with, workbook_with, world};

/// PUT /import-mappings/{id} with an If-Match version; the status and body.
async fn put(app: &TestApp, tok: &str, id: &str, version: u32, body: Value) -> (u16, Value) {
    send(
        app.client
            .put(app.url(&format!("/api/v1/import-mappings/{id}")))
            .bearer_auth(tok)
            .header("if-match", format!("\"v{version}\""))
            .json(&body),
    )
    .await
}

/// POST /import-mappings, which must be refused as invalid; the problem.
async fn refused(app: &TestApp, tok: &str, body: &Value) -> Value {
    let r = app
        .post("/api/v1/import-mappings", tok, body)
        .send()
        .await
        .expect("post");
    problem(r, 422, "validation_failed").await
}

async fn delete(app: &TestApp, tok: &str, id: &str) -> u16 {
    send(
        app.client
            .delete(app.url(&format!("/api/v1/import-mappings/{id}")))
            .bearer_auth(tok),
    )
    .await
    .0
}

const BRANCH_SUPPORT: &str = "安吉县个体民营企业协会递铺分会支部";

#[tokio::test]
async fn the_county_maps_its_names_once_and_commits_with_the_bad_rows_left_out() {
    let app = spawn_app().await;
    let c = app.county("330523", "安吉县").await;
    let other = app.county("330522", "长兴县").await;
    let (pb, town) = world(&app, &c).await;
    let tok = &c.admin_token;
    // The sheet: the messy one, with a 联系手机 column in place of 手机号码, a 备注 column,
    // and one member whose village the register does not have yet.
    let mut rows = members();
    let mut new_village = rows[0].1.clone();
    new_village[0] = t("14");
    new_village[1] = t("何平");
    new_village[3] = V::T(id_number("330523", "19930303", "141"));
    new_village[8] = t("递铺街道红庙村党支部");
    new_village[9] = t("递铺街道红庙村党支部");
    new_village[4] = t("13912340000");
    new_village[12] = t("2019-07-01");
    rows.push((19, new_village));
    let mut header = HEADER;
    header[4] = "联系手机";
    let book = |rows: &[(u32, Vec<V>)]| workbook_with(&header, rows);

    // Saving a mapping that names a unit or township of another county, or a field that does
    // not exist, is refused by name; nothing is saved.
    let body = json!({ "name": "县个民协会名册", "columns": { "联系手机": "telephone" },
                       "org_names": { BRANCH_SUPPORT: { "unit_id": pb } } });
    let p = refused(&app, &other.admin_token, &body).await;
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .expect("e")
        .iter()
        .map(|e| e["field"].as_str().expect("f"))
        .collect();
    assert!(fields.contains(&"columns.联系手机"), "{p}");
    let body =
        json!({ "name": "县个民协会名册", "org_names": { BRANCH_SUPPORT: { "unit_id": pb } } });
    let p = refused(&app, &other.admin_token, &body).await;
    assert_eq!(p["errors"][0]["code"], "org_unit_not_found", "{p}");
    let body = json!({ "name": "名".repeat(51) });
    let p = refused(&app, &other.admin_token, &body).await;
    assert_eq!(p["errors"][0]["field"], "name", "{p}");
    let (_, list) = send(app.get("/api/v1/import-mappings", &other.admin_token)).await;
    assert_eq!(list["items"], json!([]));

    // The county saves its mapping: the branch's 支部 is 递铺分会第一支部, 红庙村 is a new
    // village of 递铺街道, 备注 is not imported.
    let body = json!({
        "name": "县个民协会名册",
        "columns": { "联系手机": "phone", "备注": "ignore" },
        "org_names": {
            BRANCH_SUPPORT: { "unit_id": pb },
            "递铺街道红庙村党支部": { "new_village_under": town },
        },
    });
    let saved = app.created(tok, "/api/v1/import-mappings", &body).await;
    let mid = id(&saved);
    assert_eq!(saved["version"], 1);
    let (s, got, tag) = send_tagged(app.get(&format!("/api/v1/import-mappings/{mid}"), tok)).await;
    assert_eq!(s, 200);
    assert_eq!(got["org_names"][BRANCH_SUPPORT]["unit_id"], pb.as_str());
    assert_eq!(tag, "\"v1\"");

    // Another county and another role can neither read, change, delete nor use it, and it is
    // unchanged afterwards.
    let (_, staff) = app.staff(&c, "clerk", "branch_staff", None).await;
    for token in [&other.admin_token, &staff] {
        let (s, _) = send(app.get(&format!("/api/v1/import-mappings/{mid}"), token)).await;
        assert!(s == 404 || s == 403, "{s}");
        let (s, _) = put(
            &app,
            token,
            &mid,
            1,
            json!({ "name": "改掉", "columns": {} }),
        )
        .await;
        assert!(s == 404 || s == 403, "{s}");
        let s = delete(&app, token, &mid).await;
        assert!(s == 404 || s == 403, "{s}");
    }
    let p = problem(
        upload_with(
            &app,
            &other.admin_token,
            &format!("mapping={mid}"),
            book(&rows),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "mapping", "{p}");
    let (_, still) = send(app.get(&format!("/api/v1/import-mappings/{mid}"), tok)).await;
    assert_eq!(still, got);

    // With the mapping, nothing is left to map; only the bad rows are rejected.
    let r = upload_with(
        &app,
        tok,
        &format!("dry_run=true&mapping={mid}"),
        book(&rows),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.expect("json");
    assert_eq!(v["unknown_org_names"], json!([]), "{v}");
    assert_eq!(errors(&v), bad_rows(), "{v}");
    assert_eq!(v["created"], 9, "{v}");
    assert_eq!(v["layout"]["unmapped_columns"], json!(["序号"]), "{v}");
    assert!(
        v["layout"]["columns"]
            .as_array()
            .expect("columns")
            .contains(
                &json!({ "header": "联系手机", "field": "phone", "template_header": "手机号码" })
            ),
        "{v}"
    );
    let (_, units) = send(app.get("/api/v1/org-units?limit=200", tok)).await;
    assert!(
        !units.to_string().contains("红庙村"),
        "a dry run creates no village"
    );

    // Without skip_invalid the commit is refused whole; with it the good rows go in at once
    // and the bad ones are listed.
    problem(
        upload_with(
            &app,
            tok,
            &format!("dry_run=false&mapping={mid}"),
            book(&rows),
        )
        .await,
        422,
        "import_rejected",
    )
    .await;
    let r = upload_with(
        &app,
        tok,
        &format!("dry_run=false&skip_invalid=true&mapping={mid}"),
        book(&rows),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.expect("json");
    assert_eq!(
        (v["created"].as_u64(), errors(&v)),
        (Some(9), bad_rows()),
        "{v}"
    );
    assert!(v["import_id"].is_string(), "{v}");
    let (_, list) = send(app.get("/api/v1/members?limit=50", tok)).await;
    let items = list["items"].as_array().expect("items");
    assert_eq!(items.len(), 9);
    let sun = items.iter().find(|m| m["name"] == "孙丽").expect("孙丽");
    assert_eq!(sun["membership_unit_id"], pb.as_str(), "{sun}");
    let he = items.iter().find(|m| m["name"] == "何平").expect("何平");
    let village = he["org_life_unit_id"].as_str().expect("village").to_owned();
    let (s, unit) = send(app.get(&format!("/api/v1/org-units/{village}"), tok)).await;
    assert_eq!(s, 200);
    assert_eq!(
        (unit["name"].as_str(), unit["parent_id"].as_str()),
        (Some("红庙村"), Some(town.as_str())),
        "{unit}"
    );
    // Again: nothing changes, and no second 红庙村 appears.
    let v: Value = upload_with(
        &app,
        tok,
        &format!("dry_run=false&skip_invalid=true&mapping={mid}"),
        book(&rows),
    )
    .await
    .json()
    .await
    .expect("json");
    assert_eq!(
        (v["created"].as_u64(), v["unchanged"].as_u64()),
        (Some(0), Some(9)),
        "{v}"
    );
    let (_, units) = send(app.get("/api/v1/org-units?limit=200", tok)).await;
    assert_eq!(units.to_string().matches("红庙村").count(), 1, "{units}");

    // Adjusting: a stale version is refused, the current one saves; deleting it ends its use.
    let (s, _) = put(&app, tok, &mid, 7, json!({ "name": "县个民协会名册2024" })).await;
    assert_eq!(s, 412);
    let body = json!({ "name": "县个民协会名册2024", "columns": { "联系手机": "手机号码" } });
    let (s, v) = put(&app, tok, &mid, 1, body).await;
    assert_eq!(s, 200);
    assert_eq!(
        (v["version"].as_i64(), v["org_names"].clone()),
        (Some(2), json!({})),
        "{v}"
    );
    assert_eq!(delete(&app, tok, &mid).await, 204);
    let (s, _) = send(app.get(&format!("/api/v1/import-mappings/{mid}"), tok)).await;
    assert_eq!(s, 404);
}
