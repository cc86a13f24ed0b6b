//! Personal identifiers as types that can only hold valid values, with their masked forms.
//! `Debug` never prints the value.

use chrono::NaiveDate;

use shuanglian_core::error::FieldError;

fn bad(field: &str, code: &str, zh: &str, en: &str) -> FieldError {
    FieldError::new(
        field,
        code,
        format!("{field}：{zh}"),
        format!("{field}: {en}"),
    )
}

/// Resident ID-card number (GB 11643-1999): 17 digits and a check character (0–9 or X), a
/// valid birth date, and the ISO 7064 MOD 11-2 checksum.
#[derive(Clone, PartialEq, Eq)]
pub struct IdCardNumber(String);

impl std::fmt::Debug for IdCardNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IdCardNumber({})", self.masked())
    }
}

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// The check character for the first 17 digits.
pub fn id_check_char(first17: &str) -> Option<char> {
    if first17.len() != 17 || !first17.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let sum: u32 = first17
        .bytes()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    Some(CHECK[(sum % 11) as usize])
}

impl IdCardNumber {
    pub fn parse(field: &str, s: &str) -> Result<Self, FieldError> {
        let s = s.trim().to_ascii_uppercase();
        // Characters, not bytes: a byte index could fall inside a multibyte character. The
        // body's digit check below makes the byte slices after it safe.
        if s.chars().count() != 18 {
            return Err(bad(
                field,
                "invalid_id_number",
                "身份证号应为18位",
                "an ID-card number has 18 characters",
            ));
        }
        let cut = s.char_indices().nth(17).map_or(s.len(), |(i, _)| i);
        let (body, last) = s.split_at(cut);
        let Some(expected) = id_check_char(body) else {
            return Err(bad(
                field,
                "invalid_id_number",
                "身份证号前17位应为数字",
                "the first 17 characters are digits",
            ));
        };
        if NaiveDate::parse_from_str(&s[6..14], "%Y%m%d").is_err() {
            return Err(bad(
                field,
                "invalid_id_number",
                "身份证号中的出生日期无效",
                "the birth date inside is invalid",
            ));
        }
        if !last.starts_with(expected) {
            return Err(bad(
                field,
                "id_checksum_mismatch",
                "身份证号校验位不正确",
                "the check character does not match",
            ));
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn birth_date(&self) -> Option<NaiveDate> {
        NaiveDate::parse_from_str(&self.0[6..14], "%Y%m%d").ok()
    }

    /// Gender from the 17th digit: odd male, even female.
    pub fn is_male(&self) -> bool {
        self.0.as_bytes()[16] % 2 == 1
    }

    /// `330523********123X`: the region and the last four stay.
    pub fn masked(&self) -> String {
        format!("{}{}{}", &self.0[..6], "*".repeat(8), &self.0[14..])
    }
}

/// Mainland mobile number: 11 digits starting 1[3-9]; a leading +86/86 and spaces or dashes
/// are accepted and dropped.
#[derive(Clone, PartialEq, Eq)]
pub struct MobileNumber(String);

impl std::fmt::Debug for MobileNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MobileNumber({})", self.masked())
    }
}

impl MobileNumber {
    pub fn parse(field: &str, s: &str) -> Result<Self, FieldError> {
        let digits: String = s.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        let digits = digits
            .strip_prefix("+86")
            .or_else(|| digits.strip_prefix("86").filter(|d| d.len() == 11))
            .unwrap_or(&digits);
        let b = digits.as_bytes();
        if b.len() != 11
            || b[0] != b'1'
            || !(b'3'..=b'9').contains(&b[1])
            || !b.iter().all(u8::is_ascii_digit)
        {
            return Err(bad(
                field,
                "invalid_mobile",
                "手机号应为以1开头的11位数字",
                "a mobile number has 11 digits starting with 1",
            ));
        }
        Ok(Self(digits.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `138****5678`
    pub fn masked(&self) -> String {
        format!("{}****{}", &self.0[..3], &self.0[7..])
    }
}

/// QQ number: 5–11 digits, no leading zero.
#[derive(Clone, PartialEq, Eq)]
pub struct QqNumber(String);

impl std::fmt::Debug for QqNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "QqNumber({})", self.masked())
    }
}

