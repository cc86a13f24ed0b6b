//! Bounded work on uploads and lists: a tiny spreadsheet that spans the whole sheet is refused
//! (and the server keeps serving), the caller's right to the target is checked before a file is
//! read, error lists stop at 500 with the count of the rest, and every list's page size has the
//! maximum its OpenAPI document states.

use reqwest::StatusCode;
use serde_json::{Value, json};
use shuanglian_tests::{County, OneGrid, TestApp, fields, id, problem, spawn_app};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Two cells, A1 and XFD1048576: a few kilobytes that a dense reader would lay out as 17
/// billion cells (512 GiB).
fn far_apart_xlsx() -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    ws.write_string(0, 0, "QQ号").expect("A1");
    ws.write_string(1_048_575, 16_383, "x").expect("XFD1048576");
    let bytes = book.save_to_buffer().expect("xlsx");
    assert!(bytes.len() < 10_000, "{} bytes", bytes.len());
    bytes
}

async fn post_bytes(
    app: &TestApp,
    path: &str,
    tok: &str,
    ct: &str,
    body: Vec<u8>,
) -> reqwest::Response {
    app.client
        .post(app.url(path))
        .bearer_auth(tok)
        .header("content-type", ct)
        .body(body)
        .send()
        .await
        .expect("upload")
}

async fn get_ok(app: &TestApp, path: &str, tok: &str) -> Value {
    let r = app.get(path, tok).send().await.expect("get");
    assert_eq!(r.status(), StatusCode::OK, "{path}");
    r.json().await.expect("json")
}

/// A county with a grid (AIC office, party branch, township with a village), its QQ group kept
/// by branch staff, a village recorder who sees the group but may not change it, branch staff
/// of another branch who do not see it, and a neighbouring county.
struct World {
    c: County,
    other: County,
    group: String,
    maintainer_tok: String,
    village_tok: String,
    stranger_tok: String,
}

async fn world(app: &TestApp) -> World {
    let OneGrid {
        c,
        committee,
        branch: b1,
        village,
        grid,
        ..
    } = app.one_grid().await;
    let other = app.county("330522", "长兴县").await;
    let b2 = app
        .org_unit(&c, "branch", "孝丰分会", Some(&committee))
        .await;
    let (maint_id, maintainer_tok) = app.staff(&c, "branch.one", "branch_staff", Some(&b1)).await;
    let (_, stranger_tok) = app.staff(&c, "branch.two", "branch_staff", Some(&b2)).await;
    let (_, village_tok) = app
        .staff(&c, "village.one", "village_recorder", Some(&village))
        .await;
    let r = app
        .post(
            "/api/v1/qq-groups",
            &c.admin_token,
            &json!({ "name": "递铺网格实名制党建QQ群", "grid_id": grid, "maintainer_id": maint_id }),
        )
        .send()
        .await
        .expect("group");
    assert_eq!(r.status(), StatusCode::CREATED);
    let group = id(&r.json().await.expect("json"));
    World {
        c,
        other,
        group,
        maintainer_tok,
        village_tok,
        stranger_tok,
    }
}

async fn snapshots(app: &TestApp, w: &World) -> usize {
    get_ok(
        app,
        &format!("/api/v1/qq-groups/{}/snapshots", w.group),
        &w.c.admin_token,
    )
    .await["items"]
        .as_array()
        .expect("items")
        .len()
}

async fn members(app: &TestApp, tok: &str) -> usize {
    get_ok(app, "/api/v1/members?limit=200", tok).await["items"]
        .as_array()
        .expect("items")
        .len()
}

#[tokio::test]
async fn a_sheet_spanning_every_cell_is_refused_and_the_server_keeps_serving() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let file = w.group.clone();
    for (path, tok) in [
        (
            "/api/v1/members/import?dry_run=false".to_owned(),
            &w.c.admin_token,
        ),
        (
            "/api/v1/businesses/import?dry_run=false".to_owned(),
            &w.c.admin_token,
        ),
        (
            format!("/api/v1/qq-groups/{file}/snapshots/file"),
            &w.maintainer_tok,
        ),
    ] {
        let r = post_bytes(&app, &path, tok, XLSX, far_apart_xlsx()).await;
        let status = r.status().as_u16();
        assert!((400..500).contains(&status), "{path}: {status}");
        let code = if path.contains("qq-groups") {
            "invalid_member_list"
        } else {
            "validation_failed"
        };
        let v = problem(r, 422, code).await;
        assert_eq!(fields(&v), vec!["file"], "{path}: {v}");
        let why = v["errors"][0]["code"].as_str().expect("code");
        assert!(
            ["too_many_rows", "too_many_columns", "too_many_people"].contains(&why),
            "{path}: {v}"
        );
        assert!(
            v["errors"][0]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty())
        );
        // Still serving, and nothing was written.
        get_ok(&app, "/api/v1/me", tok).await;
    }
    assert_eq!(snapshots(&app, &w).await, 0);
    assert_eq!(members(&app, &w.c.admin_token).await, 0);
}

