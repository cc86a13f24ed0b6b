//! Field encryption and blind indexes with per-county keys.
//!
//! - Key wrapping: each county key is AES-256-GCM-encrypted under the master key, bound (AAD)
//!   to the county, purpose and version, so a wrapped key copied to another row is useless.
//! - Fields: AES-256-GCM with a random 96-bit nonce; AAD binds the county, the field name and
//!   the key version, so a ciphertext moved to another county or column does not decrypt.
//!   Stored as `v<version>.<nonce>.<ciphertext>` (base64url).
//! - Blind index: HMAC-SHA256 under the county's index key over `field \0 value`, truncated to
//!   128 bits: equal values match within one county and field, nothing else is revealed.

use std::collections::BTreeMap;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretBox};
use sha2::Sha256;

use shuanglian_core::tenant::TenantId;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CryptoError {
    #[error("ciphertext is malformed")]
    Malformed,
    #[error("no key version {0} for this county")]
    UnknownVersion(i32),
    #[error("decryption failed (wrong key, county or field, or tampered data)")]
    Authentication,
}

fn random<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).expect("operating system random source");
    b
}

fn seal(key: &[u8; 32], aad: &[u8], plaintext: &[u8]) -> String {
    let cipher = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(key));
    let nonce = random::<12>();
    // Encryption with a valid key and nonce cannot fail for these sizes.
    let ct = cipher
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: plaintext,
                aad,
            },
        )
        .unwrap_or_default();
    format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(nonce),
        URL_SAFE_NO_PAD.encode(ct)
    )
}

fn open(key: &[u8; 32], aad: &[u8], sealed: &str) -> Result<Vec<u8>, CryptoError> {
    let (n, c) = sealed.split_once('.').ok_or(CryptoError::Malformed)?;
    let nonce = URL_SAFE_NO_PAD
        .decode(n)
        .map_err(|_| CryptoError::Malformed)?;
    let ct = URL_SAFE_NO_PAD
        .decode(c)
        .map_err(|_| CryptoError::Malformed)?;
    if nonce.len() != 12 {
        return Err(CryptoError::Malformed);
    }
    let cipher = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(key));
    cipher
        .decrypt(Nonce::from_slice(&nonce), Payload { msg: &ct, aad })
        .map_err(|_| CryptoError::Authentication)
}

fn wrap_aad(tenant: &TenantId, purpose: &str, version: i32) -> Vec<u8> {
    format!("shuanglian-key|{}|{purpose}|v{version}", tenant.as_str()).into_bytes()
}

/// A fresh random key.
pub fn new_key() -> SecretBox<[u8; 32]> {
    SecretBox::new(Box::new(random::<32>()))
}

/// Wraps a county key under the master key.
pub fn wrap(
    master: &[u8; 32],
    tenant: &TenantId,
    purpose: &str,
    version: i32,
    key: &[u8; 32],
) -> String {
    seal(master, &wrap_aad(tenant, purpose, version), key)
}

/// Unwraps a county key; fails if the master key, county, purpose or version differ.
pub fn unwrap(
    master: &[u8; 32],
    tenant: &TenantId,
    purpose: &str,
    version: i32,
    wrapped: &str,
) -> Result<SecretBox<[u8; 32]>, CryptoError> {
    let bytes = open(master, &wrap_aad(tenant, purpose, version), wrapped)?;
    let arr: [u8; 32] = bytes.try_into().map_err(|_| CryptoError::Malformed)?;
    Ok(SecretBox::new(Box::new(arr)))
}

/// A key for one purpose derived from the master key (HMAC-SHA256 as the PRF), so values kept
/// under the master key's authority never use the master key itself.
pub fn derive(master: &[u8; 32], purpose: &str) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(master).expect("HMAC takes any key length");
    mac.update(b"shuanglian-derive|");
    mac.update(purpose.as_bytes());
    mac.finalize().into_bytes().into()
}

/// Encrypts a platform-level secret (one that belongs to no county, e.g. a platform user's TOTP
/// seed) under a key derived from the master key; `context` (what and whose) is bound as AAD.
/// Stored as `p1.<nonce>.<ciphertext>`.
pub fn seal_platform(master: &[u8; 32], context: &str, plaintext: &[u8]) -> String {
    let key = derive(master, "platform-secrets-v1");
    format!(
        "p1.{}",
        seal(
            &key,
            format!("shuanglian-platform|{context}").as_bytes(),
            plaintext
        )
    )
}

