//! Calendar days, for the service requests' clocks. The console keeps no clock of its own:
//! "today" is the server's, the day in China (UTC+8 all year) of the `Date` header of the
//! server's answer, the same day the server's date rules use. Also the server's UTC times
//! shown as Beijing time (the notice deliveries' times).

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
fn from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day number (the inverse of [`from_civil`]).
fn to_civil(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// The day number of an ISO date (`2026-11-26`), as the API writes dates; None if it is not
/// one.
pub fn day_number(iso: &str) -> Option<i64> {
    let mut p = iso.splitn(3, '-');
    let y: i64 = p.next()?.parse().ok()?;
    let m: i64 = p.next()?.parse().ok()?;
    let d: i64 = p.next()?.parse().ok()?;
    // Bounded before any arithmetic: a year of 19 digits would overflow it.
    if !(1..=9999).contains(&y) || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let n = from_civil(y, m, d);
    // Rejects 2026-02-30 and the like: the day must come back as written.
    (to_civil(n) == (y, m, d)).then_some(n)
}

/// The ISO date of a day number.
pub fn iso(n: i64) -> String {
    let (y, m, d) = to_civil(n);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The day in China (UTC+8) of an HTTP `Date` header (`Thu, 26 Nov 2026 17:05:09 GMT`, the
/// IMF-fixdate every HTTP/1.1 server sends), as an ISO date.
pub fn china_day_of_http_date(h: &str) -> Option<String> {
    let f: Vec<&str> = h.split_whitespace().collect();
    let [_, day, month, year, time, "GMT"] = f.as_slice() else {
        return None;
    };
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let m = MONTHS.iter().position(|x| x == month)? as i64 + 1;
    let d: i64 = day.parse().ok()?;
    let y: i64 = year.parse().ok()?;
    let mut t = time.splitn(3, ':').map(|x| x.parse::<i64>().ok());
    let (hh, mm, ss) = (t.next()??, t.next()??, t.next()??);
    if !(1..=9999).contains(&y)
        || !(1..=31).contains(&d)
        || !(0..24).contains(&hh)
        || !(0..60).contains(&mm)
        || !(0..61).contains(&ss)
    {
        return None;
    }
    let utc_day = from_civil(y, m, d);
    if to_civil(utc_day) != (y, m, d) {
        return None;
    }
    let secs = utc_day * 86_400 + hh * 3600 + mm * 60 + ss + 8 * 3600;
    Some(iso(secs.div_euclid(86_400)))
}

/// A UTC time as the API writes it (`2026-12-07T02:00:00`, with or without fractions of a
/// second or a `Z`) in Beijing time (UTC+8 all year), to the minute: `2026-12-07 10:00`. None
/// if it is not one.
pub fn beijing_time(utc: &str) -> Option<String> {
    let (date, time) = utc.split_once(['T', ' '])?;
    let day = day_number(date)?;
    let time = time.strip_suffix('Z').unwrap_or(time);
    let time = time.strip_suffix("+00:00").unwrap_or(time);
    let mut t = time.splitn(3, ':');
    let hh: i64 = t.next()?.parse().ok()?;
    let mm: i64 = t.next()?.parse().ok()?;
    // Seconds (and their fractions) are checked, then dropped.
    let ss = t.next().unwrap_or("0");
    let whole = ss.split_once('.').map_or(ss, |(w, _)| w);
    whole.parse::<u8>().ok().filter(|s| *s < 61)?;
    if !(0..24).contains(&hh) || !(0..60).contains(&mm) {
        return None;
    }
    let minutes = day * 1440 + hh * 60 + mm + 8 * 60;
    let m = minutes.rem_euclid(1440);
    Some(format!(
        "{} {:02}:{:02}",
        iso(minutes.div_euclid(1440)),
        m / 60,
        m % 60
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates_round_trip() {
        assert_eq!(day_number("1970-01-01"), Some(0));
        assert_eq!(
            day_number("2026-03-02"),
            day_number("2026-02-28").map(|n| n + 2)
        );
        assert_eq!(
            day_number("2024-03-01"),
            day_number("2024-02-29").map(|n| n + 1)
        );
        assert_eq!(day_number("2026-02-29"), None);
        assert_eq!(day_number("2026-13-01"), None);
        assert_eq!(day_number("soon"), None);
        for s in ["2000-02-29", "2026-11-26", "2100-12-31", "1969-12-31"] {
            assert_eq!(day_number(s).map(iso).as_deref(), Some(s));
        }
    }

    #[test]
    fn the_china_day_turns_at_16_utc() {
        let d = china_day_of_http_date;
        assert_eq!(
            d("Wed, 02 Dec 2026 15:59:59 GMT").as_deref(),
            Some("2026-12-02")
        );
        assert_eq!(
            d("Wed, 02 Dec 2026 16:00:00 GMT").as_deref(),
            Some("2026-12-03")
        );
        assert_eq!(
            d("Thu, 31 Dec 2026 23:00:00 GMT").as_deref(),
            Some("2027-01-01")
        );
        assert_eq!(d("Wed, 02 Dec 2026 16:00:00 UTC"), None);
        assert_eq!(d("2026-12-02"), None);
        assert_eq!(d("Wed, 31 Feb 2026 10:00:00 GMT"), None);
    }

    #[test]
    fn utc_times_show_in_beijing_time() {
        let b = beijing_time;
        assert_eq!(
            b("2026-12-07T02:00:00").as_deref(),
            Some("2026-12-07 10:00")
        );
        assert_eq!(
            b("2026-12-07T15:59:59.999999").as_deref(),
            Some("2026-12-07 23:59")
        );
        assert_eq!(
            b("2026-12-31T16:05:00Z").as_deref(),
            Some("2027-01-01 00:05")
        );
        assert_eq!(
            b("2026-02-28T16:30:00+00:00").as_deref(),
            Some("2026-03-01 00:30")
        );
        assert_eq!(b("2026-12-07T10:00").as_deref(), Some("2026-12-07 18:00"));
        assert_eq!(b("2026-12-07"), None);
        assert_eq!(b("2026-12-07T24:00:00"), None);
        assert_eq!(b("2026-12-07T10:00:xx"), None);
        assert_eq!(b("2026-02-30T10:00:00"), None);
    }

    mod props {
        use proptest::prelude::*;

        use super::super::*;

        proptest! {
            // The server's dates and times are outside input to the console: any text is a
            // value or None, never a panic (overflow included).
            #[test]
            fn any_text_is_a_day_or_none(s in "\\PC{0,40}", y in any::<i64>(), m in any::<i64>(), d in any::<i64>()) {
                let _ = day_number(&s);
                let _ = beijing_time(&s);
                let _ = china_day_of_http_date(&s);
                let _ = day_number(&format!("{y}-{m}-{d}"));
                let _ = beijing_time(&format!("{y}-{m}-{d}T{m}:{d}:{y}"));
                let _ = china_day_of_http_date(&format!("Thu, {d} Nov {y} {m}:{d}:{y} GMT"));
            }
        }
    }
}
