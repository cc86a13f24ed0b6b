//! Sending requests and reading their answers.

use reqwest::{RequestBuilder, Response};
use serde_json::Value;

use crate::TestApp;

/// Sends a request; returns its status and JSON body (null when it has none).
pub async fn send(r: RequestBuilder) -> (u16, Value) {
    let r = r.send().await.expect("send");
    let s = r.status().as_u16();
    (s, r.json().await.unwrap_or(Value::Null))
}

/// Sends a request; returns its status, JSON body (null when it has none) and ETag (empty
/// when it has none).
pub async fn send_tagged(r: RequestBuilder) -> (u16, Value, String) {
    let r = r.send().await.expect("send");
    let status = r.status().as_u16();
    let tag = r
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let v = r.json().await.unwrap_or(Value::Null);
    (status, v, tag)
}

/// The `id` of a resource in an answer.
pub fn id(v: &Value) -> String {
    v["id"].as_str().unwrap_or_else(|| panic!("{v}")).to_owned()
}

impl TestApp {
    /// POSTs `body` to `path`, asserting 201; returns the created resource.
    pub async fn created(&self, token: &str, path: &str, body: &Value) -> Value {
        let r = self.post(path, token, body).send().await.expect("send");
        let status = r.status().as_u16();
        let text = r.text().await.expect("body");
        assert_eq!(status, 201, "{path}: {text}");
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}: {text}"))
    }
}

/// Reads a problem+json response, asserting its status and code; returns the body.
pub async fn problem(r: Response, status: u16, code: &str) -> Value {
    let got = r.status().as_u16();
    let ct = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let v: Value = r.json().await.unwrap_or(Value::Null);
    assert_eq!(got, status, "status: {v}");
    assert!(
        ct.starts_with("application/problem+json"),
        "content-type {ct}: {v}"
    );
    assert_eq!(v["code"], code, "{v}");
    assert_eq!(v["status"], status, "{v}");
    assert!(
        v["detail"].as_str().is_some_and(|d| !d.is_empty()) && v["detail_en"].as_str().is_some(),
        "{v}"
    );
    v
}

/// The field names a problem lists.
pub fn fields(v: &Value) -> Vec<String> {
    v["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|e| e["field"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}
