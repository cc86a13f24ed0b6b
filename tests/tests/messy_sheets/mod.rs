//! A county's own spreadsheet as it keeps it (issue 13): a workbook with a notes sheet, a
//! merged title, the registration form's labels, names of places and organisations written the
//! county's way, full-width phones, Excel date serials and a 填表人 footer; and the same table
//! as a GB18030 CSV. Only the genuinely bad rows are rejected, each explained; unknown
//! organisation names are listed once each; what was rewritten is counted.

use reqwest::StatusCode;
use serde_json::{Value, json};
use shuanglian_tests::{problem, send, spawn_app};

mod business;
mod large;
mod mapping;
mod sheet;

use sheet::{V, bad_rows, csv, errors, members, normalised, upload, workbook, world};

/// What the dry run of the messy sheet must say, for xlsx and CSV alike.
fn check_dry_run(v: &Value, xlsx: bool) {
    assert_eq!(v["dry_run"], true);
    assert_eq!(v["created"], 5, "rows 5–10 are good: {v}");
    assert_eq!(errors(v), bad_rows(), "{v}");
    let layout = &v["layout"];
    assert_eq!(layout["header_row"], 4, "{layout}");
    if xlsx {
        assert_eq!(layout["sheet"], "党员名册");
        assert_eq!(layout["sheets"], json!(["填表说明", "党员名册"]));
    }
    assert_eq!(layout["unmapped_columns"], json!(["序号"]));
    let skipped: Vec<(u64, &str)> = layout["skipped"]
        .as_array()
        .expect("skipped")
        .iter()
        .map(|s| {
            (
                s["row"].as_u64().expect("row"),
                s["reason"].as_str().expect("r"),
            )
        })
        .collect();
    assert_eq!(
        skipped,
        vec![
            (1, "title"),
            (2, "title"),
            (3, "title"),
            (8, "blank"),
            (19, "blank"),
            (20, "footer"),
            (21, "footer"),
        ],
        "{layout}"
    );
    // The preview shows the first rows as they will be read, identifiers masked.
    let first = &v["preview"][0];
    assert_eq!(first["row"], 5, "{v}");
    let cell = |field: &str| {
        first["cells"]
            .as_array()
            .expect("cells")
            .iter()
            .find(|c| c["field"] == field)
            .map(|c| c["value"].as_str().expect("value").to_owned())
    };
    assert_eq!(cell("name").as_deref(), Some("王建国"));
    assert_eq!(cell("phone").as_deref(), Some("138****5678"));
    assert_eq!(cell("household_registration").as_deref(), Some("330523"));
    assert_eq!(cell("joined_party_on").as_deref(), Some("2005-07-01"));
    let id = cell("id_number").expect("id");
    assert!(id.starts_with("330523********"), "{id}");
    assert_eq!(v["preview"].as_array().map(Vec::len), Some(5));
    // One entry for the three rows naming the branch's 支部 the county's way.
    let unknown = v["unknown_org_names"].as_array().expect("unknown");
    assert_eq!(unknown.len(), 1, "{v}");
    assert_eq!(unknown[0]["name"], "安吉县个体民营企业协会递铺分会支部");
    assert_eq!(unknown[0]["field"], "membership_org_name");
    assert_eq!(unknown[0]["rows"], json!([11, 12, 13]));
    assert_eq!(unknown[0]["row_count"], 3);
    let near: Vec<&str> = unknown[0]["suggestions"]
        .as_array()
        .expect("suggestions")
        .iter()
        .map(|s| s["name"].as_str().expect("name"))
        .collect();
    assert!(near.contains(&"递铺分会/递铺分会第一支部"), "{near:?}");
    let n = normalised(v);
    for want in [
        ("phone", "full_width", 1),
        ("phone", "phone_country_code", 1),
        ("id_number", "upper_x", 1),
        ("household_registration", "place_name", 12),
        ("membership_status", "status_suffix", 1),
        ("is_owner", "yes_no", 13),
        ("joined_party_on", "month_only", 1),
        ("org_life_unit_id", "org_name", 3),
    ] {
        let want = (want.0.to_owned(), want.1.to_owned(), want.2);
        assert!(n.contains(&want), "{want:?} not in {n:?}");
    }
    if xlsx {
        let serial = ("joined_party_on".to_owned(), "excel_serial".to_owned(), 1);
        assert!(n.contains(&serial), "{n:?}");
    }
}

