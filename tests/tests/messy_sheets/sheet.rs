//! The county's sheet the tests upload: its rows, as an xlsx workbook or a CSV text, and the
//! verdicts the dry run must give.

use rust_xlsxwriter::{Format, Workbook};
use serde_json::Value;
use shuanglian_tests::{County, TestApp, id_number};

pub(crate) const HEADER: [&str; 13] = [
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
pub(crate) enum V {
    T(String),
    N(f64),
}

pub(crate) fn t(s: &str) -> V {
    V::T(s.to_owned())
}

/// The county's branch and villages, as the register holds them; returns the party branch
/// and the township.
pub(crate) async fn world(app: &TestApp, c: &County) -> (String, String) {
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
    let pb = app
        .org_unit(c, "party_branch", "递铺分会第一支部", Some(&branch))
        .await;
    let town = app.org_unit(c, "township", "递铺街道", None).await;
    app.org_unit(c, "village", "横山坞村", Some(&town)).await;
    app.org_unit(c, "village", "古城村", Some(&town)).await;
    (pb, town)
}

/// The data rows: (row as the sheet numbers it, cells). Rows 5–10 are good once normalised,
/// 11–13 name an organisation of the county the register does not know, 14–18 are bad.
pub(crate) fn members() -> Vec<(u32, Vec<V>)> {
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
pub(crate) fn bad_rows() -> Vec<(u64, String, String)> {
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

pub(crate) fn workbook(rows: &[(u32, Vec<V>)]) -> Vec<u8> {
    workbook_with(&HEADER, rows)
}

pub(crate) fn workbook_with(header: &[&str], rows: &[(u32, Vec<V>)]) -> Vec<u8> {
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
    for (c, h) in header.iter().enumerate() {
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
pub(crate) fn csv(rows: &[(u32, Vec<V>)]) -> String {
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

pub(crate) async fn upload(
    app: &TestApp,
    token: &str,
    dry_run: bool,
    body: Vec<u8>,
) -> reqwest::Response {
    upload_with(app, token, &format!("dry_run={dry_run}"), body).await
}

pub(crate) async fn upload_with(
    app: &TestApp,
    token: &str,
    query: &str,
    body: Vec<u8>,
) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/api/v1/members/import?{query}")))
        .bearer_auth(token)
        .body(body)
        .send()
        .await
        .expect("upload")
}

pub(crate) fn errors(v: &Value) -> Vec<(u64, String, String)> {
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

pub(crate) fn normalised(v: &Value) -> Vec<(String, String, u64)> {
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
