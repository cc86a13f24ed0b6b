//! The deletion certificate: what was destroyed and deleted, when and by whom, signed with the
//! platform's Ed25519 key. The key is derived from the master key, so no other secret needs
//! keeping; its public half is printed in every certificate and by `shuanglian tenant
//! certificate`, and a county can check the signature with any Ed25519 tool.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use shuanglian_http::privacy::{crypto, keys::Destroyed};

use crate::archive::County;

pub const FORMAT: &str = "shuanglian-deletion-certificate";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Certificate {
    pub format: String,
    pub version: u32,
    pub county: County,
    pub deleted_at: String,
    pub deleted_by: String,
    /// Crypto-shredding: the keys destroyed first, by their wrapped form's SHA-256.
    pub keys_destroyed: Vec<Destroyed>,
    /// Rows deleted, by table.
    pub rows_deleted: std::collections::BTreeMap<String, u64>,
    pub audit_log: AuditRetention,
    /// The platform's Ed25519 public key (base64) this certificate is signed with.
    pub public_key: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRetention {
    pub entries: u64,
    /// The chain's last hash at deletion: the retained log can be matched to it.
    pub head: String,
    /// Kept until this day (China), then purged (at least 6 months, 网络安全法第二十一条).
    pub retained_until: String,
}

/// A certificate as stored and handed out: its exact JSON text and the signature over it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signed {
    pub certificate: String,
    pub signature: String,
}

fn signing_key(master: &[u8; 32]) -> SigningKey {
    SigningKey::from_bytes(&crypto::derive(master, "deletion-certificate-v1"))
}

/// The public key (base64) certificates of this deployment verify under.
pub fn public_key(master: &[u8; 32]) -> String {
    STANDARD.encode(signing_key(master).verifying_key().to_bytes())
}

pub fn sign(master: &[u8; 32], mut cert: Certificate) -> Signed {
    cert.public_key = public_key(master);
    // Serialising a struct of strings, numbers and maps cannot fail.
    let text = serde_json::to_string(&cert).unwrap_or_default();
    let signature = signing_key(master).sign(text.as_bytes());
    Signed {
        certificate: text,
        signature: STANDARD.encode(signature.to_bytes()),
    }
}

/// Checks a signed certificate against a public key (base64); returns the certificate.
pub fn verify(signed: &Signed, public_key: &str) -> Result<Certificate, String> {
    let key: [u8; 32] = STANDARD
        .decode(public_key.trim())
        .ok()
        .and_then(|k| k.try_into().ok())
        .ok_or("公钥格式错误 / malformed public key")?;
    let key = VerifyingKey::from_bytes(&key).map_err(|_| "公钥无效 / invalid public key")?;
    let sig: [u8; 64] = STANDARD
        .decode(signed.signature.trim())
        .ok()
        .and_then(|s| s.try_into().ok())
        .ok_or("签名格式错误 / malformed signature")?;
    key.verify(signed.certificate.as_bytes(), &Signature::from_bytes(&sig))
        .map_err(|_| "签名不符：证书被改动过，或不是该公钥签发的 / signature does not verify")?;
    let cert: Certificate = serde_json::from_str(&signed.certificate).map_err(|e| e.to_string())?;
    if cert.format != FORMAT {
        return Err(format!("not a {FORMAT}"));
    }
    Ok(cert)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cert() -> Certificate {
        Certificate {
            format: FORMAT.into(),
            version: 1,
            county: County {
                id: "x".into(),
                code: "330523".into(),
                name: "安吉县".into(),
                province_code: "330000".into(),
                status: "suspended".into(),
            },
            deleted_at: "2026-12-08T01:00:00".into(),
            deleted_by: "cli".into(),
            keys_destroyed: vec![],
            rows_deleted: [("members".to_owned(), 3)].into_iter().collect(),
            audit_log: AuditRetention {
                entries: 4,
                head: "ab".into(),
                retained_until: "2027-06-08".into(),
            },
            public_key: String::new(),
        }
    }

    #[test]
    fn a_certificate_verifies_and_any_change_is_caught() {
        let master = [7u8; 32];
        let signed = sign(&master, cert());
        let back = verify(&signed, &public_key(&master)).expect("verifies");
        assert_eq!(back.rows_deleted["members"], 3);
        let forged = Signed {
            certificate: signed.certificate.replace("\"members\":3", "\"members\":2"),
            ..signed.clone()
        };
        assert!(verify(&forged, &public_key(&master)).is_err());
        assert!(verify(&signed, &public_key(&[8u8; 32])).is_err());
        assert!(verify(&signed, "not base64").is_err());
    }
}
