//! Helpers for the unit tests of the server's crates (a dev-dependency only, so nothing here is
//! compiled into the service).

use std::fmt::Debug;

use poem_openapi::types::ToJSON;
use proptest::prelude::*;
use serde::Serialize;

use shuanglian_core::enums::StrEnum;

/// For every variant: `parse(as_str(v)) == v`, and the name equals the serde JSON name and
/// the OpenAPI name; names are distinct; and no other string parses.
pub fn assert_str_enum<T>()
where
    T: StrEnum + Serialize + ToJSON + PartialEq + Debug,
{
    assert!(!T::ALL.is_empty());
    let mut seen = std::collections::HashSet::new();
    for &v in T::ALL {
        let name = v.as_str();
        assert!(seen.insert(name), "{v:?}: name {name} used twice");
        assert_eq!(T::parse(name), Some(v), "{v:?} round-trips");
        assert_eq!(
            T::parse(&name.to_uppercase()),
            None,
            "{v:?}: names are case-sensitive"
        );
        assert_eq!(
            serde_json::to_value(v).ok(),
            Some(serde_json::Value::String(name.to_owned())),
            "{v:?}: serde name"
        );
        assert_eq!(
            v.to_json(),
            Some(serde_json::Value::String(name.to_owned())),
            "{v:?}: OpenAPI name"
        );
    }
    proptest!(|(s in "[a-zA-Z_ ]{0,24}")| {
        let known = T::ALL.iter().find(|v| v.as_str() == s).copied();
        prop_assert_eq!(T::parse(&s), known);
    });
}

/// The GET routes of an OpenAPI document that a sweep for personal data calls: those without a
/// path parameter, the live event stream aside.
pub fn sweep_routes(spec: &serde_json::Value) -> Vec<String> {
    spec["paths"]
        .as_object()
        .map(|paths| {
            paths
                .iter()
                .filter(|(p, ops)| {
                    ops.get("get").is_some() && !p.contains('{') && !p.contains("events")
                })
                .map(|(p, _)| p.clone())
                .collect()
        })
        .unwrap_or_default()
}

/// A standalone run of digits shaped like a mobile number (11, 13x–19x) or an ID-card number
/// (18, the last may be X) in a response body: what the sweeps for personal data look for.
/// Digits after a decimal point (a rate's) are not a number.
pub fn identifier_shaped(body: &str) -> Option<String> {
    let b = body.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        let x = i < b.len() && b[i] == b'X';
        let run = &b[start..i];
        let after_point = start > 0 && b[start - 1] == b'.';
        let mobile = run.len() == 11 && run[0] == b'1' && (b'3'..=b'9').contains(&run[1]);
        let id_card = run.len() == 18 || (run.len() == 17 && x);
        if !after_point && (mobile || id_card) {
            return Some(String::from_utf8_lossy(run).into_owned());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::identifier_shaped;

    #[test]
    fn identifier_shapes_are_found_and_rates_are_not() {
        assert_eq!(
            identifier_shaped(r#"{"p":"13812345678"}"#).as_deref(),
            Some("13812345678")
        );
        assert_eq!(
            identifier_shaped("x 33052319790315251X y").as_deref(),
            Some("33052319790315251")
        );
        assert_eq!(
            identifier_shaped(r#"{"rate":0.14285714285714285,"n":12}"#),
            None
        );
        assert_eq!(identifier_shaped("12345678901234567890"), None);
    }
}
