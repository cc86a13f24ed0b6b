//! A sheet longer than the import's matching chunk (1,000 ID numbers a query): a re-import
//! matches every row wherever it falls, and a change in the last chunk is one update.

use reqwest::StatusCode;
use serde_json::Value;
use shuanglian_tests::{id_number, spawn_app};

use super::sheet::{HEADER, upload, world};

fn sheet(n: u32, phone_of_last: &str) -> String {
    let mut lines = vec![HEADER.join(",")];
    for i in 1..=n {
        // Distinct numbers: the birth day moves every thousand rows.
        let idn = id_number(
            "330523",
            &format!("198001{:02}", 1 + i / 1000),
            &format!("{:03}", i % 1000),
        );
        let digit =
            |k: u32| ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十'][k as usize % 10];
        let name = format!("王{}{}{}", digit(i / 100), digit(i / 10), digit(i));
        let phone = if i == n {
            phone_of_last.to_owned()
        } else {
            format!("138{:08}", i)
        };
        lines.push(format!(
            "{i},{name},,{idn},{phone},330523,是,{name}的店,递铺分会第一支部,递铺分会第一支部,正式,个体工商户,2005-07-01"
        ));
    }
    lines.join("\n")
}

async fn counts(r: reqwest::Response) -> (u64, u64, u64, usize) {
    let status = r.status();
    let v: Value = r.json().await.expect("json");
    let shown: String = v.to_string().chars().take(1500).collect();
    assert_eq!(status, StatusCode::OK, "{shown}");
    let n = |k: &str| v[k].as_u64().unwrap_or(u64::MAX);
    (
        n("created"),
        n("updated"),
        n("unchanged"),
        v["errors"].as_array().map_or(usize::MAX, Vec::len),
    )
}

#[tokio::test]
async fn a_re_import_longer_than_one_matching_chunk_finds_every_member() {
    let app = spawn_app().await;
    let c = app.county("330523", "安吉县").await;
    world(&app, &c).await;
    let tok = &c.admin_token;
    const ROWS: u32 = 2_300;
    let first = sheet(ROWS, "13900000000");
    assert_eq!(
        counts(upload(&app, tok, false, first.clone().into_bytes()).await).await,
        (u64::from(ROWS), 0, 0, 0)
    );
    assert_eq!(
        counts(upload(&app, tok, false, first.into_bytes()).await).await,
        (0, 0, u64::from(ROWS), 0)
    );
    // The last row, in the third chunk, has a new phone: one update, nothing created.
    let changed = sheet(ROWS, "13911112222");
    assert_eq!(
        counts(upload(&app, tok, false, changed.into_bytes()).await).await,
        (0, 1, u64::from(ROWS) - 1, 0)
    );
}
