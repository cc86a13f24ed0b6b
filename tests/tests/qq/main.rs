//! Real-name QQ groups: groups per grid or region and who sees and changes them, rosters with
//! encrypted QQ numbers, imports of the actual member list (paste, xlsx, CSV in UTF-8 and
//! GB18030) and their diff, the join deadline and who is late, the roster history, isolation,
//! and that QQ numbers stay out of the tables and the logs.

use std::io::Write as _;
use std::sync::{Arc, Mutex, OnceLock};

use reqwest::{RequestBuilder, StatusCode};
use serde_json::{Value, json};
use shuanglian_tests::{County, OneGrid, TestApp, fields, id, problem, spawn_app};

mod groups;
mod imports;
mod late;
mod logs;
mod roster;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Everything the server and the harness log while this binary runs, at every level.
fn captured_logs() -> Arc<Mutex<Vec<u8>>> {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let buf = Arc::new(Mutex::new(Vec::new()));
        let sink = buf.clone();
        let subscriber = tracing_subscriber::fmt()
            .json()
            .with_current_span(true)
            .with_span_list(true)
            .with_span_events(tracing_subscriber::fmt::format::FmtSpan::FULL)
            .with_env_filter(tracing_subscriber::EnvFilter::new("trace"))
            .with_writer(move || Sink(sink.clone()))
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("one global subscriber");
        buf
    })
    .clone()
}

struct Sink(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Sink {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

async fn send(r: RequestBuilder) -> (StatusCode, Value, reqwest::header::HeaderMap) {
    let r = r.send().await.expect("send");
    let status = r.status();
    let headers = r.headers().clone();
    let v = r.json().await.unwrap_or(Value::Null);
    (status, v, headers)
}

async fn ok(r: RequestBuilder, expected: u16) -> Value {
    let (s, v, _) = send(r).await;
    assert_eq!(s.as_u16(), expected, "{v}");
    v
}

fn del(app: &TestApp, path: &str, tok: &str) -> RequestBuilder {
    app.client.delete(app.url(path)).bearer_auth(tok)
}

fn names(v: &Value, key: &str) -> Vec<String> {
    let mut n: Vec<String> = v["items"]
        .as_array()
        .unwrap_or_else(|| panic!("{v}"))
        .iter()
        .map(|i| i[key].as_str().expect("str").to_owned())
        .collect();
    n.sort();
    n
}

/// A county with two branches, a grid (AIC office, branch 1's party branch, township 1) and a
/// second township, staff bound across it, and a neighbouring county.
struct World {
    c: County,
    other: County,
    town: String,
    town2: String,
    grid: String,
    maint1: (String, String),
    maint2: (String, String),
    village: String,
    village_tok: String,
    assoc_tok: String,
    aic_tok: String,
    pb2: String,
}

async fn world(app: &TestApp) -> World {
    let OneGrid {
        c,
        committee,
        branch: b1,
        office,
        town,
        village,
        grid,
        ..
    } = app.one_grid().await;
    let other = app.county("330522", "长兴县").await;
    let b2 = app
        .org_unit(&c, "branch", "孝丰分会", Some(&committee))
        .await;
    let pb2 = app
        .org_unit(&c, "party_branch", "孝丰分会第一支部", Some(&b2))
        .await;
    let town2 = app.org_unit(&c, "township", "孝丰镇", None).await;
    let maint1 = app.staff(&c, "branch.one", "branch_staff", Some(&b1)).await;
    let maint2 = app.staff(&c, "branch.two", "branch_staff", Some(&b2)).await;
    let (_, village_tok) = app
        .staff(&c, "village.one", "village_recorder", Some(&village))
        .await;
    let (_, assoc_tok) = app
        .staff(&c, "assoc.one", "association_committee", None)
        .await;
    let (_, aic_tok) = app
        .staff(&c, "aic.one", "aic_recorder", Some(&office))
        .await;
    World {
        c,
        other,
        town,
        town2,
        grid,
        maint1,
        maint2,
        village,
        village_tok,
        assoc_tok,
        aic_tok,
        pb2,
    }
}

/// The grid's group, kept by branch 1's staff member.
async fn grid_group(app: &TestApp, w: &World) -> String {
    let v = ok(
        app.post(
            "/api/v1/qq-groups",
            &w.c.admin_token,
            &json!({ "name": "递铺网格实名制党建QQ群", "group_number": "612345678", "grid_id": w.grid, "maintainer_id": w.maint1.0 }),
        ),
        201,
    )
    .await;
    id(&v)
}

async fn add(app: &TestApp, tok: &str, gid: &str, body: Value) -> Value {
    ok(
        app.post(&format!("/api/v1/qq-groups/{gid}/roster"), tok, &body),
        201,
    )
    .await
}

async fn etag(app: &TestApp, tok: &str, path: &str) -> String {
    let r = app.get(path, tok).send().await.expect("get");
    assert_eq!(r.status(), StatusCode::OK, "{path}");
    r.headers()["etag"].to_str().expect("etag").to_owned()
}

async fn snapshot_count(app: &TestApp, tok: &str, gid: &str) -> usize {
    let v = ok(
        app.get(&format!("/api/v1/qq-groups/{gid}/snapshots"), tok),
        200,
    )
    .await;
    v["items"].as_array().expect("items").len()
}

fn xlsx(rows: &[(&str, &str)], qq_as_number: bool) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "QQ号").expect("h");
    ws.write_string(0, 1, "群昵称").expect("h");
    for (i, (qq, nick)) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        if qq_as_number && let Ok(n) = qq.parse::<f64>() {
            ws.write_number(r, 0, n).expect("n");
        } else {
            ws.write_string(r, 0, *qq).expect("s");
        }
        ws.write_string(r, 1, *nick).expect("s");
    }
    wb.save_to_buffer().expect("xlsx")
}

async fn upload(
    app: &TestApp,
    tok: &str,
    gid: &str,
    ct: &str,
    body: Vec<u8>,
    query: &str,
) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/api/v1/qq-groups/{gid}/snapshots/file{query}")))
        .bearer_auth(tok)
        .header("content-type", ct)
        .body(body)
        .send()
        .await
        .expect("upload")
}
