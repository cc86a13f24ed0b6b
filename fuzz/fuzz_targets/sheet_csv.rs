//! The spreadsheet reader on CSV bytes (UTF-8, UTF-16, GB18030), as both imports use it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shuanglian_register::onboarding::sheet::{self, Format, MEMBER_SHEET};

fuzz_target!(|data: &[u8]| {
    if data.starts_with(b"PK\x03\x04") {
        return;
    }
    match sheet::rows(data, MEMBER_SHEET) {
        Ok((format, rows)) => {
            assert_eq!(format, Format::Csv);
            assert!(!rows.is_empty() && rows.len() <= MEMBER_SHEET.max_rows);
            for (_, cells) in &rows {
                assert!(cells.len() <= MEMBER_SHEET.max_cols);
            }
        }
        Err(e) => assert_eq!(e.fields[0].field, "file"),
    }
    // The member import's view: every sheet, the header row found, footers set aside.
    match sheet::read(data) {
        Ok((layout, table)) => {
            assert!(table.rows.iter().all(|(n, _)| *n > layout.header_row));
            assert!(layout.skipped.iter().all(|(n, _)| table.rows.iter().all(|(r, _)| r != n)));
        }
        Err(e) => assert_eq!(e.fields[0].field, "file"),
    }
    if let Ok((_, parsed)) = shuanglian_register::qq::parse::parse_file(data) {
        assert!(parsed.people.len() + parsed.errors.len() <= shuanglian_register::qq::parse::MAX_PEOPLE);
    }
});
