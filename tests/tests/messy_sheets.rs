//! A county's own spreadsheet as it keeps it (issue 13): a workbook with a notes sheet, a
//! merged title, the registration form's labels, names of places and organisations written the
//! county's way, full-width phones, Excel date serials and a 填表人 footer; and the same table
//! as a GB18030 CSV. Only the genuinely bad rows are rejected, each explained; unknown
//! organisation names are listed once each; what was rewritten is counted.

use reqwest::StatusCode;
use rust_xlsxwriter::{Format, Workbook};
use serde_json::{Value, json};
use shuanglian_tests::{County, TestApp, id_number, problem, spawn_app};

const HEADER: [&str; 13] = [
    "序号",
    "党员姓名",
    "性别",
    "身份证号码",
    "手机号码",
    "户籍所在地",
    "是否业主",
    "单位名称",
    "组织生活所在辖区党组织",
    "组织关系所在地党组织",
    "党员类别",
    "党员分布",
    "入党时间",
];

/// A cell as the county typed it: text, or a number (an Excel date serial).
#[derive(Clone)]
enum V {
    T(String),
    N(f64),
}

fn t(s: &str) -> V {
    V::T(s.to_owned())
}

/// The county's branch and villages, as the register holds them.
async fn world(app: &TestApp, c: &County) {
    let committee = app
        .org_unit(
            c,
            "association_committee",
            "安吉县个体民营企业协会党委",
            None,
        )
        .await;
    let branch = app
        .org_unit(c, "branch", "递铺分会", Some(&committee))
        .await;
    app.org_unit(c, "party_branch", "递铺分会第一支部", Some(&branch))
        .await;
    let town = app.org_unit(c, "township", "递铺街道", None).await;
    app.org_unit(c, "village", "横山坞村", Some(&town)).await;
    app.org_unit(c, "village", "古城村", Some(&town)).await;
}

/// The data rows: (row as the sheet numbers it, cells). Rows 5–10 are good once normalised,
/// 11–13 name an organisation of the county the register does not know, 14–18 are bad.
fn members() -> Vec<(u32, Vec<V>)> {
    let id = |birth: &str, seq: &str| id_number("330523", birth, seq);
    let person = |n: u32,
                  name: &str,
                  idn: String,
                  phone: &str,
                  place: &str,
                  life: &str,
                  holder: &str,
                  status: &str,
                  joined: V| {
        vec![
            V::T(n.to_string()),
            t(name),
            t(""),
            V::T(idn),
            t(phone),
            t(place),
            t("√"),
            V::T(format!("{name}的店")),
            t(life),
            t(holder),
            t(status),
            t("个体工商户"),
            joined,
        ]
    };
    let lower_x = {
        // An ID whose check character is X, typed with a lower-case x.
        let mut seq = 0;
        loop {
            let i = id("19790303", &format!("{seq:03}"));
            if i.ends_with('X') {
                break i.replace('X', "x");
            }
            seq += 1;
        }
    };
    let bad_checksum = {
        let i = id("19810202", "013");
        let last = i.chars().last().expect("check");
        format!("{}{}", &i[..17], if last == '1' { '2' } else { '1' })
    };
    vec![
        (
            5,
            person(
                1,
                "王建国",
                id("19800101", "011"),
                "１３８ １２３４ ５６７８",
                "安吉县",
                "递铺街道横山坞村党支部",
                "递铺街道横山坞村党支部",
                "正式党员",
                V::N(38534.0),
            ),
        ),
        (
            6,
            person(
                2,
                "李芳",
                lower_x,
                "+86 139-1234-5678",
                "浙江省湖州市安吉县",
                "古城村党支部",
                "安吉县古城村支部",
                "预备",
                t("2021年7月1日"),
            ),
        ),
        (
            7,
            person(
                3,
                "张伟",
                id("19900909", "031"),
                "13712345678",
                "安吉",
                "递铺分会第一支部",
                "江西省某县某村党支部",
                "正式",
                t("2010.7.1"),
            ),
        ),
        // Row 8 is blank in the sheet.
        (
            9,
            person(
                4,
                "赵敏",
                id("19750505", "041"),
                "13612345678",
                "330523",
                "古城村",
                "古城村",
                "正式",
                t("1998-07"),
            ),
        ),
        (
            10,
            person(
                5,
                "钱进",
                id("19850808", "051"),
                "13512345678",
                "湖州市安吉县",
                "横山坞村党支部",
                "递铺街道横山坞村",
                "正式",
                t("20080701"),
            ),
        ),
        (
            11,
            person(
                6,
                "孙丽",
                id("19860606", "061"),
                "13412345678",
                "安吉县",
                "古城村",
                "安吉县个体民营企业协会递铺分会支部",
                "正式",
                t("2012-07-01"),
            ),
        ),
        (
            12,
            person(
                7,
                "周强",
                id("19870707", "071"),
                "13312345678",
                "安吉县",
                "古城村",
                "安吉县个体民营企业协会递铺分会支部",
                "正式",
                t("2013-07-01"),
            ),
        ),
        (
            13,
            person(
                8,
                "吴刚",
                id("19880808", "081"),
                "13212345678",
                "安吉县",
                "古城村",
                "安吉县个体民营企业协会递铺分会支部",
                "正式",
                t("2014-07-01"),
            ),
        ),
        (
            14,
            person(
                9,
                "郑好",
                bad_checksum,
                "13112345678",
                "安吉县",
                "古城村",
                "古城村",
                "正式",
                t("2015-07-01"),
            ),
        ),
        (
            15,
            person(
                10,
                "冯晨",
                id("19900101", "101"),
                "13012345678",
                "安吉县",
                "古城村",
                "古城村",
                "正式",
                t("1989-07-01"),
            ),
        ),
        (
            16,
            person(
                11,
                "陈静",
                id("19910101", "111"),
                "15012345678",
                "安吉县",
                "古城村",
                "古城村",
                "积极分子",
                t("2016-07-01"),
            ),
        ),
        (
            17,
            person(
                12,
                "",
                id("19920101", "121"),
                "15112345678",
                "安吉县",
                "古城村",
                "古城村",
                "正式",
                t("2017-07-01"),
            ),
        ),
        (
            18,
            person(
                13,
                "王建国",
                id("19800101", "011"),
                "15212345678",
                "安吉县",
                "古城村",
                "古城村",
                "正式",
                t("2018-07-01"),
            ),
        ),
    ]
}

