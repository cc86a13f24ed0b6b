//! 二次验证 TOTP second factor (RFC 6238).
//!
//! Parameters are the ones every authenticator app understands (Google Authenticator, Microsoft
//! Authenticator, FreeOTP, 腾讯身份验证器, `oathtool`): HMAC-SHA-1, 6 digits, 30-second steps,
//! a 160-bit random secret shown as base32. SHA-256 would buy nothing here (HMAC-SHA-1 is not
//! weakened by SHA-1 collisions) and several apps silently compute SHA-1 anyway.
//!
//! County admins, platform operators and provincial accounts must enrol; other roles may.
//! One step of clock difference is accepted either way, and a step once accepted is never
//! accepted again for that account (RFC 6238 §5.2), so an observed code cannot be replayed.
//!
//! The rules live here as plain functions; [`repo`] stores enrolments (secrets encrypted),
//! [`service`] runs them for county and platform accounts alike, [`api`] is the HTTP edge.

pub mod repo;
pub mod service;

use std::time::{SystemTime, UNIX_EPOCH};

use secrecy::{ExposeSecret, SecretString};
use totp_rs::{Algorithm, Builder, Secret, Totp};

use super::Role;

/// Shown by the authenticator app above the account name.
pub const ISSUER: &str = "双联 Shuanglian";
pub const DIGITS: u8 = 6;
/// Seconds per time step.
pub const PERIOD: u64 = 30;
/// Steps of clock difference accepted before and after the server's current step.
pub const SKEW: u64 = 1;
/// Secret length: 160 bits, as RFC 4226 §4 recommends.
const SECRET_BYTES: usize = 20;

/// Whether accounts of this role must have a second factor (SPEC §1: those who see everything in
/// a county, or across counties).
pub fn required_for(role: Role) -> bool {
    matches!(
        role,
        Role::CountyAdmin | Role::PlatformOperator | Role::ProvincialOffice
    )
}

/// A fresh random secret, base32 (RFC 4648, no padding) as authenticator apps take it.
pub fn new_secret() -> SecretString {
    let mut raw = [0u8; SECRET_BYTES];
    getrandom::fill(&mut raw).expect("operating system random source");
    SecretString::from(Secret::from(raw).to_base32())
}

/// Whether a stored or typed secret is usable (valid base32 of at least 128 bits).
pub fn valid_secret(secret_b32: &str) -> bool {
    generator(secret_b32).is_some()
}

/// A generator without skew: [`check`] walks the accepted steps itself, to skip used ones.
fn generator(secret_b32: &str) -> Option<Totp> {
    let bytes = Secret::try_from_base32(secret_b32.trim().to_uppercase()).ok()?;
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(DIGITS)
        .with_step_duration(PERIOD)
        .with_skew(0)
        .with_secret(bytes)
        .build()
        .ok()
}

/// The authenticator's account label: `<user name>@<county code>`, or `@platform` and
/// `@<province code>` for accounts outside a county. Never a person's name.
pub fn account_label(username: &str, scope: &str) -> String {
    format!("{username}@{scope}")
}

/// The `otpauth://totp/…` URI an authenticator app imports (usually as a QR code).
pub fn otpauth_uri(secret: &SecretString, account: &str) -> Option<String> {
    let bytes = Secret::try_from_base32(secret.expose_secret()).ok()?;
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(DIGITS)
        .with_step_duration(PERIOD)
        .with_secret(bytes)
        .with_issuer(Some(ISSUER))
        .with_account_name(account)
        .build()
        .ok()?
        .to_url()
        .ok()
}

pub fn now_unix() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

/// The time step a Unix time falls in.
pub fn step_at(unix: u64) -> u64 {
    unix / PERIOD
}

/// The code for a Unix time (for `shuanglian totp-code`, the demo and tests).
pub fn code_at(secret_b32: &str, unix: u64) -> Option<String> {
    generator(secret_b32).map(|t| t.generate(unix).to_string())
}

/// What a presented code turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeCheck {
    /// Valid for this step, which was not used before: record it as the last used step.
    Accepted(u64),
    /// Not a code of any accepted step (or not six digits at all).
    Invalid,
    /// A valid code, but of a step already used (or older than one used).
    Replayed,
}

