//! The spreadsheet reader on xlsx bytes: with the member import's limits and the QQ list's.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shuanglian_register::onboarding::sheet::{self, Format, MEMBER_SHEET};

fuzz_target!(|data: &[u8]| {
    // Everything that is not a zip goes the CSV way, which `sheet_csv` covers.
    if !data.starts_with(b"PK\x03\x04") {
        return;
    }
    match sheet::rows(data, MEMBER_SHEET) {
        Ok((format, rows)) => {
            assert_eq!(format, Format::Xlsx);
            assert!(!rows.is_empty() && rows.len() <= MEMBER_SHEET.max_rows);
            let laid_out: usize = rows.iter().map(|(_, r)| r.len()).sum();
            assert!(laid_out <= MEMBER_SHEET.max_cells);
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
    let _ = shuanglian_register::qq::parse::parse_file(data);
});
