//! The rules of delivery as plain functions: channels and statuses, quiet hours, the retry
//! schedule, what a failure means, and the county's settings as validated values.

use chrono::{DateTime, Duration, NaiveDateTime, Timelike, Utc};
use serde::{Deserialize, Serialize};

use crate::clock::CHINA;
use crate::error::FieldError;

/// How a notice reaches someone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, poem_openapi::Enum)]
#[serde(rename_all = "snake_case")]
#[oai(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::EnumString, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum Channel {
    /// 站内消息: the staff member's inbox in the web front end (delivered when written).
    Inbox,
    /// 短信 through the SMS gateway, to the staff member's own mobile number.
    Sms,
    /// The county's signed webhook (its OA system).
    Webhook,
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, poem_openapi::Enum)]
#[serde(rename_all = "snake_case")]
#[oai(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::EnumString, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum DeliveryStatus {
    /// Waiting for its next attempt (or for quiet hours or the county's rate to allow it).
    Pending,
    /// Accepted by the gateway or the receiver (or written to the inbox).
    Sent,
    /// Given up: a permanent refusal, or too many attempts. The county admin can retry it.
    Dead,
}

/// Attempts before a delivery is given up (about 4 hours of backoff in all).
pub const MAX_ATTEMPTS: i32 = 8;

/// How long a claimed delivery is another worker's: a replica that dies mid-send leaves it to
/// be sent again after this (at least once).
pub const LEASE_SECS: i64 = 60;

/// The wait after the `attempts`-th failed attempt: 30 s, doubling, at most an hour.
pub fn backoff(attempts: i32) -> Duration {
    let exp = attempts.clamp(1, 8) - 1;
    Duration::seconds((30i64 << exp).min(3600))
}

/// What a channel said about one attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Accepted; the gateway's receipt if it gave one.
    Sent(Option<String>),
    /// Failed for now (a timeout, 5xx, throttling): try again later. The code is the gateway's
    /// or ours (`timeout`, `http_503`), never the message.
    Retry(String),
    /// Refused for good (a number the gateway rejects, a template not approved, 4xx).
    Permanent(String),
}

impl Outcome {
    /// A send that got no answer (the gateway or receiver unreachable, or too slow): retried.
    pub fn unanswered(e: &reqwest::Error) -> Outcome {
        Outcome::Retry(
            if e.is_timeout() {
                "timeout"
            } else {
                "unreachable"
            }
            .into(),
        )
    }
}

/// The delivery's next state after an attempt that did not succeed.
pub fn after_failure(
    outcome: &Outcome,
    attempts: i32,
    now: NaiveDateTime,
) -> (DeliveryStatus, NaiveDateTime) {
    match outcome {
        Outcome::Retry(_) if attempts < MAX_ATTEMPTS => {
            (DeliveryStatus::Pending, now + backoff(attempts))
        }
        _ => (DeliveryStatus::Dead, now),
    }
}

/// Quiet hours in Beijing time, as minutes after midnight: SMS waits until they end. A window
/// may run over midnight (21:00–08:00); equal ends mean none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuietHours {
    pub start: u16,
    pub end: u16,
}

impl QuietHours {
    pub const DEFAULT: QuietHours = QuietHours {
        start: 21 * 60,
        end: 8 * 60,
    };

    pub fn new(start: i32, end: i32) -> Option<Self> {
        let ok = |m: i32| (0..1440).contains(&m);
        (ok(start) && ok(end)).then_some(QuietHours {
            start: start as u16,
            end: end as u16,
        })
    }

    /// Whether an instant falls in the window.
    pub fn holds_at(self, at: DateTime<Utc>) -> bool {
        let local = at.with_timezone(&CHINA);
        let m = (local.hour() * 60 + local.minute()) as u16;
        match self.start.cmp(&self.end) {
            std::cmp::Ordering::Equal => false,
            std::cmp::Ordering::Less => (self.start..self.end).contains(&m),
            std::cmp::Ordering::Greater => m >= self.start || m < self.end,
        }
    }

    /// `HH:MM`.
    pub fn format(minute: u16) -> String {
        format!("{:02}:{:02}", minute / 60, minute % 60)
    }

    /// `HH:MM` (00:00–23:59) as minutes after midnight.
    pub fn parse_minute(field: &str, s: &str) -> Result<u16, FieldError> {
        let bad = || {
            FieldError::new(
                field,
                "invalid_time",
                format!("{field}：时间格式应为 HH:MM（00:00–23:59）"),
                format!("{field}: a time of day HH:MM (00:00–23:59)"),
            )
        };
        let (h, m) = s.split_once(':').ok_or_else(bad)?;
        let two = |p: &str| p.len() == 2 && p.bytes().all(|b| b.is_ascii_digit());
        if !two(h) || !two(m) {
            return Err(bad());
        }
        let (h, m): (u16, u16) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
        if h > 23 || m > 59 {
            return Err(bad());
        }
        Ok(h * 60 + m)
    }
}

