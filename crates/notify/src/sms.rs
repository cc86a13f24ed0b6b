//! SMS through Alibaba Cloud's SMS API (阿里云短信服务, `dysmsapi`, action `SendSms`, version
//! 2017-05-25), signed as its RPC API v1 asks: the parameters sorted, percent-encoded as RFC 3986
//! (`%20`, `%2A`, `~`), `POST&%2F&` + the encoded query, HMAC-SHA1 with the secret and `&`,
//! base64. The delivery id goes as `OutId`, the gateway's field for the sender's own serial, so
//! a resend after a crash can be recognised. A gateway that speaks the same protocol for tests
//! and the demo is [`crate::fake`].

use std::collections::BTreeMap;

use base64::Engine;
use hmac::{Hmac, Mac};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use secrecy::{ExposeSecret, SecretString};

use crate::model::Outcome;

/// RFC 3986 unreserved characters stay; everything else is `%XX` (so a space is `%20`).
const RFC3986: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

pub fn encode(s: &str) -> String {
    utf8_percent_encode(s, RFC3986).to_string()
}

/// The canonical query of a parameter set (sorted by name) and its signature.
pub fn sign(method: &str, params: &BTreeMap<String, String>, secret: &str) -> (String, String) {
    let query = params
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let to_sign = format!("{method}&{}&{}", encode("/"), encode(&query));
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(format!("{secret}&").as_bytes())
        .expect("HMAC takes a key of any length");
    mac.update(to_sign.as_bytes());
    let signature = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    (query, signature)
}

/// The platform's gateway account (from the server's configuration).
#[derive(Clone)]
pub struct SmsGateway {
    endpoint: String,
    access_key_id: String,
    access_key_secret: SecretString,
    http: reqwest::Client,
}

/// One message: the county's signature and template, the template's parameters, the delivery
/// id as the sender's serial.
pub struct SmsMessage<'a> {
    pub phone: &'a str,
    pub sign_name: &'a str,
    pub template_code: &'a str,
    pub params: serde_json::Value,
    pub out_id: &'a str,
}

/// The gateway's reply (a subset of its fields).
#[derive(Debug, serde::Deserialize)]
struct Reply {
    #[serde(rename = "Code")]
    code: Option<String>,
    #[serde(rename = "BizId")]
    biz_id: Option<String>,
}

impl SmsGateway {
    pub fn new(
        endpoint: String,
        access_key_id: String,
        access_key_secret: SecretString,
        http: reqwest::Client,
    ) -> Self {
        SmsGateway {
            endpoint,
            access_key_id,
            access_key_secret,
            http,
        }
    }

    /// The signed form of one `SendSms` call at an instant, with a fresh nonce.
    pub fn form(&self, m: &SmsMessage<'_>, at: chrono::DateTime<chrono::Utc>) -> String {
        let mut p = BTreeMap::new();
        for (k, v) in [
            ("AccessKeyId", self.access_key_id.as_str()),
            ("Action", "SendSms"),
            ("Format", "JSON"),
            ("RegionId", "cn-hangzhou"),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureVersion", "1.0"),
            ("Version", "2017-05-25"),
            ("PhoneNumbers", m.phone),
            ("SignName", m.sign_name),
            ("TemplateCode", m.template_code),
            ("OutId", m.out_id),
        ] {
            p.insert(k.to_owned(), v.to_owned());
        }
        p.insert("TemplateParam".into(), m.params.to_string());
        p.insert(
            "SignatureNonce".into(),
            uuid::Uuid::now_v7().simple().to_string(),
        );
        p.insert(
            "Timestamp".into(),
            at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        );
        let (query, signature) = sign("POST", &p, self.access_key_secret.expose_secret());
        format!("Signature={}&{query}", encode(&signature))
    }

    /// Sends one message. Throttling and the gateway's own failures are retried; a refusal of
    /// the number, signature or template is permanent (the county admin fixes it and retries
    /// from the dead-letter list).
    pub async fn send(&self, m: &SmsMessage<'_>) -> Outcome {
        let form = self.form(m, chrono::Utc::now());
        let sent = self
            .http
            .post(&self.endpoint)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form)
            .timeout(std::time::Duration::from_secs(10))
            .send()
            .await;
        let response = match sent {
            Ok(r) => r,
            Err(e) => return Outcome::unanswered(&e),
        };
        let status = response.status();
        let reply: Option<Reply> = response.json().await.ok();
        let code = reply.as_ref().and_then(|r| r.code.clone());
        match (status.as_u16(), code.as_deref()) {
            (200, Some("OK")) => Outcome::Sent(reply.and_then(|r| r.biz_id)),
            (_, Some(c)) => classify(c),
            (s, None) if s >= 500 || s == 429 => Outcome::Retry(format!("http_{s}")),
            (s, None) => Outcome::Permanent(format!("http_{s}")),
        }
    }
}

/// The gateway's error codes: `isp.*` (its side), throttling and flow control are worth
/// retrying; the rest (`isv.*` number/signature/template refusals, bad credentials) are not.
pub fn classify(code: &str) -> Outcome {
    let code: String = code.chars().take(64).collect();
    let transient = code.starts_with("isp.")
        || code.contains("LIMIT_CONTROL")
        || code.starts_with("Throttling")
        || code == "ServiceUnavailable";
    if transient {
        Outcome::Retry(code)
    } else {
        Outcome::Permanent(code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_the_documented_one() {
        // The worked example of Alibaba Cloud's SMS API documentation (HTTP 协议及签名).
        let p: BTreeMap<String, String> = [
            ("AccessKeyId", "testId"),
            ("Action", "SendSms"),
            ("Format", "XML"),
            ("OutId", "123"),
            ("PhoneNumbers", "15300000001"),
            ("RegionId", "cn-hangzhou"),
            ("SignName", "阿里云短信测试专用"),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureNonce", "45e25e9b-0a6f-4070-8c85-2956eda1b466"),
            ("SignatureVersion", "1.0"),
            ("TemplateCode", "SMS_71390007"),
            ("TemplateParam", "{\"customer\":\"test\"}"),
            ("Timestamp", "2017-07-12T02:42:19Z"),
            ("Version", "2017-05-25"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let (_, signature) = sign("GET", &p, "testSecret");
        assert_eq!(signature, "zJDF+Lrzhj/ThnlvIToysFRq6t4=");
    }

    #[test]
    fn encoding_is_rfc3986() {
        assert_eq!(encode("a b*c~d/"), "a%20b%2Ac~d%2F");
        assert_eq!(encode("测"), "%E6%B5%8B");
    }

    #[test]
    fn gateway_codes_are_classified() {
        assert!(matches!(classify("isp.SYSTEM_ERROR"), Outcome::Retry(_)));
        assert!(matches!(
            classify("isv.BUSINESS_LIMIT_CONTROL"),
            Outcome::Retry(_)
        ));
        assert!(matches!(
            classify("isv.MOBILE_NUMBER_ILLEGAL"),
            Outcome::Permanent(_)
        ));
        assert!(matches!(
            classify("SignatureDoesNotMatch"),
            Outcome::Permanent(_)
        ));
        let Outcome::Permanent(long) = classify(&"x".repeat(500)) else {
            panic!("permanent");
        };
        assert_eq!(long.len(), 64);
    }
}
