//! Business kinds, people's roles, the unified social credit code, and the rules a business
//! record keeps (a stall is in a market, a closed business stays closed).

use serde::{Deserialize, Serialize};

use crate::error::FieldError;
use crate::members::model::BusinessStatus;

/// 个体工商户 / 小微企业 / 市场摊位
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, poem_openapi::Enum)]
#[serde(rename_all = "snake_case")]
#[oai(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::EnumString, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum BusinessKind {
    /// 个体工商户
    IndividualBusiness,
    /// 小微企业
    SmallMicroEnterprise,
    /// 市场摊位 (商品交易市场经营户)
    MarketStall,
}

/// 业主 / 从业人员
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, poem_openapi::Enum)]
#[serde(rename_all = "snake_case")]
#[oai(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::EnumString, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum PersonRole {
    /// 业主
    Owner,
    /// 从业人员
    Employee,
}

/// List order. Cursors carry the last id; for `Name` the page continues after that row's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, poem_openapi::Enum)]
#[oai(rename_all = "snake_case")]
pub enum Sort {
    /// Registration order (oldest first), the default.
    Created,
    /// Newest first.
    CreatedDesc,
    /// By registered name, then registration order.
    Name,
}

/// The 31 characters of GB 32100-2015 (no I, O, S, V, Z), in value order.
const USCC_CHARS: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
/// Weights of the first 17 positions: 3^i mod 31.
const USCC_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

fn uscc_value(c: u8) -> Option<u32> {
    USCC_CHARS.iter().position(|&x| x == c).map(|p| p as u32)
}

/// The check character of the first 17 characters of a credit code.
pub fn credit_code_check_char(first17: &str) -> Option<char> {
    if first17.len() != 17 {
        return None;
    }
    let mut sum = 0;
    for (c, w) in first17.bytes().zip(USCC_WEIGHTS) {
        sum += uscc_value(c)? * w;
    }
    let check = (31 - sum % 31) % 31;
    Some(USCC_CHARS[check as usize] as char)
}

/// 统一社会信用代码 (GB 32100-2015): 18 characters — the registering authority and kind
/// (e.g. `92` for an individual business registered by market regulation), the 6-digit
/// division code of the registering office, the 9-character organisation code, and a check
/// character over the first 17.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditCode(String);

