//! The county's signed webhook: a JSON POST per notice, with
//! - `Idempotency-Key`: the delivery id, the same on every attempt, so the receiver can drop a
//!   repeat (delivery is at least once);
//! - `X-Shuanglian-Timestamp`: Unix seconds of this attempt;
//! - `X-Shuanglian-Signature`: `sha256=` + hex HMAC-SHA256 of `timestamp.body` with the county's
//!   secret, so the receiver can check the sender and refuse a replay of an old timestamp.

use hmac::{Hmac, Mac};
use serde::Serialize;

use crate::model::Outcome;

/// What the receiver gets: the notice, never a member.
#[derive(Debug, Clone, Serialize)]
pub struct Payload<'a> {
    pub delivery_id: &'a str,
    pub notice_id: &'a str,
    pub county: &'a str,
    pub topic: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    pub recipient_org_unit_id: &'a str,
    pub created_at: String,
}

/// `sha256=<hex>` over `timestamp.body`.
pub fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mut signed = format!("{timestamp}.").into_bytes();
    signed.extend_from_slice(body);
    format!("sha256={}", hmac_sha256_hex(secret, &signed))
}

fn hmac_sha256_hex(secret: &str, message: &[u8]) -> String {
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes())
        .expect("HMAC takes a key of any length");
    mac.update(message);
    hex::encode(mac.finalize().into_bytes())
}

/// Posts one notice. 2xx is delivered; 408, 429, 5xx and network failures are retried; any
/// other answer is permanent (the receiver refused it).
pub async fn post(http: &reqwest::Client, url: &str, secret: &str, p: &Payload<'_>) -> Outcome {
    let body = match serde_json::to_vec(p) {
        Ok(b) => b,
        Err(_) => return Outcome::Permanent("payload".into()),
    };
    let ts = chrono::Utc::now().timestamp();
    let sent = http
        .post(url)
        .header("content-type", "application/json")
        .header("idempotency-key", p.delivery_id)
        .header("x-shuanglian-timestamp", ts.to_string())
        .header("x-shuanglian-signature", signature(secret, ts, &body))
        .body(body)
        .timeout(std::time::Duration::from_secs(10))
        .send()
        .await;
    match sent {
        Ok(r) if r.status().is_success() => Outcome::Sent(None),
        Ok(r) => {
            let s = r.status().as_u16();
            if s == 408 || s == 429 || s >= 500 {
                Outcome::Retry(format!("http_{s}"))
            } else {
                Outcome::Permanent(format!("http_{s}"))
            }
        }
        Err(e) => Outcome::unanswered(&e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_hmac_sha256_of_timestamp_dot_body() {
        // The well-known HMAC-SHA256 example (key "key", the quick brown fox).
        assert_eq!(
            hmac_sha256_hex("key", b"The quick brown fox jumps over the lazy dog"),
            "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
        );
        assert_eq!(
            signature("key", 1_700_000_000, b"{}"),
            format!("sha256={}", hmac_sha256_hex("key", b"1700000000.{}"))
        );
    }
}
