//! The reader of a national calendar file, JSON or iCalendar: outside input, so it is total (no
//! panics, every fault a [`FieldError`] naming where it is) and bounded by the caller's body limit.
//!
//! iCalendar convention (RFC 5545, the subset the State Council notice needs): one `VEVENT` per
//! span, `DTSTART`/`DTEND` all-day `DATE` values (`DTEND` exclusive, as RFC 5545 has it; without
//! `DTEND` the span is one day), `SUMMARY` the name (`春节`). A span is a worked weekend day
//! (调休上班) when its `CATEGORIES` holds `WORKDAY`, `补班` or `上班`, and a holiday when they
//! hold `HOLIDAY` or `放假`; without either, when its `SUMMARY` contains `上班` or `补班`; every
//! other event is a holiday. (What we write carries the category, so it reads back as written
//! whatever the name: the round-trip property test found a holiday named `上上班班`.) Other properties and components
//! (VALARM, VTIMEZONE) are ignored.

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use crate::error::FieldError;

/// The largest body accepted (a year's notice is about 2 KiB).
pub const MAX_BYTES: usize = 64 * 1024;
/// Entries per year at most (a notice has about 15).
pub const MAX_ENTRIES: usize = 100;
/// A holiday span is at most this many days (the longest, 春节, is 9).
pub const MAX_HOLIDAY_DAYS: i64 = 10;
/// Names are at most this many characters.
pub const MAX_NAME_CHARS: usize = 50;
/// Errors listed at most (the rest are not looked for).
const MAX_ERRORS: usize = 50;

/// What a span of the national calendar is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, poem_openapi::Enum)]
#[serde(rename_all = "snake_case")]
#[oai(rename_all = "snake_case")]
pub enum SpanKind {
    /// 放假
    Holiday,
    /// 调休上班 (a weekend day worked)
    Workday,
}

/// One entry of a notice: `from` to `to` inclusive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub kind: SpanKind,
    pub name: String,
}

fn fe(field: &str, code: &str, zh: String, en: String) -> FieldError {
    FieldError::new(field, code, zh, en)
}

fn push(errs: &mut Vec<FieldError>, e: FieldError) {
    if errs.len() < MAX_ERRORS {
        errs.push(e);
    }
}