/// How many more SMS the county may send now: its per-minute rate less what went out (or is
/// out being sent) in the last minute.
pub fn sms_budget(per_minute: i32, in_last_minute: i64) -> i64 {
    (i64::from(per_minute) - in_last_minute).max(0)
}

/// An SMS signature as the gateway approves them: 2–12 characters, no brackets (the gateway
/// adds 【】).
pub fn parse_sign_name(field: &str, s: &str) -> Result<String, FieldError> {
    let s = s.trim();
    let n = s.chars().count();
    if !(2..=12).contains(&n)
        || s.contains(['【', '】', '[', ']'])
        || s.chars().any(char::is_control)
    {
        return Err(FieldError::new(
            field,
            "invalid_sign_name",
            format!("{field}：短信签名应为 2–12 个字符，不含【】"),
            format!("{field}: an SMS signature of 2–12 characters, without brackets"),
        ));
    }
    Ok(s.to_owned())
}

/// A template code as the gateway issues them: `SMS_` and digits.
pub fn parse_template_code(field: &str, s: &str) -> Result<String, FieldError> {
    let s = s.trim();
    let digits = s.strip_prefix("SMS_").unwrap_or_default();
    if digits.is_empty() || digits.len() > 20 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(FieldError::new(
            field,
            "invalid_template_code",
            format!("{field}：短信模板编号应形如 SMS_123456789"),
            format!("{field}: a template code like SMS_123456789"),
        ));
    }
    Ok(s.to_owned())
}

/// Whether a host is one a county's webhook may not reach unless the platform allows it:
/// loopback, private, link-local or unspecified addresses, and `localhost`.
pub fn is_private_host(host: &str) -> bool {
    use std::net::IpAddr;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.eq_ignore_ascii_case("localhost") || host.ends_with(".localhost") {
        return true;
    }
    match host.parse::<IpAddr>() {
        Ok(IpAddr::V4(ip)) => {
            ip.is_loopback()
                || ip.is_private()
                || ip.is_link_local()
                || ip.is_unspecified()
                || ip.is_broadcast()
        }
        Ok(IpAddr::V6(ip)) => {
            ip.is_loopback()
                || ip.is_unspecified()
                || (ip.segments()[0] & 0xfe00) == 0xfc00
                || (ip.segments()[0] & 0xffc0) == 0xfe80
        }
        Err(_) => false,
    }
}

/// A webhook URL: http(s), a host, at most 500 characters; a private host only if allowed.
pub fn parse_webhook_url(field: &str, s: &str, allow_private: bool) -> Result<String, FieldError> {
    let s = s.trim();
    let bad = |code: &str, zh: &str, en: &str| {
        FieldError::new(
            field,
            code,
            format!("{field}：{zh}"),
            format!("{field}: {en}"),
        )
    };
    let url = reqwest::Url::parse(s)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && s.len() <= 500)
        .ok_or_else(|| {
            bad(
                "invalid_url",
                "应为 http:// 或 https:// 开头的地址（至多 500 个字符）",
                "an http:// or https:// address of at most 500 characters",
            )
        })?;
    let host = url.host_str().unwrap_or_default();
    if host.is_empty() || !url.username().is_empty() || url.password().is_some() {
        return Err(bad(
            "invalid_url",
            "地址应含主机名，且不含用户名或密码",
            "the address needs a host and no user name or password",
        ));
    }
    if !allow_private && is_private_host(host) {
        return Err(bad(
            "private_address",
            "不允许指向本机或内网地址",
            "may not point at a loopback or private address",
        ));
    }
    Ok(s.to_owned())
}

