//! Quarterly filing (季度报送备案): the 10th of the quarter's first month, the review round
//! with its illegal transitions, the upper committees' inboxes, the printable 季报表, the
//! demo data, and isolation between counties and between scopes.

use crate::records_world::{World, record, world};
use serde_json::{Value, json};
use shuanglian_tests::{TestApp, id, problem, send_tagged, spawn_app};

mod deadline;
mod forms;
mod review;

async fn filing(app: &TestApp, tok: &str, period: &str) -> Value {
    app.created(tok, "/api/v1/filings", &json!({ "period": period }))
        .await
}

async fn act(app: &TestApp, tok: &str, fid: &str, what: &str, body: Value) -> (u16, Value) {
    let (s, v, _) =
        send_tagged(app.post(&format!("/api/v1/filings/{fid}/{what}"), tok, &body)).await;
    (s, v)
}

/// The dashboard's quarterly-filing item for a unit and period, as of a day.
async fn obligation(app: &TestApp, w: &World, unit: &str, period: &str, as_of: &str) -> Value {
    let (s, v, _) = send_tagged(app.get(
        &format!("/api/v1/deadlines?kind=quarterly_filing&as_of={as_of}&limit=200"),
        &w.c.admin_token,
    ))
    .await;
    assert_eq!(s, 200, "{v}");
    v["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["subject_id"] == unit && i["period"] == period)
        .cloned()
        .unwrap_or_else(|| panic!("no obligation for {unit} {period}: {v}"))
}

async fn xlsx_text(bytes: &[u8]) -> Vec<String> {
    use shuanglian::onboarding::sheet::{Cell, MEMBER_SHEET, rows};
    let (_, rows) = rows(bytes, MEMBER_SHEET).expect("xlsx");
    rows.iter()
        .flat_map(|(_, r)| r.iter())
        .filter_map(|c| match c {
            Cell::Text(s) => Some(s.clone()),
            _ => None,
        })
        .collect()
}

/// Status of every filing endpoint for `tok` on filing `fid` of unit `unit`.
async fn statuses(app: &TestApp, tok: &str, fid: &str, unit: &str) -> Vec<u16> {
    let p = format!("/api/v1/filings/{fid}");
    let mut out = vec![send_tagged(app.get(&p, tok)).await.0];
    out.push(
        send_tagged(
            app.patch(&p, tok, &json!({ "summary": "x" }))
                .header("If-Match", "\"v1\""),
        )
        .await
        .0,
    );
    out.push(
        send_tagged(
            app.post(&format!("{p}/refresh"), tok, &json!({}))
                .header("If-Match", "\"v1\""),
        )
        .await
        .0,
    );
    for what in ["submit", "accept"] {
        out.push(act(app, tok, fid, what, json!({})).await.0);
    }
    out.push(
        act(app, tok, fid, "return", json!({ "reason": "x" }))
            .await
            .0,
    );
    out.push(
        send_tagged(app.get(&format!("{p}/document.xlsx"), tok))
            .await
            .0,
    );
    out.push(
        send_tagged(app.get(&format!("{p}/document.html"), tok))
            .await
            .0,
    );
    out.push(
        send_tagged(app.get(&format!("/api/v1/filings?unit_id={unit}"), tok))
            .await
            .0,
    );
    out
}
