//! A national working-day calendar file as the platform operator uploads it: iCalendar or JSON.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shuanglian_deadlines::national::file;

fuzz_target!(|bytes: &[u8]| {
    if bytes.len() > file::MAX_BYTES {
        return;
    }
    for spans in [file::parse_ical(bytes).ok(), file::parse_json(bytes).ok()]
        .into_iter()
        .flatten()
    {
        if let Ok(days) = file::validate(2027, &spans) {
            assert!(spans.len() <= file::MAX_ENTRIES);
            assert!(days.windows(2).all(|w| w[0].0 < w[1].0), "sorted, no day twice");
            // What was accepted is written and read back alike.
            let again = file::parse_ical(file::to_ical(2027, &spans).as_bytes());
            assert!(again.is_ok());
        }
    }
});