impl CreditCode {
    pub fn parse(field: &str, s: &str) -> Result<Self, FieldError> {
        let s = s.trim().to_ascii_uppercase();
        let bad = |code: &str, zh: &str, en: &str| {
            FieldError::new(
                field,
                code,
                format!("{field}：{zh}"),
                format!("{field}: {en}"),
            )
        };
        if s.chars().count() != 18 {
            return Err(bad(
                "invalid_credit_code",
                "统一社会信用代码应为18位",
                "a unified social credit code has 18 characters",
            ));
        }
        // By character: a byte of a multibyte character would print as a different one.
        if let Some(c) = s
            .chars()
            .find(|&c| !c.is_ascii() || uscc_value(c as u8).is_none())
        {
            return Err(bad(
                "invalid_credit_code",
                &format!("统一社会信用代码含有不允许的字符“{c}”（不使用I、O、S、V、Z）"),
                &format!("character '{c}' is not allowed (no I, O, S, V, Z)"),
            ));
        }
        if !s.as_bytes()[2..8].iter().all(u8::is_ascii_digit) {
            return Err(bad(
                "invalid_credit_code",
                "统一社会信用代码第3到8位应为行政区划代码",
                "characters 3 to 8 are a division code",
            ));
        }
        let (body, last) = s.split_at(17);
        if credit_code_check_char(body).is_none_or(|c| !last.starts_with(c)) {
            return Err(bad(
                "credit_code_checksum_mismatch",
                "统一社会信用代码校验位不正确",
                "the check character does not match",
            ));
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A count (employees, stalls): 0 to `max`.
pub fn count(field: &str, v: Option<i32>, max: i32) -> Result<Option<i32>, FieldError> {
    match v {
        Some(n) if !(0..=max).contains(&n) => Err(FieldError::new(
            field,
            "out_of_range",
            format!("{field}：应在0到{max}之间"),
            format!("{field} must be between 0 and {max}"),
        )),
        other => Ok(other),
    }
}

/// What a business record must hold together: a stall is in a market and has a stall number;
/// a stall number means a market; a credit code is required except for stalls (many market
/// vendors trade under the market's licence).
pub fn check_shape(
    kind: BusinessKind,
    has_market: bool,
    has_stall_no: bool,
    has_credit_code: bool,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if kind == BusinessKind::MarketStall && !has_market {
        errs.push(FieldError::new(
            "market_id",
            "required",
            "market_id：市场摊位须填写所在市场",
            "market_id is required for a market stall",
        ));
    }
    if kind == BusinessKind::MarketStall && !has_stall_no {
        errs.push(FieldError::new(
            "stall_no",
            "required",
            "stall_no：市场摊位须填写摊位号",
            "stall_no is required for a market stall",
        ));
    }
    if has_stall_no && !has_market {
        errs.push(FieldError::new(
            "stall_no",
            "stall_without_market",
            "stall_no：填写摊位号时须同时填写所在市场",
            "stall_no needs a market_id",
        ));
    }
    if kind != BusinessKind::MarketStall && !has_credit_code {
        errs.push(FieldError::new(
            "credit_code",
            "required",
            "credit_code：个体工商户和小微企业须填写统一社会信用代码",
            "credit_code is required for individual businesses and enterprises",
        ));
    }
    errs
}

/// A refused change of business status: a stable code and both messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused {
    pub code: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
}

/// The business-status rule, shared by business records and the member register: operating
/// and suspended (停歇业) go back and forth, either may close, and a closed (注销) business
/// never reopens (a new registration is a new record).
pub fn business_status_change(from: BusinessStatus, to: BusinessStatus) -> Result<(), Refused> {
    use BusinessStatus::*;
    match (from, to) {
        (Closed, _) => Err(Refused {
            code: "business_closed",
            zh: "经营主体已注销，不能再变更经营状态",
            en: "The business is closed; its status cannot change",
        }),
        (a, b) if a == b => Err(Refused {
            code: "status_unchanged",
            zh: "经营状态未变化",
            en: "The business already has this status",
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shuanglian_testkit::assert_str_enum;

    #[test]
    fn enum_names_round_trip() {
        assert_str_enum::<BusinessKind>();
        assert_str_enum::<PersonRole>();
    }

    /// A code with a valid check character built from its first 17.
    fn with_check(first17: &str) -> String {
        format!(
            "{first17}{}",
            credit_code_check_char(first17).expect("valid body")
        )
    }

    #[test]
    fn credit_codes_are_checked_against_gb_32100() {
        // Published example codes with their check characters.
        assert!(CreditCode::parse("c", "91350100M000100Y43").is_ok());
        assert!(CreditCode::parse("c", "91110000600037341L").is_ok());
        // Lower case is accepted and normalised; surrounding spaces are dropped.
        assert_eq!(
            CreditCode::parse("c", " 91350100m000100y43 ")
                .expect("ok")
                .as_str(),
            "91350100M000100Y43"
        );
        let e = CreditCode::parse("c", "91350100M000100Y44").unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.code.as_str()),
            ("c", "credit_code_checksum_mismatch")
        );
        assert_eq!(
            CreditCode::parse("c", "91350100M000100Y4")
                .unwrap_err()
                .code,
            "invalid_credit_code"
        );
        // I, O, S, V, Z are not in the alphabet.
        let e = CreditCode::parse("c", "91350100O000100Y43").unwrap_err();
        assert_eq!(e.code, "invalid_credit_code");
        assert!(e.message.contains('O'), "{}", e.message);
        // The division code part is digits.
        let body = "92A30523MA2B3C4D5";
        assert_eq!(
            CreditCode::parse("c", &with_check(body)).unwrap_err().code,
            "invalid_credit_code"
        );
        // Every generated check character round-trips, including the check value 0.
        for body in [
            "92330523MA2B3C4D5",
            "93330523000000000",
            "00000000000000000",
        ] {
            assert!(CreditCode::parse("c", &with_check(body)).is_ok(), "{body}");
        }
        assert_eq!(credit_code_check_char("00000000000000000"), Some('0'));
        assert_eq!(credit_code_check_char("0000000000000000"), None);
        assert_eq!(credit_code_check_char("0000000000000000I"), None);
    }

    #[test]
    fn a_stall_needs_a_market_and_a_number() {
        use BusinessKind::*;
        let codes = |e: Vec<FieldError>| -> Vec<(String, String)> {
            e.into_iter().map(|f| (f.field, f.code)).collect()
        };
        assert!(check_shape(MarketStall, true, true, false).is_empty());
        assert!(check_shape(IndividualBusiness, false, false, true).is_empty());
        assert!(check_shape(IndividualBusiness, true, true, true).is_empty());
        assert_eq!(
            codes(check_shape(MarketStall, false, true, false)),
            vec![
                ("market_id".to_owned(), "required".to_owned()),
                ("stall_no".to_owned(), "stall_without_market".to_owned())
            ]
        );
        assert_eq!(
            codes(check_shape(MarketStall, true, false, false)),
            vec![("stall_no".to_owned(), "required".to_owned())]
        );
        assert_eq!(
            codes(check_shape(SmallMicroEnterprise, false, false, false)),
            vec![("credit_code".to_owned(), "required".to_owned())]
        );
    }

    #[test]
    fn closed_businesses_stay_closed() {
        use BusinessStatus::*;
        assert!(business_status_change(Operating, Suspended).is_ok());
        assert!(business_status_change(Suspended, Operating).is_ok());
        assert!(business_status_change(Suspended, Closed).is_ok());
        assert!(business_status_change(Operating, Closed).is_ok());
        assert_eq!(
            business_status_change(Closed, Operating).unwrap_err().code,
            "business_closed"
        );
        assert_eq!(
            business_status_change(Suspended, Suspended)
                .unwrap_err()
                .code,
            "status_unchanged"
        );
    }
}

#[cfg(test)]
mod props {
    use proptest::prelude::*;

    use super::*;

    fn uscc_char() -> impl Strategy<Value = char> {
        proptest::sample::select(USCC_CHARS.to_vec()).prop_map(char::from)
    }

    /// A valid code: registering authority and kind, a 6-digit division code, a 9-character
    /// organisation code, and the GB 32100 check character.
    fn valid_code() -> impl Strategy<Value = String> {
        (
            proptest::collection::vec(uscc_char(), 2),
            0u32..1_000_000,
            proptest::collection::vec(uscc_char(), 9),
        )
            .prop_map(|(head, division, org)| {
                let body: String = head
                    .into_iter()
                    .chain(format!("{division:06}").chars())
                    .chain(org)
                    .collect();
                let check = credit_code_check_char(&body).expect("17 valid characters");
                format!("{body}{check}")
            })
    }

    proptest! {
        #[test]
        fn credit_codes_never_panic(s in prop_oneof![
            any::<String>(),
            proptest::collection::vec(prop_oneof![uscc_char(), Just('中'), Just('i'), Just('Ｏ')], 16..20)
                .prop_map(|v| v.into_iter().collect::<String>()),
        ]) {
            if let Ok(c) = CreditCode::parse("credit_code", &s) {
                prop_assert_eq!(c.as_str().len(), 18);
            }
            let _ = credit_code_check_char(&s);
        }

        #[test]
        fn valid_credit_codes_round_trip(code in valid_code(), lower in any::<bool>()) {
            let typed = if lower { code.to_ascii_lowercase() } else { code.clone() };
            let parsed = CreditCode::parse("credit_code", &typed).expect("valid");
            prop_assert_eq!(parsed.as_str(), code.as_str());
            prop_assert_eq!(CreditCode::parse("credit_code", parsed.as_str()).expect("again"), parsed);
        }

        #[test]
        fn a_changed_check_character_is_refused(code in valid_code(), c in uscc_char()) {
            let wrong = format!("{}{c}", &code[..17]);
            prop_assert_eq!(CreditCode::parse("credit_code", &wrong).is_ok(), wrong == code);
        }
    }
}
