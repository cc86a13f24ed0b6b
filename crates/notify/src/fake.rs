//! A local SMS gateway that speaks Alibaba Cloud's `SendSms` protocol, for the tests and the
//! demo (`shuanglian fake-sms-gateway`): no real gateway can be reached from here. It checks
//! what the real one checks before sending (the access key, the HMAC-SHA1 signature over the
//! sorted parameters, a fresh nonce, the action and version, an 11-digit mainland number, the
//! template parameters as JSON) and answers in its format (`Code`, `Message`, `BizId`,
//! `RequestId`). It keeps what it accepted, and can be told to fail the next requests.
//!
//! Test hooks, outside the protocol: `GET /__fake/messages` (what was accepted, numbers
//! masked) and `POST /__fake/fail?count=N&status=S&code=C` (the next N requests fail so).

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex};

use poem::listener::{Acceptor, Listener, TcpListener};
use poem::web::{Data, Form, Json, Query};
use poem::{EndpointExt, IntoResponse, Response, Route, Server, handler, post};
use serde::{Deserialize, Serialize};

use crate::sms;
use shuanglian_http::privacy::identity::MobileNumber;

/// One accepted message.
#[derive(Debug, Clone, Serialize)]
pub struct Received {
    pub biz_id: String,
    pub out_id: String,
    /// The number as sent; [`FakeGateway::messages_masked`] hides it.
    pub phone: String,
    pub sign_name: String,
    pub template_code: String,
    pub template_param: serde_json::Value,
}

#[derive(Default)]
struct State {
    access_key_id: String,
    secret: String,
    received: Vec<Received>,
    nonces: HashSet<String>,
    /// Requests to fail next: (HTTP status, gateway code).
    failures: Vec<(u16, String)>,
    requests: usize,
}

/// A running fake gateway.
#[derive(Clone)]
pub struct FakeGateway {
    state: Arc<Mutex<State>>,
    pub url: String,
}

impl FakeGateway {
    /// Starts on `listen` (`127.0.0.1:0` for any free port) with the account it accepts.
    pub async fn start(listen: &str, access_key_id: &str, secret: &str) -> std::io::Result<Self> {
        let state = Arc::new(Mutex::new(State {
            access_key_id: access_key_id.to_owned(),
            secret: secret.to_owned(),
            ..State::default()
        }));
        let acceptor = TcpListener::bind(listen.to_owned()).into_acceptor().await?;
        let addr = acceptor
            .local_addr()
            .first()
            .and_then(|a| a.as_socket_addr().copied())
            .ok_or_else(|| std::io::Error::other("no local address"))?;
        let app = Route::new()
            .at("/", post(send_sms))
            .at("/__fake/messages", poem::get(messages))
            .at("/__fake/fail", post(fail))
            .data(state.clone());
        tokio::spawn(async move {
            let _ = Server::new_with_acceptor(acceptor).run(app).await;
        });
        Ok(FakeGateway {
            state,
            url: format!("http://{addr}/"),
        })
    }

    /// Everything accepted so far, in order.
    pub fn messages(&self) -> Vec<Received> {
        self.lock().received.clone()
    }

    /// Requests seen, accepted or not.
    pub fn requests(&self) -> usize {
        self.lock().requests
    }