/// A `YYYY-MM-DD` (JSON) date.
fn iso_date(field: &str, s: &str) -> Result<NaiveDate, FieldError> {
    if s.len() == 10
        && let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d")
    {
        return Ok(d);
    }
    Err(fe(
        field,
        "invalid_date",
        format!("{field}：日期格式应为 YYYY-MM-DD"),
        format!("{field}: a date YYYY-MM-DD is expected"),
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSpan {
    from: String,
    to: String,
    kind: String,
    name: String,
}

/// A JSON list of `{from, to, kind: holiday|workday, name}`. Malformed JSON is `Err(None)`
/// (the caller answers 400 as for any malformed body); bad values are listed.
pub fn parse_json(bytes: &[u8]) -> Result<Vec<Span>, Option<Vec<FieldError>>> {
    let raw: Vec<RawSpan> = serde_json::from_slice(bytes).map_err(|_| None)?;
    let mut errs = Vec::new();
    let mut out = Vec::with_capacity(raw.len().min(MAX_ENTRIES + 1));
    for (i, r) in raw.into_iter().enumerate() {
        if i >= MAX_ENTRIES {
            push(&mut errs, too_many());
            break;
        }
        let from = iso_date(&format!("[{i}].from"), &r.from).map_err(|e| push(&mut errs, e));
        let to = iso_date(&format!("[{i}].to"), &r.to).map_err(|e| push(&mut errs, e));
        let kind = match r.kind.as_str() {
            "holiday" => Ok(SpanKind::Holiday),
            "workday" => Ok(SpanKind::Workday),
            _ => {
                push(
                    &mut errs,
                    fe(
                        &format!("[{i}].kind"),
                        "invalid_kind",
                        format!("[{i}].kind：应为 holiday（放假）或 workday（调休上班）"),
                        format!("[{i}].kind must be holiday or workday"),
                    ),
                );
                Err(())
            }
        };
        if let (Ok(from), Ok(to), Ok(kind)) = (from, to, kind) {
            out.push(Span {
                from,
                to,
                kind,
                name: r.name,
            });
        }
    }
    if errs.is_empty() {
        Ok(out)
    } else {
        Err(Some(errs))
    }
}

fn too_many() -> FieldError {
    fe(
        "",
        "too_many_entries",
        format!("条目过多：每年至多 {MAX_ENTRIES} 条"),
        format!("At most {MAX_ENTRIES} entries a year"),
    )
}

/// RFC 5545 §3.1: a line break followed by one space or tab continues the line. Works on bytes,
/// so a fold inside a multi-byte character rejoins it.
fn unfold(bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut lines: Vec<Vec<u8>> = Vec::new();
    for raw in bytes.split(|b| *b == b'\n') {
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        match (raw.first(), lines.last_mut()) {
            (Some(b' ' | b'\t'), Some(last)) => last.extend_from_slice(&raw[1..]),
            _ => lines.push(raw.to_vec()),
        }
    }
    lines
}

/// RFC 5545 TEXT unescaping: `\\`, `\;`, `\,`, `\n`/`\N`.
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n' | 'N') => out.push('\n'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

/// Splits `NAME;PARAM=V:value` into the upper-cased name, the parameters and the value. The
/// value starts at the first colon outside a quoted parameter value.
fn split_line(line: &str) -> Option<(String, &str, &str)> {
    let mut quoted = false;
    for (i, c) in line.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ':' if !quoted => {
                let head = &line[..i];
                let (name, params) = head.split_once(';').unwrap_or((head, ""));
                return Some((name.to_ascii_uppercase(), params, &line[i + 1..]));
            }
            _ => {}
        }
    }
    None
}

/// A DATE value `YYYYMMDD`; a DATE-TIME is refused (the calendar is of whole days).
fn ical_date(field: &str, params: &str, value: &str) -> Result<NaiveDate, FieldError> {
    let bad = || {
        fe(
            field,
            "invalid_date",
            format!("{field}：应为全天日期（VALUE=DATE，如 20270206）"),
            format!("{field}: an all-day DATE value (e.g. 20270206) is expected"),
        )
    };
    let params_ok = params.split(';').all(|p| {
        let p = p.to_ascii_uppercase();
        !p.starts_with("VALUE=") || p == "VALUE=DATE"
    });
    let value = value.trim();
    if !params_ok || value.len() != 8 || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    NaiveDate::parse_from_str(value, "%Y%m%d").map_err(|_| bad())
}

#[derive(Default)]
struct Event {
    start: Option<NaiveDate>,
    end: Option<NaiveDate>,
    summary: Option<String>,
    /// What `CATEGORIES` said: Some(true) worked day, Some(false) holiday, None nothing.
    workday_category: Option<bool>,
    bad: bool,
}

/// An iCalendar file (see the module's convention). Every fault is listed.
pub fn parse_ical(bytes: &[u8]) -> Result<Vec<Span>, Vec<FieldError>> {
    let mut errs = Vec::new();
    let mut out = Vec::new();
    let mut in_calendar = false;
    let mut seen_calendar = false;
    // Depth inside the current VEVENT (1: its own properties; more: a nested component).
    let mut depth = 0usize;
    let mut event = Event::default();
    let mut n = 0usize;
    for (lineno, raw) in unfold(bytes).iter().enumerate() {
        let Ok(line) = std::str::from_utf8(raw) else {
            push(
                &mut errs,
                fe(
                    &format!("line {}", lineno + 1),
                    "not_utf8",
                    format!("第 {} 行：不是 UTF-8 文本", lineno + 1),
                    format!("line {}: not UTF-8", lineno + 1),
                ),
            );
            continue;
        };
        let line = line.trim_start_matches('\u{feff}');
        if line.trim().is_empty() {
            continue;
        }
        let Some((name, params, value)) = split_line(line) else {
            push(
                &mut errs,
                fe(
                    &format!("line {}", lineno + 1),
                    "invalid_line",
                    format!("第 {} 行：不是 iCalendar 内容行（NAME:VALUE）", lineno + 1),
                    format!("line {}: not an iCalendar content line", lineno + 1),
                ),
            );
            continue;
        };
        let upper = value.trim().to_ascii_uppercase();
        match (name.as_str(), depth) {
            ("BEGIN", 0) if upper == "VCALENDAR" && !seen_calendar => {
                in_calendar = true;
                seen_calendar = true;
            }
            ("END", 0) if upper == "VCALENDAR" && in_calendar => in_calendar = false,
            ("BEGIN", 0) if upper == "VEVENT" && in_calendar => {
                depth = 1;
                event = Event::default();
            }
            ("BEGIN", d) if d >= 1 => depth = d.saturating_add(1),
            ("END", 1) => {
                depth = 0;
                let field = format!("VEVENT[{n}]");
                n += 1;
                if n > MAX_ENTRIES {
                    push(&mut errs, too_many());
                    break;
                }
                let ev = std::mem::take(&mut event);
                match (ev.start, ev.bad) {
                    (_, true) => {}
                    (None, false) => push(
                        &mut errs,
                        fe(
                            &format!("{field}.DTSTART"),
                            "required",
                            format!("{field}.DTSTART：缺少开始日期"),
                            format!("{field}.DTSTART is required"),
                        ),
                    ),
                    (Some(from), false) => {
                        let to = match ev.end {
                            Some(end) => end.pred_opt().unwrap_or(end),
                            None => from,
                        };
                        let name = ev.summary.unwrap_or_default();
                        let workday = ev
                            .workday_category
                            .unwrap_or_else(|| name.contains("上班") || name.contains("补班"));
                        out.push(Span {
                            from,
                            to,
                            kind: if workday {
                                SpanKind::Workday
                            } else {
                                SpanKind::Holiday
                            },
                            name,
                        });
                    }
                }
            }
            ("END", d) if d > 1 => depth = d - 1,
            (_, 1) => {
                let field = format!("VEVENT[{n}].{name}");
                match name.as_str() {
                    "DTSTART" => match ical_date(&field, params, value) {
                        Ok(d) => event.start = Some(d),
                        Err(e) => {
                            event.bad = true;
                            push(&mut errs, e);
                        }
                    },
                    "DTEND" => match ical_date(&field, params, value) {
                        Ok(d) => event.end = Some(d),
                        Err(e) => {
                            event.bad = true;
                            push(&mut errs, e);
                        }
                    },
                    "SUMMARY" => event.summary = Some(unescape(value)),
                    "CATEGORIES" => {
                        for c in value.split(',').map(str::trim) {
                            if c.eq_ignore_ascii_case("WORKDAY") || c == "补班" || c == "上班" {
                                event.workday_category = Some(true);
                            } else if c.eq_ignore_ascii_case("HOLIDAY") || c == "放假" {
                                event.workday_category.get_or_insert(false);
                            }
                        }
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
    if !seen_calendar || in_calendar || depth > 0 {
        push(
            &mut errs,
            fe(
                "",
                "invalid_ical",
                "不是完整的 iCalendar 文件（缺少 BEGIN:VCALENDAR 或 END 行）".to_owned(),
                "Not a complete iCalendar file (BEGIN:VCALENDAR or an END line missing)".to_owned(),
            ),
        );
    }
    if errs.is_empty() { Ok(out) } else { Err(errs) }
}

/// Folds a content line at 75 octets on character boundaries (RFC 5545 §3.1).
fn fold(line: &str, out: &mut String) {
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
}

/// Writes spans in the convention [`parse_ical`] reads.
pub fn to_ical(year: i32, spans: &[Span]) -> String {
    let mut out = String::new();
    out.push_str(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//shuanglian//national calendar//ZH\r\n",
    );
    for (i, s) in spans.iter().enumerate() {
        let end = s.to.succ_opt().unwrap_or(s.to);
        out.push_str("BEGIN:VEVENT\r\n");
        fold(&format!("UID:{year}-{i}@shuanglian"), &mut out);
        fold(
            &format!("DTSTART;VALUE=DATE:{}", s.from.format("%Y%m%d")),
            &mut out,
        );
        fold(
            &format!("DTEND;VALUE=DATE:{}", end.format("%Y%m%d")),
            &mut out,
        );
        fold(&format!("SUMMARY:{}", escape(&s.name)), &mut out);
        let cat = match s.kind {
            SpanKind::Holiday => "HOLIDAY",
            SpanKind::Workday => "WORKDAY",
        };
        fold(&format!("CATEGORIES:{cat}"), &mut out);
        out.push_str("END:VEVENT\r\n");
    }
    out.push_str("END:VCALENDAR\r\n");
    out
}

/// Checks a year's spans and expands them to days: every day in `year`, `from` ≤ `to`,
/// holidays at most [`MAX_HOLIDAY_DAYS`] long, workdays on weekends only, no day twice, names
/// present and bounded, at most [`MAX_ENTRIES`] entries.
pub fn validate(
    year: i32,
    spans: &[Span],
) -> Result<Vec<(NaiveDate, SpanKind, String)>, Vec<FieldError>> {
    let mut errs = Vec::new();
    if spans.len() > MAX_ENTRIES {
        return Err(vec![too_many()]);
    }
    if spans.is_empty() {
        return Err(vec![fe(
            "",
            "empty_calendar",
            "没有任何条目：至少应有一个节假日".to_owned(),
            "No entries: at least one holiday is expected".to_owned(),
        )]);
    }
    let mut days: Vec<(NaiveDate, SpanKind, String, usize)> = Vec::new();
    for (i, s) in spans.iter().enumerate() {
        let at = |f: &str| format!("[{i}].{f}");
        let name = s.name.trim();
        let chars = name.chars().count();
        if chars == 0 || chars > MAX_NAME_CHARS || name.chars().any(char::is_control) {
            push(
                &mut errs,
                fe(
                    &at("name"),
                    "invalid_name",
                    format!(
                        "{}：名称应为 1 到 {MAX_NAME_CHARS} 个字符且不含控制字符",
                        at("name")
                    ),
                    format!(
                        "{}: 1 to {MAX_NAME_CHARS} characters, no control characters",
                        at("name")
                    ),
                ),
            );
        }
        let mut ok = true;
        for (f, d) in [("from", s.from), ("to", s.to)] {
            if d.year() != year {
                ok = false;
                push(
                    &mut errs,
                    fe(
                        &at(f),
                        "outside_year",
                        format!("{}：{d} 不在 {year} 年内", at(f)),
                        format!("{}: {d} is not in {year}", at(f)),
                    ),
                );
            }
        }
        if s.to < s.from {
            ok = false;
            push(
                &mut errs,
                fe(
                    &at("to"),
                    "before_from",
                    format!("{}：结束日期早于开始日期", at("to")),
                    format!("{}: ends before it starts", at("to")),
                ),
            );
        }
        if !ok {
            continue;
        }
        let len = (s.to - s.from).num_days() + 1;
        if s.kind == SpanKind::Holiday && len > MAX_HOLIDAY_DAYS {
            push(
                &mut errs,
                fe(
                    &at("to"),
                    "holiday_too_long",
                    format!(
                        "{}：连续放假至多 {MAX_HOLIDAY_DAYS} 天（此处 {len} 天）",
                        at("to")
                    ),
                    format!(
                        "{}: a holiday spans at most {MAX_HOLIDAY_DAYS} days ({len})",
                        at("to")
                    ),
                ),
            );
            continue;
        }
        for d in s.from.iter_days().take_while(|d| *d <= s.to) {
            if s.kind == SpanKind::Workday && !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
                push(
                    &mut errs,
                    fe(
                        &at("from"),
                        "workday_not_weekend",
                        format!("{}：调休上班日 {d} 不是周末", at("from")),
                        format!("{}: the worked day {d} is not a weekend day", at("from")),
                    ),
                );
                break;
            }
            days.push((d, s.kind, name.to_owned(), i));
        }
    }
    days.sort_by_key(|d| d.0);
    for w in days.windows(2) {
        if let [a, b] = w
            && a.0 == b.0
        {
            let f = format!("[{}].from", b.3);
            push(
                &mut errs,
                fe(
                    &f,
                    "overlap",
                    format!("{f}：{} 与第 {} 条重叠", b.0, a.3),
                    format!("{f}: {} overlaps entry {}", b.0, a.3),
                ),
            );
        }
    }
    if errs.is_empty() {
        Ok(days.into_iter().map(|(d, k, n, _)| (d, k, n)).collect())
    } else {
        Err(errs)
    }
}

#[cfg(test)]
#[path = "file_tests.rs"]
mod tests;
