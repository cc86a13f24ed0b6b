//! Onboarding a county from its spreadsheet: template, dry run listing every bad row, the
//! all-or-nothing commit, idempotent re-import, xlsx and CSV (UTF-8 and GB18030), malformed
//! files; then export requests: approval by another county admin, single download, the stamp.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use reqwest::StatusCode;
use serde_json::{Value, json};
use shuanglian_tests::{County, TestApp, id_number, problem, spawn_app};

const HEADERS: &str = "序号,姓名,性别,身份证号,手机号码,家庭住址,户籍所在地,是否业主,单位名称,统一社会信用代码,组织生活所在辖区党组织,组织关系所在地党组织,党员状态,分布情况,所在市场,经营状态,外出经营时间,入党时间,是否协会会员";

fn row(n: u32, name: &str, id: &str, phone: &str, life: &str, holder: &str, extra: &str) -> String {
    // extra: 党员状态,分布情况,所在市场,经营状态,外出经营时间,入党时间,是否协会会员
    format!("{n},{name},,{id},{phone},某路{n}号,330523,是,{name}的店,,{life},{holder},{extra}")
}

async fn upload(app: &TestApp, token: &str, dry_run: bool, body: Vec<u8>) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/api/v1/members/import?dry_run={dry_run}")))
        .bearer_auth(token)
        .header("content-type", "text/csv")
        .body(body)
        .send()
        .await
        .expect("upload")
}

async fn count(app: &TestApp, token: &str) -> usize {
    let v: Value = app
        .get("/api/v1/members?limit=200", token)
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    v["items"].as_array().expect("items").len()
}

async fn tree(app: &TestApp, c: &County) -> (String, String) {
    let town = app.org_unit(c, "township", "递铺街道", None).await;
    let village = app.org_unit(c, "village", "古城村", Some(&town)).await;
    // A second 新村 under another township: the sheet must say which one.
    let town2 = app.org_unit(c, "township", "孝丰镇", None).await;
    app.org_unit(c, "village", "新村", Some(&town)).await;
    app.org_unit(c, "village", "新村", Some(&town2)).await;
    let office = app.org_unit(c, "aic_office", "递铺工商所", None).await;
    app.org_unit(c, "market", "递铺农贸市场", Some(&office))
        .await;
    (town, village)
}

fn good_sheet() -> String {
    let ids = [
        id_number("330523", "19800101", "011"),
        id_number("330523", "19850505", "022"),
        id_number("330523", "19900909", "031"),
    ];
    [
        HEADERS.to_owned(),
        row(
            1,
            "王建国",
            &ids[0],
            "13812345678",
            "古城村",
            "古城村",
            "正式,个体工商户,,经营,,2005-07-01,是",
        ),
        row(
            2,
            "李芳",
            &ids[1],
            "13912345678",
            "递铺街道/新村",
            "江西省某县某村党支部",
            "预备,市场内个体工商户,递铺农贸市场,停歇业,2024/3/1,2025年7月1日,否",
        ),
        row(
            3,
            "张伟",
            &ids[2],
            "",
            "孝丰镇/新村",
            "孝丰镇/新村",
            "正式,个体工商户,,,,,",
        ),
    ]
    .join("\n")
}