impl QqNumber {
    pub fn parse(field: &str, s: &str) -> Result<Self, FieldError> {
        let s = s.trim();
        if !(5..=11).contains(&s.len())
            || s.starts_with('0')
            || !s.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(bad(
                field,
                "invalid_qq",
                "QQ号应为5到11位数字且不以0开头",
                "a QQ number has 5 to 11 digits, not starting with 0",
            ));
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `12****89`: the first two and last two digits stay.
    pub fn masked(&self) -> String {
        format!(
            "{}{}{}",
            &self.0[..2],
            "*".repeat(self.0.len() - 4),
            &self.0[self.0.len() - 2..]
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A valid number built from parts, so the test does not carry anyone's real number.
    fn make_id(region: &str, birth: &str, seq: &str) -> String {
        let body = format!("{region}{birth}{seq}");
        format!("{body}{}", id_check_char(&body).expect("17 digits"))
    }

    #[test]
    fn id_numbers_follow_gb_11643() {
        let id = make_id("330523", "19800229", "123");
        let parsed = IdCardNumber::parse("id_number", &id).expect("valid");
        assert_eq!(parsed.birth_date(), NaiveDate::from_ymd_opt(1980, 2, 29));
        assert!(parsed.is_male(), "3 is odd");
        assert_eq!(parsed.masked(), format!("330523********{}", &id[14..]));
        assert!(!format!("{parsed:?}").contains(&id));
        // The published example check: 11010519491231002X.
        assert!(IdCardNumber::parse("id_number", "11010519491231002x").is_ok());
        let mut wrong = id.clone();
        let last = wrong.pop().expect("char");
        wrong.push(if last == '0' { '1' } else { '0' });
        assert_eq!(
            IdCardNumber::parse("id_number", &wrong).unwrap_err().code,
            "id_checksum_mismatch"
        );
        assert_eq!(
            IdCardNumber::parse("id_number", &make_id("330523", "19810229", "123"))
                .unwrap_err()
                .code,
            "invalid_id_number"
        );
        assert_eq!(
            IdCardNumber::parse("id_number", "12345").unwrap_err().field,
            "id_number"
        );
    }

    #[test]
    fn mobiles_and_qq_numbers() {
        assert_eq!(
            MobileNumber::parse("phone", "+86 138-1234-5678")
                .expect("ok")
                .as_str(),
            "13812345678"
        );
        assert_eq!(
            MobileNumber::parse("phone", "13812345678")
                .expect("ok")
                .masked(),
            "138****5678"
        );
        for bad in ["12812345678", "1381234567", "138123456789", "abc"] {
            assert_eq!(
                MobileNumber::parse("phone", bad).unwrap_err().code,
                "invalid_mobile",
                "{bad}"
            );
        }
        assert_eq!(
            QqNumber::parse("qq", "123456789").expect("ok").masked(),
            "12*****89"
        );
        for bad in ["1234", "012345", "123456789012", "12a45"] {
            assert_eq!(
                QqNumber::parse("qq", bad).unwrap_err().code,
                "invalid_qq",
                "{bad}"
            );
        }
    }
}

#[cfg(test)]
mod props {
    use proptest::prelude::*;

    use super::*;

    /// Digits, the check letter, spaces and multibyte characters: the strings that reach the
    /// byte-index paths (18 bytes with a character across byte 17, …).
    fn near_miss() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![
                4 => proptest::char::range('0', '9'),
                1 => Just('X'),
                1 => Just('x'),
                1 => Just(' '),
                1 => Just('中'),
                1 => Just('é'),
                1 => Just('１'),
            ],
            0..24,
        )
        .prop_map(|v| v.into_iter().collect())
    }

    /// A valid ID-card number: a region, a real birth date from 1900 to 2099, a sequence and
    /// the GB 11643 check character.
    fn valid_id() -> impl Strategy<Value = String> {
        (100_000u32..=999_999, 0i64..73_048, 0u32..1000).prop_map(|(region, day, seq)| {
            let birth =
                NaiveDate::from_ymd_opt(1900, 1, 1).expect("date") + chrono::Days::new(day as u64);
            make_id(
                &region.to_string(),
                &birth.format("%Y%m%d").to_string(),
                &format!("{seq:03}"),
            )
        })
    }

    fn make_id(region: &str, birth: &str, seq: &str) -> String {
        let body = format!("{region}{birth}{seq}");
        format!("{body}{}", id_check_char(&body).expect("17 digits"))
    }

    proptest! {
        #[test]
        fn id_numbers_never_panic(s in prop_oneof![any::<String>(), near_miss()]) {
            if let Ok(id) = IdCardNumber::parse("id_number", &s) {
                // Whatever is accepted is 18 ASCII characters with its accessors total.
                prop_assert_eq!(id.as_str().len(), 18);
                let _ = (id.masked(), id.birth_date(), id.is_male(), format!("{id:?}"));
            }
        }

        #[test]
        fn valid_id_numbers_round_trip(id in valid_id(), lower in any::<bool>()) {
            let typed = if lower { id.to_ascii_lowercase() } else { id.clone() };
            let parsed = IdCardNumber::parse("id_number", &format!(" {typed} ")).expect("valid");
            prop_assert_eq!(parsed.as_str(), id.as_str());
            prop_assert_eq!(IdCardNumber::parse("id_number", parsed.as_str()).expect("again"), parsed.clone());
            prop_assert!(parsed.birth_date().is_some());
            prop_assert_eq!(&parsed.masked()[6..14], "********");
        }

        #[test]
        fn one_changed_check_character_is_refused(id in valid_id(), c in prop_oneof![proptest::char::range('0', '9'), Just('X')]) {
            let mut wrong = id[..17].to_owned();
            wrong.push(c);
            prop_assert_eq!(IdCardNumber::parse("id_number", &wrong).is_ok(), wrong == id);
        }

        #[test]
        fn mobiles_and_qq_numbers_never_panic(s in prop_oneof![any::<String>(), near_miss()]) {
            if let Ok(m) = MobileNumber::parse("phone", &s) {
                prop_assert_eq!(m.as_str().len(), 11);
                let _ = m.masked();
            }
            if let Ok(q) = QqNumber::parse("qq", &s) {
                let _ = q.masked();
            }
        }

        #[test]
        fn valid_mobiles_round_trip(second in 3u8..=9, rest in 0u64..1_000_000_000, spaced in any::<bool>()) {
            let m = format!("1{second}{rest:09}");
            let typed = if spaced { format!("+86 {}-{}-{}", &m[..3], &m[3..7], &m[7..]) } else { m.clone() };
            let parsed = MobileNumber::parse("phone", &typed).expect("valid");
            prop_assert_eq!(parsed.as_str(), m.as_str());
            prop_assert_eq!(MobileNumber::parse("phone", parsed.as_str()).expect("again"), parsed);
        }

        #[test]
        fn valid_qq_numbers_round_trip(n in 10_000u64..100_000_000_000) {
            let s = n.to_string();
            let parsed = QqNumber::parse("qq", &s).expect("valid");
            prop_assert_eq!(parsed.as_str(), s.as_str());
            prop_assert_eq!(QqNumber::parse("qq", parsed.as_str()).expect("again"), parsed.clone());
            prop_assert_eq!(parsed.masked().len(), s.len());
        }
    }

    #[test]
    fn the_reported_crash_is_a_field_error() {
        let e = IdCardNumber::parse("id_number", "123456789012345中").unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.code.as_str()),
            ("id_number", "invalid_id_number")
        );
    }
}
