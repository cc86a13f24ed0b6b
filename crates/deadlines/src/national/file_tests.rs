//! The calendar file reader: examples, and properties over arbitrary input (it never panics)
//! and over valid spans (what it writes, it reads back).

use super::*;
use proptest::prelude::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn span(from: NaiveDate, to: NaiveDate, kind: SpanKind, name: &str) -> Span {
    Span {
        from,
        to,
        kind,
        name: name.to_owned(),
    }
}

#[test]
fn reads_the_convention_unfolding_lines_and_marking_worked_days() {
    let ics = "BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VTIMEZONE\nTZID:Asia/Shanghai\nEND:VTIMEZONE\n\
BEGIN:VEVENT\nDTSTART;VALUE=DATE:20270205\nDTEND;VALUE=DATE:20270214\nSUMMARY:春\n 节\n\
BEGIN:VALARM\nDTSTART:20270101T000000\nEND:VALARM\nEND:VEVENT\n\
BEGIN:VEVENT\nDTSTART:20270220\nSUMMARY:春节调休上班\nEND:VEVENT\n\
BEGIN:VEVENT\nDTSTART:20270926\nSUMMARY:国庆节\\, 中秋节\nCATEGORIES:HOLIDAY,补班\nEND:VEVENT\n\
END:VCALENDAR\n";
    let spans = parse_ical(ics.as_bytes()).unwrap();
    assert_eq!(
        spans,
        [
            span(d(2027, 2, 5), d(2027, 2, 13), SpanKind::Holiday, "春节"),
            span(
                d(2027, 2, 20),
                d(2027, 2, 20),
                SpanKind::Workday,
                "春节调休上班"
            ),
            span(
                d(2027, 9, 26),
                d(2027, 9, 26),
                SpanKind::Workday,
                "国庆节, 中秋节"
            ),
        ]
    );
    let days = validate(2027, &spans).unwrap();
    assert_eq!(days.len(), 11);
}

#[test]
fn a_fold_inside_a_character_rejoins_it() {
    let bytes = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:20270205\r\nSUMMARY:春节\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        .as_bytes();
    // Split 春 (3 bytes) after its first byte.
    let at = bytes.windows(3).position(|w| w == "春".as_bytes()).unwrap() + 1;
    let mut folded = bytes[..at].to_vec();
    folded.extend_from_slice(b"\r\n ");
    folded.extend_from_slice(&bytes[at..]);
    assert_eq!(parse_ical(&folded).unwrap()[0].name, "春节");
}

#[test]
fn faults_name_where_they_are() {
    let e = parse_ical(b"BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE-TIME:20270205T080000\nEND:VEVENT\nBEGIN:VEVENT\nSUMMARY:x\nEND:VEVENT\nEND:VCALENDAR").unwrap_err();
    let got: Vec<(&str, &str)> = e
        .iter()
        .map(|f| (f.field.as_str(), f.code.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("VEVENT[0].DTSTART", "invalid_date"),
            ("VEVENT[1].DTSTART", "required")
        ]
    );
    assert!(e[0].message.contains("VEVENT[0].DTSTART"));
    assert!(parse_ical(b"BEGIN:VCALENDAR\nBEGIN:VEVENT\n").is_err());
    assert!(parse_ical(b"\xff\xfe").is_err());
    assert_eq!(parse_json(b"{").unwrap_err(), None);
    let e = validate(
        2027,
        &[span(d(2027, 1, 4), d(2027, 1, 4), SpanKind::Workday, "x")],
    )
    .unwrap_err();
    assert_eq!(e[0].code, "workday_not_weekend");
}

fn name() -> impl Strategy<Value = String> {
    // CJK, ASCII and the characters iCalendar escapes; no control characters but newline.
    proptest::string::string_regex("[春节国庆调休上班a-zA-Z0-9 ,;\\\\:\"\n]{1,60}").unwrap()
}

fn spans() -> impl Strategy<Value = Vec<Span>> {
    proptest::collection::vec((0u32..365, 0u32..12, any::<bool>(), name()), 0..20).prop_map(|v| {
        v.into_iter()
            .map(|(start, len, workday, name)| {
                let from = d(2027, 1, 1) + chrono::Duration::days(i64::from(start));
                Span {
                    from,
                    to: from + chrono::Duration::days(i64::from(len)),
                    kind: if workday {
                        SpanKind::Workday
                    } else {
                        SpanKind::Holiday
                    },
                    name,
                }
            })
            .collect()
    })
}

proptest! {
    #[test]
    fn never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = parse_ical(&bytes);
        let _ = parse_json(&bytes);
    }

    #[test]
    fn never_panics_on_line_shaped_input(
        lines in proptest::collection::vec(
            proptest::string::string_regex(
                "(BEGIN|END|DTSTART|DTEND|SUMMARY|CATEGORIES|X)(;VALUE=DATE|;A=\"x:y\")?:(VCALENDAR|VEVENT|VALARM|2027[0-9]{4}|[0-9T]{0,16}|WORKDAY|上班|.{0,8})"
            ).unwrap(),
            0..40,
        ),
        sep in prop_oneof![Just("\r\n"), Just("\n"), Just("\r\n ")],
    ) {
        let text = lines.join(sep);
        if let Ok(spans) = parse_ical(text.as_bytes()) {
            let _ = validate(2027, &spans);
        }
    }

    #[test]
    fn what_it_writes_it_reads_back(spans in spans()) {
        let ics = to_ical(2027, &spans);
        prop_assert_eq!(parse_ical(ics.as_bytes()).unwrap(), spans.clone());
        let json: Vec<serde_json::Value> = spans
            .iter()
            .map(|s| serde_json::json!({
                "from": s.from.to_string(), "to": s.to.to_string(),
                "kind": if s.kind == SpanKind::Workday { "workday" } else { "holiday" },
                "name": s.name,
            }))
            .collect();
        let bytes = serde_json::to_vec(&json).unwrap();
        prop_assert_eq!(parse_json(&bytes).unwrap(), spans.clone());
        // Validation is total too, and what it accepts lies in the year without a day twice.
        if let Ok(days) = validate(2027, &spans) {
            let mut seen: Vec<NaiveDate> = days.iter().map(|d| d.0).collect();
            seen.dedup();
            prop_assert_eq!(seen.len(), days.len());
            prop_assert!(days.iter().all(|d| d.0.year() == 2027));
        }
    }
}

#[test]
fn the_category_decides_over_the_name() {
    let d = |m, day| NaiveDate::from_ymd_opt(2027, m, day).expect("date");
    let spans = vec![Span {
        from: d(1, 1),
        to: d(1, 1),
        kind: SpanKind::Holiday,
        name: "上上班班".into(),
    }];
    assert_eq!(
        parse_ical(to_ical(2027, &spans).as_bytes()).expect("reads"),
        spans
    );
    // Without a category, the name still tells a worked day.
    let ics = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20270206\r\nSUMMARY:春节补班\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    assert_eq!(
        parse_ical(ics.as_bytes()).expect("reads")[0].kind,
        SpanKind::Workday
    );
}