#[tokio::test]
async fn a_county_imports_its_sheet_after_fixing_the_rows_the_dry_run_lists() {
    let app = spawn_app().await;
    let c = app.county("330523", "安吉县").await;
    let other = app.county("330522", "长兴县").await;
    tree(&app, &c).await;
    let tok = &c.admin_token;
    // The template has the columns the import reads.
    let r = app
        .get("/api/v1/members/import/template", tok)
        .send()
        .await
        .expect("template");
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .expect("cd")
            .contains("filename*=UTF-8''")
    );
    let bytes = r.bytes().await.expect("bytes").to_vec();
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).expect("xlsx");
    let sheet = book.worksheet_range_at(0).expect("sheet").expect("range");
    let headers: Vec<String> = sheet
        .rows()
        .next()
        .expect("header")
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(headers.join(","), HEADERS.trim_start_matches("序号,"));

    // A sheet with mistakes: every bad cell is listed, nothing is written.
    let good = good_sheet();
    let mut bad: Vec<String> = good.lines().map(str::to_owned).collect();
    bad[1] = bad[1].replace("13812345678", "1381234567"); // short phone
    bad[2] = bad[2].replace("递铺街道/新村", "新村"); // ambiguous
    bad[3] = bad[3].replace(",正式,", ",党员,"); // not a status
    let dup = good
        .lines()
        .nth(1)
        .expect("row")
        .replace("王建国", "王建国二");
    bad.push(dup.replacen("1,", "4,", 1)); // same ID as row 2
    bad.push(row(
        5,
        "",
        &id_number("330523", "19700101", "051"),
        "",
        "古城村",
        "古城村",
        "正式,个体工商户,,,2024-02-30,,",
    ));
    let r = upload(&app, tok, true, bad.join("\n").into_bytes()).await;
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.expect("json");
    assert_eq!(v["dry_run"], true);
    assert_eq!(v["rows"], 5);
    let mut errs: Vec<(u64, String, String)> = v["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| {
            assert!(
                e["message"]
                    .as_str()
                    .expect("m")
                    .starts_with(&format!("第{}行“", e["row"])),
                "{e}"
            );
            (
                e["row"].as_u64().expect("row"),
                e["column"].as_str().expect("col").to_owned(),
                e["code"].as_str().expect("code").to_owned(),
            )
        })
        .collect();
    errs.sort();
    let mut want: Vec<(u64, String, String)> = [
        (2, "手机号码", "invalid_mobile"),
        (3, "组织生活所在辖区党组织", "ambiguous_org_unit"),
        (4, "党员状态", "invalid_choice"),
        (5, "身份证号", "duplicate_in_file"),
        (6, "姓名", "required"),
        (6, "外出经营时间", "invalid_date"),
    ]
    .iter()
    .map(|(r, c, k)| (*r, (*c).to_owned(), (*k).to_owned()))
    .collect();
    want.sort();
    assert_eq!(errs, want, "{v}");
    assert_eq!(count(&app, tok).await, 0);
    // Committing it anyway is refused whole.
    let r = upload(&app, tok, false, bad.join("\n").into_bytes()).await;
    let p = problem(r, 422, "import_rejected").await;
    assert!(
        p["errors"]
            .as_array()
            .expect("e")
            .iter()
            .any(|e| e["field"] == "rows.2.phone"),
        "{p}"
    );
    assert_eq!(count(&app, tok).await, 0);

    // The fixed sheet, in GB18030 as Excel on Chinese Windows saves it.
    let (gb, _, lossy) = encoding_rs::GB18030.encode(&good);
    assert!(!lossy);
    let r = upload(&app, tok, false, gb.to_vec()).await;
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.expect("json");
    assert_eq!(
        (
            v["created"].as_u64(),
            v["updated"].as_u64(),
            v["unchanged"].as_u64()
        ),
        (Some(3), Some(0), Some(0)),
        "{v}"
    );
    let import_id = v["import_id"].as_str().expect("import id").to_owned();
    assert_eq!(count(&app, tok).await, 3);
    let list: Value = app
        .get("/api/v1/members?name=lf", tok)
        .send()
        .await
        .expect("l")
        .json()
        .await
        .expect("j");
    let lf = &list["items"][0];
    assert_eq!(lf["category"], "floating");
    assert_eq!(lf["membership_status"], "probationary");
    assert_eq!(lf["distribution"], "market_business");
    assert_eq!(lf["away_since"], "2024-03-01");
    assert_eq!(lf["joined_party_on"], "2025-07-01");
    assert_eq!(lf["phone_masked"], "139****5678");
    // Every created member has its own audit entry, and the import one with its counts.
    let audit: Value = app
        .get("/api/v1/audit?limit=200", tok)
        .send()
        .await
        .expect("a")
        .json()
        .await
        .expect("j");
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(actions.iter().filter(|a| **a == "member.create").count(), 3);
    assert!(audit.to_string().contains(&import_id));
    let verify: Value = app
        .get("/api/v1/audit/verify", tok)
        .send()
        .await
        .expect("v")
        .json()
        .await
        .expect("j");
    assert_eq!(verify["intact"], true, "{verify}");

    // Importing the same file again (now as UTF-8) changes nothing.
    let r = upload(&app, tok, false, good.clone().into_bytes()).await;
    let v: Value = r.json().await.expect("json");
    assert_eq!(
        (
            v["created"].as_u64(),
            v["updated"].as_u64(),
            v["unchanged"].as_u64()
        ),
        (Some(0), Some(0), Some(3)),
        "{v}"
    );
    // A changed phone is an update of the member matched by ID number.
    let changed = good.replace("13912345678", "13900009999");
    let v: Value = upload(&app, tok, false, changed.into_bytes())
        .await
        .json()
        .await
        .expect("j");
    assert_eq!(
        (
            v["created"].as_u64(),
            v["updated"].as_u64(),
            v["unchanged"].as_u64()
        ),
        (Some(0), Some(1), Some(2)),
        "{v}"
    );
    assert_eq!(count(&app, tok).await, 3);
    let found: Value = app
        .get("/api/v1/members?phone=13900009999", tok)
        .send()
        .await
        .expect("l")
        .json()
        .await
        .expect("j");
    assert_eq!(found["items"][0]["name"], "李芳");

    // Status changes by sheet follow the status rules and are kept as status history: 李芳
    // becomes a full member (转正); 王建国 cannot become probationary again.
    let promoted = good
        .replace("13912345678", "13900009999")
        .replace("预备,市场内个体工商户", "正式,市场内个体工商户");
    let v: Value = upload(&app, tok, false, promoted.clone().into_bytes())
        .await
        .json()
        .await
        .expect("j");
    assert_eq!(v["updated"], 1, "{v}");
    let lf_id = lf["id"].as_str().expect("id");
    let h: Value = app
        .get(&format!("/api/v1/members/{lf_id}/status-history"), tok)
        .send()
        .await
        .expect("h")
        .json()
        .await
        .expect("j");
    let last = h["items"]
        .as_array()
        .expect("items")
        .last()
        .cloned()
        .expect("a change");
    assert_eq!(
        (
            last["change"].as_str(),
            last["from"].as_str(),
            last["to"].as_str()
        ),
        (
            Some("membership_status"),
            Some("probationary"),
            Some("full")
        ),
        "{h}"
    );
    let demoted = promoted.replacen(",正式,个体工商户,,经营,", ",预备,个体工商户,,经营,", 1);
    let v: Value = upload(&app, tok, true, demoted.into_bytes())
        .await
        .json()
        .await
        .expect("j");
    assert_eq!(
        v["errors"][0]["code"], "full_member_cannot_become_probationary",
        "{v}"
    );
    assert_eq!(v["errors"][0]["column"], "党员状态");
    // Another county: the same file names units it does not have; nothing leaks either way.
    let v: Value = upload(&app, &other.admin_token, true, good.clone().into_bytes())
        .await
        .json()
        .await
        .expect("j");
    assert_eq!(v["created"], 0);
    assert_eq!(v["errors"], json!([]), "{v}");
    // Each unknown name once, with no suggestion from the first county's units.
    let mut unknown: Vec<(&str, &str)> = v["unknown_org_names"]
        .as_array()
        .expect("unknown")
        .iter()
        .map(|u| {
            assert_eq!(u["suggestions"], json!([]), "{u}");
            (
                u["field"].as_str().expect("field"),
                u["name"].as_str().expect("name"),
            )
        })
        .collect();
    unknown.sort_unstable();
    assert_eq!(
        unknown,
        vec![
            ("market_id", "递铺农贸市场"),
            ("org_life_unit_id", "古城村"),
            ("org_life_unit_id", "孝丰镇/新村"),
            ("org_life_unit_id", "递铺街道/新村"),
        ],
        "{v}"
    );
    assert_eq!(count(&app, &other.admin_token).await, 0);
    // Only the county admin imports.
    let (_, staff) = app.staff(&c, "clerk", "branch_staff", None).await;
    problem(
        upload(&app, &staff, true, good.into_bytes()).await,
        403,
        "forbidden",
    )
    .await;
}

