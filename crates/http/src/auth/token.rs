//! Opaque bearer tokens: `sl_<scope>_<secret>`. Only a SHA-256 digest is ever stored; the
//! scope segment (tenant id or `p` for platform) selects the key space to look in, so a token
//! can only ever resolve inside its own county.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use shuanglian_core::kv::Scope;
use shuanglian_core::tenant::TenantId;

pub use shuanglian_core::security::digest;

pub fn random_b64(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    getrandom::fill(&mut bytes).expect("operating system random source");
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A new token for a scope; returns (token, digest).
pub fn issue(scope: &Scope) -> (String, String) {
    let seg = match scope {
        Scope::Tenant(t) => t.simple(),
        Scope::Platform => "p".to_owned(),
    };
    let token = format!("sl_{seg}_{}", random_b64(32));
    let d = digest(&token);
    (token, d)
}

/// Parses the scope out of a presented token; `None` for anything malformed.
pub fn parse(token: &str) -> Option<(Scope, String)> {
    let rest = token.strip_prefix("sl_")?;
    let (seg, secret) = rest.split_once('_')?;
    if secret.len() != 43
        || !secret
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return None;
    }
    let scope = if seg == "p" {
        Scope::Platform
    } else {
        Scope::Tenant(TenantId::from_simple(seg)?)
    };
    Some((scope, digest(token)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_their_scope_and_reject_garbage() {
        let t = TenantId::new();
        let (tok, d) = issue(&Scope::Tenant(t.clone()));
        let (scope, d2) = parse(&tok).expect("parse");
        assert_eq!(scope, Scope::Tenant(t));
        assert_eq!(d, d2);
        assert_ne!(d, tok);
        let (ptok, _) = issue(&Scope::Platform);
        assert_eq!(parse(&ptok).expect("parse").0, Scope::Platform);
        for bad in [
            "",
            "sl_",
            "sl_p_short",
            "Bearer x",
            "sl_zz_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        ] {
            assert!(parse(bad).is_none(), "{bad}");
        }
    }
}