#[tokio::test]
async fn the_right_to_the_target_is_checked_before_the_file_is_read() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let hostile = far_apart_xlsx();
    let junk = b"PK\x03\x04 not a zip at all".to_vec();
    let file = |gid: &str| format!("/api/v1/qq-groups/{gid}/snapshots/file");
    let paste = |gid: &str| format!("/api/v1/qq-groups/{gid}/snapshots");
    let bad_text = json!({ "text": "只有名字\n1234 太短\n" });
    let other_group = {
        // A group id of the neighbouring county, and one that does not exist anywhere.
        let committee = app
            .org_unit(&w.other, "association_committee", "协会党委", None)
            .await;
        let branch = app
            .org_unit(&w.other, "branch", "雉城分会", Some(&committee))
            .await;
        let (maint, _) = app
            .staff(&w.other, "branch.x", "branch_staff", Some(&branch))
            .await;
        let r = app
            .post(
                "/api/v1/qq-groups",
                &w.other.admin_token,
                &json!({ "name": "长兴县某群", "org_unit_id": app.org_unit(&w.other, "township", "雉城街道", None).await, "maintainer_id": maint }),
            )
            .send()
            .await
            .expect("group");
        assert_eq!(r.status(), StatusCode::CREATED);
        id(&r.json::<Value>().await.expect("json"))
    };
    let missing = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b".to_owned();
    // (who, group, expected status and code)
    let cases = [
        (&w.village_tok, w.group.clone(), 403, "forbidden"),
        (&w.stranger_tok, w.group.clone(), 404, "not_found"),
        (&w.c.admin_token, missing.clone(), 404, "not_found"),
        (&w.maintainer_tok, missing, 404, "not_found"),
        (&w.c.admin_token, other_group.clone(), 404, "not_found"),
    ];
    for (tok, gid, status, code) in &cases {
        for body in [&hostile, &junk] {
            let r = post_bytes(&app, &file(gid), tok, XLSX, body.clone()).await;
            problem(r, *status, code).await;
        }
        let r = app
            .post(&paste(gid), tok, &bad_text)
            .send()
            .await
            .expect("paste");
        problem(r, *status, code).await;
    }
    // Member and business-register imports: county admins only, whatever the file.
    for path in [
        "/api/v1/members/import?dry_run=false",
        "/api/v1/businesses/import?dry_run=false",
    ] {
        for tok in [&w.village_tok, &w.maintainer_tok] {
            for body in [&hostile, &junk] {
                let r = post_bytes(&app, path, tok, XLSX, body.clone()).await;
                problem(r, 403, "forbidden").await;
            }
        }
    }
    assert_eq!(snapshots(&app, &w).await, 0);
    assert_eq!(members(&app, &w.c.admin_token).await, 0);
    // The rightful maintainer with the same junk gets the parse error.
    let r = post_bytes(&app, &file(&w.group), &w.maintainer_tok, XLSX, junk).await;
    let v = problem(r, 422, "invalid_member_list").await;
    assert_eq!(fields(&v), vec!["file"]);
}