#[tokio::test]
async fn xlsx_imports_and_malformed_files_are_refused_clearly() {
    let app = spawn_app().await;
    let c = app.county("330523", "安吉县").await;
    tree(&app, &c).await;
    let tok = &c.admin_token;
    // An xlsx as county staff make them: dates as date cells, an ID typed as a number.
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    let headers: Vec<&str> = HEADERS.split(',').skip(1).collect();
    for (i, h) in headers.iter().enumerate() {
        ws.write_string(0, i as u16, *h).expect("h");
    }
    let col = |h: &str| headers.iter().position(|x| *x == h).expect("col") as u16;
    let date_fmt = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
    let joined = rust_xlsxwriter::ExcelDateTime::from_ymd(2001, 7, 1).expect("date");
    for (r, (name, id)) in [
        ("赵敏", id_number("330523", "19760606", "061")),
        ("钱进", id_number("330523", "19770707", "071")),
    ]
    .iter()
    .enumerate()
    {
        let r = r as u32 + 1;
        ws.write_string(r, col("姓名"), *name).expect("c");
        ws.write_string(r, col("身份证号"), id).expect("c");
        ws.write_string(r, col("是否业主"), "否").expect("c");
        ws.write_string(r, col("单位名称"), "某店").expect("c");
        ws.write_string(r, col("组织关系所在地党组织"), "古城村")
            .expect("c");
        ws.write_string(r, col("党员状态"), "正式").expect("c");
        ws.write_string(r, col("分布情况"), "个体工商户")
            .expect("c");
        ws.write_datetime_with_format(r, col("入党时间"), &joined, &date_fmt)
            .expect("c");
    }
    ws.write_number(2, col("身份证号"), 330523197707070710.0)
        .expect("n");
    let xlsx = book.save_to_buffer().expect("save");
    let r = app
        .client
        .post(app.url("/api/v1/members/import"))
        .bearer_auth(tok)
        .header(
            "content-type",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        .body(xlsx.clone())
        .send()
        .await
        .expect("up");
    let v: Value = r.json().await.expect("j");
    assert_eq!(v["dry_run"], true, "dry run is the default");
    assert_eq!(v["created"], 1);
    assert_eq!(v["errors"][0]["row"], 3);
    assert_eq!(v["errors"][0]["code"], "id_number_not_text");
    // Truncated xlsx, junk, an empty file, a sheet without the form's columns: a 422 naming
    // the problem, and nothing written.
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (xlsx[..xlsx.len() / 2].to_vec(), "unreadable_xlsx"),
        (
            (0..10 * 1024 * 1024u32)
                .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8 | 0x80)
                .collect(),
            "bad_encoding",
        ),
        (Vec::new(), "empty_file"),
        ("姓名,电话\n张三,1\n".as_bytes().to_vec(), "missing_columns"),
        (
            format!("{HEADERS},姓名\n").into_bytes(),
            "duplicate_columns",
        ),
    ];
    for (body, code) in cases {
        let r = upload(&app, tok, false, body).await;
        let p = problem(r, 422, "validation_failed").await;
        assert_eq!(p["errors"][0]["code"], code, "{p}");
        assert_eq!(p["errors"][0]["field"], "file");
    }
    // Larger than the upload limit: 413 before anything is read.
    let r = upload(&app, tok, false, vec![b'a'; 21 * 1024 * 1024]).await;
    problem(r, 413, "body_too_large").await;
    assert_eq!(count(&app, tok).await, 0);
}

