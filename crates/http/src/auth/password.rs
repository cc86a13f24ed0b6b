//! Passwords: argon2id (the `argon2` crate's defaults: m=19 MiB, t=2, p=1), a length-first
//! policy, and one-time passwords for new accounts.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use secrecy::{ExposeSecret, SecretString};

use shuanglian_core::error::{AppError, FieldError};

pub const MIN_LEN: usize = 10;
pub const MAX_LEN: usize = 128;

/// Checks the policy: 10–128 characters, at least two of letters / digits / other characters,
/// and not containing the user name. Returns the field error to show.
pub fn check_policy(field: &str, password: &str, username: &str) -> Result<(), FieldError> {
    let n = password.chars().count();
    if n < MIN_LEN {
        return Err(FieldError::new(
            field,
            "password_too_short",
            format!("{field}：密码至少需要 {MIN_LEN} 个字符"),
            format!("{field}: password needs at least {MIN_LEN} characters"),
        ));
    }
    if n > MAX_LEN {
        return Err(FieldError::new(
            field,
            "password_too_long",
            format!("{field}：密码不能超过 {MAX_LEN} 个字符"),
            format!("{field}: password may not exceed {MAX_LEN} characters"),
        ));
    }
    let letters = password.chars().any(char::is_alphabetic);
    let digits = password.chars().any(|c| c.is_ascii_digit());
    let others = password.chars().any(|c| !c.is_alphanumeric());
    if [letters, digits, others].iter().filter(|b| **b).count() < 2 {
        return Err(FieldError::new(
            field,
            "password_too_simple",
            format!("{field}：密码需包含字母、数字、符号中的至少两类"),
            format!("{field}: use at least two of letters, digits and symbols"),
        ));
    }
    if !username.is_empty() && password.to_lowercase().contains(&username.to_lowercase()) {
        return Err(FieldError::new(
            field,
            "password_contains_username",
            format!("{field}：密码不能包含用户名"),
            format!("{field}: password may not contain the user name"),
        ));
    }
    Ok(())
}

pub fn hash(password: &str) -> Result<String, AppError> {
    let mut raw = [0u8; 16];
    getrandom::fill(&mut raw)
        .map_err(|e| AppError::internal(anyhow::anyhow!("random source: {e}")))?;
    let salt = SaltString::encode_b64(&raw)
        .map_err(|e| AppError::internal(anyhow::anyhow!("salt: {e}")))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::internal(anyhow::anyhow!("argon2: {e}")))
}

/// Constant-work verification: a missing account is checked against a dummy hash so timing
/// does not reveal which user names exist.
pub fn verify(password: &str, stored: Option<&str>) -> bool {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash("dummy-password-for-timing-1").unwrap_or_default());
    let (hash, real) = match stored {
        Some(h) => (h, true),
        None => (dummy.as_str(), false),
    };
    let ok = PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false);
    ok && real
}

/// A one-time password for a new or reset account: 16 characters from an alphabet without
/// look-alikes, always satisfying the policy.
pub fn one_time() -> SecretString {
    const LETTERS: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ";
    const DIGITS: &[u8] = b"23456789";
    let mut bytes = [0u8; 16];
    // getrandom failing means the OS has no entropy source; nothing sensible can continue.
    getrandom::fill(&mut bytes).expect("operating system random source");
    let mut s = String::with_capacity(19);
    for (i, b) in bytes.iter().enumerate() {
        let set = if i % 4 == 3 { DIGITS } else { LETTERS };
        s.push(set[*b as usize % set.len()] as char);
        if i % 4 == 3 && i != 15 {
            s.push('-');
        }
    }
    SecretString::from(s)
}

pub fn expose(s: &SecretString) -> &str {
    s.expose_secret()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_names_the_field_and_reason() {
        assert_eq!(
            check_policy("new_password", "short1", "bob")
                .unwrap_err()
                .code,
            "password_too_short"
        );
        assert_eq!(
            check_policy("p", "onlyletterslong", "bob")
                .unwrap_err()
                .code,
            "password_too_simple"
        );
        assert_eq!(
            check_policy("p", "xxBob-2026-zz", "bob").unwrap_err().code,
            "password_contains_username"
        );
        let e = check_policy("new_password", "a1", "bob").unwrap_err();
        assert_eq!(e.field, "new_password");
        assert!(e.message.contains("new_password"));
        assert!(check_policy("p", "安吉县-双联-2026", "bob").is_ok());
        assert!(check_policy("p", &"a1".repeat(65), "bob").is_err());
    }

    #[test]
    fn hash_verifies_only_the_right_password() {
        let h = hash("correct-horse-9").expect("hash");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("correct-horse-9", Some(&h)));
        assert!(!verify("wrong-horse-9", Some(&h)));
        assert!(!verify("dummy-password-for-timing-1", None));
    }

    #[test]
    fn one_time_passwords_meet_the_policy_and_differ() {
        let a = one_time();
        let b = one_time();
        assert_ne!(expose(&a), expose(&b));
        assert!(
            check_policy("p", expose(&a), "admin").is_ok(),
            "{}",
            expose(&a)
        );
    }
}