#[tokio::test]
async fn a_county_sheet_as_it_is_kept_imports_with_only_the_bad_rows_rejected() {
    let app = spawn_app().await;
    let c = app.county("330523", "安吉县").await;
    let other = app.county("330522", "长兴县").await;
    world(&app, &c).await;
    let tok = &c.admin_token;
    let rows = members();

    let r = upload(&app, tok, true, workbook(&rows)).await;
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.expect("json");
    check_dry_run(&v, true);

    // The same table as a GB18030 CSV: the same verdict, Excel serials aside.
    let text = csv(&rows);
    let (gb, _, lossy) = encoding_rs::GB18030.encode(&text);
    assert!(!lossy);
    let r = upload(&app, tok, true, gb.to_vec()).await;
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.expect("json");
    check_dry_run(&v, false);

    // A commit with bad rows or unmapped names is refused whole; the unknown name is named once.
    let p = problem(
        upload(&app, tok, false, workbook(&rows)).await,
        422,
        "import_rejected",
    )
    .await;
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["field"].as_str().expect("field"))
        .collect();
    assert!(fields.contains(&"rows.14.id_number"), "{p}");
    assert_eq!(
        fields
            .iter()
            .filter(|f| f.starts_with("org_names."))
            .count(),
        1,
        "{p}"
    );
    let (_, list) = send(app.get("/api/v1/members", tok)).await;
    assert_eq!(list["items"], json!([]));

    // The good rows alone commit, with their values normalised.
    let good: Vec<(u32, Vec<V>)> = rows.into_iter().filter(|(n, _)| *n <= 10).collect();
    let r = upload(&app, tok, false, workbook(&good)).await;
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.expect("json");
    assert_eq!(
        (v["created"].as_u64(), v["errors"].clone()),
        (Some(5), json!([])),
        "{v}"
    );
    let (_, list) = send(app.get("/api/v1/members?limit=50", tok)).await;
    let items = list["items"].as_array().expect("items");
    let wang = items
        .iter()
        .find(|m| m["name"] == "王建国")
        .expect("王建国");
    assert_eq!(wang["joined_party_on"], "2005-07-01", "{wang}");
    assert_eq!(wang["phone_masked"], "138****5678", "{wang}");
    assert_eq!(wang["household_registration"], "330523", "{wang}");
    assert_eq!(wang["membership_status"], "full");
    let zhang = items.iter().find(|m| m["name"] == "张伟").expect("张伟");
    assert_eq!(zhang["category"], "floating", "{zhang}");
    assert_eq!(zhang["joined_party_on"], "2010-07-01");
    let zhao = items.iter().find(|m| m["name"] == "赵敏").expect("赵敏");
    assert_eq!(zhao["joined_party_on"], "1998-07-01");
    // Importing the same file again changes nothing.
    let v: Value = upload(&app, tok, false, workbook(&good))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        (v["created"].as_u64(), v["unchanged"].as_u64()),
        (Some(0), Some(5)),
        "{v}"
    );

    // Another county sees none of these units, neither as matches nor as suggestions, and
    // cannot write into this one.
    let v: Value = upload(&app, &other.admin_token, true, workbook(&good))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(v["created"], 0, "{v}");
    for u in v["unknown_org_names"].as_array().expect("unknown") {
        assert_eq!(u["suggestions"], json!([]), "{u}");
    }
    let (_, list) = send(app.get("/api/v1/members", &other.admin_token)).await;
    assert_eq!(list["items"], json!([]));
    // Only the county admin imports.
    let (_, staff) = app.staff(&c, "clerk", "branch_staff", None).await;
    problem(
        upload(&app, &staff, true, workbook(&good)).await,
        403,
        "forbidden",
    )
    .await;
}
