//! A county's export as `shuanglian tenant restore` reads it: the age envelope (with a fixed
//! county key), and the JSON Lines inside (fed directly, as `age -d | gunzip` gives them).
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use shuanglian_lifecycle::archive::{self, Reader};

static IDENTITY: LazyLock<age::x25519::Identity> =
    LazyLock::new(|| archive::parse_identity(&archive::keygen().0).expect("identity"));

fn drain(mut r: Reader<'_>) {
    let mut sections = 0u64;
    while let Ok(Some((s, rows))) = r.next_table() {
        assert_eq!(rows.len() as u64, s.rows, "a section holds exactly its rows");
        assert!(rows.iter().all(|row| row.len() == s.columns.len()));
        sections += 1;
    }
    assert!(sections <= 1 << 20);
}

fuzz_target!(|bytes: &[u8]| {
    if let Ok((r, _)) = Reader::open(bytes, &IDENTITY) {
        drain(r);
    }
    if let Ok((r, _)) = Reader::from_plain(bytes) {
        drain(r);
    }
});