async fn export(app: &TestApp, token: &str, body: Value) -> Value {
    let r = app
        .post("/api/v1/member-exports", token, &body)
        .send()
        .await
        .expect("export");
    let status = r.status();
    let v: Value = r.json().await.expect("json");
    assert_eq!(status, StatusCode::CREATED, "{v}");
    v
}

fn cells(bytes: Vec<u8>) -> Vec<Vec<String>> {
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).expect("xlsx");
    let sheet = book.worksheet_range_at(0).expect("sheet").expect("range");
    sheet
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::Empty => String::new(),
                    c => c.to_string(),
                })
                .collect()
        })
        .collect()
}

#[tokio::test]
async fn exports_need_another_admins_approval_and_download_once_with_a_stamp() {
    let app = spawn_app().await;
    let c = app.county("330523", "安吉县").await;
    let other = app.county("330522", "长兴县").await;
    let (town, village) = tree(&app, &c).await;
    let tok = &c.admin_token;
    let sheet = good_sheet().replace("江西省某县某村党支部", "=HYPERLINK(\"http://x\")");
    let v: Value = upload(&app, tok, false, sheet.into_bytes())
        .await
        .json()
        .await
        .expect("j");
    assert_eq!(v["created"], 3, "{v}");
    // The township committee of 递铺街道 sees 王建国 and 李芳 (org life there), not 张伟.
    let (_, clerk) = app
        .staff(&c, "clerk", "township_committee", Some(&town))
        .await;
    let _ = &village;
    let (_, admin2) = app.staff(&c, "admin2", "county_admin", None).await;

    // A masked export is ready at once; the file masks identifiers and carries the stamp.
    let e = export(
        &app,
        tok,
        json!({ "personal": false, "reason": "年度党员统计", "query": { "sort": "name" } }),
    )
    .await;
    assert_eq!(e["status"], "approved");
    let id = e["id"].as_str().expect("id");
    let r = app
        .get(&format!("/api/v1/member-exports/{id}/download"), tok)
        .send()
        .await
        .expect("dl");
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let rows = cells(r.bytes().await.expect("b").to_vec());
    assert!(rows[0][0].starts_with("导出人："), "{:?}", rows[0]);
    assert!(rows[0][0].contains("个人信息已脱敏"));
    assert_eq!(rows.len(), 2 + 3);
    let text = format!("{rows:?}");
    assert!(
        text.contains("138****5678") && !text.contains("13812345678"),
        "{text}"
    );
    // Formula text from the register is neutralised.
    assert!(text.contains("'=HYPERLINK"), "{text}");
    // Once only.
    let r = app
        .get(&format!("/api/v1/member-exports/{id}/download"), tok)
        .send()
        .await
        .expect("dl");
    problem(r, 410, "export_already_downloaded").await;

    // With identifiers in clear (as far as the masking policy lets the clerk's role unmask
    // them: here the phone): pending until another county admin approves.
    let r = app
        .client
        .put(app.url("/api/v1/privacy/masking-policy"))
        .bearer_auth(tok)
        .json(&json!({ "entries": [{ "role": "township_committee", "field": "phone", "visibility": "on_request" }] }))
        .send()
        .await
        .expect("policy");
    assert!(r.status().is_success(), "{}", r.status());
    let e = export(
        &app,
        &clerk,
        json!({ "personal": true, "reason": "核对联系方式", "query": { "name": "wjg" } }),
    )
    .await;
    assert_eq!(e["status"], "pending");
    let id = e["id"].as_str().expect("id").to_owned();
    let dl = format!("/api/v1/member-exports/{id}/download");
    problem(
        app.get(&dl, &clerk).send().await.expect("dl"),
        409,
        "export_not_approved",
    )
    .await;
    problem(
        app.post(
            &format!("/api/v1/member-exports/{id}/approve"),
            &clerk,
            &json!({}),
        )
        .send()
        .await
        .expect("a"),
        403,
        "forbidden",
    )
    .await;
    // Another county cannot see or decide it.
    problem(
        app.get(&format!("/api/v1/member-exports/{id}"), &other.admin_token)
            .send()
            .await
            .expect("g"),
        404,
        "not_found",
    )
    .await;
    problem(
        app.post(
            &format!("/api/v1/member-exports/{id}/approve"),
            &other.admin_token,
            &json!({}),
        )
        .send()
        .await
        .expect("a"),
        404,
        "not_found",
    )
    .await;
    // The pending list is what an approver works from.
    let pending: Value = app
        .get("/api/v1/member-exports?status=pending", tok)
        .send()
        .await
        .expect("l")
        .json()
        .await
        .expect("j");
    assert_eq!(pending["items"].as_array().expect("i").len(), 1);
    let r = app
        .post(
            &format!("/api/v1/member-exports/{id}/approve"),
            tok,
            &json!({ "note": "同意" }),
        )
        .send()
        .await
        .expect("a");
    assert_eq!(r.status(), StatusCode::OK);
    problem(
        app.post(
            &format!("/api/v1/member-exports/{id}/deny"),
            &admin2,
            &json!({}),
        )
        .send()
        .await
        .expect("d"),
        409,
        "export_not_pending",
    )
    .await;
    // Only the requester downloads.
    problem(
        app.get(&dl, tok).send().await.expect("dl"),
        404,
        "not_found",
    )
    .await;
    let r = app.get(&dl, &clerk).send().await.expect("dl");
    assert_eq!(r.status(), StatusCode::OK);
    let rows = cells(r.bytes().await.expect("b").to_vec());
    assert_eq!(rows.len(), 3, "the filter is kept: {rows:?}");
    assert_eq!(rows[2][0], "王建国");
    assert!(rows[0][0].contains("审批人：") && rows[0][0].contains("含个人信息明文"));
    assert!(format!("{rows:?}").contains("13812345678"));
    problem(
        app.get(&dl, &clerk).send().await.expect("dl"),
        410,
        "export_already_downloaded",
    )
    .await;

    // A county admin's own request needs the other admin; deny works too.
    let e = export(
        &app,
        tok,
        json!({ "personal": true, "reason": "上报材料需要" }),
    )
    .await;
    let id = e["id"].as_str().expect("id").to_owned();
    problem(
        app.post(
            &format!("/api/v1/member-exports/{id}/approve"),
            tok,
            &json!({}),
        )
        .send()
        .await
        .expect("a"),
        409,
        "self_approval",
    )
    .await;
    let r = app
        .post(
            &format!("/api/v1/member-exports/{id}/deny"),
            &admin2,
            &json!({ "note": "无必要" }),
        )
        .send()
        .await
        .expect("d");
    let v: Value = r.json().await.expect("j");
    assert_eq!(v["status"], "denied");
    problem(
        app.get(&format!("/api/v1/member-exports/{id}/download"), tok)
            .send()
            .await
            .expect("dl"),
        409,
        "export_denied",
    )
    .await;
    // The requester's scope applies: without a filter the clerk gets their township only.
    let e = export(
        &app,
        &clerk,
        json!({ "personal": false, "reason": "本镇党员名单" }),
    )
    .await;
    let id = e["id"].as_str().expect("id").to_owned();
    let r = app
        .get(&format!("/api/v1/member-exports/{id}/download"), &clerk)
        .send()
        .await
        .expect("dl");
    let mut names: Vec<String> = cells(r.bytes().await.expect("b").to_vec())[2..]
        .iter()
        .map(|r| r[0].clone())
        .collect();
    names.sort();
    assert_eq!(names, vec!["李芳", "王建国"]);
    // The clerk sees only their own requests.
    let mine: Value = app
        .get("/api/v1/member-exports", &clerk)
        .send()
        .await
        .expect("l")
        .json()
        .await
        .expect("j");
    assert_eq!(mine["items"].as_array().expect("i").len(), 2);
    // Every step is in the audit log.
    let audit: Value = app
        .get("/api/v1/audit?limit=200", tok)
        .send()
        .await
        .expect("a")
        .json()
        .await
        .expect("j");
    for a in [
        "member_export.request",
        "member_export.approve",
        "member_export.deny",
        "member_export.download",
    ] {
        assert!(audit.to_string().contains(a), "{a}");
    }
    // Bad requests name the field.
    let r = app
        .post(
            "/api/v1/member-exports",
            tok,
            &json!({ "personal": true, "reason": "x" }),
        )
        .send()
        .await
        .expect("e");
    let p = problem(r, 422, "validation_failed").await;
    assert_eq!(p["errors"][0]["field"], "reason");
    let r = app
        .post(
            "/api/v1/member-exports",
            tok,
            &json!({ "personal": false, "reason": "统计用途", "query": { "unit": "nope" } }),
        )
        .send()
        .await
        .expect("e");
    let p = problem(r, 422, "validation_failed").await;
    assert_eq!(p["errors"][0]["field"], "unit");
}
