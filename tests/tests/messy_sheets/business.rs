//! A county's business register (经营主体名录) as it keeps it, through the same flow as the
//! member sheet: a title above the header, the registration form's labels (个体工商户名称,
//! 经营者, 所在乡镇（街道）), credit codes typed full-width and lower-case, a bad check
//! character, a market written the county's way, an unknown market name used by two rows and
//! mapped once, a 填表人 footer; as xlsx and as GB18030 CSV. Only the bad rows are rejected;
//! a commit is all or nothing; the same file again changes nothing; a changed row updates.

use reqwest::StatusCode;
use rust_xlsxwriter::{Format, Workbook};
use serde_json::{Value, json};
use shuanglian_tests::{County, TestApp, credit_code, id, id_number, problem, send, spawn_app};

use super::sheet::{errors, normalised};

const HEADER: [&str; 12] = [
    "序号",
    "统一社会信用代码",
    "个体工商户名称",
    "主体类型",
    "所属市场",
    "摊位号",
    "所在乡镇（街道）",
    "经营者",
    "经营者身份证号码",
    "联系电话",
    "从业人数",
    "经营状态",
];

/// The register's people and places: two members (one found by ID number, one by name and
/// phone), a market, two townships. Returns the market's id.
async fn world(app: &TestApp, c: &County) -> String {
    let tok = &c.admin_token;
    let office = app.org_unit(c, "aic_office", "递铺市场监管所", None).await;
    let town = app.org_unit(c, "township", "递铺街道", None).await;
    app.org_unit(c, "township", "孝丰镇", None).await;
    let market = id(&app
        .created(
            tok,
            "/api/v1/markets",
            &json!({ "name": "递铺农贸市场", "aic_office_id": office }),
        )
        .await);
    for (name, idn, phone) in [
        (
            "王建国",
            id_number("330523", "19800101", "011"),
            "13812345678",
        ),
        (
            "赵敏",
            id_number("330523", "19750505", "041"),
            "13612345678",
        ),
    ] {
        app.member(
            tok,
            &json!({ "name": name, "id_number": idn, "phone": phone, "is_owner": true,
                     "business_name": format!("{name}的店"), "org_life_unit_id": town,
                     "membership_unit_id": town, "membership_status": "full",
                     "distribution": "individual_business" }),
        )
        .await;
    }
    market
}

fn code(first17: &str) -> String {
    credit_code(first17)
}

/// Full-width and lower-case, as typed on a Chinese keyboard.
fn wide_lower(s: &str) -> String {
    s.to_ascii_lowercase()
        .chars()
        .map(|c| char::from_u32(c as u32 + 0xFEE0).unwrap_or(c))
        .collect()
}

