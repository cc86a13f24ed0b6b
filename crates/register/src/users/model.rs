//! User accounts: county users (tenant rows) and platform/provincial users (platform rows).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::db::schema::{platform_users, users};
use crate::error::FieldError;

/// A sign-in name: 3–32 characters of `a-z 0-9 . _ -`, starting with a letter or digit;
/// case-folded so `Admin` and `admin` are one account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Username(String);

impl Username {
    pub fn parse(field: &str, s: &str) -> Result<Self, FieldError> {
        let s = s.trim().to_lowercase();
        let ok = (3..=32).contains(&s.len())
            && s.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
            && s.chars().all(|c| {
                c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-')
            });
        if !ok {
            return Err(FieldError::new(
                field,
                "invalid_username",
                format!("{field}：用户名应为3到32位小写字母、数字或 . _ -，以字母或数字开头"),
                format!(
                    "{field}: 3-32 characters of a-z, 0-9, . _ -, starting with a letter or digit"
                ),
            ));
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A person's display name (not personal data in the SPEC §11 sense, but still kept out of logs).
pub fn parse_display_name(field: &str, s: &str) -> Result<String, FieldError> {
    let t = s.trim();
    let n = t.chars().count();
    if !(1..=50).contains(&n) || t.chars().any(char::is_control) {
        return Err(FieldError::new(
            field,
            "invalid_display_name",
            format!("{field}：姓名应为1到50个字符"),
            format!("{field}: 1 to 50 characters"),
        ));
    }
    Ok(t.to_owned())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, poem_openapi::Enum)]
#[serde(rename_all = "snake_case")]
#[oai(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::EnumString, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum UserStatus {
    Active,
    Disabled,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub tenant_id: String,
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub org_unit_id: Option<String>,
    pub status: String,
    pub password_hash: String,
    pub must_change_password: bool,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = platform_users)]
pub struct PlatformUserRow {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub province_code: Option<String>,
    pub status: String,
    pub password_hash: String,
    pub must_change_password: bool,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[cfg(test)]
mod tests {
    use super::*;
    use shuanglian_testkit::assert_str_enum;

    #[test]
    fn enum_names_round_trip() {
        assert_str_enum::<UserStatus>();
    }

    #[test]
    fn usernames() {
        assert_eq!(
            Username::parse("username", " Admin.330523 ")
                .expect("ok")
                .as_str(),
            "admin.330523"
        );
        for bad in ["ab", "-abc", "张三abc", "a b c", &"a".repeat(33)] {
            assert_eq!(
                Username::parse("username", bad).unwrap_err().code,
                "invalid_username",
                "{bad}"
            );
        }
        assert!(parse_display_name("display_name", "张三").is_ok());
        assert!(parse_display_name("display_name", "  ").is_err());
    }
}