/// Opens what [`seal_platform`] sealed with the same master key and context.
pub fn open_platform(
    master: &[u8; 32],
    context: &str,
    sealed: &str,
) -> Result<Vec<u8>, CryptoError> {
    let rest = sealed.strip_prefix("p1.").ok_or(CryptoError::Malformed)?;
    let key = derive(master, "platform-secrets-v1");
    open(
        &key,
        format!("shuanglian-platform|{context}").as_bytes(),
        rest,
    )
}

/// One county's unwrapped keys, for the length of a request. Built only with the current
/// data key present, so encryption never needs a fallback key.
pub struct CountyKeys {
    tenant: TenantId,
    data: BTreeMap<i32, SecretBox<[u8; 32]>>,
    current: i32,
    current_key: SecretBox<[u8; 32]>,
    index: SecretBox<[u8; 32]>,
}

impl std::fmt::Debug for CountyKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "CountyKeys({}, current v{}, [REDACTED])",
            self.tenant.as_str(),
            self.current
        )
    }
}

impl CountyKeys {
    /// Fails with [`CryptoError::UnknownVersion`] when the current version has no key (no
    /// current row, or its row is missing): encrypting must never make a key up.
    pub fn new(
        tenant: TenantId,
        data: BTreeMap<i32, SecretBox<[u8; 32]>>,
        current: i32,
        index: SecretBox<[u8; 32]>,
    ) -> Result<Self, CryptoError> {
        let current_key = data
            .get(&current)
            .map(|k| SecretBox::new(Box::new(*k.expose_secret())))
            .ok_or(CryptoError::UnknownVersion(current))?;
        Ok(Self {
            tenant,
            data,
            current,
            current_key,
            index,
        })
    }

    pub fn current_version(&self) -> i32 {
        self.current
    }

    fn aad(&self, field: &str, version: i32) -> Vec<u8> {
        format!(
            "shuanglian-field|{}|{field}|v{version}",
            self.tenant.as_str()
        )
        .into_bytes()
    }

    /// Encrypts a field value with the current data key.
    pub fn encrypt(&self, field: &str, plaintext: &str) -> String {
        format!(
            "v{}.{}",
            self.current,
            seal(
                self.current_key.expose_secret(),
                &self.aad(field, self.current),
                plaintext.as_bytes()
            )
        )
    }

    pub fn decrypt(&self, field: &str, stored: &str) -> Result<String, CryptoError> {
        let (v, rest) = stored.split_once('.').ok_or(CryptoError::Malformed)?;
        let version: i32 = v
            .strip_prefix('v')
            .and_then(|v| v.parse().ok())
            .ok_or(CryptoError::Malformed)?;
        let key = self
            .data
            .get(&version)
            .ok_or(CryptoError::UnknownVersion(version))?;
        let bytes = open(key.expose_secret(), &self.aad(field, version), rest)?;
        String::from_utf8(bytes).map_err(|_| CryptoError::Malformed)
    }

