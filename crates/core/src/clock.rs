//! The one clock. Dates in this product are calendar days in China (UTC+8 all year: no daylight
//! saving since 1991): "today", a deadline's day, the day a record was made. Every date rule
//! asks this module, so a request at 01:00 Beijing time (17:00 UTC the day before) sees the same
//! "today" everywhere.
//!
//! Timestamps stored in the database stay UTC (`Utc::now()`); only the day they fall on in China
//! comes from here.

use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, Utc};

/// UTC+8, China Standard Time.
pub const CHINA: FixedOffset = match FixedOffset::east_opt(8 * 3600) {
    Some(o) => o,
    None => panic!("UTC+8 is a valid offset"),
};

/// Unix milliseconds the date rules are pinned to, or `i64::MIN` for the real clock.
static PINNED_MS: AtomicI64 = AtomicI64::new(i64::MIN);

/// The instant date rules count from: the real time, unless a test pinned it.
pub fn now() -> DateTime<Utc> {
    match PINNED_MS.load(Ordering::Relaxed) {
        i64::MIN => Utc::now(),
        ms => DateTime::from_timestamp_millis(ms).unwrap_or_else(Utc::now),
    }
}

/// Today in China.
pub fn today() -> NaiveDate {
    china_date(now())
}

/// The calendar day in China of an instant.
pub fn china_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&CHINA).date_naive()
}

/// The calendar day in China of a UTC timestamp as stored in the database.
pub fn china_date_of(at: NaiveDateTime) -> NaiveDate {
    china_date(at.and_utc())
}

/// The first UTC instant after the day `d` in China (its next midnight, Beijing time), as
/// stored timestamps are compared: a row stamped before it was made on or before `d`.
pub fn china_day_end(d: NaiveDate) -> NaiveDateTime {
    let next = d.succ_opt().unwrap_or(d);
    next.and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .checked_sub_signed(chrono::Duration::hours(8))
        .unwrap_or_default()
}

/// Beijing wall-clock time of an instant, as printed on forms ("2026-12-03 22:41").
pub fn beijing_minute(at: DateTime<Utc>) -> String {
    at.with_timezone(&CHINA)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// Test hook: pins the date rules of this process to an instant (`None` restores the real
/// clock). Process-wide, so a test binary that pins keeps its tests in one file.
#[doc(hidden)]
pub fn pin_for_tests(at: Option<DateTime<Utc>>) {
    PINNED_MS.store(
        at.map_or(i64::MIN, |t| t.timestamp_millis()),
        Ordering::Relaxed,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_china_day_ends_at_16_utc() {
        let d = NaiveDate::from_ymd_opt(2026, 6, 30).unwrap_or_default();
        let end = china_day_end(d);
        assert_eq!(end.to_string(), "2026-06-30 16:00:00");
        assert_eq!(china_date_of(end), d.succ_opt().unwrap_or_default());
        let just_before = end - chrono::Duration::seconds(1);
        assert_eq!(china_date_of(just_before), d);
    }

    #[test]
    fn china_day_turns_at_16_utc() {
        let before = Utc.with_ymd_and_hms(2026, 12, 2, 15, 59, 59).single();
        let after = Utc.with_ymd_and_hms(2026, 12, 2, 16, 0, 0).single();
        let (Some(before), Some(after)) = (before, after) else {
            panic!("valid instants")
        };
        assert_eq!(
            china_date(before),
            NaiveDate::from_ymd_opt(2026, 12, 2).unwrap_or_default()
        );
        assert_eq!(
            china_date(after),
            NaiveDate::from_ymd_opt(2026, 12, 3).unwrap_or_default()
        );
        assert_eq!(beijing_minute(after), "2026-12-03 00:00");
    }
}
