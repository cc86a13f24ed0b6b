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