/// The data rows (row as the sheet numbers it, cells). Rows 5–7 and 9 are good, 10–11 name a
/// market the register does not know (11 without its kind, read from its stall once mapped),
/// 12–17 are bad.
fn rows() -> Vec<(u32, Vec<String>)> {
    let good = code("92330523MA2B3C4D5");
    let bad_check = {
        let c = code("92330523MA2B3C4E6");
        let last = c.chars().last().expect("check");
        format!("{}{}", &c[..17], if last == '1' { '2' } else { '1' })
    };
    let row = |n: u32, cells: [&str; 11]| {
        let mut v = vec![n.to_string()];
        v.extend(cells.iter().map(|s| (*s).to_owned()));
        v
    };
    let wang = id_number("330523", "19800101", "011");
    let li = id_number("330523", "19700303", "031");
    let mut bad_id = id_number("330523", "19660606", "061");
    let last = bad_id.pop().expect("check");
    bad_id.push(if last == '1' { '2' } else { '1' });
    let wide = wide_lower(&code("92330523MA2B3C4F7"));
    let enterprise = code("91330523MA2B3C4G8");
    vec![
        (
            5,
            row(
                1,
                [
                    &good,
                    "建国五金店",
                    "个体工商户",
                    "",
                    "",
                    "递铺街道",
                    "王建国",
                    &wang,
                    "",
                    "3",
                    "存续",
                ],
            ),
        ),
        (
            6,
            row(
                2,
                [
                    &wide,
                    "李四小吃",
                    "个体户",
                    "",
                    "",
                    "安吉县孝丰镇",
                    "李四",
                    &li,
                    "",
                    "",
                    "",
                ],
            ),
        ),
        (
            7,
            row(
                3,
                [
                    "",
                    "赵记蔬菜",
                    "市场摊位",
                    "安吉县递铺农贸市场",
                    "A-01",
                    "",
                    "赵敏",
                    "",
                    "136-1234-5678",
                    "",
                    "",
                ],
            ),
        ),
        // Row 8 is blank.
        (
            9,
            row(
                4,
                [
                    &enterprise,
                    "安吉竹艺有限公司",
                    "",
                    "",
                    "",
                    "递铺街道",
                    "",
                    "",
                    "",
                    "１２人",
                    "",
                ],
            ),
        ),
        (
            10,
            row(
                5,
                [
                    "",
                    "钱记水果",
                    "市场摊位",
                    "递铺菜市场",
                    "B-01",
                    "",
                    "钱进",
                    "",
                    "",
                    "",
                    "",
                ],
            ),
        ),
        (
            11,
            row(
                6,
                [
                    "",
                    "孙记鲜肉",
                    // No kind: a stall in a market, once the market's name is mapped.
                    "",
                    "递铺菜市场",
                    "B-02",
                    "",
                    "孙丽",
                    "",
                    "",
                    "",
                    "",
                ],
            ),
        ),
        (
            12,
            row(
                7,
                [
                    &bad_check,
                    "周记茶叶",
                    "个体工商户",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                ],
            ),
        ),
        (
            13,
            row(
                8,
                [
                    &good,
                    "建国五金店二店",
                    "个体工商户",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                ],
            ),
        ),
        (
            14,
            row(
                9,
                [
                    &code("93330523MA2B3C4H9"),
                    "吴家合作社",
                    "合作社",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                ],
            ),
        ),
        (
            15,
            row(
                10,
                [
                    &code("92330523MA2B3C4J0"),
                    "",
                    "个体工商户",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                ],
            ),
        ),
        (
            16,
            row(
                11,
                [
                    "",
                    "郑记干货",
                    "市场摊位",
                    "递铺农贸市场",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                ],
            ),
        ),
        (
            17,
            row(
                12,
                [
                    &code("92330523MA2B3C4K1"),
                    "冯记修车",
                    "个体工商户",
                    "",
                    "",
                    "",
                    "冯晨",
                    &bad_id,
                    "",
                    "",
                    "",
                ],
            ),
        ),
    ]
}

fn bad_rows() -> Vec<(u64, String, String)> {
    [
        (12, "credit_code", "credit_code_checksum_mismatch"),
        (13, "credit_code", "duplicate_in_file"),
        (14, "kind", "invalid_choice"),
        (15, "name", "required"),
        (16, "stall_no", "required"),
        (17, "owner_id_number", "id_checksum_mismatch"),
    ]
    .iter()
    .map(|(r, f, c)| (*r, (*f).to_owned(), (*c).to_owned()))
    .collect()
}

fn workbook(rows: &[(u32, Vec<String>)]) -> Vec<u8> {
    let mut book = Workbook::new();
    let ws = book
        .add_worksheet()
        .set_name("个体工商户名录")
        .expect("name");
    ws.merge_range(
        0,
        0,
        0,
        11,
        "安吉县个体工商户党建信息登记汇总表",
        &Format::new(),
    )
    .expect("merge");
    ws.write_string(1, 8, "填报单位：递铺市场监管所")
        .expect("w");
    for (c, h) in HEADER.iter().enumerate() {
        ws.write_string(3, c as u16, *h).expect("w");
    }
    let mut last = 0;
    for (n, cells) in rows {
        for (c, v) in cells.iter().enumerate().filter(|(_, v)| !v.is_empty()) {
            ws.write_string(n - 1, c as u16, v).expect("w");
        }
        last = *n;
    }
    ws.write_string(last + 1, 0, "填表人：张会计").expect("w");
    ws.write_string(last + 1, 4, "联系电话：0572-5123456")
        .expect("w");
    ws.write_string(last + 2, 0, "审核人：").expect("w");
    ws.write_string(last + 2, 9, "2024年6月30日").expect("w");
    book.save_to_buffer().expect("xlsx")
}

