//! The readers of single cells a county sheet holds: the normalisers (phones, ID numbers,
//! dates, yes/no, gender, status; a business register's credit codes, kinds, statuses and head
//! counts), 户籍所在地 written as a place name, and organisation names written the county's way.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shuanglian_register::onboarding::normalise::{self, Fixes};
use shuanglian_register::onboarding::sheet::Cell;
use shuanglian_register::onboarding::{orgs, places};

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let mut f = Fixes::default();
    let _ = normalise::half_width(s, &mut f);
    let id = normalise::id_number(s, &mut f);
    assert!(id.chars().all(|c| !c.is_whitespace()));
    let _ = normalise::phone(s, &mut f);
    let _ = normalise::yes_no(s, &mut f);
    let _ = normalise::gender(s, &mut f);
    let _ = normalise::membership_status(s, &mut f);
    let code = normalise::credit_code(s, &mut f);
    assert!(code.chars().all(|c| !c.is_whitespace()));
    let _ = normalise::business_kind(s, &mut f);
    let _ = normalise::business_status(s);
    if let Some(n) = normalise::count(s, &mut f) {
        assert!((0..1_000_000_000).contains(&n));
    }
    for cell in [Cell::Text(s.to_owned()), Cell::Number(s.to_owned())] {
        if let Some(d) = normalise::date(&cell, &mut f) {
            assert!((1900..=2100).contains(&chrono::Datelike::year(&d)));
        }
    }
    if let places::Place::Named(code) = places::resolve(s) {
        assert_eq!(code.len(), 6);
    }
    let _ = orgs::key(s, &["安吉县".to_owned(), "安吉".to_owned()]);
});
