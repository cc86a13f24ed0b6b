//! The xlsx shared-string table, bounded before calamine reads it (see [`check`]).

use super::sheet::Limits;
use crate::error::AppError;

/// Entries of the shared-string tables, counted without keeping them: calamine holds the whole
/// table in memory (and reserves what its `uniqueCount` claims), so a table too long for the
/// limits is refused before calamine opens the file. The parts' sizes are already bounded.
pub(super) fn check(
    zip: &mut zip::ZipArchive<std::io::Cursor<&[u8]>>,
    limits: Limits,
    unreadable: fn(&str, &str, &str) -> AppError,
    bad_xlsx: fn() -> AppError,
) -> Result<(), AppError> {
    use std::io::Read;
    let parts: Vec<usize> = (0..zip.len())
        .filter(|&i| {
            zip.name_for_index(i)
                .and_then(Result::ok)
                .is_some_and(|n| n.to_ascii_lowercase().ends_with("sharedstrings.xml"))
        })
        .collect();
    let too_many_strings = || {
        unreadable(
            "too_many_strings",
            format!(
                "file：xlsx 文件的共享字符串表过大（上限 {} 条）",
                limits.max_strings
            )
            .as_str(),
            format!(
                "file: the xlsx shared-string table holds more than {} entries",
                limits.max_strings
            )
            .as_str(),
        )
    };
    for i in parts {
        let mut part = zip.by_index(i).map_err(|_| bad_xlsx())?;
        let mut counter = StringCounter::default();
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = part.read(&mut buf).map_err(|_| bad_xlsx())?;
            if n == 0 {
                break;
            }
            counter.feed(&buf[..n]);
            if counter.entries > limits.max_strings || counter.declared > limits.max_strings {
                return Err(too_many_strings());
            }
        }
    }
    Ok(())
}

/// Counts `<si>` elements (with or without a namespace prefix) and reads the `uniqueCount`
/// attribute, across buffer boundaries: a token cut by the end of a read is kept and finished
/// with the next one.
#[derive(Default)]
struct StringCounter {
    tail: Vec<u8>,
    entries: usize,
    declared: usize,
}

impl StringCounter {
    fn feed(&mut self, chunk: &[u8]) {
        // A cut token longer than this is neither `<si` nor the attribute: dropped, not kept.
        const KEEP: usize = 64;
        const ATTR: &[u8] = b"uniqueCount=";
        let mut data = std::mem::take(&mut self.tail);
        data.extend_from_slice(chunk);
        let delimiter = |b: &u8| matches!(b, b' ' | b'>' | b'/' | b'\t' | b'\r' | b'\n');
        for i in 0..data.len() {
            let rest = &data[i..];
            if rest[0] == b'<' {
                match rest[1..].iter().position(delimiter) {
                    None if rest.len() <= KEEP => {
                        self.tail = rest.to_vec();
                        return;
                    }
                    // `</…`, or a name too long to be `si`.
                    None | Some(0) => {}
                    Some(n) => {
                        if rest[1..=n].rsplit(|b| *b == b':').next() == Some(b"si") {
                            self.entries += 1;
                        }
                    }
                }
            } else if rest[0] == b'u' && self.declared == 0 {
                if rest.len() < ATTR.len() && ATTR.starts_with(rest) {
                    self.tail = rest.to_vec();
                    return;
                }
                if let Some(value) = rest.strip_prefix(ATTR) {
                    // The quote, the digits, the closing quote.
                    let digits = value.get(1..).unwrap_or_default();
                    let n = digits.iter().take_while(|b| b.is_ascii_digit()).count();
                    if n == digits.len() && rest.len() <= KEEP {
                        self.tail = rest.to_vec();
                        return;
                    }
                    // Too many digits to hold is too many strings anyway; none is no claim.
                    self.declared = std::str::from_utf8(&digits[..n])
                        .ok()
                        .and_then(|d| d.parse().ok())
                        .unwrap_or(if n == 0 { 0 } else { usize::MAX });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_string_counter_sees_tokens_across_reads() {
        let xml = br#"<sst xmlns="x" count="3" uniqueCount="3"><si><t>a</t></si><x:si><t>b</t></x:si><si/><sin/></sst>"#;
        for split in 0..xml.len() {
            let mut c = StringCounter::default();
            c.feed(&xml[..split]);
            c.feed(&xml[split..]);
            assert_eq!((c.entries, c.declared), (3, 3), "split at {split}");
        }
    }
}