fn csv_gb18030(rows: &[(u32, Vec<String>)]) -> Vec<u8> {
    let mut lines = vec![
        "安吉县个体工商户党建信息登记汇总表".to_owned(),
        ",,,,,,,,填报单位：递铺市场监管所".to_owned(),
        String::new(),
        HEADER.join(","),
    ];
    for (n, cells) in rows {
        while lines.len() + 1 < *n as usize {
            lines.push(String::new());
        }
        lines.push(cells.join(","));
    }
    lines.push(String::new());
    lines.push("填表人：张会计,,,,联系电话：0572-5123456".to_owned());
    lines.push("审核人：,,,,,,,,,2024年6月30日".to_owned());
    let text = lines.join("\n");
    let (gb, _, lossy) = encoding_rs::GB18030.encode(&text);
    assert!(!lossy);
    gb.to_vec()
}

async fn upload(app: &TestApp, token: &str, query: &str, body: Vec<u8>) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/api/v1/businesses/import?{query}")))
        .bearer_auth(token)
        .body(body)
        .send()
        .await
        .expect("upload")
}

async fn report(app: &TestApp, token: &str, query: &str, body: Vec<u8>) -> Value {
    let r = upload(app, token, query, body).await;
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.expect("json")
}

/// What the dry run without a mapping says, for xlsx and CSV alike.
fn check_dry_run(v: &Value, market: &str) {
    assert_eq!(v["dry_run"], true);
    assert_eq!(v["created"], 4, "rows 5, 6, 7 and 9: {v}");
    assert_eq!(errors(v), bad_rows(), "{v}");
    assert_eq!(v["owners_linked"], 2, "{v}");
    assert_eq!(v["owners_not_in_register"], 1, "{v}");
    let layout = &v["layout"];
    assert_eq!(layout["header_row"], 4, "{layout}");
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
            (18, "blank"),
            (19, "footer"),
            (20, "footer")
        ],
        "{layout}"
    );
    let unknown = v["unknown_org_names"].as_array().expect("unknown");
    assert_eq!(unknown.len(), 1, "{v}");
    assert_eq!(unknown[0]["name"], "递铺菜市场");
    assert_eq!(unknown[0]["field"], "market_id");
    assert_eq!(unknown[0]["rows"], json!([10, 11]));
    assert_eq!(unknown[0]["suggestions"][0]["id"], market, "{v}");
    // The preview reads the first rows as the import will: the code half-width, upper-case.
    let second = &v["preview"][1];
    let credit = second["cells"]
        .as_array()
        .expect("cells")
        .iter()
        .find(|c| c["field"] == "credit_code")
        .expect("credit_code");
    assert_eq!(credit["value"], code("92330523MA2B3C4F7"), "{second}");
    let n = normalised(v);
    for want in [
        ("credit_code", "full_width", 1),
        ("credit_code", "credit_code_case", 1),
        ("kind", "kind_word", 1),
        ("kind", "kind_from_code", 1),
        ("township_id", "org_name", 1),
        ("market_id", "org_name", 1),
        ("owner_phone", "phone_separators", 1),
        ("employee_count", "full_width", 1),
    ] {
        let want = (want.0.to_owned(), want.1.to_owned(), want.2);
        assert!(n.contains(&want), "{want:?} not in {n:?}");
    }
}

