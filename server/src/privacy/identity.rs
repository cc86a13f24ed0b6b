//! Personal identifiers as types that can only hold valid values, with their masked forms.
//! `Debug` never prints the value.

use chrono::NaiveDate;

use crate::error::FieldError;

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
        if s.len() != 18 {
            return Err(bad(
                field,
                "invalid_id_number",
                "身份证号应为18位",
                "an ID-card number has 18 characters",
            ));
        }
        let (body, last) = s.split_at(17);
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