    /// The next `count` requests fail with this HTTP status and gateway code.
    pub fn fail_next(&self, count: usize, status: u16, code: &str) {
        let mut s = self.lock();
        s.failures
            .extend(std::iter::repeat_n((status, code.to_owned()), count));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn reply(status: u16, code: &str, message: &str, biz_id: Option<&str>) -> Response {
    let mut body = serde_json::json!({
        "RequestId": uuid::Uuid::now_v7().to_string().to_uppercase(),
        "Code": code,
        "Message": message,
    });
    if let Some(b) = biz_id {
        body["BizId"] = serde_json::Value::String(b.to_owned());
    }
    Json(body)
        .with_status(poem::http::StatusCode::from_u16(status).unwrap_or_default())
        .into_response()
}

#[handler]
fn send_sms(
    Form(mut p): Form<BTreeMap<String, String>>,
    state: Data<&Arc<Mutex<State>>>,
) -> Response {
    let mut s = state.lock().unwrap_or_else(|p| p.into_inner());
    s.requests += 1;
    if !s.failures.is_empty() {
        let (status, code) = s.failures.remove(0);
        return reply(status, &code, "injected failure", None);
    }
    let Some(signature) = p.remove("Signature") else {
        return reply(400, "MissingSignature", "Signature is mandatory", None);
    };
    let get = |k: &str| p.get(k).map(String::as_str).unwrap_or_default();
    if get("AccessKeyId") != s.access_key_id {
        return reply(
            404,
            "InvalidAccessKeyId.NotFound",
            "Specified access key is not found.",
            None,
        );
    }
    if get("SignatureMethod") != "HMAC-SHA1" || get("SignatureVersion") != "1.0" {
        return reply(
            400,
            "InvalidParameter",
            "SignatureMethod or SignatureVersion",
            None,
        );
    }
    let (_, expected) = sms::sign("POST", &p, &s.secret);
    if signature != expected {
        return reply(
            400,
            "SignatureDoesNotMatch",
            "Specified signature is not matched with our calculation.",
            None,
        );
    }
    let nonce = get("SignatureNonce").to_owned();
    if nonce.is_empty() || !s.nonces.insert(nonce) {
        return reply(
            400,
            "SignatureNonceUsed",
            "Specified signature nonce was used already.",
            None,
        );
    }
    if get("Action") != "SendSms" || get("Version") != "2017-05-25" {
        return reply(
            400,
            "InvalidAction.NotFound",
            "Specified api is not found",
            None,
        );
    }
    let phone = get("PhoneNumbers");
    if phone.len() != 11 || !phone.starts_with('1') || !phone.bytes().all(|b| b.is_ascii_digit()) {
        return reply(200, "isv.MOBILE_NUMBER_ILLEGAL", "非法手机号", None);
    }
    if get("SignName").is_empty() {
        return reply(
            200,
            "isv.SMS_SIGNATURE_ILLEGAL",
            "该账号下找不到对应签名",
            None,
        );
    }
    if !get("TemplateCode").starts_with("SMS_") {
        return reply(
            200,
            "isv.SMS_TEMPLATE_ILLEGAL",
            "该账号下找不到对应模板",
            None,
        );
    }
    let Ok(template_param) = serde_json::from_str::<serde_json::Value>(get("TemplateParam")) else {
        return reply(
            200,
            "isv.INVALID_JSON_PARAM",
            "JSON参数不合法，只接受字符串值",
            None,
        );
    };
    let biz_id = format!("{}^0", s.received.len() + 1);
    let r = Received {
        biz_id: biz_id.clone(),
        out_id: get("OutId").to_owned(),
        phone: phone.to_owned(),
        sign_name: get("SignName").to_owned(),
        template_code: get("TemplateCode").to_owned(),
        template_param,
    };
    // What the demo's operator sees: never the whole number.
    tracing::info!(out_id = %r.out_id, phone = %mask(&r.phone), "fake SMS gateway accepted a message");
    s.received.push(r);
    reply(200, "OK", "OK", Some(&biz_id))
}

fn mask(phone: &str) -> String {
    MobileNumber::parse("phone", phone).map_or_else(|_| "***".into(), |m| m.masked())
}

#[handler]
fn messages(state: Data<&Arc<Mutex<State>>>) -> Json<serde_json::Value> {
    let s = state.lock().unwrap_or_else(|p| p.into_inner());
    let list: Vec<_> = s
        .received
        .iter()
        .map(|r| Received {
            phone: mask(&r.phone),
            ..r.clone()
        })
        .collect();
    Json(serde_json::json!({ "requests": s.requests, "messages": list }))
}

#[derive(Deserialize)]
struct FailQuery {
    count: usize,
    status: Option<u16>,
    code: Option<String>,
}

#[handler]
fn fail(Query(q): Query<FailQuery>, state: Data<&Arc<Mutex<State>>>) -> Json<serde_json::Value> {
    let mut s = state.lock().unwrap_or_else(|p| p.into_inner());
    let entry = (
        q.status.unwrap_or(500),
        q.code.unwrap_or_else(|| "isp.SYSTEM_ERROR".into()),
    );
    s.failures
        .extend(std::iter::repeat_n(entry, q.count.min(10_000)));
    Json(serde_json::json!({ "failing": s.failures.len() }))
}

#[cfg(test)]
mod tests {
    #[test]
    fn numbers_are_masked() {
        assert_eq!(super::mask("13812345678"), "138****5678");
        assert_eq!(super::mask("123"), "***");
        assert_eq!(super::mask("12345678901"), "***");
    }
}