    /// Keyed index of a (normalised) value for exact search.
    pub fn blind_index(&self, field: &str, value: &str) -> String {
        // HMAC accepts keys of any length.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(self.index.expose_secret())
            .expect("HMAC takes any key length");
        mac.update(field.as_bytes());
        mac.update(&[0]);
        mac.update(value.as_bytes());
        hex::encode(&mac.finalize().into_bytes()[..16])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(tenant: &TenantId, versions: &[i32], current: i32, index: [u8; 32]) -> CountyKeys {
        let data = versions
            .iter()
            .map(|v| (*v, SecretBox::new(Box::new([*v as u8; 32]))))
            .collect();
        CountyKeys::new(
            tenant.clone(),
            data,
            current,
            SecretBox::new(Box::new(index)),
        )
        .expect("current version present")
    }

    #[test]
    fn a_missing_current_key_is_an_error_not_a_made_up_key() {
        let t = TenantId::new();
        let data: BTreeMap<i32, SecretBox<[u8; 32]>> =
            BTreeMap::from([(1, SecretBox::new(Box::new([5; 32])))]);
        // No current row at all (version 0), or a current version whose key row is gone.
        for current in [0, 2] {
            let e = CountyKeys::new(
                t.clone(),
                BTreeMap::from([(1, SecretBox::new(Box::new([5; 32])))]),
                current,
                SecretBox::new(Box::new([1; 32])),
            )
            .unwrap_err();
            assert_eq!(e, CryptoError::UnknownVersion(current));
        }
        // With the key present it seals under that key: an all-zero key does not open it.
        let k =
            CountyKeys::new(t.clone(), data, 1, SecretBox::new(Box::new([1; 32]))).expect("keys");
        let ct = k.encrypt("phone", "13812345678");
        assert_eq!(k.decrypt("phone", &ct).expect("decrypt"), "13812345678");
        let (_, sealed) = ct.split_once('.').expect("versioned");
        assert_eq!(
            open(&[0; 32], &k.aad("phone", 1), sealed),
            Err(CryptoError::Authentication)
        );
    }

    #[test]
    fn fields_round_trip_and_are_bound_to_county_field_and_key() {
        let a = TenantId::new();
        let b = TenantId::new();
        let ka = keys(&a, &[1], 1, [7; 32]);
        let ct = ka.encrypt("phone", "13812345678");
        assert!(ct.starts_with("v1.") && !ct.contains("13812345678"));
        assert_ne!(ct, ka.encrypt("phone", "13812345678"), "random nonces");
        assert_eq!(ka.decrypt("phone", &ct).expect("decrypt"), "13812345678");
        assert_eq!(
            ka.decrypt("qq", &ct),
            Err(CryptoError::Authentication),
            "another column"
        );
        let kb = keys(&b, &[1], 1, [7; 32]);
        assert_eq!(
            kb.decrypt("phone", &ct),
            Err(CryptoError::Authentication),
            "another county, same key bytes"
        );
        let mut tampered = ct.clone();
        tampered.pop();
        tampered.push(if ct.ends_with('A') { 'B' } else { 'A' });
        assert!(ka.decrypt("phone", &tampered).is_err());
        assert_eq!(ka.decrypt("phone", "garbage"), Err(CryptoError::Malformed));
    }

    #[test]
    fn rotation_keeps_old_ciphertexts_readable() {
        let t = TenantId::new();
        let old = keys(&t, &[1], 1, [9; 32]).encrypt("id_number", "x");
        let rotated = keys(&t, &[1, 2], 2, [9; 32]);
        assert!(rotated.encrypt("id_number", "y").starts_with("v2."));
        assert_eq!(
            rotated.decrypt("id_number", &old).expect("old version"),
            "x"
        );
        assert_eq!(
            keys(&t, &[2], 2, [9; 32]).decrypt("id_number", &old),
            Err(CryptoError::UnknownVersion(1))
        );
    }

    #[test]
    fn blind_indexes_match_only_within_county_and_field() {
        let t = TenantId::new();
        let k = keys(&t, &[1], 1, [3; 32]);
        assert_eq!(
            k.blind_index("phone", "13812345678"),
            k.blind_index("phone", "13812345678")
        );
        assert_ne!(
            k.blind_index("phone", "13812345678"),
            k.blind_index("qq", "13812345678")
        );
        let other = keys(&TenantId::new(), &[1], 1, [4; 32]);
        assert_ne!(
            k.blind_index("phone", "13812345678"),
            other.blind_index("phone", "13812345678")
        );
        assert_eq!(k.blind_index("phone", "1").len(), 32);
    }

    #[test]
    fn platform_secrets_are_bound_to_master_key_and_context() {
        let master = [8u8; 32];
        let s = seal_platform(&master, "totp|u1", b"SECRET");
        assert!(s.starts_with("p1.") && !s.contains("SECRET"));
        assert_eq!(
            open_platform(&master, "totp|u1", &s).expect("open"),
            b"SECRET"
        );
        assert_eq!(
            open_platform(&master, "totp|u2", &s),
            Err(CryptoError::Authentication),
            "another user's row"
        );
        assert_eq!(
            open_platform(&[9u8; 32], "totp|u1", &s),
            Err(CryptoError::Authentication),
            "another master key"
        );
        assert_eq!(
            open_platform(&master, "totp|u1", "v1.abc.def"),
            Err(CryptoError::Malformed)
        );
        assert_ne!(derive(&master, "a"), derive(&master, "b"));
        assert_ne!(derive(&master, "a"), master);
    }

    #[test]
    fn wrapped_keys_only_unwrap_in_their_place() {
        let master = [5u8; 32];
        let t = TenantId::new();
        let key = new_key();
        let w = wrap(&master, &t, "data", 1, key.expose_secret());
        assert_eq!(
            unwrap(&master, &t, "data", 1, &w)
                .expect("unwrap")
                .expose_secret(),
            key.expose_secret()
        );
        assert!(unwrap(&master, &t, "data", 2, &w).is_err(), "version bound");
        assert!(
            unwrap(&master, &t, "index", 1, &w).is_err(),
            "purpose bound"
        );
        assert!(
            unwrap(&master, &TenantId::new(), "data", 1, &w).is_err(),
            "county bound"
        );
        assert!(
            unwrap(&[6u8; 32], &t, "data", 1, &w).is_err(),
            "master bound"
        );
    }
}
