//! A QQ group's member list as pasted from QQ.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shuanglian_register::qq::parse;

fuzz_target!(|text: &str| {
    if let Ok(p) = parse::parse_paste(text) {
        assert!(p.people.len() + p.errors.len() <= parse::MAX_PEOPLE);
        let mut seen = std::collections::HashSet::new();
        for person in &p.people {
            assert!(
                seen.insert(person.qq.as_str().to_owned()),
                "duplicates are reported, not kept"
            );
            assert!(person.line >= 1);
        }
    }
});