/// Checks a typed code against the secret at `now`: steps `now-1 ..= now+1` are accepted,
/// except those at or before `last_step`. Spaces are ignored (apps show `123 456`).
pub fn check(secret_b32: &str, code: &str, now: u64, last_step: Option<i64>) -> CodeCheck {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != DIGITS as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
        return CodeCheck::Invalid;
    }
    let Some(t) = generator(secret_b32) else {
        return CodeCheck::Invalid;
    };
    let current = step_at(now);
    let used = |s: u64| last_step.is_some_and(|l| i64::try_from(s).map_or(true, |s| s <= l));
    let mut replayed = false;
    for s in current.saturating_sub(SKEW)..=current + SKEW {
        // `check` compares in constant time; with skew 0 it looks at exactly step `s`.
        if t.check(&code, s * PERIOD).is_some() {
            if used(s) {
                replayed = true;
            } else {
                return CodeCheck::Accepted(s);
            }
        }
    }
    if replayed {
        CodeCheck::Replayed
    } else {
        CodeCheck::Invalid
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shuanglian_core::enums::StrEnum;

    /// RFC 6238 Appendix B's SHA-1 seed, "12345678901234567890", in base32.
    const RFC_SEED: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    #[test]
    fn codes_match_the_rfc_6238_test_vectors() {
        // Appendix B lists 8-digit values; the 6-digit code is their last six digits.
        for (time, eight) in [
            (59u64, "94287082"),
            (1_111_111_109, "07081804"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
        ] {
            assert_eq!(
                code_at(RFC_SEED, time).as_deref(),
                Some(&eight[2..]),
                "{time}"
            );
        }
    }

    #[test]
    fn one_step_of_skew_either_way_and_no_more() {
        let now = 1_700_000_015;
        let at = |dt: i64| code_at(RFC_SEED, (now as i64 + dt) as u64).expect("code");
        let step = step_at(now);
        assert_eq!(
            check(RFC_SEED, &at(0), now, None),
            CodeCheck::Accepted(step)
        );
        assert_eq!(
            check(RFC_SEED, &at(-30), now, None),
            CodeCheck::Accepted(step - 1)
        );
        assert_eq!(
            check(RFC_SEED, &at(30), now, None),
            CodeCheck::Accepted(step + 1)
        );
        assert_eq!(check(RFC_SEED, &at(-60), now, None), CodeCheck::Invalid);
        assert_eq!(check(RFC_SEED, &at(60), now, None), CodeCheck::Invalid);
    }

    #[test]
    fn a_used_step_is_never_accepted_again() {
        let now = 1_700_000_015;
        let step = step_at(now) as i64;
        let code = code_at(RFC_SEED, now).expect("code");
        assert_eq!(check(RFC_SEED, &code, now, Some(step)), CodeCheck::Replayed);
        // Nor an older one once a newer step was used.
        let older = code_at(RFC_SEED, now - 30).expect("code");
        assert_eq!(
            check(RFC_SEED, &older, now, Some(step)),
            CodeCheck::Replayed
        );
        // The next step's code is still fine.
        let next = code_at(RFC_SEED, now + 30).expect("code");
        assert_eq!(
            check(RFC_SEED, &next, now, Some(step)),
            CodeCheck::Accepted(step as u64 + 1)
        );
    }

    #[test]
    fn malformed_codes_are_invalid_and_spaces_are_ignored() {
        let now = 1_700_000_015;
        let code = code_at(RFC_SEED, now).expect("code");
        let spaced = format!("{} {}", &code[..3], &code[3..]);
        assert!(matches!(
            check(RFC_SEED, &spaced, now, None),
            CodeCheck::Accepted(_)
        ));
        for bad in ["", "12345", "1234567", "12a456", "+12345", "１２３４５６"] {
            assert_eq!(check(RFC_SEED, bad, now, None), CodeCheck::Invalid, "{bad}");
        }
        assert_eq!(check("not base32!", &code, now, None), CodeCheck::Invalid);
    }

    #[test]
    fn secrets_are_160_bit_base32_and_the_uri_names_issuer_and_account() {
        let s = new_secret();
        assert_eq!(s.expose_secret().len(), 32);
        assert!(valid_secret(s.expose_secret()));
        assert_ne!(s.expose_secret(), new_secret().expose_secret());
        assert!(!valid_secret("AAAA"), "shorter than 128 bits");
        let uri = otpauth_uri(&s, &account_label("admin.330523", "330523")).expect("uri");
        assert!(uri.starts_with("otpauth://totp/"), "{uri}");
        assert!(
            uri.contains(&format!("secret={}", s.expose_secret())),
            "{uri}"
        );
        assert!(uri.contains("admin.330523%40330523"), "{uri}");
        // The issuer is percent-encoded UTF-8: 双联 Shuanglian.
        assert!(
            uri.contains("issuer=%E5%8F%8C%E8%81%94%20Shuanglian"),
            "{uri}"
        );
        assert!(
            !uri.contains("algorithm=") && !uri.contains("digits=") && !uri.contains("period="),
            "defaults (SHA1, 6, 30) are left implicit for the widest app support: {uri}"
        );
    }

    #[test]
    fn the_roles_that_must_enrol() {
        let must: Vec<Role> = Role::ALL
            .iter()
            .copied()
            .filter(|r| required_for(*r))
            .collect();
        assert_eq!(
            must,
            vec![
                Role::PlatformOperator,
                Role::ProvincialOffice,
                Role::CountyAdmin
            ]
        );
    }
}
