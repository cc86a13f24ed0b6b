//! Tenancy domain types: a county tenant is identified inside the system by a UUIDv7
//! [`TenantId`] and to people by its 6-digit administrative division code (行政区划代码).

use serde::{Deserialize, Serialize};

use crate::enums::StrEnum;
use crate::error::FieldError;
pub use shuanglian_core::tenant::TenantId;

/// Province-level prefixes of GB/T 2260 (mainland).
const PROVINCE_PREFIXES: [&str; 31] = [
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41",
    "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
];

/// A county-level division code: six digits, a known province prefix, and not a province
/// (`xx0000`) or prefecture (`xxxx00`) code.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DivisionCode(String);

impl DivisionCode {
    pub fn parse(field: &str, s: &str) -> Result<Self, FieldError> {
        let s = s.trim();
        let bad = |code: &str, zh: String, en: String| Err(FieldError::new(field, code, zh, en));
        if s.len() != 6 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return bad(
                "invalid_division_code",
                format!("{field}：行政区划代码应为6位数字，例如 330523"),
                format!("{field}: a division code is 6 digits, e.g. 330523"),
            );
        }
        if !PROVINCE_PREFIXES.contains(&&s[..2]) {
            return bad(
                "unknown_province",
                format!("{field}：前两位 {} 不是有效的省级代码", &s[..2]),
                format!("{field}: {} is not a province-level prefix", &s[..2]),
            );
        }
        if s.ends_with("00") {
            return bad(
                "not_county_level",
                format!("{field}：{s} 是省级或地市级代码，应填写县级代码"),
                format!(
                    "{field}: {s} is a province or prefecture code; a county-level code is needed"
                ),
            );
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The province this county belongs to, e.g. 330523 → 330000.
    pub fn province_code(&self) -> String {
        format!("{}0000", &self.0[..2])
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, poem_openapi::Enum)]
#[serde(rename_all = "snake_case")]
#[oai(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::EnumString, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum TenantStatus {
    Active,
    Suspended,
}

/// A tenant name: trimmed, 2–50 characters, no control characters.
pub fn parse_name(field: &str, s: &str) -> Result<String, FieldError> {
    let t = s.trim();
    let n = t.chars().count();
    if !(2..=50).contains(&n) || t.chars().any(char::is_control) {
        return Err(FieldError::new(
            field,
            "invalid_name",
            format!("{field}：名称应为2到50个字符"),
            format!("{field}: a name has 2 to 50 characters"),
        ));
    }
    Ok(t.to_owned())
}

/// Suspend and reactivate: the only status transitions.
pub fn transition(
    from: TenantStatus,
    to: TenantStatus,
) -> Result<TenantStatus, crate::error::AppError> {
    if from == to {
        return Err(crate::error::AppError::conflict(
            "status_unchanged",
            format!(
                "该县已处于“{}”状态",
                if to == TenantStatus::Active {
                    "启用"
                } else {
                    "停用"
                }
            ),
            format!("The county is already {}", to.as_str()),
        ));
    }
    Ok(to)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenant_status_names() {
        shuanglian_testkit::assert_str_enum::<TenantStatus>();
    }

    #[test]
    fn division_codes() {
        let c = DivisionCode::parse("code", "330523").expect("Anji");
        assert_eq!(c.province_code(), "330000");
        assert_eq!(
            DivisionCode::parse("code", " 429004 ")
                .expect("Xiantao")
                .as_str(),
            "429004"
        );
        assert_eq!(
            DivisionCode::parse("code", "33052").unwrap_err().code,
            "invalid_division_code"
        );
        assert_eq!(
            DivisionCode::parse("code", "33052x").unwrap_err().code,
            "invalid_division_code"
        );
        assert_eq!(
            DivisionCode::parse("code", "990523").unwrap_err().code,
            "unknown_province"
        );
        assert_eq!(
            DivisionCode::parse("code", "330500").unwrap_err().code,
            "not_county_level"
        );
        assert_eq!(
            DivisionCode::parse("code", "330000").unwrap_err().code,
            "not_county_level"
        );
        assert!(
            DivisionCode::parse("code", "３３０５２３").is_err(),
            "full-width digits are not accepted"
        );
        assert_eq!(
            DivisionCode::parse("tenant_code", "1").unwrap_err().field,
            "tenant_code"
        );
    }

    #[test]
    fn names_and_transitions() {
        assert_eq!(parse_name("name", "  安吉县 ").expect("ok"), "安吉县");
        assert!(parse_name("name", "安").is_err());
        assert!(parse_name("name", &"县".repeat(51)).is_err());
        assert!(transition(TenantStatus::Active, TenantStatus::Suspended).is_ok());
        assert_eq!(
            transition(TenantStatus::Active, TenantStatus::Active)
                .unwrap_err()
                .code,
            "status_unchanged"
        );
    }

    #[test]
    fn tenant_ids_round_trip_through_the_simple_form() {
        let t = TenantId::new();
        assert_eq!(TenantId::from_simple(&t.simple()), Some(t));
        assert_eq!(TenantId::from_simple("not-hex"), None);
    }
}

#[cfg(test)]
mod props {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn division_codes_never_panic(s in prop_oneof![
            any::<String>(),
            proptest::collection::vec(prop_oneof![proptest::char::range('0', '9'), Just('中'), Just(' ')], 0..9)
                .prop_map(|v| v.into_iter().collect::<String>()),
        ]) {
            if let Ok(c) = DivisionCode::parse("code", &s) {
                prop_assert_eq!(c.province_code().len(), 6);
            }
        }

        #[test]
        fn county_codes_round_trip(p in proptest::sample::select(PROVINCE_PREFIXES.to_vec()), city in 0u32..100, county in 1u32..100) {
            let code = format!("{p}{city:02}{county:02}");
            let parsed = DivisionCode::parse("code", &code).expect("county level");
            prop_assert_eq!(parsed.as_str(), code.as_str());
            prop_assert_eq!(DivisionCode::parse("code", parsed.as_str()).expect("again"), parsed.clone());
            prop_assert_eq!(parsed.province_code(), format!("{p}0000"));
        }
    }
}