/// A webhook secret: 16–128 printable ASCII characters.
pub fn parse_webhook_secret(field: &str, s: &str) -> Result<String, FieldError> {
    if !(16..=128).contains(&s.len()) || !s.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(FieldError::new(
            field,
            "invalid_secret",
            format!("{field}：签名密钥应为 16–128 个可见 ASCII 字符"),
            format!("{field}: 16–128 printable ASCII characters"),
        ));
    }
    Ok(s.to_owned())
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn beijing(h: u32, m: u32) -> DateTime<Utc> {
        CHINA
            .with_ymd_and_hms(2026, 12, 7, h, m, 0)
            .single()
            .expect("time")
            .with_timezone(&Utc)
    }

    #[test]
    fn names_are_as_stored() {
        shuanglian_testkit::assert_str_enum::<Channel>();
        shuanglian_testkit::assert_str_enum::<DeliveryStatus>();
    }

    #[test]
    fn quiet_hours_over_midnight_and_within_a_day() {
        let night = QuietHours::DEFAULT;
        assert!(night.holds_at(beijing(21, 0)));
        assert!(night.holds_at(beijing(23, 59)));
        assert!(night.holds_at(beijing(0, 0)));
        assert!(night.holds_at(beijing(7, 59)));
        assert!(!night.holds_at(beijing(8, 0)));
        assert!(!night.holds_at(beijing(20, 59)));
        let noon = QuietHours::new(12 * 60, 14 * 60).expect("window");
        assert!(noon.holds_at(beijing(12, 0)) && noon.holds_at(beijing(13, 59)));
        assert!(!noon.holds_at(beijing(14, 0)) && !noon.holds_at(beijing(11, 59)));
        let none = QuietHours::new(600, 600).expect("window");
        assert!(!none.holds_at(beijing(10, 0)));
        assert_eq!(QuietHours::new(0, 1440), None);
        assert_eq!(QuietHours::new(-1, 0), None);
    }

    #[test]
    fn times_of_day_parse_strictly() {
        assert_eq!(QuietHours::parse_minute("f", "21:00"), Ok(1260));
        assert_eq!(QuietHours::parse_minute("f", "00:00"), Ok(0));
        assert_eq!(QuietHours::parse_minute("f", "23:59"), Ok(1439));
        for bad in [
            "24:00", "9:00", "21:60", "2100", "", "21:0a", "+1:00", "21:00:00",
        ] {
            let e = QuietHours::parse_minute("quiet_start", bad).unwrap_err();
            assert_eq!(
                (e.field.as_str(), e.code.as_str()),
                ("quiet_start", "invalid_time")
            );
        }
        assert_eq!(QuietHours::format(1260), "21:00");
        assert_eq!(QuietHours::format(5), "00:05");
    }

    #[test]
    fn retries_back_off_and_give_up() {
        assert_eq!(backoff(1), Duration::seconds(30));
        assert_eq!(backoff(2), Duration::seconds(60));
        assert_eq!(backoff(7), Duration::seconds(1920));
        assert_eq!(backoff(8), Duration::seconds(3600));
        assert_eq!(backoff(100), Duration::seconds(3600));
        assert_eq!(backoff(0), Duration::seconds(30));
        let now = beijing(10, 0).naive_utc();
        let retry = Outcome::Retry("http_503".into());
        assert_eq!(
            after_failure(&retry, 1, now),
            (DeliveryStatus::Pending, now + Duration::seconds(30))
        );
        assert_eq!(
            after_failure(&retry, MAX_ATTEMPTS - 1, now).0,
            DeliveryStatus::Pending
        );
        assert_eq!(
            after_failure(&retry, MAX_ATTEMPTS, now),
            (DeliveryStatus::Dead, now)
        );
        let refused = Outcome::Permanent("isv.MOBILE_NUMBER_ILLEGAL".into());
        assert_eq!(after_failure(&refused, 1, now).0, DeliveryStatus::Dead);
    }

    #[test]
    fn the_rate_leaves_a_budget() {
        assert_eq!(sms_budget(60, 0), 60);
        assert_eq!(sms_budget(60, 59), 1);
        assert_eq!(sms_budget(60, 60), 0);
        assert_eq!(sms_budget(60, 75), 0);
    }

    #[test]
    fn settings_fields_are_checked() {
        assert_eq!(
            parse_sign_name("s", " 安吉县个协 ").as_deref(),
            Ok("安吉县个协")
        );
        for bad in ["安", "【安吉县个协】", "一二三四五六七八九十一二三"] {
            assert_eq!(
                parse_sign_name("s", bad).unwrap_err().code,
                "invalid_sign_name"
            );
        }
        assert_eq!(
            parse_template_code("t", "SMS_123456").as_deref(),
            Ok("SMS_123456")
        );
        for bad in ["SMS_", "sms_1", "SMS_12a", "123"] {
            assert_eq!(
                parse_template_code("t", bad).unwrap_err().code,
                "invalid_template_code"
            );
        }
        assert!(parse_webhook_url("w", "https://oa.anji.gov.cn/hook", false).is_ok());
        for bad in [
            "ftp://x/",
            "https://",
            "not a url",
            "https://u:p@oa.example/",
        ] {
            assert_eq!(
                parse_webhook_url("w", bad, true).unwrap_err().code,
                "invalid_url"
            );
        }
        for private in [
            "http://127.0.0.1:9/",
            "http://localhost/",
            "http://10.1.2.3/",
            "http://192.168.1.1/",
            "http://[::1]/",
            "http://169.254.169.254/latest/meta-data",
        ] {
            assert_eq!(
                parse_webhook_url("w", private, false).unwrap_err().code,
                "private_address",
                "{private}"
            );
            assert!(parse_webhook_url("w", private, true).is_ok(), "{private}");
        }
        assert!(parse_webhook_secret("k", "0123456789abcdef").is_ok());
        assert!(parse_webhook_secret("k", "short").is_err());
        assert!(parse_webhook_secret("k", "0123456789abcdef 0").is_err());
    }
}