#[tokio::test]
async fn a_business_register_as_it_is_kept_imports_with_only_the_bad_rows_rejected() {
    let app = spawn_app().await;
    let c = app.county("330523", "安吉县").await;
    let other = app.county("330522", "长兴县").await;
    let market = world(&app, &c).await;
    let tok = &c.admin_token;
    let rows = rows();

    let v = report(&app, tok, "dry_run=true", workbook(&rows)).await;
    check_dry_run(&v, &market);
    assert_eq!(v["layout"]["sheet"], "个体工商户名录");
    let v = report(&app, tok, "", csv_gb18030(&rows)).await;
    check_dry_run(&v, &market);

    // The unknown market is mapped once, in a saved mapping; its two rows then import.
    let (s, saved) = send(app.post(
        "/api/v1/import-mappings",
        tok,
        &json!({ "name": "市场监管所名录", "org_names": { "递铺菜市场": { "unit_id": market } } }),
    ))
    .await;
    assert_eq!(s, 201, "{saved}");
    let mapping = id(&saved);
    let q = format!("mapping={mapping}");
    let v = report(&app, tok, &q, workbook(&rows)).await;
    assert_eq!(
        (
            v["created"].as_u64(),
            v["unknown_org_names"].clone(),
            errors(&v)
        ),
        (Some(6), json!([]), bad_rows()),
        "{v}"
    );
    assert_eq!(v["owners_not_in_register"], 3, "李四, 钱进, 孙丽: {v}");

    // A commit with bad rows is refused whole, naming each.
    let p = problem(
        upload(&app, tok, &format!("{q}&dry_run=false"), workbook(&rows)).await,
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
    assert!(fields.contains(&"rows.12.credit_code"), "{p}");
    assert!(fields.contains(&"rows.17.owner_id_number"), "{p}");
    let (_, list) = send(app.get("/api/v1/businesses", tok)).await;
    assert_eq!(list["items"], json!([]));

    // With skip_invalid the good rows commit; owners in the register are linked.
    let commit = format!("{q}&dry_run=false&skip_invalid=true");
    let v = report(&app, tok, &commit, workbook(&rows)).await;
    assert_eq!(
        (v["created"].as_u64(), v["owners_linked"].as_u64()),
        (Some(6), Some(2)),
        "{v}"
    );
    assert!(v["import_id"].is_string(), "{v}");
    let (_, list) = send(app.get("/api/v1/businesses?limit=50&sort=name", tok)).await;
    let items = list["items"].as_array().expect("items").clone();
    assert_eq!(items.len(), 6, "{list}");
    let by_name = |n: &str| {
        items
            .iter()
            .find(|b| b["name"] == n)
            .unwrap_or_else(|| panic!("{n}: {list}"))
            .clone()
    };
    let li = by_name("李四小吃");
    assert_eq!(li["credit_code"], code("92330523MA2B3C4F7"));
    assert_eq!(li["kind"], "individual_business");
    let zhao = by_name("赵记蔬菜");
    assert_eq!(
        (&zhao["kind"], &zhao["market_id"], &zhao["stall_no"]),
        (&json!("market_stall"), &json!(market), &json!("A-01"))
    );
    let bamboo = by_name("安吉竹艺有限公司");
    assert_eq!(
        (&bamboo["kind"], &bamboo["employee_count"]),
        (&json!("small_micro_enterprise"), &json!(12))
    );
    assert_eq!(by_name("钱记水果")["market_id"], market);
    let sun = by_name("孙记鲜肉");
    assert_eq!(
        (&sun["kind"], &sun["market_id"]),
        (&json!("market_stall"), &json!(market))
    );
    for (business, owner) in [("建国五金店", "王建国"), ("赵记蔬菜", "赵敏")] {
        let b = by_name(business);
        let (_, people) = send(app.get(
            &format!(
                "/api/v1/businesses/{}/people",
                b["id"].as_str().expect("id")
            ),
            tok,
        ))
        .await;
        let text = people.to_string();
        assert!(
            text.contains(owner) && text.contains("owner"),
            "{business}: {people}"
        );
    }

    // The same file again changes nothing.
    let v = report(&app, tok, &commit, workbook(&rows)).await;
    assert_eq!(
        (
            v["created"].as_u64(),
            v["updated"].as_u64(),
            v["unchanged"].as_u64(),
            v["owners_linked"].as_u64()
        ),
        (Some(0), Some(0), Some(6), Some(0)),
        "{v}"
    );
    // A changed row updates its business, at the next version.
    let bamboo_id = bamboo["id"].as_str().expect("id").to_owned();
    let mut changed = rows.clone();
    changed.iter_mut().find(|(n, _)| *n == 9).expect("row 9").1[10] = "15".into();
    // A stall registered without a code gains one: matched on its market and stall.
    let zhao_code = code("92330523MA2B3C4L2");
    changed.iter_mut().find(|(n, _)| *n == 7).expect("row 7").1[1] = zhao_code.clone();
    let v = report(&app, tok, &commit, workbook(&changed)).await;
    assert_eq!(
        (
            v["created"].as_u64(),
            v["updated"].as_u64(),
            v["unchanged"].as_u64()
        ),
        (Some(0), Some(2), Some(4)),
        "{v}"
    );
    let (_, found) =
        send(app.get(&format!("/api/v1/businesses?credit_code={zhao_code}"), tok)).await;
    assert_eq!(found["items"][0]["id"], zhao["id"], "{found}");
    assert_eq!(found["items"][0]["kind"], "market_stall", "{found}");
    let r = app
        .get(&format!("/api/v1/businesses/{bamboo_id}"), tok)
        .send()
        .await
        .expect("get");
    assert_eq!(r.headers()["etag"], "\"v2\"");
    let b: Value = r.json().await.expect("json");
    assert_eq!(b["employee_count"], 15);
    // A closed business stays closed: the row that would reopen it is rejected.
    let (s, _) = send(
        app.patch(
            &format!("/api/v1/businesses/{bamboo_id}"),
            tok,
            &json!({ "status": "closed" }),
        )
        .header("If-Match", "\"v2\""),
    )
    .await;
    assert_eq!(s, 200);
    changed.iter_mut().find(|(n, _)| *n == 9).expect("row 9").1[11] = "存续".into();
    let v = report(&app, tok, "dry_run=true", workbook(&changed)).await;
    assert!(
        errors(&v).contains(&(9, "status".to_owned(), "business_closed".to_owned())),
        "{v}"
    );

    // Another county sees none of this county's markets or townships, and writes nothing here.
    let v = report(&app, &other.admin_token, "dry_run=true", workbook(&rows)).await;
    let unknown = v["unknown_org_names"].as_array().expect("unknown");
    assert!(!unknown.is_empty(), "{v}");
    for u in unknown {
        assert_eq!(u["suggestions"], json!([]), "{u}");
    }
    // Nor can it use this county's saved mapping.
    problem(
        upload(&app, &other.admin_token, &q, workbook(&rows)).await,
        422,
        "validation_failed",
    )
    .await;
    let (_, list) = send(app.get("/api/v1/businesses?limit=50", tok)).await;
    assert_eq!(list["items"].as_array().map(Vec::len), Some(6));
    // Only the county admin imports, refused before the file is read.
    let (_, staff) = app.staff(&c, "clerk", "branch_staff", None).await;
    problem(
        upload(&app, &staff, "", b"not a sheet".to_vec()).await,
        403,
        "forbidden",
    )
    .await;
    // A member sheet's mapping sent to a business import is refused, naming the header.
    let (s, member_map) = send(app.post(
        "/api/v1/import-mappings",
        tok,
        &json!({ "name": "党员名册", "columns": { "联系手机": "phone" } }),
    ))
    .await;
    assert_eq!(s, 201, "{member_map}");
    let p = problem(
        upload(
            &app,
            tok,
            &format!("mapping={}", id(&member_map)),
            workbook(&rows),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "columns.联系手机", "{p}");
}