#[tokio::test]
async fn error_lists_stop_at_500_and_count_the_rest() {
    let app = spawn_app().await;
    let w = world(&app).await;
    // The template's columns, and 600 rows each without a name or a valid ID number: at
    // least one error per row.
    let header = include_str!("../../docs/samples/members-import-demo.csv")
        .lines()
        .next()
        .expect("header");
    let blank_row = ",".repeat(header.matches(',').count());
    let csv: String = std::iter::once(format!("{header}\n"))
        .chain((0..600).map(|i| format!("{i}{blank_row}\n")))
        .collect();
    let r = post_bytes(
        &app,
        "/api/v1/members/import?dry_run=true",
        &w.c.admin_token,
        "text/csv",
        csv.clone().into_bytes(),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.expect("json");
    let listed = v["errors"].as_array().expect("errors").len();
    assert_eq!(listed, 500, "{}", v["more_errors"]);
    let total = 500 + v["more_errors"].as_u64().expect("more_errors") as usize;
    assert!(total >= 600, "every row has at least one error: {total}");
    let r = post_bytes(
        &app,
        "/api/v1/members/import?dry_run=false",
        &w.c.admin_token,
        "text/csv",
        csv.into_bytes(),
    )
    .await;
    let v = problem(r, 422, "import_rejected").await;
    assert_eq!(v["errors"].as_array().expect("errors").len(), 500);
    assert_eq!(
        500 + v["more_errors"].as_u64().expect("more") as usize,
        total
    );
    assert!(
        v["detail"]
            .as_str()
            .expect("detail")
            .contains(&total.to_string())
    );
    assert_eq!(members(&app, &w.c.admin_token).await, 0);

    // A pasted QQ list with 600 bad lines: the dry run lists 500 and counts 100 more, and the
    // refusal says the same.
    let text: String = (0..600).map(|i| format!("名字{i}\n")).collect();
    let path = format!("/api/v1/qq-groups/{}/snapshots", w.group);
    let r = app
        .post(
            &path,
            &w.maintainer_tok,
            &json!({ "text": text, "dry_run": true }),
        )
        .send()
        .await
        .expect("dry run");
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.expect("json");
    assert_eq!(v["errors"].as_array().expect("errors").len(), 500);
    assert_eq!(v["more_errors"], 100);
    let r = app
        .post(&path, &w.maintainer_tok, &json!({ "text": text }))
        .send()
        .await
        .expect("import");
    let v = problem(r, 422, "invalid_member_list").await;
    assert_eq!(v["errors"].as_array().expect("errors").len(), 500);
    assert_eq!(v["more_errors"], 100);
    assert_eq!(snapshots(&app, &w).await, 0);
    // A short list names every line and has no `more_errors`.
    let r = app
        .post(
            &path,
            &w.maintainer_tok,
            &json!({ "text": "名字\n", "dry_run": true }),
        )
        .send()
        .await
        .expect("dry run");
    let v: Value = r.json().await.expect("json");
    assert_eq!(v["errors"].as_array().expect("errors").len(), 1);
    assert!(v.get("more_errors").is_none(), "{v}");
}

#[tokio::test]
async fn every_list_caps_its_page_size_as_its_document_says() {
    let app = spawn_app().await;
    let c = app.county("330523", "安吉县").await;
    let doc: Value = app
        .client
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .expect("openapi")
        .json()
        .await
        .expect("json");
    let mut checked = 0;
    for (path, ops) in doc["paths"].as_object().expect("paths") {
        let Some(get) = ops.get("get") else { continue };
        let Some(limit) = get["parameters"].as_array().and_then(|ps| {
            ps.iter()
                .find(|p| p["name"] == "limit" && p["in"] == "query")
        }) else {
            continue;
        };
        let schema = &limit["schema"];
        let max = schema["maximum"]
            .as_f64()
            .unwrap_or_else(|| panic!("{path}: {limit}")) as u64;
        assert_eq!(schema["minimum"].as_f64(), Some(1.0), "{path}: {limit}");
        // Cursor-paged lists stop at 200; the one-page floating-receipts report at 500.
        let want = if path.starts_with("/floating-receipts/") {
            500
        } else {
            200
        };
        assert_eq!(max, want, "{path}: {limit}");
        // Path ids are any UUID (a year, a year): the page size is checked before the id is
        // looked up.
        let concrete = path
            .split('/')
            .map(|s| {
                if s == "{year}" {
                    "2025"
                } else if s.starts_with('{') {
                    "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"
                } else {
                    s
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        let over = (max + 1).to_string();
        for bad in [over.as_str(), "0", "-1", "1000000", "ten"] {
            let r = app
                .get(&format!("/api/v1{concrete}?limit={bad}"), &c.admin_token)
                .send()
                .await
                .expect("list");
            let v = problem(r, 400, "invalid_parameter").await;
            assert_eq!(fields(&v), vec!["limit"], "{path} limit={bad}: {v}");
        }
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} list endpoints take a limit");
    // The bound itself is a page.
    let v = get_ok(&app, "/api/v1/members?limit=200", &c.admin_token).await;
    assert!(v["items"].is_array());
}