/// The rows the dry run must reject: (row, field, code).
fn bad_rows() -> Vec<(u64, String, String)> {
    [
        (14, "id_number", "id_checksum_mismatch"),
        (15, "joined_party_on", "joined_before_birth"),
        (16, "membership_status", "invalid_choice"),
        (17, "name", "required"),
        (18, "id_number", "duplicate_in_file"),
    ]
    .iter()
    .map(|(r, f, c)| (*r, (*f).to_owned(), (*c).to_owned()))
    .collect()
}

fn workbook(rows: &[(u32, Vec<V>)]) -> Vec<u8> {
    let mut book = Workbook::new();
    let notes = book.add_worksheet().set_name("填表说明").expect("name");
    notes
        .write_string(0, 0, "说明：本表按个体工商户党建信息登记表填写")
        .expect("w");
    notes.write_string(1, 0, "姓名").expect("w");
    let ws = book.add_worksheet().set_name("党员名册").expect("name");
    ws.merge_range(
        0,
        0,
        0,
        12,
        "安吉县个体工商户党建信息登记表",
        &Format::new(),
    )
    .expect("merge");
    ws.write_string(1, 9, "填表日期：2024年6月30日").expect("w");
    for (c, h) in HEADER.iter().enumerate() {
        ws.write_string(3, c as u16, *h).expect("w");
    }
    let mut last = 0;
    for (n, cells) in rows {
        for (c, v) in cells.iter().enumerate() {
            match v {
                V::T(s) if s.is_empty() => {}
                V::T(s) => {
                    ws.write_string(n - 1, c as u16, s).expect("w");
                }
                V::N(x) => {
                    ws.write_number(n - 1, c as u16, *x).expect("w");
                }
            }
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

/// The same sheet as CSV text: title, date line, blank line, header, rows, footer.
fn csv(rows: &[(u32, Vec<V>)]) -> String {
    let mut lines = vec![
        "安吉县个体工商户党建信息登记表".to_owned(),
        ",,,,,,,,,填表日期：2024年6月30日".to_owned(),
        String::new(),
        HEADER.join(","),
    ];
    for (n, cells) in rows {
        while lines.len() + 1 < *n as usize {
            lines.push(String::new());
        }
        lines.push(
            cells
                .iter()
                .map(|v| match v {
                    V::T(s) => s.clone(),
                    V::N(x) => x.to_string(),
                })
                .collect::<Vec<_>>()
                .join(","),
        );
    }
    lines.push(String::new());
    lines.push("填表人：张会计,,,,联系电话：0572-5123456".to_owned());
    lines.push("审核人：,,,,,,,,,2024年6月30日".to_owned());
    lines.join("\n")
}

async fn upload(app: &TestApp, token: &str, dry_run: bool, body: Vec<u8>) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/api/v1/members/import?dry_run={dry_run}")))
        .bearer_auth(token)
        .body(body)
        .send()
        .await
        .expect("upload")
}

fn errors(v: &Value) -> Vec<(u64, String, String)> {
    let mut e: Vec<(u64, String, String)> = v["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| {
            (
                e["row"].as_u64().expect("row"),
                e["field"].as_str().expect("field").to_owned(),
                e["code"].as_str().expect("code").to_owned(),
            )
        })
        .collect();
    e.sort();
    e
}

fn normalised(v: &Value) -> Vec<(String, String, u64)> {
    v["normalised"]
        .as_array()
        .expect("normalised")
        .iter()
        .map(|n| {
            (
                n["field"].as_str().expect("f").to_owned(),
                n["kind"].as_str().expect("k").to_owned(),
                n["count"].as_u64().expect("n"),
            )
        })
        .collect()
}

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
    let list: Value = app
        .get("/api/v1/members", tok)
        .send()
        .await
        .expect("l")
        .json()
        .await
        .expect("j");
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
    let list: Value = app
        .get("/api/v1/members?limit=50", tok)
        .send()
        .await
        .expect("l")
        .json()
        .await
        .expect("j");
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
    let list: Value = app
        .get("/api/v1/members", &other.admin_token)
        .send()
        .await
        .expect("l")
        .json()
        .await
        .expect("j");
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
